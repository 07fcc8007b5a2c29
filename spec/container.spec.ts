import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import {
  Container, DecoratorError, DisposedError, Event, InjectionToken, InvalidArgumentError, ResolutionError, WiringError,
  inject, injectable, publishes, subscribes, type EventInfo,
} from '../lib';
import { recorder } from './helpers';

@injectable()
class Logger {
  readonly lines: string[] = [];
  info(line: string): void { this.lines.push(line); }
}

@injectable()
class Engine {
  @publishes('started') started!: Event<[rpm: number]>;
  @publishes() stopped!: Event;
}

@injectable()
class Dashboard {
  constructor(readonly log: Logger) {}
  @subscribes(Engine, 'started') onStarted(rpm: number): void { this.log.info(`started ${rpm}`); }
  @subscribes(Engine, 'stopped') onStopped(): void { this.log.info('stopped'); }
}

describe(Container.name, () => {
  describe('wiring', () => {
    it('should connect a subscriber built before its source (the issue example)', () => {
      const app = new Container();
      app.get(Dashboard);
      app.get(Engine).started.fire(900);
      expect(app.get(Logger).lines).to.deep.equal(['started 900']);
    });

    it('should connect a subscriber built after its source', () => {
      const app = new Container();
      const engine = app.get(Engine);
      app.get(Dashboard);
      engine.started.fire(1);
      engine.stopped.fire();
      expect(app.get(Logger).lines).to.deep.equal(['started 1', 'stopped']);
    });

    it('should give each published event its name and the object as source', () => {
      const engine = new Container().get(Engine);
      expect(engine.started).to.be.instanceOf(Event);
      expect(engine.started.name).to.equal('started');
      expect(engine.started.source).to.equal(engine);
      expect(engine.stopped.name).to.equal('stopped');
    });

    it('should connect every live subscriber to every live source', () => {
      @injectable({ scope: 'transient' }) class Sensor { @publishes() reading!: Event<[number]>; }
      @injectable({ scope: 'transient' }) class Display {
        readonly seen: number[] = [];
        @subscribes(Sensor, 'reading') show(n: number): void { this.seen.push(n); }
      }
      const app = new Container();
      const [d1, s1, d2, s2] = [app.get(Display), app.get(Sensor), app.get(Display), app.get(Sensor)];
      s1.reading.fire(1);
      s2.reading.fire(2);
      expect(d1.seen).to.deep.equal([1, 2]);
      expect(d2.seen).to.deep.equal([1, 2]);
      expect(s1.reading.size).to.equal(2);
    });

    it('should let an object subscribe to events of its own class, itself included', () => {
      @injectable({ scope: 'transient' }) class Peer {
        readonly heard: string[] = [];
        constructor() { this.id = `p${++Peer.count}`; }
        static count = 0;
        readonly id: string;
        @publishes() said!: Event<[from: string]>;
        @subscribes(Peer, 'said') hear(from: string): void { this.heard.push(from); }
      }
      const app = new Container();
      const a = app.get(Peer);
      const b = app.get(Peer);
      a.said.fire(a.id);
      expect(a.heard).to.deep.equal([a.id]);
      expect(b.heard).to.deep.equal([a.id]);
      expect(a.said.size).to.equal(2);
    });

    it('should adopt an object built elsewhere with wire()', () => {
      const app = new Container();
      const dashboard = app.get(Dashboard);
      const engine = app.wire(new Engine());
      engine.started.fire(5);
      expect(dashboard.log.lines).to.deep.equal(['started 5']);
    });

    it('should keep an Event the object created itself', () => {
      class Own { @publishes() ping = new Event<[number]>('ping'); }
      @injectable() class Listener { n = 0; @subscribes(Own, 'ping') on(n: number): void { this.n += n; } }
      const app = new Container();
      const own = new Own();
      const event = own.ping;
      app.wire(own);
      const listener = app.get(Listener);
      own.ping.fire(3);
      expect(own.ping).to.equal(event);
      expect(listener.n).to.equal(3);
    });

    it('should unwire one object with release()', () => {
      const app = new Container();
      const dashboard = app.get(Dashboard);
      const engine = app.get(Engine);
      app.release(dashboard);
      engine.started.fire(1);
      expect(dashboard.log.lines).to.deep.equal([]);
      expect(engine.started.size).to.equal(0);
      app.wire(dashboard);
      engine.started.fire(2);
      expect(dashboard.log.lines).to.deep.equal(['started 2']);
    });

    it('should apply once, priority, filter and info from @subscribes', () => {
      @injectable() class Meter { @publishes() level!: Event<[number]>; }
      @injectable() class Watcher {
        readonly log: string[] = [];
        @subscribes(Meter, 'level', { priority: -1 }) last(n: number): void { this.log.push(`last ${n}`); }
        @subscribes(Meter, 'level', { once: true }) first(n: number): void { this.log.push(`once ${n}`); }
        @subscribes(Meter, 'level', { filter: (_meter, n) => n > 5 }) high(n: number): void { this.log.push(`high ${n}`); }
        @subscribes(Meter, 'level', { info: true, priority: 10 }) named(info: EventInfo<[number]>, n: number): void {
          this.log.push(`${info.name} from ${info.source?.constructor.name} ${n}`);
        }
      }
      const app = new Container();
      const watcher = app.get(Watcher);
      const meter = app.get(Meter);
      meter.level.fire(3);
      meter.level.fire(7);
      expect(watcher.log).to.deep.equal([
        'level from Meter 3', 'once 3', 'last 3',
        'level from Meter 7', 'high 7', 'last 7',
      ]);
    });

    it('should start every registered singleton subscriber so bootstrap events reach them', () => {
      @injectable() class Boot { @publishes() ready!: Event; }
      @injectable() class Listener { static heard = 0; @subscribes(Boot, 'ready') on(): void { Listener.heard++; } }
      const app = new Container().register(Listener, { useClass: Listener });
      app.start();
      app.get(Boot).ready.fire();
      expect(Listener.heard).to.equal(1);
    });

    it('should replay the last payloads of a sticky event to subscribers wired later', () => {
      @injectable() class Config { @publishes('changed', { replay: 1 }) changed!: Event<[string]>; }
      @injectable() class Reader { value = ''; @subscribes(Config, 'changed') on(v: string): void { this.value = v; } }
      const app = new Container();
      app.get(Config).changed.fire('a');
      app.get(Config).changed.fire('b');
      expect(app.get(Reader).value).to.equal('b');
    });
  });

  describe('inheritance', () => {
    class Base {
      @publishes() tick!: Event<[number]>;
    }
    @injectable({ scope: 'transient' }) class Derived extends Base {
      @publishes() tock!: Event;
    }
    @injectable({ scope: 'transient' }) class BaseListener {
      readonly log: string[] = [];
      @subscribes(Base, 'tick') onTick(n: number): void { this.log.push(`base ${n}`); }
    }
    @injectable({ scope: 'transient' }) class DerivedListener extends BaseListener {
      override onTick(n: number): void { this.log.push(`derived ${n}`); }
      @subscribes(Derived, 'tock') onTock(): void { this.log.push('tock'); }
    }

    it('should give a subclass its parent published events, and deliver them to subscribers of the parent', () => {
      const app = new Container();
      const listener = app.get(BaseListener);
      const derived = app.get(Derived);
      derived.tick.fire(1);
      derived.tock.fire();
      expect(listener.log).to.deep.equal(['base 1']);
    });

    it('should keep one subscription for an overridden subscribed method, calling the override', () => {
      const app = new Container();
      const listener = app.get(DerivedListener);
      const derived = app.get(Derived);
      derived.tick.fire(2);
      derived.tock.fire();
      expect(listener.log).to.deep.equal(['derived 2', 'tock']);
      expect(derived.tick.size).to.equal(1);
    });
  });

  describe('error policy', () => {
    it('should isolate a failing subscriber and report it with its class and method', () => {
      const { failures, onError } = recorder();
      @injectable() class Bad { @subscribes(Engine, 'started') explode(): void { throw new Error('bad subscriber'); } }
      const app = new Container({ onError });
      app.get(Bad);
      app.get(Dashboard);
      app.get(Engine).started.fire(1);
      expect(app.get(Logger).lines).to.deep.equal(['started 1']);
      expect(failures.map((f) => [f.handler, f.eventName, (f.error as Error).message])).to.deep.equal([['Bad.explode', 'started', 'bad subscriber']]);
    });

    it("should let @publishes options override the container's policy", () => {
      @injectable() class Strict { @publishes('saved', { errors: 'throw' }) saved!: Event; }
      @injectable() class Bad { @subscribes(Strict, 'saved') explode(): void { throw new Error('no'); } }
      const app = new Container({ errors: 'isolate' });
      app.get(Bad);
      expect(() => app.get(Strict).saved.fire()).to.throw('no');
    });

    it('should print every dispatch when EVENTWIRE_TRACE=1 is set', function () {
      this.timeout(30_000);
      const script = `const { Container, publishes } = require('./lib'); class Checkout {}
        publishes()(Checkout.prototype, 'orderPlaced'); new Container().get(Checkout).orderPlaced.fire('A-1');`;
      const run = spawnSync(process.execPath, ['-r', 'ts-node/register', '-e', script],
        { cwd: resolve(__dirname, '..'), env: { ...process.env, EVENTWIRE_TRACE: '1' }, encoding: 'utf8' });
      expect(run.stderr).to.match(/^\[eventwire\] Checkout\.orderPlaced fire: 0 handlers, \d+\.\d{3} ms, 0 failed \(dead event\)\n$/);
    });

    it('should call the trace hook on every fire of its events', () => {
      const seen: string[] = [];
      const app = new Container({ trace: (t) => seen.push(`${t.source?.constructor.name}.${t.name} x${t.handlers}`) });
      app.get(Dashboard);
      app.get(Engine).started.fire(1);
      expect(seen).to.deep.equal(['Engine.started x1']);
    });
  });

  describe('dependency injection', () => {
    it('should build singletons once and transients every time', () => {
      @injectable({ scope: 'transient' }) class Fresh {}
      const app = new Container();
      expect(app.get(Logger)).to.equal(app.get(Logger));
      expect(app.get(Fresh)).not.to.equal(app.get(Fresh));
    });

    it('should provide values, factories and classes for tokens', () => {
      interface Config { port: number }
      const CONFIG = new InjectionToken<Config>('config');
      const NAME = Symbol('name');
      class Real extends Logger {}
      @injectable() class Server {
        constructor(@inject(CONFIG) readonly config: Config, @inject(NAME) readonly name: string, @inject('log') readonly log: Logger) {}
      }
      const app = new Container()
        .register(CONFIG, { useValue: { port: 8080 } })
        .register(NAME, { useFactory: (c) => `server on ${c.get(CONFIG).port}` })
        .register('log', { useClass: Real });
      const server = app.get(Server);
      expect(server.config.port).to.equal(8080);
      expect(server.name).to.equal('server on 8080');
      expect(server.log).to.be.instanceOf(Real);
    });

    it('should build the class of a subclass with its parent constructor parameters', () => {
      @injectable() class Service { constructor(readonly log: Logger) {} }
      @injectable() class Special extends Service {}
      expect(new Container().get(Special).log).to.be.instanceOf(Logger);
    });

    it('should build from @injectable({ deps }) without emitted types, and let deps win over them', () => {
      const PREFIX = new InjectionToken<string>('prefix');
      class Quiet extends Logger {}
      @injectable({ deps: [Quiet, PREFIX] }) class Reporter { constructor(readonly log: Logger, readonly prefix: string) {} }
      // Emitted types would say Logger; the list says Quiet.
      expect(Reflect.getOwnMetadata('design:paramtypes', Reporter)).to.deep.equal([Logger, String]);
      const reporter = new Container().register(PREFIX, { useValue: '>' }).get(Reporter);
      expect(reporter.log).to.be.instanceOf(Quiet);
      expect(reporter.prefix).to.equal('>');
    });

    it('should give a subclass without a constructor its parent\'s deps, and one with its own deps those', () => {
      const NAME = new InjectionToken<string>('name');
      @injectable({ deps: [Logger] }) class Service { constructor(readonly log: Logger) {} }
      class Inherits extends Service {}
      @injectable({ deps: [NAME, Logger] }) class Own extends Service {
        constructor(readonly name: string, log: Logger) { super(log); }
      }
      const app = new Container().register(NAME, { useValue: 'own' });
      expect(app.get(Inherits).log).to.equal(app.get(Logger));
      expect(app.get(Own).name).to.equal('own');
      expect(app.get(Own).log).to.equal(app.get(Logger));
    });
  });

  describe('child containers', () => {
    it("should see the parent's singletons and wiring, but never a sibling's", () => {
      @injectable({ scope: 'transient' }) class Request { @publishes() done!: Event<[string]>; }
      @injectable() class Audit { readonly seen: string[] = []; @subscribes(Request, 'done') on(id: string): void { this.seen.push(id); } }
      @injectable({ scope: 'transient' }) class Local { readonly seen: string[] = []; @subscribes(Request, 'done') on(id: string): void { this.seen.push(id); } }
      const app = new Container();
      const audit = app.get(Audit);
      const a = app.createChild();
      const b = app.createChild();
      expect(a.get(Logger)).to.equal(app.get(Logger));
      const localA = a.get(Local);
      const localB = b.get(Local);
      a.get(Request).done.fire('ra');
      b.get(Request).done.fire('rb');
      expect(audit.seen).to.deep.equal(['ra', 'rb']);
      expect(localA.seen).to.deep.equal(['ra']);
      expect(localB.seen).to.deep.equal(['rb']);
    });

    it('should keep singletons registered in a child to that child', () => {
      const app = new Container();
      const child = app.createChild().register(Logger, { useClass: Logger });
      expect(child.get(Logger)).not.to.equal(app.get(Logger));
    });
  });

  describe('dispose', () => {
    it('should unwire everything and dispose built objects, children first and newest first', () => {
      const order: string[] = [];
      @injectable() class First { dispose(): void { order.push('first'); } }
      @injectable() class Second { constructor(readonly first: First) {} [Symbol.dispose](): void { order.push('second'); } }
      @injectable() class InChild { dispose(): void { order.push('child'); } }
      const app = new Container();
      const engine = app.get(Engine);
      app.get(Dashboard);
      app.get(Second);
      app.createChild().get(InChild);
      app.dispose();
      expect(order).to.deep.equal(['child', 'second', 'first']);
      expect(engine.started.size).to.equal(0);
      expect(app.isDisposed).to.equal(true);
    });

    it('should dispose every child, however many', () => {
      const disposed: number[] = [];
      let next = 0;
      @injectable({ scope: 'transient' }) class Part { readonly id = next++; dispose(): void { disposed.push(this.id); } }
      const app = new Container();
      const children = [0, 1, 2, 3].map(() => app.createChild());
      for (const child of children) child.get(Part);
      app.dispose();
      expect(children.map((c) => c.isDisposed)).to.deep.equal([true, true, true, true]);
      expect(disposed.sort()).to.deep.equal([0, 1, 2, 3]);
    });

    it('should dispose grandchildren before children before the parent, and a child disposed alone only once', () => {
      const order: string[] = [];
      @injectable({ scope: 'transient' }) class Part {
        static next = 0;
        readonly name = `part ${Part.next++}`;
        dispose(): void { order.push(this.name); }
      }
      const app = new Container();
      app.get(Part);                          // part 0, the root's
      const child = app.createChild();
      child.get(Part);                        // part 1
      child.createChild().get(Part);          // part 2
      const alone = app.createChild();
      alone.get(Part);                        // part 3
      alone.dispose();
      app.dispose();
      expect(order).to.deep.equal(['part 3', 'part 2', 'part 1', 'part 0']);
    });

    it('should throw a clear error when used after dispose', () => {
      const app = new Container();
      app.dispose();
      expect(() => app.get(Logger)).to.throw(DisposedError, 'get(Logger) was called on a disposed container');
      expect(() => app.register('x', { useValue: 1 })).to.throw(DisposedError);
      expect(() => app.wire({})).to.throw(DisposedError);
    });

    it('should dispose at the end of a using block', () => {
      let disposed = false;
      @injectable() class Resource { dispose(): void { disposed = true; } }
      {
        using app = new Container();
        app.get(Resource);
      }
      expect(disposed).to.equal(true);
    });

    it('should dispose every object even when some fail, then throw them together', () => {
      const order: string[] = [];
      @injectable() class A { dispose(): void { order.push('a'); } }
      @injectable() class B { dispose(): void { throw new Error('b failed'); } }
      const app = new Container();
      app.get(A);
      app.get(B);
      expect(() => app.dispose()).to.throw(AggregateError, '1 object(s) failed to dispose');
      expect(order).to.deep.equal(['a']);
    });
  });

  describe('graph', () => {
    it("should show a child's connections to its parent's objects whichever was built first", () => {
      for (const subscriberFirst of [true, false]) {
        const app = new Container();
        const child = app.createChild().register(Dashboard, { useClass: Dashboard });
        if (subscriberFirst) child.get(Dashboard);
        app.get(Engine);
        if (!subscriberFirst) child.get(Dashboard);
        expect(child.graph().edges.map((e) => `${e.publisher}.${e.event} -> ${e.subscriber}.${e.method}`))
          .to.deep.equal(['Engine.started -> Dashboard.onStarted', 'Engine.stopped -> Dashboard.onStopped']);
      }
    });

    it("should cover the objects of its children and grandchildren, until they are disposed", () => {
      @injectable({ scope: 'transient' }) class Panel { @subscribes(Engine, 'started') onStarted(): void { /* shown */ } }
      const app = new Container();
      app.get(Engine);
      const child = app.createChild();
      const grandchild = child.createChild();
      grandchild.get(Panel);
      const edges = (c: Container): string[] => c.graph().edges.map((e) => `${e.publisher}.${e.event} -> ${e.subscriber}.${e.method} x${e.connections}`);
      expect(edges(app)).to.deep.equal(['Engine.started -> Panel.onStarted x1']);
      expect(app.graph().nodes).to.deep.equal([{ name: 'Engine', instances: 1 }, { name: 'Panel', instances: 1 }]);
      expect(edges(child)).to.deep.equal(['Engine.started -> Panel.onStarted x1']);
      expect(edges(app.createChild())).to.deep.equal([]);   // a sibling's subtree is not its own
      grandchild.dispose();
      expect(edges(app)).to.deep.equal([]);
      expect(app.graph().nodes).to.deep.equal([{ name: 'Engine', instances: 1 }]);
    });

    it('should describe the live wiring as data', () => {
      const app = new Container();
      app.get(Dashboard);
      app.get(Engine);
      expect(app.graph()).to.deep.equal({
        nodes: [{ name: 'Dashboard', instances: 1 }, { name: 'Engine', instances: 1 }],
        edges: [
          { publisher: 'Engine', event: 'started', subscriber: 'Dashboard', method: 'onStarted', connections: 1 },
          { publisher: 'Engine', event: 'stopped', subscriber: 'Dashboard', method: 'onStopped', connections: 1 },
        ],
      });
    });
  });

  describe('bad input', () => {
    it('should name the events a source publishes when a subscription names another', () => {
      class Source { @publishes() started!: Event; @publishes('halted') stopped!: Event; }
      @injectable() class Typo { @subscribes(Source, 'stared' as never) on(): void { /* never wired */ } }
      expect(() => new Container().get(Typo)).to.throw(DecoratorError,
        "Typo.on subscribes to \"stared\" of Source, but Source does not publish it. Source publishes: 'started', 'stopped' (named 'halted').");
    });

    it('should reject @publishes on a method and @subscribes on a field', () => {
      expect(() => {
        class Wrong { @publishes() started(): void { /* a method */ } }
        return Wrong;
      }).to.throw(DecoratorError, '@publishes on method Wrong.started: put it on a field typed as Event');
      expect(() => {
        class Wrong { @(subscribes(Engine, 'started') as unknown as PropertyDecorator) handler = (): void => undefined; }
        return Wrong;
      }).to.throw(DecoratorError, '@subscribes(Engine, "started") on field Wrong.handler: put it on a method');
    });

    it('should say what a provider needs when register() is given anything else', () => {
      const expected = (got: string): string =>
        `register("port"): the provider must have useClass (a class), useValue, or useFactory (a function), got ${got}.`;
      expect(() => new Container().register('port', null as never)).to.throw(InvalidArgumentError, expected('null'));
      expect(() => new Container().register('port', 8080 as never)).to.throw(InvalidArgumentError, expected('8080'));
      expect(() => new Container().register('port', { useClass: 'Engine' } as never)).to.throw(InvalidArgumentError, expected('[object Object]'));
    });

    it('should explain a constructor parameter without type information', () => {
      class NoMetadata { constructor(readonly log: Logger) {} }
      expect(() => new Container().get(NoMetadata)).to.throw(ResolutionError,
        "No type information for parameter #0 of NoMetadata's constructor: emitDecoratorMetadata is off");
    });

    it('should explain a parameter typed as an interface', () => {
      interface Store { save(): void }
      @injectable() class Repo { constructor(readonly store: Store) {} }
      expect(() => new Container().get(Repo)).to.throw(ResolutionError,
        "parameter #0 of Repo's constructor is typed as an interface, a union, a type alias or any (compiled to Object)");
    });

    it('should explain an unregistered token, with the path', () => {
      @injectable() class NeedsKey { constructor(@inject('apiKey') readonly key: string) {} }
      @injectable() class App { constructor(readonly needs: NeedsKey) {} }
      let error: ResolutionError | undefined;
      try { new Container().get(App); } catch (e) { error = e as ResolutionError; }
      expect(error).to.be.instanceOf(ResolutionError);
      expect(error!.message).to.equal(
        'No provider for "apiKey" (path: App -> NeedsKey -> "apiKey"). Register it: container.register("apiKey", { useValue | useClass | useFactory }).');
      expect(error!.path).to.deep.equal(['App', 'NeedsKey', '"apiKey"']);
    });

    it('should show the path of a circular dependency', () => {
      const A_TOKEN = new InjectionToken<unknown>('A');
      @injectable() class B { constructor(@inject(A_TOKEN) readonly a: unknown) {} }
      @injectable() class A { constructor(readonly b: B) {} }
      const app = new Container().register(A_TOKEN, { useClass: A });
      expect(() => app.get(A_TOKEN)).to.throw(ResolutionError, 'Circular dependency: InjectionToken(A) -> B -> InjectionToken(A)');
      expect(() => app.get(A_TOKEN)).to.throw(ResolutionError, 'Circular dependency');
    });

    it('should wrap a constructor that throws, keeping the cause and the path', () => {
      const cause = new Error('no database');
      @injectable() class Db { constructor() { throw cause; } }
      @injectable() class Repo { constructor(readonly db: Db) {} }
      let error: ResolutionError | undefined;
      try { new Container().get(Repo); } catch (e) { error = e as ResolutionError; }
      expect(error!.message).to.equal('Could not build Repo -> Db: Db threw: no database');
      expect(error!.cause).to.equal(cause);
      expect(error!.path).to.deep.equal(['Repo', 'Db']);
    });

    it('should not hand out a singleton whose wiring failed', () => {
      class Quiet { @publishes() ping!: Event; }
      @injectable() class Confused { @subscribes(Quiet, 'pong' as never) on(): void { /* never wired */ } }
      const app = new Container();
      expect(() => app.get(Confused)).to.throw(DecoratorError);
      expect(() => app.get(Confused)).to.throw(DecoratorError);
    });

    it('should check @publishes options when the class is defined, naming the member', () => {
      expect(() => {
        class Gauge { @publishes('level', { replay: -1 }) level!: Event<[number]>; }
        return Gauge;
      }).to.throw(DecoratorError, '@publishes on field Gauge.level: Event "level": replay must be a whole number of payloads, got -1.');
    });

    it('should report a filtered handler as Class.method', () => {
      const { failures, onError } = recorder();
      @injectable() class Picky {
        @subscribes(Engine, 'started', { filter: () => true }) onStarted(): void { throw new Error('x'); }
      }
      const app = new Container({ onError });
      app.get(Picky);
      app.get(Engine).started.fire(1);
      expect(failures.map((f) => f.handler)).to.deep.equal(['Picky.onStarted']);
    });

    it('should refuse to release an object another container wired', () => {
      const engine = new Container().get(Engine);
      expect(() => new Container().release(engine)).to.throw(WiringError, 'was wired by another container');
    });

    it('should refuse to adopt an object another container wired', () => {
      const engine = new Container().get(Engine);
      expect(() => new Container().wire(engine)).to.throw(WiringError, 'Engine is already wired by another container');
    });
  });
});
