import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as ts from 'typescript';
import { Container, DecoratorError, Event, publishes, subscribes } from '../lib';
import { subscribedEvents } from '../lib/wiring/metadata';
import { OrderService } from './fixtures/cycle/order-service';
import { PaymentService } from './fixtures/cycle/payment-service';

const root = join(__dirname, '..');

describe('@subscribes(() => Source, key): a lazy source', () => {
  it('should wire two services whose files import each other (CommonJS)', () => {
    const app = new Container();
    const orders = app.get(OrderService);
    const payments = app.get(PaymentService);
    orders.place('A1', 40);
    orders.place('A2', 400);
    expect(payments.charged).to.deep.equal(['A1']);
    expect(orders.cancelled).to.deep.equal(['A2 (over the limit)']);
  });

  it('should wire two services whose files import each other (ES modules compiled by tsc)', function () {
    this.timeout(60_000);
    const out = mkdtempSync(join(tmpdir(), 'eventwire-esm-'));
    try {
      // Compiled file by file as the user's build would (tsc's emit, decorator metadata included):
      // lib/ as CommonJS, the fixture as ES modules importing it.
      const compile = (from: string, to: string, module: ts.ModuleKind): void => {
        const { outputText } = ts.transpileModule(readFileSync(join(root, from), 'utf8'), {
          fileName: from,
          compilerOptions: { target: ts.ScriptTarget.ES2022, module, experimentalDecorators: true, emitDecoratorMetadata: true, esModuleInterop: true },
        });
        mkdirSync(dirname(join(out, to)), { recursive: true });
        writeFileSync(join(out, to), outputText);
      };
      for (const file of readdirSync(join(root, 'lib'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'))) {
        compile(join('lib', file), join('lib', file.replace(/\.ts$/, '.js')), ts.ModuleKind.CommonJS);
      }
      for (const file of ['main', 'order-service', 'payment-service']) {
        compile(`spec/fixtures/cycle-esm/${file}.mts`, `spec/fixtures/cycle-esm/${file}.mjs`, ts.ModuleKind.ESNext);
      }
      const { NODE_V8_COVERAGE: _coverage, ...env } = process.env;
      const printed = execFileSync(process.execPath, [join(out, 'spec/fixtures/cycle-esm/main.mjs')], {
        cwd: root, encoding: 'utf8', env: { ...env, NODE_PATH: join(root, 'node_modules') },
      });
      expect(printed).to.equal('charged: A1\ncancelled: A2 (over the limit)\n');
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('should call the function when the container first wires the subscriber, once', () => {
    let calls = 0;
    class Dashboard {
      readonly seen: number[] = [];
      @subscribes(() => { calls++; return Gauge; }, 'moved') onMoved(value: number): void { this.seen.push(value); }
    }
    class Gauge { @publishes() moved!: Event<[value: number]>; }
    expect(calls).to.equal(0);
    const app = new Container();
    const dashboards = [app.wire(new Dashboard()), app.wire(new Dashboard())];
    const gauge = app.wire(new Gauge());
    gauge.moved.fire(7);
    expect(dashboards.map((d) => d.seen)).to.deep.equal([[7], [7]]);
    expect(calls).to.equal(1);
  });

  it('should accept an abstract source class, a class compiled to an ES5 function and a function expression', () => {
    abstract class Meter { @publishes() read!: Event<[value: number]>; }
    class Thermometer extends Meter {}
    // What `class Barometer { @publishes() read!: Event }` becomes when compiled to ES5.
    const Barometer = function Barometer(this: object) { /* an ES5 class */ } as unknown as new () => { read: Event<[value: number]> };
    publishes()(Barometer.prototype, 'read');
    class Panel {
      readonly seen: string[] = [];
      @subscribes(Meter, 'read') direct(value: number): void { this.seen.push(`direct ${value}`); }
      @subscribes(() => Meter, 'read') lazy(value: number): void { this.seen.push(`lazy ${value}`); }
      @subscribes(Barometer, 'read') es5(value: number): void { this.seen.push(`es5 ${value}`); }
      // What `() => Barometer` becomes when compiled to ES5: a function expression with a prototype.
      @subscribes(function () { return Barometer; }, 'read') es5Lazy(value: number): void { this.seen.push(`es5 lazy ${value}`); }
    }
    const app = new Container();
    const panel = app.wire(new Panel());
    app.wire(new Thermometer()).read.fire(1);
    app.wire(new Barometer()).read.fire(2);
    expect(panel.seen).to.deep.equal(['direct 1', 'lazy 1', 'es5 2', 'es5 lazy 2']);
  });

  it('should say what to do when the function returns no class at wiring time', () => {
    const late: { Source?: new () => { ready: Event } } = {};
    class Waiter { @subscribes(() => late.Source!, 'ready') onReady(): void { /* never */ } }
    // (The function's text is shown as compiled: `() => late.Source` once the `!` is stripped.)
    expect(() => new Container().wire(new Waiter())).to.throw(DecoratorError,
      ', "ready") on method Waiter.onReady: the source function returned undefined, not a class. ' +
      'It runs when the container first wires the subscriber; if the source class is not defined then, its module has not finished loading: ' +
      'import every module before building or wiring objects, and return the class itself (() => Source).');
    // Nothing is cached on failure: once the class exists, wiring works.
    class Ready { @publishes() ready!: Event; }
    late.Source = Ready;
    expect(() => new Container().wire(new Waiter())).not.to.throw();
  });

  it('should wrap what the function throws (an ES module binding read too early)', () => {
    class Waiter {
      @subscribes((): typeof OrderService => { throw new ReferenceError("Cannot access 'Late' before initialization"); }, 'orderPlaced')
      onReady(): void { /* never */ }
    }
    expect(() => new Container().wire(new Waiter())).to.throw(DecoratorError,
      "on method Waiter.onReady: the source function threw ReferenceError: Cannot access 'Late' before initialization. " +
      'It runs when the container first wires the subscriber');
  });

  it('should point an undefined direct source to the lazy form', () => {
    expect(() => {
      class Dashboard { @subscribes(undefined as unknown as typeof OrderService, 'orderPlaced') onPlaced(): void { /* never */ } }
      return Dashboard;
    }).to.throw(DecoratorError, '@subscribes(() => Source, "orderPlaced")');
  });

  it('should leave the function uncalled until the source is read', () => {
    class Listener { @subscribes((): typeof OrderService => { throw new Error('called too early'); }, 'orderPlaced') on(): void { /* never */ } }
    expect(subscribedEvents(Listener)).to.have.length(1);
  });
});
