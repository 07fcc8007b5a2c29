import { expect } from 'chai';
import {
  Container, DisposedError, Event, FireAbortedError, InvalidArgumentError, WiringError, injectable, publishes, subscribes, toText,
  type ConnectionInfo, type ContainerExtension, type ExtensionHost, type HandlerFailure, type PublishedEvent,
} from '../lib';

/** A tracing extension with no transport: it logs every hook, in order. */
function tracer(log: string[], name = 'trace'): ContainerExtension & { host?: ExtensionHost } {
  const label = (object: object): string => object.constructor.name;
  const extension: ContainerExtension & { host?: ExtensionHost } = {
    attach(host) { extension.host = host; log.push(`${name} attach`); },
    eventCreated(event: Event<unknown[]>, source: object, declared: PublishedEvent) {
      log.push(`${name} event ${label(source)}.${String(declared.key)} "${event.name}" handlers=${event.size}`);
    },
    subscriptionConnected(c: ConnectionInfo) {
      log.push(`${name} connected ${c.publisher.name}.${c.event} -> ${label(c.subscriber)}.${c.method} active=${String(c.subscription.active)}`);
    },
    objectAdopted(object) { log.push(`${name} adopted ${label(object)}`); },
    objectReleased(object) { log.push(`${name} released ${label(object)}`); },
    async closing() { await Promise.resolve(); log.push(`${name} closing`); },
    async close() { await Promise.resolve(); log.push(`${name} close`); },
  };
  return extension;
}

@injectable()
class Engine {
  @publishes('started') started!: Event<[rpm: number]>;
}

@injectable()
class Dashboard {
  readonly seen: number[] = [];
  @subscribes(Engine, 'started') onStarted(rpm: number): void { this.seen.push(rpm); }
  dispose(): void { log?.push('Dashboard.dispose'); }
}

let log: string[] | undefined;

describe('Container extensions (a tracing extension, no transport)', () => {
  afterEach(() => { log = undefined; });

  it('should call attach once, then eventCreated, subscriptionConnected and objectAdopted as objects are wired', () => {
    log = [];
    const app = new Container({ extensions: [tracer(log)] });
    expect(log).to.deep.equal(['trace attach']);
    app.get(Dashboard);
    app.get(Engine);
    expect(log).to.deep.equal([
      'trace attach',
      'trace adopted Dashboard',
      'trace event Engine.started "started" handlers=0',
      'trace connected Engine.started -> Dashboard.onStarted active=true',
      'trace adopted Engine',
    ]);
    app.get(Engine).started.fire(900);
    expect(app.get(Dashboard).seen, 'the wiring is unchanged').to.deep.equal([900]);
  });

  it('should give attach the container\'s event options and reporter, and a forward that is not a handler', () => {
    log = [];
    const onError = (): void => undefined;
    const extension = tracer(log);
    const app = new Container({ extensions: [extension], errors: 'collect', onError });
    expect(extension.host!.eventOptions).to.include({ errors: 'collect', onError });
    expect(extension.host!.reporter).to.equal(onError);
    const forwarded: number[] = [];
    const engine = app.get(Engine);
    const stop = extension.host!.forward(engine.started as Event<unknown[]>, (rpm) => { forwarded.push(rpm as number); });
    engine.started.fire(1);
    expect(engine.started.size).to.equal(0);
    stop();
    engine.started.fire(2);
    expect(forwarded).to.deep.equal([1]);
  });

  it('should give extensions the event options frozen: none can swap the app\'s trace or error policy', () => {
    const traced: string[] = [];
    const extension = tracer([]);
    const app = new Container({ extensions: [extension], trace: (record) => { traced.push(record.name); } });
    const options = extension.host!.eventOptions as { trace?: unknown; errors?: unknown };
    expect(() => { options.trace = () => undefined; }).to.throw(TypeError);
    expect(() => { options.errors = 'throw'; }).to.throw(TypeError);
    app.get(Engine).started.fire(1);
    expect(traced).to.deep.equal(['started']);
  });

  it('should show an event forwarded with a carrier (via) as a forwarding edge of graph() until it stops, and none without one', () => {
    const extension = tracer([]);
    const app = new Container({ extensions: [extension] });
    const engine = app.get(Engine);
    const dashboard = app.get(Dashboard);
    const stop = extension.host!.forward(engine.started as Event<unknown[]>, () => undefined, { via: { kind: 'worker', group: 'port-1' } });
    expect(app.graph().edges).to.deep.equal([
      { publisher: 'Engine', event: 'started', subscriber: '*', method: '*', connections: 1, kind: 'worker', group: 'port-1' },
      { publisher: 'Engine', event: 'started', subscriber: 'Dashboard', method: 'onStarted', connections: 1 },
    ]);
    expect(toText(app.graph())).to.equal('Engine.started\n  -> (forwarded) (worker: port-1)\n  -> Dashboard.onStarted\n');
    stop();
    expect(app.graph().edges.map((e) => e.subscriber), 'stopped: no forwarding edge').to.deep.equal(['Dashboard']);
    extension.host!.forward(engine.started as Event<unknown[]>, () => undefined);
    expect(app.graph().edges.map((e) => e.subscriber), 'forwarded without via: not drawn').to.deep.equal(['Dashboard']);
    void dashboard;
  });

  it('should name an unsettled forwarder apart from the handlers when a bounded fireAsync gives up', async () => {
    const extension = tracer([]);
    const engine = new Container({ extensions: [extension] }).get(Engine);
    const event = engine.started as Event<unknown[]>;
    extension.host!.forward(event, function publishSomewhere() { return new Promise(() => undefined); });
    const error = await event.fireAsyncWith({ timeoutMs: 10 }, 1).then(() => undefined, (e: unknown) => e) as FireAbortedError;
    expect(error).to.be.instanceOf(FireAbortedError);
    expect(error.message).to.equal('Event "started" of Engine: fireAsync() gave up after 10 ms (timeoutMs) with its forwarding (publishSomewhere) not settled. ' +
      'They keep running and their failures are reported to onError; make them settle sooner, or raise timeoutMs.');
    expect(error.pending, 'forwarding is not a handler').to.deep.equal([]);
    event.add(function slow() { return new Promise(() => undefined); });
    const both = await event.fireAsyncWith({ timeoutMs: 10 }, 2).then(() => undefined, (e: unknown) => e) as FireAbortedError;
    expect(both.message).to.match(/with its forwarding \(publishSomewhere\) not settled, and 1 handler\(s\) not settled: slow\./);
    expect(both.pending).to.deep.equal(['slow']);
  });

  it('should ask the forwarder to withdraw when a bounded fireAsync gives up before it settled, and say whether it did', async () => {
    const reported: unknown[] = [];
    const extension = tracer([]);
    const engine = new Container({ extensions: [extension], onError: (failure) => { reported.push(failure.error); } }).get(Engine);
    const event = engine.started as Event<unknown[]>;
    const sent: { promise: Promise<void>; reject: (error: Error) => void }[] = [];
    let canWithdraw = true;
    const asked: unknown[] = [];
    extension.host!.forward(event, function publishSomewhere() {
      let reject!: (error: Error) => void;
      const promise = new Promise<void>((_resolve, fail) => { reject = fail; });
      sent.push({ promise, reject });
      return promise;
    }, {
      withdraw: (forwarded) => {
        asked.push(forwarded);
        if (canWithdraw) sent.find((s) => s.promise === forwarded)!.reject(new Error('withdrawn'));
        return canWithdraw;
      },
    });
    const withdrawn = await event.fireAsyncWith({ timeoutMs: 10 }, 1).then(() => undefined, (e: unknown) => e) as FireAbortedError;
    expect(asked, 'with the promise the forwarder returned for that fire').to.deep.equal([sent[0].promise]);
    expect(withdrawn.message).to.equal('Event "started" of Engine: fireAsync() gave up after 10 ms (timeoutMs) with its forwarding (publishSomewhere) ' +
      'withdrawn: it was NOT sent. Fire it again if it must go out, or raise timeoutMs.');
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(reported, 'the withdrawn forwarding\'s rejection is not reported: the caller was told').to.deep.equal([]);

    // With a handler still running, the message says both: it keeps running, and the event did not go out.
    const slow = event.add(function slow() { return new Promise(() => undefined); });
    const withHandler = await event.fireAsyncWith({ timeoutMs: 10 }, 3).then(() => undefined, (e: unknown) => e) as FireAbortedError;
    expect(withHandler.message).to.equal('Event "started" of Engine: fireAsync() gave up after 10 ms (timeoutMs) with its forwarding (publishSomewhere) ' +
      'withdrawn: it was NOT sent, and 1 handler(s) not settled: slow. They keep running and their failures are reported to onError; ' +
      'the event did not go out: fire it again if it must (its handlers here run again), or raise timeoutMs.');
    expect(withHandler.pending).to.deep.equal(['slow']);
    slow.unsubscribe();
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(reported).to.deep.equal([]);

    canWithdraw = false;
    const stillGoing = await event.fireAsyncWith({ timeoutMs: 10 }, 2).then(() => undefined, (e: unknown) => e) as FireAbortedError;
    expect(stillGoing.message).to.match(/with its forwarding \(publishSomewhere\) not settled\. They keep running/);
    sent[2].reject(new Error('the broker said no'));
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(reported.map((e) => (e as Error).message), 'a forwarding that went on is reported when it fails').to.deep.equal(['the broker said no']);
  });

  it('should report a withdraw that throws and still reject with the FireAbortedError (forwarding not withdrawn)', async () => {
    const reported: HandlerFailure[] = [];
    const extension = tracer([]);
    const engine = new Container({ extensions: [extension], onError: (failure) => { reported.push(failure); } }).get(Engine);
    const event = engine.started as Event<unknown[]>;
    extension.host!.forward(event, function publishSomewhere() { return new Promise(() => undefined); }, {
      withdraw: () => { throw new Error('transport lost its buffer'); },
    });
    const error = await event.fireAsyncWith({ timeoutMs: 10 }, 1).then(() => undefined, (e: unknown) => e);
    expect(error).to.be.instanceOf(FireAbortedError);
    expect((error as Error).message).to.match(/with its forwarding \(publishSomewhere\) not settled\./);
    expect(reported.map((f) => [f.handler, (f.error as Error).message, f.eventName])).to.deep.equal(
      [['withdraw of publishSomewhere', 'transport lost its buffer', 'started']]);
  });

  it('should never quarantine a forwarder stopped during a fireAsync: its failure still goes to the caller, the handlers stay', async () => {
    for (const errors of ['isolate', 'throw'] as const) {
      const quarantined: string[] = [];
      const extension = tracer([]);
      const onError = (failure: HandlerFailure): void => { if (failure.quarantined) quarantined.push(failure.handler); };
      const engine = new Container({ extensions: [extension], errors, quarantine: 1, onError }).get(Engine);
      const event = engine.started as Event<unknown[]>;
      event.add(function gauge() { return undefined; });
      let fail!: (error: Error) => void;
      const stop = extension.host!.forward(event, function publishSomewhere() { return new Promise((_, reject) => { fail = reject; }); });
      const fired = event.fireAsync(1).then(() => undefined, (error: unknown) => error);
      stop();
      fail(new Error('broker said no'));
      expect(((await fired) as Error | undefined)?.message, errors).to.equal('broker said no');
      expect(quarantined, errors).to.deep.equal([]);
      expect(event.size, `${errors}: the handler is still counted`).to.equal(1);
    }
  });

  it('should never quarantine a forwarder stopped while the promise of a fire() is pending: its rejection is reported, the handlers stay', async () => {
    const reported: HandlerFailure[] = [];
    const extension = tracer([]);
    const engine = new Container({ extensions: [extension], quarantine: 1, onError: (failure) => { reported.push(failure); } }).get(Engine);
    const event = engine.started as Event<unknown[]>;
    event.add(function gauge() { return undefined; });
    let fail!: (error: Error) => void;
    const stop = extension.host!.forward(event, function publishSomewhere() { return new Promise((_, reject) => { fail = reject; }); });
    event.fire(1);
    stop();
    fail(new Error('broker said no'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(reported.map((f) => [f.handler, (f.error as Error).message, f.quarantined])).to.deep.equal([['publishSomewhere', 'broker said no', false]]);
    expect(event.size, 'the handler is still counted').to.equal(1);
  });

  it('should refuse a second forwarder, a forwarder that is not a function, and forwarding a disposed event', () => {
    const extension = tracer([]);
    const engine = new Container({ extensions: [extension] }).get(Engine);
    const event = engine.started as Event<unknown[]>;
    const stop = extension.host!.forward(event, () => undefined);
    expect(() => extension.host!.forward(event, () => undefined)).to.throw(InvalidArgumentError,
      /^host\.forward\(\): Event "started" of Engine is already forwarded, by extension #0: an event has one forwarder/);
    stop();
    stop();
    expect(() => extension.host!.forward(event, 'publish' as never)).to.throw(InvalidArgumentError, /forward must be a function, got "publish"/);
    const forwarded: unknown[] = [];
    const again = extension.host!.forward(event, (rpm) => { forwarded.push(rpm); });
    event.dispose();
    again();
    expect(() => extension.host!.forward(event, () => undefined)).to.throw(DisposedError, /^host\.forward\(\): Event "started" of Engine was disposed: it forwards nothing/);
    event.fire(1);
    expect(forwarded, 'dispose() drops the forwarder').to.deep.equal([]);
  });

  it('should call objectReleased at release(), after unwiring, and for every object at dispose()', () => {
    log = [];
    const app = new Container({ extensions: [tracer(log)] });
    const dashboard = app.get(Dashboard);
    const engine = app.get(Engine);
    log.length = 0;
    app.release(dashboard);
    expect(log).to.deep.equal(['trace released Dashboard']);
    expect(engine.started.size, 'unwired before the hook').to.equal(0);
    app.wire(new Dashboard());
    log.length = 0;
    app.dispose();
    expect(log.filter((line) => line.startsWith('trace')).sort()).to.deep.equal(['trace released Dashboard', 'trace released Engine']);
    expect(log, 'a plain dispose() closes no extension').not.to.include('trace close');
  });

  it('should await closing() before the objects are disposed and close() after, in disposeAsync(), last extension closed first', async () => {
    log = [];
    const app = new Container({ extensions: [tracer(log, 'a'), tracer(log, 'b')] });
    app.get(Dashboard);
    log.length = 0;
    await app.disposeAsync();
    expect(log).to.deep.equal(['a closing', 'b closing', 'a released Dashboard', 'b released Dashboard', 'Dashboard.dispose', 'b close', 'a close']);
  });

  it('should share the root\'s extensions with children, which never close them', async () => {
    log = [];
    const app = new Container({ extensions: [tracer(log)] });
    const child = app.createChild({ providers: [Dashboard] });
    child.get(Dashboard);
    await child.disposeAsync();
    expect(log).to.deep.equal(['trace attach', 'trace adopted Dashboard', 'trace released Dashboard', 'Dashboard.dispose']);
  });

  it('should reject disposeAsync() with the failures of closing() and close(), after running every step', async () => {
    log = [];
    const steps: string[] = [];
    const failing: ContainerExtension = {
      closing: () => { steps.push('closing'); throw new Error('closing failed'); },
      close: async () => { steps.push('close'); throw new Error('close failed'); },
    };
    const app = new Container({ extensions: [failing] });
    app.get(Dashboard);
    const error = await app.disposeAsync().then(() => undefined, (e: unknown) => e);
    expect(error).to.be.instanceOf(AggregateError);
    expect((error as AggregateError).errors.map((e: Error) => e.message)).to.deep.equal(['closing failed', 'close failed']);
    expect(steps).to.deep.equal(['closing', 'close']);
    expect(log, 'the objects were disposed in between').to.deep.equal(['Dashboard.dispose']);
  });

  it('should let an extension carry events: no local connection, subscriberAdopted connects each subscriber where it delivers', () => {
    const bus = new Event<[rpm: number]>('bus');
    const made: ConnectionInfo[] = [];
    const carrier: ContainerExtension = {
      carries: (declared, publisher) => publisher === Engine && declared.name === 'started',
      subscriberAdopted: ({ subscription, connect }) => {
        expect(String(subscription.method)).to.equal('onStarted');
        connect(bus, { via: { kind: 'bus', group: 'dashboards' } });
      },
      subscriptionConnected: (connection) => { made.push(connection); },
    };
    const app = new Container({ extensions: [carrier] });
    const dashboard = app.get(Dashboard);
    app.get(Engine).started.fire(1);
    bus.fire(2);
    expect(dashboard.seen).to.deep.equal([2]);
    expect(made.map((c) => [c.publisher.name, c.source, c.via])).to.deep.equal([['Engine', undefined, { kind: 'bus', group: 'dashboards' }]]);
    expect(app.graph().edges).to.deep.equal([
      { publisher: 'Engine', event: 'started', subscriber: 'Dashboard', method: 'onStarted', connections: 1, kind: 'bus', group: 'dashboards' },
    ]);
    app.release(dashboard);
    expect(bus.size, 'release() removes a carried connection').to.equal(0);
  });

  it('should call checkSubscriber for every carried subscription of an object before wiring any of it, and wire nothing when it throws', () => {
    class Refused extends Error {}
    const calls: string[] = [];
    let refuse = 'onStopped';
    const carrier: ContainerExtension = {
      carries: (_declared, publisher) => publisher === Engine,
      checkSubscriber: ({ subscriber, subscription, declared }) => {
        calls.push(`check ${subscriber.constructor.name}.${String(subscription.method)} on "${declared.name}"`);
        if (subscription.method === refuse) throw new Refused(`${String(subscription.method)} refused`);
      },
      subscriberAdopted: ({ subscription }) => { calls.push(`adopted ${String(subscription.method)}`); },
      eventCreated: (_event, source) => { calls.push(`event of ${source.constructor.name}`); },
      objectAdopted: (object) => { calls.push(`adopted ${object.constructor.name}`); },
    };
    class Gauge {
      @publishes('level') level!: Event<[n: number]>;
      @subscribes(Engine, 'started') onStarted(): void {}
      @subscribes(Engine, 'started') onStopped(): void {}
    }
    const app = new Container({ extensions: [carrier] });
    const gauge = new Gauge();
    expect(() => app.wire(gauge)).to.throw(Refused, 'onStopped refused');
    expect(calls).to.deep.equal(['check Gauge.onStarted on "started"', 'check Gauge.onStopped on "started"']);
    expect(Object.getOwnPropertyDescriptor(gauge, 'level')?.value, 'no event created').to.equal(undefined);
    expect(app.graph()).to.deep.equal({ nodes: [], edges: [] });
    calls.length = 0;
    refuse = '';
    app.wire(gauge);
    expect(calls).to.deep.equal([
      'check Gauge.onStarted on "started"', 'check Gauge.onStopped on "started"', 'event of Gauge', 'adopted onStarted', 'adopted onStopped', 'adopted Gauge',
    ]);
  });

  describe('a hook that throws while an object is adopted', () => {
    /** Carries Engine.started on `bus`, and refuses the `refuse`-th subscription of a class it is given. */
    function carrier(bus: Event<[rpm: number]>, refuse: { nth: number; seen: number }): ContainerExtension {
      return {
        name: 'bus carrier',
        carries: (_declared, publisher) => publisher === Engine,
        subscriberAdopted: ({ connect }) => {
          if (++refuse.seen === refuse.nth) throw new Error('the bus is full');
          connect(bus, { via: { kind: 'bus', group: 'gauges' } });
        },
      };
    }

    @injectable()
    class Gauge {
      readonly seen: string[] = [];
      @publishes('level') level!: Event<[n: number]>;
      @subscribes(Engine, 'started') onStarted(rpm: number): void { this.seen.push(`started ${rpm}`); }
      @subscribes(Engine, 'started') onStopped(rpm: number): void { this.seen.push(`stopped ${rpm}`); }
    }

    @injectable()
    class Alarm {
      readonly levels: number[] = [];
      @subscribes(Gauge, 'level') onLevel(n: number): void { this.levels.push(n); }
    }

    it('should wire nothing of the object when subscriberAdopted throws on its 2nd subscription, name class, hook and extension, and let a later get() work', () => {
      log = [];
      const bus = new Event<[rpm: number]>('bus');
      const refuse = { nth: 2, seen: 0 };
      const app = new Container({ extensions: [carrier(bus, refuse), tracer(log)] });
      const alarm = app.get(Alarm);
      log.length = 0;
      const error = (() => { try { app.get(Gauge); } catch (e) { return e; } })() as WiringError;
      expect(error).to.be.instanceOf(WiringError);
      expect(error.message).to.equal('Could not wire Gauge: subscriberAdopted() of extension bus carrier threw: the bus is full. ' +
        'Nothing of Gauge was wired; fix the cause and wire it again.');
      expect((error.cause as Error).message).to.equal('the bus is full');
      expect(bus.size, 'the 1st subscription, connected before the throw, is removed').to.equal(0);
      expect(log, 'the tracer heard of the event and the connection, then of the release; never of an adoption').to.deep.equal([
        'trace event Gauge.level "level" handlers=0',
        'trace connected Engine.started -> Gauge.onStarted active=true',
        'trace released Gauge',
      ]);
      expect(app.graph().edges, 'no connection of Gauge left').to.deep.equal([]);

      refuse.nth = 0;
      const gauge = app.get(Gauge);
      bus.fire(900);
      gauge.level.fire(7);
      expect(gauge.seen).to.deep.equal(['started 900', 'stopped 900']);
      expect(alarm.levels).to.deep.equal([7]);
    });

    it('should leave a wire()d object unowned, with its event properties as they were, so that another container can wire it', () => {
      const bus = new Event<[rpm: number]>('bus');
      const app = new Container({ extensions: [carrier(bus, { nth: 1, seen: 0 })] });
      const gauge = new Gauge();
      expect(() => app.wire(gauge)).to.throw(WiringError, /^Could not wire Gauge: subscriberAdopted\(\) of extension bus carrier threw: the bus is full/);
      expect(Object.getOwnPropertyDescriptor(gauge, 'level')).to.deep.equal({ value: undefined, writable: true, enumerable: true, configurable: true });
      expect(() => app.release(gauge), 'nothing to release').not.to.throw();
      const other = new Container();
      other.wire(gauge);
      other.get(Engine).started.fire(1);
      expect(gauge.seen).to.deep.equal(['started 1', 'stopped 1']);
      expect(app.graph().nodes, 'the first container still works').to.deep.equal([]);
      app.get(Dashboard);
      expect(app.graph().nodes.map((n) => n.name)).to.deep.equal(['Dashboard']);
    });

    it('should undo local connections both ways when objectAdopted throws, and tell objectReleased to every extension told of the object', () => {
      log = [];
      let fail = true;
      const failing: ContainerExtension = { objectAdopted: (object) => { if (fail && object instanceof Gauge) throw 'not today'; } };
      const app = new Container({ extensions: [tracer(log, 'a'), failing, tracer(log, 'b')] });
      const alarm = app.get(Alarm);
      const engine = app.get(Engine);
      log.length = 0;
      expect(() => app.get(Gauge)).to.throw(WiringError, 'Could not wire Gauge: objectAdopted() of extension #1 threw: "not today". Nothing of Gauge was wired');
      expect(engine.started.size, 'Gauge is no subscriber of Engine').to.equal(0);
      expect(log.filter((line) => /adopted|released/.test(line)), 'a was told of the adoption, b was not, both of the release').to.deep.equal([
        'a adopted Gauge', 'a released Gauge', 'b released Gauge',
      ]);
      fail = false;
      app.get(Gauge).level.fire(3);
      expect(alarm.levels).to.deep.equal([3]);
      expect(engine.started.size).to.equal(2);
    });

    it('should tell no extension of the release when the first hook that throws is the first one told', () => {
      const released: string[] = [];
      const app = new Container({
        extensions: [
          { name: 'fussy', eventCreated: () => { throw new Error('no events here'); } },
          { objectReleased: (object) => { released.push(object.constructor.name); } },
        ],
      });
      expect(() => app.get(Engine)).to.throw(WiringError, 'Could not wire Engine: eventCreated() of extension fussy threw: no events here.');
      expect(released).to.deep.equal([]);
    });

    it('should not call objectReleased of an extension that has none of the hooks that were called', () => {
      const released: string[] = [];
      const app = new Container({
        extensions: [
          { objectReleased: (object) => { released.push(object.constructor.name); } },
          { name: 'fussy', subscriptionConnected: () => { throw new Error('no connections here'); } },
        ],
      });
      app.get(Dashboard);
      expect(() => app.get(Engine)).to.throw(WiringError, 'Could not wire Engine: subscriptionConnected() of extension fussy threw: no connections here.');
      expect(released, 'never called with Engine before: nothing to release').to.deep.equal([]);
    });

    it('should put an event the object made itself back as it was (name, source, error policy), as it removes one the container made', async () => {
      class Motor {
        @publishes('spun') readonly started = new Event<[rpm: number]>(undefined, { onError: (failure) => { reported.push(failure.handler); } });
      }
      const reported: string[] = [];
      const warnings: string[] = [];
      const onWarning = (warning: Error): void => { warnings.push(warning.name); };
      process.on('warning', onWarning);
      try {
        @injectable() class Listener { @subscribes(Motor, 'started') onStarted(): void {} }
        void Listener;
        const app = new Container({ errors: 'throw', extensions: [{ objectAdopted: () => { throw new Error('refused'); } }] });
        const motor = new Motor();
        motor.started.add(function gauge() { throw new Error('gauge broke'); });
        expect(() => app.wire(motor)).to.throw(WiringError, 'Could not wire Motor: objectAdopted() of extension #0 threw: refused.');
        expect([motor.started.name, motor.started.source]).to.deep.equal(['event', undefined]);
        expect(() => motor.started.fire(1), 'isolated, as before wire(): not the container\'s errors: \'throw\'').not.to.throw();
        expect(reported).to.deep.equal(['gauge']);
        await new Promise((resolve) => setImmediate(resolve));
      } finally {
        process.off('warning', onWarning);
      }
      expect(warnings, 'no missed-subscriber warning of the container it was never wired by').to.deep.equal([]);
    });

    it('should dispose an object the container built for get() and could not wire, after objectReleased, so that the next get() builds a new one', () => {
      const seen: string[] = [];
      let made = 0;
      let fail = true;
      @injectable({ scope: 'scoped' })
      class Meter {
        readonly id = ++made;
        constructor() { seen.push(`Meter#${this.id} opens a connection`); }
        @subscribes(Engine, 'started') onStarted(): void { /* measured */ }
        dispose(): void { seen.push(`Meter#${this.id}.dispose`); }
      }
      const label = (object: object): string => `${object.constructor.name}#${(object as Meter).id}`;
      const app = new Container({
        extensions: [{ objectAdopted: () => { if (fail) throw new Error('nope'); }, objectReleased: (object) => { seen.push(`released ${label(object)}`); } }],
      });
      const scope = app.createChild();
      expect(() => scope.get(Meter)).to.throw(WiringError, /^Could not wire Meter: objectAdopted\(\) of extension #0 threw: nope\./);
      expect(seen).to.deep.equal(['Meter#1 opens a connection', 'released Meter#1', 'Meter#1.dispose']);
      fail = false;
      const meter = scope.get(Meter);
      expect(meter.id).to.equal(2);
      expect(scope.get(Meter)).to.equal(meter);
      scope.dispose();
      expect(seen.slice(3), 'the failed one is not disposed twice').to.deep.equal(['Meter#2 opens a connection', 'released Meter#2', 'Meter#2.dispose']);
    });

    it('should say, when a subscriber it could not wire misses an event, that wiring one failed (not that none was ever built)', async () => {
      const warnings: string[] = [];
      const onWarning = (warning: Error): void => { warnings.push(warning.message); };
      process.on('warning', onWarning);
      try {
        @injectable() class Motor { @publishes('spun') spun!: Event<[rpm: number]>; }
        @injectable() class Tachometer { @subscribes(Motor, 'spun') onSpun(): void { /* measured */ } }
        const app = new Container({ extensions: [{ objectAdopted: (object) => { if (object instanceof Tachometer) throw new Error('nope'); } }] });
        expect(() => app.get(Tachometer)).to.throw(WiringError, /^Could not wire Tachometer/);
        app.get(Motor).spun.fire(1);
        await new Promise((resolve) => setImmediate(resolve));
      } finally {
        process.off('warning', onWarning);
      }
      expect(warnings).to.deep.equal([
        'Event "spun" of Motor fired, but Tachometer (Tachometer.onSpun) subscribes to it and no Tachometer is wired in this container ' +
        '(wiring one failed and was undone): the event did not reach it. Fix the cause the WiringError named, then get(Tachometer) again before the event fires.',
      ]);
    });

    it('should report to onError a dispose of a discarded object that throws or rejects, and never dispose a useValue or a wire()d object', async () => {
      const disposed: string[] = [];
      const reported: HandlerFailure[] = [];
      class Throws {
        @subscribes(Engine, 'started') onStarted(): void { /* measured */ }
        dispose(): void { disposed.push('Throws'); throw new Error('could not close'); }
      }
      class Rejects {
        @subscribes(Engine, 'started') onStarted(): void { /* measured */ }
        [Symbol.asyncDispose](): Promise<void> { disposed.push('Rejects'); return Promise.reject(new Error('could not close either')); }
      }
      class Given {
        @subscribes(Engine, 'started') onStarted(): void { /* measured */ }
        dispose(): void { disposed.push('Given'); }
      }
      const app = new Container({
        extensions: [{ objectAdopted: () => { throw new Error('nope'); } }],
        onError: (failure) => { reported.push(failure); },
        providers: [{ provide: Throws, useFactory: () => new Throws() }, Rejects, { provide: Given, useValue: new Given() }],
      });
      expect(() => app.get(Throws)).to.throw(WiringError, /^Could not wire Throws/);
      expect(() => app.get(Rejects)).to.throw(WiringError, /^Could not wire Rejects/);
      expect(() => app.get(Given)).to.throw(WiringError, /^Could not wire Given/);
      expect(() => app.wire(new Given())).to.throw(WiringError, /^Could not wire Given/);
      await new Promise((resolve) => setImmediate(resolve));
      expect(disposed, 'what the container built (a factory, a class), not what it was given').to.deep.equal(['Throws', 'Rejects']);
      expect(reported.map((f) => [f.handler, (f.error as Error).message, f.async])).to.deep.equal([
        ['Throws.dispose', 'could not close', false], ['Rejects.dispose', 'could not close either', true],
      ]);
    });

    it('should keep what objectReleased throws while undoing, beside the hook\'s error, in the cause', () => {
      const app = new Container({
        extensions: [{ eventCreated: () => { throw new Error('first'); }, objectReleased: () => { throw new Error('second'); } }],
      });
      const error = (() => { try { app.get(Engine); } catch (e) { return e; } })() as WiringError;
      expect(error.message).to.equal('Could not wire Engine: eventCreated() of extension #0 threw: first. Nothing of Engine was wired; fix the cause and wire it again.');
      expect(error.cause).to.be.instanceOf(AggregateError);
      expect((error.cause as AggregateError).errors.map((e: Error) => e.message)).to.deep.equal(['first', 'second']);
    });
  });

  describe('a forwarder an extension installs (host.forward) stops with the object whose event it is', () => {
    @injectable()
    class Checkout {
      @publishes('orderPlaced') placed!: Event<[id: string]>;
    }

    @injectable({ scope: 'scoped' })
    class Billing {
      // Its own event, so that it is there before, and after, a failed adoption.
      @publishes('charged') readonly charged = new Event<[id: string]>('charged');
      @subscribes(Checkout, 'placed') onPlaced(id: string): void { void id; }
    }

    /**
     * A carrier as docs/remote.md's recipe writes one: it forwards every event it carries from
     * eventCreated and keeps no stop function (it has no objectReleased); `broken.now` makes its
     * subscriberAdopted throw.
     */
    function bus(sent: string[], broken = { now: false }): ContainerExtension {
      let host!: ExtensionHost;
      return {
        name: 'bus',
        attach: (h) => { host = h; },
        carries: (declared) => declared.name === 'orderPlaced',
        eventCreated(event, _source, declared) {
          host.forward(event, (...args) => { sent.push(`${declared.name} ${args.join()}`); }, { via: { kind: 'bus', group: 'inproc' } });
        },
        subscriberAdopted({ connect }) {
          if (broken.now) throw new Error('bus down');
          connect(new Event<unknown[]>('orderPlaced'), { via: { kind: 'bus', group: 'billing' } });
        },
      };
    }
    const forwardedEdges = (app: Container): string[] =>
      app.graph().edges.filter((e) => e.subscriber === '*').map((e) => `${e.publisher}.${e.event} (${e.kind}: ${e.group})`);

    it('should stop it at release(), hide it from graph(), and forward again when the object is wired again', () => {
      const sent: string[] = [];
      const app = new Container({ extensions: [bus(sent)] });
      const checkout = app.get(Checkout);
      checkout.placed.fire('1');
      expect(forwardedEdges(app)).to.deep.equal(['Checkout.orderPlaced (bus: inproc)']);
      app.release(checkout);
      checkout.placed.fire('2 (released)');
      expect(sent, 'no fire leaves after release()').to.deep.equal(['orderPlaced 1']);
      expect(forwardedEdges(app)).to.deep.equal([]);
      app.wire(checkout);
      checkout.placed.fire('3');
      expect(sent, 'wired again: forwarded again, once').to.deep.equal(['orderPlaced 1', 'orderPlaced 3']);
      expect(forwardedEdges(app)).to.deep.equal(['Checkout.orderPlaced (bus: inproc)']);
    });

    it('should stop it when an adoption fails and is undone, so that wiring the object again works', () => {
      const sent: string[] = [];
      const broken = { now: true };
      const app = new Container({ extensions: [bus(sent, broken)] });
      const scope = app.createChild();
      const billing = new Billing();
      expect(() => scope.wire(billing)).to.throw(WiringError, /^Could not wire Billing: subscriberAdopted\(\) of extension bus threw: bus down\. Nothing of Billing was wired/);
      billing.charged.fire('a');
      expect(sent, 'nothing of Billing was wired: its events are not forwarded').to.deep.equal([]);
      expect(forwardedEdges(scope)).to.deep.equal([]);
      broken.now = false;
      scope.wire(billing);
      billing.charged.fire('b');
      expect(sent).to.deep.equal(['charged b']);
      expect(forwardedEdges(scope)).to.deep.equal(['Billing.charged (bus: inproc)']);
    });

    it('should stop it when the scope of the object is disposed', () => {
      const sent: string[] = [];
      const app = new Container({ extensions: [bus(sent)] });
      const scope = app.createChild();
      const billing = scope.get(Billing);
      billing.charged.fire('a');
      scope.dispose();
      expect(() => billing.charged.fire('b')).to.throw(DisposedError);
      expect(sent).to.deep.equal(['charged a']);
      expect(forwardedEdges(app)).to.deep.equal([]);
    });

    it('should let an extension stop it too (idempotent), and never stop a newer forwarder with an old stop function', () => {
      const sent: string[] = [];
      const stops: (() => void)[] = [];
      let host!: ExtensionHost;
      const app = new Container({
        extensions: [{
          attach: (h) => { host = h; },
          eventCreated(event) { stops.push(host.forward(event, (id) => { sent.push(String(id)); })); },
          // Stops the first forwarder it installed, only: the container stops them all.
          objectReleased() { stops[0](); },
        }],
      });
      const checkout = app.get(Checkout);
      app.release(checkout);
      app.wire(checkout);
      stops[0]();
      checkout.placed.fire('x');
      expect(sent, 'the forwarder of the second wiring still runs').to.deep.equal(['x']);
      app.release(checkout);
      checkout.placed.fire('y');
      expect(sent, 'the container stopped the second one').to.deep.equal(['x']);
      stops[1]();
    });

    it('should name host.forward, the event, its class and the extension that forwards it already, when a second extension forwards it', () => {
      const sent: string[] = [];
      const app = new Container({ extensions: [bus(sent), { ...bus([]), name: 'second' }] });
      expect(() => app.get(Checkout)).to.throw(WiringError,
        'Could not wire Checkout: eventCreated() of extension second threw: host.forward(): Event "orderPlaced" of Checkout is already forwarded, ' +
        'by extension bus: an event has one forwarder. Forward it from one extension only (the one whose carries() claims it), ' +
        'or call the function the first host.forward() returned before forwarding it again. Nothing of Checkout was wired; fix the cause and wire it again.');
      const checkout = new Container({ extensions: [bus(sent)] }).get(Checkout);
      checkout.placed.fire('1');
      expect(sent, 'the failed adoption left no forwarder behind').to.deep.equal(['orderPlaced 1']);
    });
  });

  it('should refuse extensions that are not an array of objects with function hooks, and the old transport option', () => {
    expect(() => new Container({ extensions: {} as never })).to.throw(InvalidArgumentError, /extensions must be an array of ContainerExtension objects/);
    expect(() => new Container({ extensions: [null as never] })).to.throw(InvalidArgumentError, /extensions\[0\] must be a ContainerExtension object, got null/);
    expect(() => new Container({ extensions: [{ close: 'now' } as never] })).to.throw(InvalidArgumentError, /extensions\[0\]\.close must be a function/);
    expect(() => new Container({ transport: {} } as never)).to.throw(InvalidArgumentError, /transport is not a container option.*remoteEvents\(\{ transport, namespace \}\).*eventwire\/remote/);
  });
});
