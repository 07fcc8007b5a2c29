import { expect } from 'chai';
import { Container, Event, ResolutionError, injectable, publishes, subscribes } from '../lib';
import { targetOf, weakOf } from '../lib/core/handler-list';
import { tick, warningsDuring } from './helpers';

/**
 * Lifetimes: every object the container builds has an owner that unwires it at a known
 * moment (a singleton its container, a scoped object or a transient built through a child
 * scope that child), and what an owner keeps is wired strongly. Only what nobody owns (a
 * transient of the root container, an object adopted with `wire()`) is wired weakly, and the
 * warnings point at it.
 */

@injectable() class Hub { @publishes() tick!: Event<[n: number]>; }

/** Records what was disposed, in order. */
const disposed: string[] = [];

@injectable({ scope: 'scoped' }) class RequestLog {
  static made = 0;
  readonly id = ++RequestLog.made;
  lines: number[] = [];
  @subscribes(Hub, 'tick') onTick(n: number): void { this.lines.push(n); }
  dispose(): void { disposed.push(`RequestLog#${this.id}`); }
}

@injectable({ scope: 'transient' }) class Meter {
  static made = 0;
  readonly id = ++Meter.made;
  total = 0;
  @subscribes(Hub, 'tick') onTick(n: number): void { this.total += n; }
  dispose(): void { disposed.push(`Meter#${this.id}`); }
}

@injectable() class Tally {
  total = 0;
  @subscribes(Hub, 'tick') onTick(n: number): void { this.total += n; }
}

/** Every record on `event`: its target, and whether it is held through a WeakRef. */
function records(event: Event<any>): { target: object | undefined; weak: boolean }[] {
  return event._list.records.map((record) => ({ target: targetOf(record), weak: weakOf(record) !== undefined }));
}

const codeOf = (warning: Error): string | undefined => (warning as Error & { code?: string }).code;

describe('lifetimes', () => {
  beforeEach(() => { disposed.length = 0; });

  describe("scope 'scoped'", () => {
    it('should build one instance per child scope, the same for every get() in it', () => {
      const app = new Container();
      const a = app.createChild();
      const b = app.createChild();
      expect(a.get(RequestLog)).to.equal(a.get(RequestLog));
      expect(a.get(RequestLog)).to.not.equal(b.get(RequestLog));
      const grandchild = a.createChild();
      expect(grandchild.get(RequestLog)).to.not.equal(a.get(RequestLog));
      app.dispose();
    });

    it('should give a scoped dependency of a scoped or transient object the instance of the scope', () => {
      @injectable({ scope: 'transient' }) class Handler { constructor(readonly log: RequestLog) {} }
      const app = new Container();
      const scope = app.createChild();
      expect(scope.get(Handler).log).to.equal(scope.get(RequestLog));
      app.dispose();
    });

    it("should accept register(token, { useClass, scope: 'scoped' })", () => {
      class Plain { readonly id = Math.random(); }
      const app = new Container().register(Plain, { useClass: Plain, scope: 'scoped' });
      const scope = app.createChild();
      expect(scope.get(Plain)).to.equal(scope.get(Plain));
      expect(app.createChild().get(Plain)).to.not.equal(scope.get(Plain));
      app.dispose();
    });

    it('should refuse get() of a scoped class on the root container, naming the class and createChild()', () => {
      const app = new Container();
      expect(() => app.get(RequestLog)).to.throw(ResolutionError, /^RequestLog is scoped .*container\.createChild\(\); scope\.get\(RequestLog\)/);
      app.dispose();
    });

    it('should refuse a root singleton that depends on a scoped object, even asked through a scope', () => {
      @injectable() class Cache { constructor(readonly log: RequestLog) {} }
      const app = new Container();
      expect(() => app.createChild().get(Cache)).to.throw(ResolutionError, /\(path: Cache -> RequestLog\)/);
      app.dispose();
    });
  });

  describe('a child scope owns what it builds', () => {
    it('should unwire and dispose its scoped and transient objects on dispose(), newest first', () => {
      const app = new Container();
      const hub = app.get(Hub);
      let log: RequestLog;
      let meter: Meter;
      {
        using scope = app.createChild();
        log = scope.get(RequestLog);
        meter = scope.get(Meter);
        hub.tick.fire(5);
        expect(hub.tick.size).to.equal(2);
      }
      expect(hub.tick.size).to.equal(0);
      expect(disposed).to.deep.equal([`Meter#${meter.id}`, `RequestLog#${log.id}`]);
      hub.tick.fire(7);
      expect(log.lines).to.deep.equal([5]);
      expect(meter.total).to.equal(5);
      app.dispose();
    });

    it('should keep a transient it built alive until it is disposed, though nothing else refers to it', async () => {
      const app = new Container();
      const hub = app.get(Hub);
      const scope = app.createChild();
      const ref = new WeakRef(scope.get(Meter));
      for (let i = 0; i < 3; i++) {
        await tick();
        (globalThis as unknown as { gc: () => void }).gc();
      }
      expect(ref.deref()).to.be.instanceOf(Meter);
      hub.tick.fire(2);
      expect(ref.deref()!.total).to.equal(2);
      scope.dispose();
      expect(hub.tick.size).to.equal(0);
      app.dispose();
    });
  });

  describe('strong and weak handlers', () => {
    it('should never hold a container-built singleton subscriber through a WeakRef', () => {
      const app = new Container();
      const hub = app.get(Hub);
      const tally = app.get(Tally);
      expect(records(hub.tick)).to.deep.equal([{ target: tally, weak: false }]);
      expect(hub.tick._list.weak).to.equal(0);
      hub.tick.fire(3);
      expect(tally.total).to.equal(3);
      app.dispose();
      expect(hub.tick.size).to.equal(0);
    });

    it('should wire a singleton built before its source strongly too, and a registered value', () => {
      const app = new Container();
      const tally = app.get(Tally);
      const value = new Tally();
      app.register('value', { useValue: value });
      app.get('value');
      const hub = app.get(Hub);
      expect(records(hub.tick)).to.deep.equal([{ target: tally, weak: false }, { target: value, weak: false }]);
      app.dispose();
    });

    it('should wire scoped objects and transients of a child scope strongly', () => {
      const app = new Container();
      const hub = app.get(Hub);
      const scope = app.createChild();
      const log = scope.get(RequestLog);
      const meter = scope.get(Meter);
      expect(records(hub.tick)).to.deep.equal([{ target: log, weak: false }, { target: meter, weak: false }]);
      scope.dispose();
      app.dispose();
    });

    it('should wire weakly only what nobody owns: a transient of the root, an object adopted with wire()', async () => {
      const app = new Container({ maxWeakHandlers: 0 });
      const hub = app.get(Hub);
      const meter = app.get(Meter);
      const adopted = app.wire(new Tally());
      expect(records(hub.tick)).to.deep.equal([{ target: meter, weak: true }, { target: adopted, weak: true }]);
      app.dispose();
    });

    it('should name a strongly held handler as Class.method, also when quarantine removes it', () => {
      @injectable() class Flaky {
        @subscribes(Hub, 'tick') onTick(): void { throw new Error('broken'); }
      }
      const handlers: string[] = [];
      const app = new Container({ quarantine: 1, onError: (failure) => { handlers.push(`${failure.handler} ${failure.quarantined}`); } });
      const hub = app.get(Hub);
      app.get(Flaky);
      hub.tick.fire(1);
      expect(handlers).to.deep.equal(['Flaky.onTick true']);
      expect(hub.tick.size).to.equal(0);
      app.dispose();
    });
  });

  describe('warnings', () => {
    class Listener { onFire(): void { /* a subscriber */ } }

    it('should warn once per event when weakly held handlers pile up, naming the event, source, class and count', async () => {
      const source = new Hub();
      const event = new Event<[]>('tick', { source, maxWeakHandlers: 3 });
      const keep: Listener[] = [];
      const seen = await warningsDuring(() => {
        for (let i = 0; i < 10; i++) {
          const listener = new Listener();
          keep.push(listener);
          event.add(Listener.prototype.onFire, { target: listener });
        }
      });
      expect(seen.map(codeOf)).to.deep.equal(['EVENTWIRE_WEAK_HANDLERS']);
      expect(seen[0].name).to.equal('WeakHandlersWarning');
      expect(seen[0].message).to.match(/^Event "tick" of Hub holds 4 handlers of weakly held subscribers \(limit 3\), the latest of Listener\./);
      expect(seen[0].message).to.contain('collected only while their event is quiet');
      expect(seen[0].message).to.contain('createChild()');
      expect(seen[0].message).to.contain('release()');
    });

    it('should write the warning with console.warn where there is no process.emitWarning (a browser)', () => {
      const emit = process.emitWarning;
      const warn = console.warn;
      const written: string[] = [];
      (process as { emitWarning?: unknown }).emitWarning = undefined;
      console.warn = (line: string): void => { written.push(line); };
      try {
        const event = new Event<[]>('tick', { maxWeakHandlers: 1 });
        const keep = [new Listener(), new Listener()];
        for (const target of keep) event.add(Listener.prototype.onFire, { target });
      } finally {
        process.emitWarning = emit;
        console.warn = warn;
      }
      expect(written).to.have.length(1);
      expect(written[0]).to.match(/^WeakHandlersWarning \[EVENTWIRE_WEAK_HANDLERS\]: Event "tick" holds 2 handlers/);
    });

    it('should not count strong handlers toward the weak limit, nor warn with maxWeakHandlers: 0', async () => {
      const counted = new Event<[]>('counted', { maxWeakHandlers: 2, maxHandlers: 0 });
      const off = new Event<[]>('off', { maxWeakHandlers: 0 });
      const keep: Listener[] = [];
      const seen = await warningsDuring(() => {
        for (let i = 0; i < 5; i++) counted.add(() => undefined);
        for (let i = 0; i < 2; i++) counted.add(Listener.prototype.onFire, { target: new Listener() });
        for (let i = 0; i < 2000; i++) {
          keep.push(new Listener());
          off.add(Listener.prototype.onFire, { target: keep[i] });
        }
      });
      expect(seen.map(codeOf)).to.deep.equal([]);
    });

    it("should pass the container's maxWeakHandlers to the events it creates", async () => {
      const app = new Container({ maxWeakHandlers: 2 });
      const hub = app.get(Hub);
      const keep: object[] = [];
      const seen = await warningsDuring(() => {
        for (let i = 0; i < 3; i++) keep.push(app.wire(new Tally()));
      });
      expect(seen.map(codeOf)).to.deep.equal(['EVENTWIRE_WEAK_HANDLERS']);
      expect(seen[0].message).to.match(/^Event "tick" of Hub holds 3 handlers .* the latest of Tally\./);
      expect(hub.tick.size).to.equal(3);
      app.dispose();
    });

    it('should warn once per class when the root container builds a transient subscriber, and not in a scope', async () => {
      @injectable({ scope: 'transient' }) class Watcher {
        @subscribes(Hub, 'tick') onTick(): void { /* watches */ }
      }
      @injectable({ scope: 'transient' }) class Helper { readonly quiet = true; }
      const app = new Container();
      app.get(Hub);
      const inScope = await warningsDuring(() => { app.createChild().get(Watcher); });
      expect(inScope.map(codeOf)).to.deep.equal([]);
      const seen = await warningsDuring(() => {
        app.get(Watcher);
        app.get(Watcher);
        app.get(Helper);   // subscribes to nothing: no warning
      });
      expect(seen.map(codeOf)).to.deep.equal(['EVENTWIRE_UNOWNED_SUBSCRIBER']);
      expect(seen[0].message).to.match(/^Watcher is a transient subscriber built by the root container: nothing owns it/);
      expect(seen[0].message).to.contain('scope.get(Watcher)');
      app.dispose();
    });

    it('should not warn about a transient subscriber built as a dependency, nor with maxWeakHandlers: 0', async () => {
      @injectable({ scope: 'transient' }) class Part {
        @subscribes(Hub, 'tick') onTick(): void { /* part of a whole */ }
      }
      @injectable({ scope: 'transient' }) class Quiet {
        @subscribes(Hub, 'tick') onTick(): void { /* silenced */ }
      }
      @injectable() class Whole { constructor(readonly part: Part) {} }
      const app = new Container();
      const silent = new Container({ maxWeakHandlers: 0 });
      const seen = await warningsDuring(() => {
        app.get(Whole);
        silent.get(Quiet);
      });
      expect(seen.map(codeOf)).to.deep.equal([]);
      app.dispose();
      silent.dispose();
    });
  });
});
