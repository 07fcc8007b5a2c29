import { expect } from 'chai';
import {
  Container, DisposedError, Event, FireAbortedError, InjectionToken, InvalidArgumentError, OverrideError,
  inject, injectable, publishes, subscribes,
} from '../lib';
import { recorder, tick, warningsDuring } from './helpers';

/**
 * Issue 11, the container half: bootstrapping a real app without silent gaps. Each `describe`
 * is one finding of the issue; each test failed before the change.
 */

/** The SubscriberNotBuiltWarnings emitted while `fn` runs. */
const notBuiltDuring = (fn: () => unknown): Promise<Error[]> => warningsDuring(fn, 'EVENTWIRE_SUBSCRIBER_NOT_BUILT');

interface Order { readonly id: string; readonly total: number }
const LIMIT = new InjectionToken<number>('limit');

@injectable()
class OrderService {
  @publishes() placed!: Event<[order: Order]>;
  place(order: Order): void { this.placed.fire(order); }
}

@injectable()
class PaymentService {
  @publishes() declined!: Event<[id: string]>;
  constructor(@inject(LIMIT) private readonly limit: number) {}
  @subscribes(OrderService, 'placed') charge(order: Order): void {
    if (order.total > this.limit) this.declined.fire(order.id);
  }
}

@injectable()
class Refunds {
  readonly refunded: string[] = [];
  @subscribes(PaymentService, 'declined') refund(id: string): void { this.refunded.push(id); }
}

@injectable()
class AuditLog {
  readonly lines: string[] = [];
  @subscribes(OrderService, 'placed') record(order: Order): void { this.lines.push(order.id); }
}

describe('bootstrapping (issue 11)', () => {
  describe('finding 1: every subscriber declared once is built and wired at start()', () => {
    it('should build every subscriber among the providers at start(), so none misses an event', () => {
      const app = new Container({ providers: [OrderService, PaymentService, Refunds, AuditLog, { provide: LIMIT, useValue: 100 }] }).start();
      app.get(OrderService).place({ id: 'o1', total: 500 });
      expect(app.get(AuditLog).lines).to.deep.equal(['o1']);
      expect(app.get(Refunds).refunded).to.deep.equal(['o1']);
    });

    it('should take a plain array of classes, built in a loop elsewhere', () => {
      const services = [PaymentService, AuditLog];
      const app = new Container({ providers: [...services, { provide: LIMIT, useValue: 0 }] }).start();
      app.get(OrderService).place({ id: 'o2', total: 1 });
      expect(app.get(AuditLog).lines).to.deep.equal(['o2']);
    });

    it('should wire at start() a fake registered with useValue', () => {
      class FakeAudit { readonly seen: string[] = []; @subscribes(OrderService, 'placed') record(order: Order): void { this.seen.push(order.id); } }
      const fake = new FakeAudit();
      const app = new Container({ providers: [{ provide: AuditLog, useValue: fake as unknown as AuditLog }] }).start();
      app.get(OrderService).place({ id: 'o3', total: 1 });
      expect(fake.seen).to.deep.equal(['o3']);
    });

    it('should register providers of a child scope with createChild({ providers })', () => {
      const app = new Container();
      const child = app.createChild({ providers: [AuditLog] }).start();
      app.get(OrderService).place({ id: 'o4', total: 1 });
      expect(child.get(AuditLog).lines).to.deep.equal(['o4']);
    });

    it('should refuse providers that are not classes or { provide } objects, naming the entry', () => {
      expect(() => new Container({ providers: [42 as never] })).to.throw(InvalidArgumentError,
        'new Container(): providers[0] must be a class or { provide: token, useClass | useValue | useFactory }, got 42.');
      expect(() => new Container({ providers: 'AuditLog' as never })).to.throw(InvalidArgumentError, /providers must be an array/);
    });

    it('should warn once per event and class when a subscriber of a fired event was never built, naming the fix', async () => {
      const app = new Container({ providers: [{ provide: LIMIT, useValue: 100 }] });
      const warnings = await notBuiltDuring(() => {
        const orders = app.get(OrderService);
        orders.place({ id: 'a', total: 1 });
        orders.place({ id: 'b', total: 1 });
        app.get(OrderService).placed.fireAsync({ id: 'c', total: 1 });
      });
      const about = (name: string): string[] => warnings.map((w) => w.message).filter((m) => m.includes(`${name} (`));
      expect(about('AuditLog')).to.deep.equal([
        'Event "placed" of OrderService fired, but AuditLog (AuditLog.record) subscribes to it and no AuditLog was ever built in this container: ' +
        'the event did not reach it. Register it (new Container({ providers: [AuditLog] })) ' +
        'and call start(), or get(AuditLog) before the event fires.',
      ]);
      expect(about('PaymentService')).to.have.length(1);
      expect(warnings[0].name).to.equal('SubscriberNotBuiltWarning');
    });

    it('should count an object registered for a class token as that class, and ignore classes that are not @injectable', async () => {
      class FakeAudit { @subscribes(OrderService, 'placed') record(): void { /* a test double */ } }
      const app = new Container({ providers: [PaymentService, Refunds, { provide: AuditLog, useValue: new FakeAudit() as unknown as AuditLog }, { provide: LIMIT, useValue: 1 }] }).start();
      const warnings = await notBuiltDuring(() => app.get(OrderService).place({ id: 'x', total: 1 }));
      expect(warnings.map((w) => w.message)).to.deep.equal([]);
    });

    it('should not warn when every subscriber of the event was built', async () => {
      const app = new Container({ providers: [OrderService, PaymentService, Refunds, AuditLog, { provide: LIMIT, useValue: 100 }] }).start();
      const warnings = await notBuiltDuring(() => app.get(OrderService).place({ id: 'x', total: 1 }));
      expect(warnings.filter((w) => w.message.startsWith('Event "placed" of OrderService'))).to.deep.equal([]);
    });

    it('should check only on the first fire of an event: later fires run its own dispatcher', () => {
      const app = new Container({ providers: [{ provide: LIMIT, useValue: 100 }] });
      const orders = app.get(OrderService);
      const before = orders.placed.fire;
      orders.placed.fire({ id: 'first', total: 1 });
      expect(orders.placed.fire).to.not.equal(before);
      const after = orders.placed.fire;
      orders.placed.fire({ id: 'second', total: 1 });
      expect(orders.placed.fire).to.equal(after);
    });
  });

  describe('finding 3: the container injects itself', () => {
    @injectable() class Root { constructor(readonly container: Container) {} }
    @injectable({ scope: 'transient' }) class PerRequest { constructor(readonly container: Container) {} }

    it('should inject the container that builds the object, not a new one', () => {
      const app = new Container();
      expect(app.get(Root).container).to.equal(app);
      expect(app.get(Container)).to.equal(app);
    });

    it('should inject the child scope into what the child builds, and the root into root singletons', () => {
      const app = new Container();
      const child = app.createChild();
      expect(child.get(PerRequest).container).to.equal(child);
      expect(child.get(Root).container).to.equal(app);
    });
  });

  describe('finding 4: no override is silently ignored', () => {
    @injectable() class Logger { readonly name: string = 'real'; }
    @injectable() class Service { constructor(readonly logger: Logger) {} }
    @injectable() class Api { constructor(readonly service: Service) {} }
    @injectable({ scope: 'transient' }) class Handler { constructor(readonly logger: Logger) {} }

    it("should throw a named error when a child's override cannot reach a parent singleton that depends on it", () => {
      const root = new Container();
      const child = root.createChild().register(Logger, { useValue: { name: 'fake' } });
      expect(() => child.get(Service)).to.throw(OverrideError,
        "Service is a singleton of a parent container and depends on Logger (Service -> Logger), which this child scope overrides: " +
        "it would use the parent's Logger, never the override. Register Service in the child too " +
        '(createChild({ providers: [Service] })), make it scoped or transient, or override Logger in the parent instead.');
      expect(() => child.get(Api)).to.throw(OverrideError, /Api is a singleton of a parent container and depends on Logger \(Api -> Service -> Logger\)/);
    });

    it('should build in the child what the child registers, with the override', () => {
      const root = new Container();
      const child = root.createChild({ providers: [Service, { provide: Logger, useValue: { name: 'fake' } }] });
      expect(child.get(Service).logger.name).to.equal('fake');
      expect(root.get(Service).logger.name).to.equal('real');
      expect(child.get(Handler).logger.name).to.equal('fake');
    });

    it('should still hand a child the parent singletons its overrides do not touch', () => {
      const root = new Container();
      const child = root.createChild().register('unrelated', { useValue: 1 });
      expect(child.get(Service)).to.equal(root.get(Service));
    });

    it('should throw a named error when a token is registered after its singleton was built', () => {
      const app = new Container();
      app.get(Logger);
      expect(() => app.register(Logger, { useValue: { name: 'late' } })).to.throw(OverrideError,
        'register(Logger): Logger was already built in this container, and what holds it would keep the old one. ' +
        'Register it before the first get() or start(), or override it in a child scope: container.createChild().register(...).');
    });
  });

  describe('finding 5: async shutdown', () => {
    it('should await [Symbol.asyncDispose]() and promise-returning dispose(), newest first, children first', async () => {
      const order: string[] = [];
      const later = (what: string): Promise<void> => new Promise((resolve) => setTimeout(() => { order.push(what); resolve(); }, 5));
      @injectable() class Pool { async [Symbol.asyncDispose](): Promise<void> { await later('pool'); } }
      @injectable() class Mailer { constructor(readonly pool: Pool) {} dispose(): Promise<void> { return later('mailer'); } }
      @injectable() class Session { dispose(): Promise<void> { return later('session'); } }
      const app = new Container();
      app.get(Mailer);
      app.createChild({ providers: [Session] }).get(Session);
      await app.disposeAsync();
      expect(order).to.deep.equal(['session', 'mailer', 'pool']);
      expect(app.isDisposed).to.equal(true);
    });

    it('should reject with one AggregateError of every failure, after disposing the rest', async () => {
      const order: string[] = [];
      @injectable() class A { async dispose(): Promise<void> { order.push('a'); } }
      @injectable() class B { async dispose(): Promise<void> { throw new Error('b failed'); } }
      @injectable() class C { [Symbol.asyncDispose](): Promise<void> { return Promise.reject(new Error('c failed')); } }
      const app = new Container();
      app.get(A);
      app.get(B);
      app.get(C);
      const error = await app.disposeAsync().then(() => undefined, (e: unknown) => e);
      expect(error).to.be.instanceOf(AggregateError);
      expect((error as AggregateError).errors.map((e: Error) => e.message)).to.deep.equal(['c failed', 'b failed']);
      expect(order).to.deep.equal(['a']);
    });

    it('should report, never leave unhandled, a rejection of an async dispose() under the synchronous dispose()', async () => {
      const unhandled: unknown[] = [];
      const onUnhandled = (reason: unknown): void => { unhandled.push(reason); };
      process.on('unhandledRejection', onUnhandled);
      try {
        @injectable() class Socket { async dispose(): Promise<void> { throw new Error('socket stuck'); } }
        const { failures, onError } = recorder();
        const app = new Container({ onError });
        app.get(Socket);
        app.dispose();
        await tick();
        await tick();
        expect(failures.map((f) => [f.handler, (f.error as Error).message])).to.deep.equal([['Socket.dispose', 'socket stuck']]);
      } finally {
        process.off('unhandledRejection', onUnhandled);
      }
      expect(unhandled).to.deep.equal([]);
    });

    it('should bound fireAsync with timeoutMs, naming the handlers that had not settled', async () => {
      @injectable() class Checkout { @publishes('placed', { timeoutMs: 20 }) placed!: Event<[id: string]>; }
      @injectable() class Mailer { @subscribes(Checkout, 'placed') send(): Promise<void> { return new Promise(() => undefined); } }
      @injectable() class Stock { @subscribes(Checkout, 'placed') reserve(): Promise<void> { return Promise.resolve(); } }
      const app = new Container({ providers: [Mailer, Stock] }).start();
      const error = await app.get(Checkout).placed.fireAsync('o1').then(() => undefined, (e: unknown) => e);
      expect(error).to.be.instanceOf(FireAbortedError);
      expect((error as FireAbortedError).message).to.equal(
        'Event "placed" of Checkout: fireAsync() gave up after 20 ms (timeoutMs) with 1 handler(s) not settled: Mailer.send. ' +
        'They keep running and their failures are reported to onError; make them settle sooner, or raise timeoutMs.');
      expect((error as FireAbortedError).pending).to.deep.equal(['Mailer.send']);
    });

    it('should bound fireAsync with a signal, keeping the payload typed', async () => {
      const placed = new Event<[id: string]>('placed');
      placed.add(() => new Promise(() => undefined));
      const controller = new AbortController();
      const pending = placed.fireAsyncWith({ signal: controller.signal }, 'o1');
      controller.abort(new Error('client went away'));
      const error = await pending.then(() => undefined, (e: unknown) => e) as FireAbortedError;
      expect(error).to.be.instanceOf(FireAbortedError);
      expect(error.message).to.match(/^Event "placed": fireAsync\(\) was aborted by its signal with 1 handler\(s\) not settled: \(anonymous\)\./);
      expect((error.cause as Error).message).to.equal('client went away');
      // @ts-expect-error the payload is still checked
      void placed.fireAsyncWith({}, 42).catch(() => undefined);
    });

    it('should report, not lose, failures of handlers that settle after the fire gave up', async () => {
      const { failures, onError } = recorder();
      const placed = new Event<[id: string]>('placed', { onError, errors: 'collect' });
      placed.add(function late() { return new Promise((_, reject) => setTimeout(() => reject(new Error('too late')), 30)); });
      placed.add(function early() { throw new Error('at once'); });
      const error = await placed.fireAsyncWith({ timeoutMs: 5 }, 'o1').then(() => undefined, (e: unknown) => e);
      expect(error).to.be.instanceOf(FireAbortedError);
      expect(failures.map((f) => f.handler)).to.deep.equal(['early']);
      await new Promise((resolve) => setTimeout(resolve, 40));
      expect(failures.map((f) => f.handler)).to.deep.equal(['early', 'late']);
    });

    it('should resolve a bounded fireAsync whose handlers settle in time, and clear its timer', async () => {
      const saved = new Event<[id: string]>('saved', { timeoutMs: 1000, async: 'serial' });
      const seen: string[] = [];
      saved.add(async (id) => { seen.push(id); });
      const started = Date.now();
      await saved.fireAsync('d1');
      expect(seen).to.deep.equal(['d1']);
      expect(Date.now() - started).to.be.below(500);
    });

    it('should refuse a timeoutMs that is not a positive number', () => {
      expect(() => new Event('placed', { timeoutMs: 0 })).to.throw(InvalidArgumentError,
        'Event "placed": timeoutMs must be a number of milliseconds above 0 (at most 2147483647), got 0.');
    });
  });

  describe('item 7: events of a disposed container', () => {
    it('should dispose the events the container created, and say so when one is fired', async () => {
      @injectable() class Clock { @publishes() tick!: Event<[n: number]>; }
      const app = new Container();
      const clock = app.get(Clock);
      app.dispose();
      expect(clock.tick.isDisposed).to.equal(true);
      const message = 'Event "tick" of Clock was fired after its container was disposed: no handler ran. ' +
        'Fire events before dispose() (stop timers and servers first), or build a new container.';
      expect(() => clock.tick.fire(1)).to.throw(DisposedError, message);
      const error = await clock.tick.fireAsync(1).then(() => undefined, (e: unknown) => e);
      expect(error).to.be.instanceOf(DisposedError);
    });

    it('should dispose an event the object made itself, as the container took it over', () => {
      @injectable() class Own { @publishes() done: Event<[]> = new Event('done'); }
      const app = new Container();
      const own = app.get(Own);
      app.dispose();
      expect(own.done.isDisposed).to.equal(true);
      expect(() => own.done.fire()).to.throw(DisposedError, /"done" of Own was fired after its container was disposed/);
    });

    it('should give an object wired again after its container was disposed new events', () => {
      @injectable() class Clock { @publishes() tick!: Event<[n: number]>; }
      @injectable() class Display { readonly seen: number[] = []; @subscribes(Clock, 'tick') show(n: number): void { this.seen.push(n); } }
      const first = new Container();
      const clock = first.get(Clock);
      first.dispose();
      const second = new Container();
      const display = second.get(Display);
      second.wire(clock);
      clock.tick.fire(7);
      expect(display.seen).to.deep.equal([7]);
    });
  });
});
