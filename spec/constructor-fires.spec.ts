import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Container, Event, injectable, publishes, subscribes, type TraceRecord } from '../lib';
import { runStandard, warningsDuring } from './helpers';
import type * as BootModule from './standard/boot';

/**
 * Trial finding 3: what a constructor fires reaches the subscribers. The container connects an
 * object's subscribers when it wires the object, after its constructor returned; what the
 * constructor fired meanwhile (on the events `@publishes` gave it) is held and fired again once
 * the object is wired, in both decorator modes.
 */

describe('fires from a constructor', () => {
  @injectable() class Boot {
    @publishes() declare readonly booted: Event<[at: number]>;
    @publishes('ready', { replay: 1 }) declare readonly ready: Event<[name: string]>;
    constructor() {
      this.booted.fire(1);
      this.booted.fire(2);
      this.ready.fire('boot');
    }
  }

  @injectable() class BootWatcher {
    readonly seen: string[] = [];
    @subscribes(Boot, 'booted') onBooted(at: number): void { this.seen.push(`booted ${at}`); }
    @subscribes(Boot, 'ready') onReady(name: string): void { this.seen.push(`ready ${name}`); }
  }

  it('should deliver them, in order, to subscribers already built (legacy declare readonly), a replayed one once', () => {
    const app = new Container();
    const watcher = app.get(BootWatcher);
    app.get(Boot);
    expect(watcher.seen).to.deep.equal(['ready boot', 'booted 1', 'booted 2']);
  });

  it('should deliver them under standard decorators (readonly field!: Event)', () => {
    const file = join(__dirname, 'standard', 'boot.ts');
    const standard = runStandard(readFileSync(file, 'utf8'), file) as unknown as typeof BootModule;
    const app = new Container();
    const watcher = app.get(standard.BootWatcher);
    app.get(standard.Boot);
    expect(watcher.seen).to.deep.equal(['ready boot', 'booted 1']);
  });

  it('should deliver them to a subscriber that the object itself is, and show them in the trace', () => {
    @injectable() class SelfAware {
      readonly heard: number[] = [];
      @publishes() declare readonly started: Event<[n: number]>;
      constructor() { this.started.fire(7); }
      @subscribes(() => SelfAware, 'started') onStarted(n: number): void { this.heard.push(n); }
    }
    const traced: TraceRecord[] = [];
    const app = new Container({ trace: (record) => { traced.push(record); } });
    expect(app.get(SelfAware).heard).to.deep.equal([7]);
    expect(traced.map((r) => `${r.name} ${r.handlers}`)).to.deep.equal(['started 1']);
  });

  it('should deliver them for a factory-built object and for a scoped object of a child scope', () => {
    const app = new Container().register('boot', { useFactory: () => new Boot() });
    const watcher = app.get(BootWatcher);
    app.get('boot');
    expect(watcher.seen).to.deep.equal(['ready boot', 'booted 1', 'booted 2']);

    @injectable({ scope: 'scoped' }) class RequestStart {
      @publishes() declare readonly began: Event<[path: string]>;
      constructor() { this.began.fire('/a'); }
    }
    @injectable() class Access {
      readonly paths: string[] = [];
      @subscribes(RequestStart, 'began') onBegan(path: string): void { this.paths.push(path); }
    }
    const access = app.get(Access);
    using scope = app.createChild();
    scope.get(RequestStart);
    expect(access.paths).to.deep.equal(['/a']);
  });

  it('should not fire again for an object made with new and no container, and not deliver to a subscriber built later', () => {
    const heard: number[] = [];
    const boot = new Boot();
    boot.booted.add((at) => { heard.push(at); });
    boot.booted.fire(3);
    expect(heard).to.deep.equal([3]);
    const app = new Container();
    app.get(Boot);
    const late = app.get(BootWatcher);
    expect(late.seen).to.deep.equal(['ready boot']);   // replay reaches it, a plain event does not
  });

  it('should not repeat a fire to handlers the constructor added itself, and warn that the subscribers missed it', async () => {
    @injectable() class Boiler {
      @publishes() declare readonly started: Event<[degrees: number]>;
      readonly early: number[] = [];
      constructor() {
        this.started.add((degrees) => { this.early.push(degrees); });
        this.started.fire(20);
      }
    }
    @injectable() class Audit {
      readonly lines: number[] = [];
      @subscribes(Boiler, 'started') onStarted(degrees: number): void { this.lines.push(degrees); }
    }
    const app = new Container();
    const audit = app.get(Audit);
    let boiler: Boiler | undefined;
    const warnings = await warningsDuring(() => { boiler = app.get(Boiler); }, 'EVENTWIRE_CONSTRUCTOR_FIRE_MISSED');
    expect(boiler!.early).to.deep.equal([20]);
    expect(audit.lines).to.deep.equal([]);
    expect(warnings.map((w) => w.message)).to.deep.equal([
      "Boiler's constructor fired \"started\" after adding a handler to it itself, so the subscribers wired afterwards missed it. " +
      "Use @publishes('started', { replay: 1 }) or fire it after construction.",
    ]);
    // Once per class and event.
    expect(await warningsDuring(() => { app.createChild().get(Boiler); new Container().get(Boiler); }, 'EVENTWIRE_CONSTRUCTOR_FIRE_MISSED')).to.have.length(0);
  });

  it('should build the object even when a held fire throws under the throw policy, and throw that failure from get()', () => {
    @injectable() class Strict {
      @subscribes(Boot, 'booted') onBooted(): void { throw new Error('no boot'); }
    }
    const app = new Container({ errors: 'throw' });
    app.get(Strict);
    expect(() => app.get(Boot)).to.throw('no boot');
    expect(app.graph().nodes.map((n) => n.name)).to.deep.equal(['Boot', 'Strict']);
  });
});
