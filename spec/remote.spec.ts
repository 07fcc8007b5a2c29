import { expect } from 'chai';
import { Container, DisposedError, Event, FireAbortedError, InvalidArgumentError, injectable, publishes, subscribes, toDot, toMermaid, toText, WiringError, type ContainerExtension } from '../lib';
import {
  NoSubscriberError, PoisonMessageError, PublishBufferFullError, PublishError, remoteEvents,
  type Consumer, type Delivery, type EncodedEnvelope, type RemoteEventInfo, type Transport, type TransportSubscription,
} from '../lib/remote';
import { recorder } from './helpers';

/** A broker in memory: records publishes, and delivers them when asked, as a broker would. */
class FakeTransport implements Transport {
  readonly description = 'fake://memory';
  readonly published: EncodedEnvelope[] = [];
  readonly subscriptions: TransportSubscription[] = [];
  readonly log: string[] = [];
  full = false;
  rejectWith: Error | undefined;
  /** Thrown synchronously by `subscribe()` for these groups (a broker client that cannot even start a consumer). */
  readonly refuseGroups = new Set<string>();

  /** While set, publishes stay buffered (unsent, unsettled), as with a broker down: `withdraw` can take them back. */
  hold = false;
  readonly buffered = new Map<Promise<void>, { envelope: EncodedEnvelope; reject: (error: Error) => void }>();
  readonly withdrawn: string[] = [];

  publish(envelope: EncodedEnvelope): Promise<void> {
    if (this.full) throw new PublishBufferFullError('the buffer is full');
    if (this.hold) {
      let reject!: (error: Error) => void;
      const promise = new Promise<void>((_resolve, fail) => { reject = fail; });
      this.buffered.set(promise, { envelope, reject });
      return promise;
    }
    this.published.push(envelope);
    return this.rejectWith === undefined ? Promise.resolve() : Promise.reject(this.rejectWith);
  }

  withdraw(published: Promise<void>): boolean {
    const entry = this.buffered.get(published);
    if (entry === undefined) return false;
    this.buffered.delete(published);
    this.withdrawn.push(entry.envelope.payload);
    entry.reject(new PublishError(`${entry.envelope.name} withdrawn`));
    return true;
  }

  subscribe(subscription: TransportSubscription): Consumer {
    if (this.refuseGroups.has(subscription.group)) throw new Error(`cannot create consumer group ${subscription.group}`);
    this.subscriptions.push(subscription);
    return {
      ready: Promise.resolve(),
      pause: () => { this.log.push(`pause ${subscription.group}`); },
      resume: () => { this.log.push(`resume ${subscription.group}`); },
      close: async () => { this.log.push(`close consumer ${subscription.group}`); },
    };
  }

  async close(): Promise<void> {
    this.log.push('close transport');
  }

  /** Hands `envelope` to every subscription of its event; returns each delivery's failure, if any. */
  async deliver(envelope: EncodedEnvelope): Promise<unknown[]> {
    const delivery: Delivery = { attempt: 1, maxAttempts: 3, signal: new AbortController().signal };
    const failures: unknown[] = [];
    for (const s of this.subscriptions.filter((s) => s.event === envelope.name && s.namespace === envelope.namespace)) {
      await s.handle(envelope, delivery).catch((error: unknown) => failures.push(error));
    }
    return failures;
  }
}

@injectable()
class Checkout {
  @publishes('orderPlaced', { remote: true }) orderPlaced!: Event<[id: string, total: number]>;
  @publishes('cartViewed') cartViewed!: Event<[id: string]>;
}

describe('Remote events (the bridge, over an in-memory transport)', () => {
  it('should start no consumer for a subscriber wired while the container is closing', async () => {
    @injectable({ scope: 'transient' }) class LateBilling {
      @subscribes(Checkout, 'orderPlaced') onOrder(): void { /* never called */ }
    }
    const transport = new FakeTransport();
    const app = new Container({ extensions: [remoteEvents({ transport, namespace: 'shop' })] });
    const closing = app.disposeAsync();
    expect(() => app.get(LateBilling)).not.to.throw();
    await closing;
    expect(transport.subscriptions).to.deep.equal([]);
  });

  it('should forward each fire of a remote event as an envelope, and keep local events local', () => {
    const transport = new FakeTransport();
    const app = new Container({ extensions: [remoteEvents({ transport, namespace: 'shop', versions: { orderPlaced: 2 } })] });
    const checkout = app.get(Checkout);
    checkout.orderPlaced.fire('o-1', 42);
    checkout.cartViewed.fire('c-1');
    expect(transport.published).to.have.length(1);
    const [envelope] = transport.published;
    expect(envelope).to.deep.include({ name: 'orderPlaced', namespace: 'shop', version: 2, payload: '["o-1",42]' });
    expect(envelope.headers).to.deep.equal({ 'content-type': 'application/json' });
    expect(envelope.id).to.match(/^[0-9a-f-]{36}$/);
    expect(Number.isNaN(Date.parse(envelope.occurredAt))).to.equal(false);
  });

  it('should deliver remote events only through the transport when there is one, and locally when there is none', async () => {
    const calls: string[] = [];
    @injectable()
    class Billing {
      @subscribes(Checkout, 'orderPlaced') onOrderPlaced(id: string): void { calls.push(id); }
    }
    const transport = new FakeTransport();
    const remote = new Container({ extensions: [remoteEvents({ transport })] });
    remote.get(Billing);
    remote.get(Checkout).orderPlaced.fire('o-1', 1);
    expect(calls, 'not handled locally').to.deep.equal([]);
    expect(await transport.deliver(transport.published[0])).to.deep.equal([]);
    expect(calls, 'handled once, from the broker').to.deep.equal(['o-1']);

    const local = new Container();
    local.get(Billing);
    local.get(Checkout).orderPlaced.fire('o-2', 2);
    expect(calls).to.deep.equal(['o-1', 'o-2']);
  });

  it('should start one consumer group per subscriber class and method, however many objects are adopted', () => {
    @injectable({ scope: 'transient' })
    class Mailer {
      @subscribes(Checkout, 'orderPlaced') onOrderPlaced(): void {}
      @subscribes(Checkout, 'orderPlaced') alsoAudit(): void {}
    }
    const transport = new FakeTransport();
    const app = new Container({ extensions: [remoteEvents({ transport, namespace: 'shop', service: 'billing' })] });
    const kept = [app.get(Mailer), app.get(Mailer), app.get(Mailer)];
    expect(kept).to.have.length(3);
    expect(transport.subscriptions.map((s) => [s.namespace, s.event, s.group])).to.deep.equal([
      ['shop', 'orderPlaced', 'billing/Mailer.onOrderPlaced'],
      ['shop', 'orderPlaced', 'billing/Mailer.alsoAudit'],
    ]);
  });

  it('should refuse two different classes of the same name, which would share a consumer group', () => {
    const make = (): new () => object => {
      @injectable()
      class Audit {
        @subscribes(Checkout, 'orderPlaced') onOrderPlaced(): void {}
      }
      return Audit;
    };
    const app = new Container({ extensions: [remoteEvents({ transport: new FakeTransport() })] });
    app.get(make());
    expect(() => app.get(make())).to.throw(WiringError, /share consumer group "Audit.onOrderPlaced".*Rename one/);
  });

  it('should throw from fire() under the throw policy, and report under isolate, when the transport cannot take an event', () => {
    const transport = new FakeTransport();
    transport.full = true;
    const strict = new Container({ extensions: [remoteEvents({ transport })], errors: 'throw' });
    expect(() => strict.get(Checkout).orderPlaced.fire('o-1', 1)).to.throw(PublishBufferFullError);
    const { failures, onError } = recorder();
    const other = new FakeTransport();
    other.full = true;
    const isolated = new Container({ extensions: [remoteEvents({ transport: other })], onError });
    expect(() => isolated.get(Checkout).orderPlaced.fire('o-2', 2)).not.to.throw();
    expect(failures.map((f) => [f.handler, (f.error as Error).name])).to.deep.equal([['remote publish of "orderPlaced"', 'PublishBufferFullError']]);
  });

  it('should make fireAsync resolve once the broker stored the event, and reject when it did not, under every error policy', async () => {
    for (const errors of ['isolate', 'throw', 'collect'] as const) {
      const transport = new FakeTransport();
      const { failures, onError } = recorder();
      const checkout = new Container({ extensions: [remoteEvents({ transport })], errors, onError }).get(Checkout);
      await checkout.orderPlaced.fireAsync('stored', 1);
      transport.rejectWith = new Error('broker said no');
      const refused = await checkout.orderPlaced.fireAsync('refused', 2).then(() => undefined, (error: unknown) => error);
      transport.full = true;
      const unbuffered = await checkout.orderPlaced.fireAsync('unbuffered', 3).then(() => undefined, (error: unknown) => error);
      const thrown = [refused, unbuffered].map((e) => (errors === 'collect' ? (e as AggregateError).errors[0] : e));
      expect((thrown[0] as Error | undefined)?.message, `${errors}: a rejected publish`).to.equal('broker said no');
      expect(thrown[1], `${errors}: a publish the buffer refused`).to.be.instanceOf(PublishBufferFullError);
      expect(failures, `${errors}: given to the caller, not reported`).to.deep.equal([]);
    }
  });

  it('should withdraw a publish the transport has not sent when a bounded fireAsyncWith gives up, and tell the caller so', async () => {
    const transport = new FakeTransport();
    transport.hold = true;
    const { failures, onError } = recorder();
    const checkout = new Container({ extensions: [remoteEvents({ transport })], onError }).get(Checkout);
    const error = await checkout.orderPlaced.fireAsyncWith({ timeoutMs: 10 }, 'o-1', 1).then(() => undefined, (e: unknown) => e);
    expect(error).to.be.instanceOf(FireAbortedError);
    expect((error as Error).message).to.equal('Event "orderPlaced" of Checkout: fireAsync() gave up after 10 ms (timeoutMs) with its forwarding ' +
      '(remote publish of "orderPlaced") withdrawn: it was NOT sent. Fire it again if it must go out, or raise timeoutMs.');
    expect(transport.withdrawn).to.deep.equal(['["o-1",1]']);
    expect(transport.buffered.size).to.equal(0);
    await new Promise((resolve) => setImmediate(resolve));
    expect(failures, 'the caller was told: not reported').to.deep.equal([]);

    // A publish the transport cannot withdraw (already sent) goes on, and its failure is reported.
    const sent = new FakeTransport();
    sent.hold = true;
    sent.withdraw = () => false;
    const other = new Container({ extensions: [remoteEvents({ transport: sent })], onError }).get(Checkout);
    const going = await other.orderPlaced.fireAsyncWith({ timeoutMs: 10 }, 'o-2', 2).then(() => undefined, (e: unknown) => e);
    expect((going as Error).message).to.match(/with its forwarding \(remote publish of "orderPlaced"\) not settled\. They keep running/);
    [...sent.buffered.values()][0].reject(new PublishError('not confirmed'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(failures.map((f) => [f.handler, (f.error as Error).message])).to.deep.equal([['remote publish of "orderPlaced"', 'not confirmed']]);
  });

  it('should keep reporting a failed publish of fire() to onError, and never quarantine the forwarder', async () => {
    const transport = new FakeTransport();
    transport.rejectWith = new Error('broker said no');
    const { failures, onError } = recorder();
    const checkout = new Container({ extensions: [remoteEvents({ transport })], onError, quarantine: 2 }).get(Checkout);
    for (let i = 0; i < 3; i++) checkout.orderPlaced.fire(`o-${i}`, i);
    await new Promise((resolve) => setImmediate(resolve));
    expect(failures.map((f) => [(f.error as Error).message, f.quarantined])).to.deep.equal(Array(3).fill(['broker said no', false]));
    transport.rejectWith = undefined;
    await checkout.orderPlaced.fireAsync('after', 4);
    expect(transport.published.map((e) => e.payload)).to.include('["after",4]');
  });

  it('should fail the fire when the codec cannot encode the payload, and say how to fix it', () => {
    @injectable()
    class Ledger {
      @publishes('booked', { remote: true, errors: 'throw' }) booked!: Event<[amount: bigint]>;
    }
    const app = new Container({ extensions: [remoteEvents({ transport: new FakeTransport() })] });
    expect(() => app.get(Ledger).booked.fire(10n)).to.throw(InvalidArgumentError, /could not encode.*BigInt.*superjson/);
  });

  it('should validate payloads before publishing', () => {
    const transport = new FakeTransport();
    const app = new Container({ extensions: [remoteEvents({ transport, validate: (e) => (e.payload[1] as number) >= 0 })], errors: 'throw' });
    app.get(Checkout).orderPlaced.fire('o-1', 1);
    expect(() => app.get(Checkout).orderPlaced.fire('o-2', -1)).to.throw(InvalidArgumentError, /failed validation/);
    expect(transport.published).to.have.length(1);
  });

  it('should deliver to every live object of exactly the subscriber class, with a RemoteEventInfo on request', async () => {
    const seen: unknown[][] = [];
    @injectable({ scope: 'transient' })
    class Tracker {
      @subscribes(Checkout, 'orderPlaced', { info: true }) onOrderPlaced(info: RemoteEventInfo<[id: string, total: number]>, id: string): void {
        seen.push([this, info.name, info.source, info.envelope?.namespace, id]);
      }
    }
    class SpecialTracker extends Tracker {}
    const transport = new FakeTransport();
    const app = new Container({ extensions: [remoteEvents({ transport, namespace: 'n' })] });
    const a = app.get(Tracker);
    const b = app.get(Tracker);
    app.wire(new SpecialTracker());
    app.get(Checkout).orderPlaced.fire('o-1', 1);
    const envelope = transport.published[0];
    const tracker = transport.subscriptions.find((s) => s.group === 'Tracker.onOrderPlaced')!;
    await tracker.handle(envelope, { attempt: 1, maxAttempts: 1, signal: new AbortController().signal });
    expect(seen).to.deep.equal([[a, 'orderPlaced', undefined, 'n', 'o-1'], [b, 'orderPlaced', undefined, 'n', 'o-1']]);
    expect(transport.subscriptions.map((s) => s.group)).to.deep.equal(['Tracker.onOrderPlaced', 'SpecialTracker.onOrderPlaced']);
  });

  it('should handle a duplicated envelope once per consumer group', async () => {
    let calls = 0;
    @injectable()
    class Counter {
      @subscribes(Checkout, 'orderPlaced') onOrderPlaced(): void { calls++; }
    }
    const transport = new FakeTransport();
    const app = new Container({ extensions: [remoteEvents({ transport })] });
    app.get(Counter);
    app.get(Checkout).orderPlaced.fire('o-1', 1);
    const envelope = transport.published[0];
    await Promise.all([transport.deliver(envelope), transport.deliver(envelope), transport.deliver(envelope)]);
    expect(calls).to.equal(1);
  });

  it('should reject undecodable, foreign or invalid payloads as poison messages, which are never retried', async () => {
    @injectable()
    class Sink {
      @subscribes(Checkout, 'orderPlaced') onOrderPlaced(): void {}
    }
    const transport = new FakeTransport();
    const app = new Container({ extensions: [remoteEvents({ transport, validate: (e) => typeof e.payload[0] === 'string' })] });
    app.get(Sink);
    app.get(Checkout).orderPlaced.fire('o-1', 1);
    const good = transport.published[0];
    const failures = [
      ...await transport.deliver({ ...good, id: 'x1', payload: '{oops' }),
      ...await transport.deliver({ ...good, id: 'x2', headers: { 'content-type': 'application/x-protobuf' } }),
      ...await transport.deliver({ ...good, id: 'x3', payload: '{"not":"a list"}' }),
      ...await transport.deliver({ ...good, id: 'x4', payload: '[42]' }),
    ];
    expect(failures.every((f) => PoisonMessageError.isPoison(f))).to.equal(true);
    expect(failures.map((f) => (f as Error).message)).to.satisfy((m: string[]) =>
      /could not be decoded/.test(m[0]) && /encoded as application\/x-protobuf/.test(m[1]) && /not an argument list/.test(m[2]) && /invalid payload/.test(m[3]));
  });

  it('should pause the consumer of a class with no live object, leave its events to the broker, and resume when one is wired', async () => {
    const calls: string[] = [];
    @injectable()
    class Gone {
      @subscribes(Checkout, 'orderPlaced') onOrderPlaced(id: string): void { calls.push(id); }
    }
    const transport = new FakeTransport();
    const { failures: reported, onError } = recorder();
    const app = new Container({ extensions: [remoteEvents({ transport })], onError });
    app.release(app.get(Gone));
    app.get(Checkout).orderPlaced.fire('o-1', 1);
    app.get(Checkout).orderPlaced.fire('o-2', 2);
    const failures = [...await transport.deliver(transport.published[0]), ...await transport.deliver(transport.published[1])];
    expect(failures.map((f) => NoSubscriberError.isNoSubscriber(f))).to.deep.equal([true, true]);
    expect((failures[0] as Error).message).to.match(/No live Gone object .*Consumer group Gone.onOrderPlaced pauses.*disposeAsync/);
    expect(reported.map((f) => f.handler), 'reported once').to.deep.equal(['Gone.onOrderPlaced (remote)']);
    expect(transport.log).to.deep.equal(['pause Gone.onOrderPlaced']);
    app.wire(new Gone());
    expect(transport.log).to.deep.equal(['pause Gone.onOrderPlaced', 'resume Gone.onOrderPlaced']);
    expect(await transport.deliver(transport.published[0])).to.deep.equal([]);
    expect(calls, 'the message left pending is handled once an object is back').to.deep.equal(['o-1']);
  });

  it('should close consumers before dispose() and the transport after it, in disposeAsync()', async () => {
    const transport = new FakeTransport();
    @injectable()
    class Shutdown {
      @subscribes(Checkout, 'orderPlaced') onOrderPlaced(): void {}
      dispose(): void { transport.log.push('dispose objects'); }
    }
    const app = new Container({ extensions: [remoteEvents({ transport })] });
    const checkout = app.get(Checkout);
    app.get(Shutdown);
    const child = app.createChild();
    await child.disposeAsync();
    expect(transport.log, 'a child only disposes').to.deep.equal([]);
    await app.disposeAsync();
    await app.disposeAsync();
    expect(transport.log).to.deep.equal(['close consumer Shutdown.onOrderPlaced', 'dispose objects', 'close transport']);
    expect(app.isDisposed).to.equal(true);
    expect(checkout.orderPlaced.isDisposed, 'its events are disposed with it').to.equal(true);
  });

  it('should refuse a transport option that is not a transport, and bad names, naming remoteEvents()', () => {
    expect(() => remoteEvents({ transport: {} as Transport })).to.throw(InvalidArgumentError, /^remoteEvents\(\): transport must implement Transport/);
    expect(() => remoteEvents({ transport: new FakeTransport(), namespace: 'a b' })).to.throw(InvalidArgumentError, /^remoteEvents\(\): namespace must be/);
    expect(() => remoteEvents({ transport: new FakeTransport(), versions: { x: 0 } })).to.throw(InvalidArgumentError, /^remoteEvents\(\): versions\.x/);
  });

  it('should refuse one remoteEvents() extension in two containers: the container owns its transport', () => {
    const extension = remoteEvents({ transport: new FakeTransport() });
    new Container({ extensions: [extension] });
    expect(() => new Container({ extensions: [extension] })).to.throw(InvalidArgumentError, /already plugged into another container.*once per container/);
  });

  it('should throw DisposedError when a remote event is fired after disposeAsync()', async () => {
    const app = new Container({ extensions: [remoteEvents({ transport: new FakeTransport() })] });
    const checkout = app.get(Checkout);
    await app.disposeAsync();
    expect(() => checkout.orderPlaced.fire('late', 0)).to.throw(DisposedError, /"orderPlaced" of Checkout was fired after its container was disposed/);
  });

  it('should await async dispose() of its objects between closing consumers and closing the transport', async () => {
    const transport = new FakeTransport();
    @injectable() class Flusher {
      async dispose(): Promise<void> {
        await new Promise((resolve) => setTimeout(resolve, 5));
        transport.log.push('flushed');
      }
    }
    const app = new Container({ extensions: [remoteEvents({ transport })] });
    app.get(Flusher);
    await app.disposeAsync();
    expect(transport.log).to.deep.equal(['flushed', 'close transport']);
  });

  it('should still close the transport in disposeAsync() after a plain dispose()', async () => {
    const transport = new FakeTransport();
    const app = new Container({ extensions: [remoteEvents({ transport })] });
    app.dispose();
    await app.disposeAsync();
    expect(transport.log).to.deep.equal(['close transport']);
  });

  describe('forwarding, which is not a handler', () => {
    it('should not count the forwarder in size, and keep forwarding after clear()', () => {
      const transport = new FakeTransport();
      const checkout = new Container({ extensions: [remoteEvents({ transport })] }).get(Checkout);
      expect(checkout.orderPlaced.size).to.equal(0);
      const local: string[] = [];
      checkout.orderPlaced.add((id) => { local.push(id); });
      expect(checkout.orderPlaced.size).to.equal(1);
      checkout.orderPlaced.clear();
      expect(checkout.orderPlaced.size).to.equal(0);
      checkout.orderPlaced.fire('o-1', 1);
      expect(transport.published.map((e) => e.payload)).to.deep.equal(['["o-1",1]']);
      expect(local).to.deep.equal([]);
    });

    it('should never be quarantined: a broker that fails more often than the quarantine limit does not stop later publishes', async () => {
      const transport = new FakeTransport();
      transport.full = true;
      const { failures, onError } = recorder();
      const checkout = new Container({ extensions: [remoteEvents({ transport })], onError, quarantine: 1 }).get(Checkout);
      for (let i = 0; i < 3; i++) checkout.orderPlaced.fire(`o-${i}`, i);
      expect(failures.map((f) => [f.handler, f.quarantined])).to.deep.equal(Array(3).fill(['remote publish of "orderPlaced"', false]));
      transport.full = false;
      await checkout.orderPlaced.fireAsync('back', 4);
      expect(transport.published.map((e) => e.payload)).to.deep.equal(['["back",4]']);
    });

    it('should keep a failing forwarder from stopping the local handlers under collect, and aggregate both failures', () => {
      const transport = new FakeTransport();
      transport.full = true;
      const checkout = new Container({ extensions: [remoteEvents({ transport })], errors: 'collect' }).get(Checkout);
      const local: string[] = [];
      checkout.orderPlaced.add((id) => { local.push(id); throw new Error('local failed'); });
      let thrown: unknown;
      try {
        checkout.orderPlaced.fire('o-1', 1);
      } catch (error) {
        thrown = error;
      }
      expect(local).to.deep.equal(['o-1']);
      expect((thrown as AggregateError).errors.map((e: Error) => e.name)).to.deep.equal(['PublishBufferFullError', 'Error']);
    });

    it('should stop forwarding the events of a released publisher, and forward again once it is wired again', () => {
      const transport = new FakeTransport();
      const app = new Container({ extensions: [remoteEvents({ transport })] });
      const checkout = app.get(Checkout);
      app.release(checkout);
      checkout.orderPlaced.fire('released', 1);
      expect(transport.published).to.deep.equal([]);
      app.wire(checkout);
      checkout.orderPlaced.fire('again', 2);
      expect(transport.published.map((e) => e.payload)).to.deep.equal(['["again",2]']);
    });

    it('should trace a forwarded fire with the handlers only', () => {
      const traced: [string, number][] = [];
      const transport = new FakeTransport();
      const app = new Container({ extensions: [remoteEvents({ transport })], trace: (r) => { traced.push([r.name, r.handlers]); } });
      app.get(Checkout).orderPlaced.fire('o-1', 1);
      expect(traced).to.deep.equal([['orderPlaced', 0]]);
      expect(transport.published).to.have.length(1);
    });
  });

  describe('remote deliveries, through an Event of the consumer group', () => {
    const signal = new AbortController().signal;
    const deliver = (transport: FakeTransport, group: string, envelope: EncodedEnvelope, attempt = 1): Promise<unknown> =>
      transport.subscriptions.find((s) => s.group === group)!.handle(envelope, { attempt, maxAttempts: 3, signal }).then(() => undefined, (e: unknown) => e);

    it('should honour once: the first delivery is handled, then the group pauses quietly here', async () => {
      const calls: string[] = [];
      @injectable()
      class OneShot {
        @subscribes(Checkout, 'orderPlaced', { once: true }) onFirst(id: string): void { calls.push(id); }
      }
      const transport = new FakeTransport();
      const { failures, onError } = recorder();
      const app = new Container({ extensions: [remoteEvents({ transport })], onError });
      app.get(OneShot);
      const checkout = app.get(Checkout);
      checkout.orderPlaced.fire('o-1', 1);
      checkout.orderPlaced.fire('o-2', 2);
      expect(await deliver(transport, 'OneShot.onFirst', transport.published[0])).to.equal(undefined);
      expect(transport.log).to.deep.equal(['pause OneShot.onFirst']);
      expect(NoSubscriberError.isNoSubscriber(await deliver(transport, 'OneShot.onFirst', transport.published[1]))).to.equal(true);
      expect(calls).to.deep.equal(['o-1']);
      expect(failures, 'a once subscription that is done is no failure').to.deep.equal([]);
    });

    it('should honour filter, which receives undefined as the source (the publisher is in another process)', async () => {
      const sources: unknown[] = [];
      const calls: number[] = [];
      @injectable()
      class BigOrders {
        @subscribes(Checkout, 'orderPlaced', { filter: (source, _id, total) => { sources.push(source); return total > 100; } })
        onBig(_id: string, total: number): void { calls.push(total); }
      }
      const transport = new FakeTransport();
      const app = new Container({ extensions: [remoteEvents({ transport })] });
      app.get(BigOrders);
      app.get(Checkout).orderPlaced.fire('small', 5);
      app.get(Checkout).orderPlaced.fire('big', 500);
      for (const envelope of transport.published) expect(await deliver(transport, 'BigOrders.onBig', envelope)).to.equal(undefined);
      expect(calls).to.deep.equal([500]);
      expect(sources).to.deep.equal([undefined, undefined]);
    });

    it('should give each call of concurrent deliveries the envelope it arrived in', async () => {
      const seen: [string | undefined, string][] = [];
      @injectable()
      class Audit {
        @subscribes(Checkout, 'orderPlaced', { info: true })
        async onOrder(info: RemoteEventInfo<[id: string, total: number]>, id: string): Promise<void> {
          const envelopeId = info.envelope?.id;
          await new Promise((resolve) => setTimeout(resolve, 1));
          seen.push([envelopeId, id]);
        }
      }
      const transport = new FakeTransport();
      const app = new Container({ extensions: [remoteEvents({ transport })] });
      app.get(Audit);
      app.get(Checkout).orderPlaced.fire('o-1', 1);
      app.get(Checkout).orderPlaced.fire('o-2', 2);
      const [a, b] = transport.published;
      await Promise.all([deliver(transport, 'Audit.onOrder', a), deliver(transport, 'Audit.onOrder', b)]);
      expect(seen.sort()).to.deep.equal([[a.id, 'o-1'], [b.id, 'o-2']].sort());
    });

    it('should report a failure with the attempt, and reject for a retry, under every error policy', async () => {
      for (const errors of ['isolate', 'throw', 'collect'] as const) {
        let fail = true;
        @injectable()
        class Flaky {
          @subscribes(Checkout, 'orderPlaced') onOrder(): void { if (fail) throw new Error('not now'); }
        }
        const transport = new FakeTransport();
        const { failures, onError } = recorder();
        const app = new Container({ extensions: [remoteEvents({ transport })], errors, onError });
        app.get(Flaky);
        app.get(Checkout).orderPlaced.fire('o-1', 1);
        const rejected = await deliver(transport, 'Flaky.onOrder', transport.published[0], 1);
        expect((rejected as Error).message, errors).to.equal('not now');
        expect(failures.map((f) => f.handler), errors).to.deep.equal(['Flaky.onOrder (remote delivery 1 of 3)']);
        fail = false;
        expect(await deliver(transport, 'Flaky.onOrder', transport.published[0], 2), `${errors}: redelivered`).to.equal(undefined);
      }
    });

    it('should quarantine a method that keeps failing, report that once, and pause its group here', async () => {
      @injectable()
      class Broken {
        @subscribes(Checkout, 'orderPlaced') onOrder(): void { throw new Error('broken'); }
      }
      const transport = new FakeTransport();
      const { failures, onError } = recorder();
      const app = new Container({ extensions: [remoteEvents({ transport })], onError, quarantine: 2 });
      app.get(Broken);
      app.get(Checkout).orderPlaced.fire('o-1', 1);
      const envelope = transport.published[0];
      await deliver(transport, 'Broken.onOrder', envelope, 1);
      await deliver(transport, 'Broken.onOrder', envelope, 2);
      expect(failures.map((f) => [f.handler, f.quarantined])).to.deep.equal([
        ['Broken.onOrder (remote delivery 1 of 3)', false],
        ['Broken.onOrder', true],
      ]);
      expect(NoSubscriberError.isNoSubscriber(await deliver(transport, 'Broken.onOrder', envelope, 3))).to.equal(true);
      expect(transport.log).to.deep.equal(['pause Broken.onOrder']);
    });

    it('should trace each delivery as a fire of the group\'s event', async () => {
      const traced: [string, number, boolean][] = [];
      @injectable()
      class Traced {
        @subscribes(Checkout, 'orderPlaced') onOrder(): void {}
      }
      const transport = new FakeTransport();
      const app = new Container({ extensions: [remoteEvents({ transport })], trace: (r) => { traced.push([r.name, r.handlers, r.async]); } });
      app.get(Traced);
      app.get(Checkout).orderPlaced.fire('o-1', 1);
      traced.length = 0;
      await deliver(transport, 'Traced.onOrder', transport.published[0]);
      expect(traced).to.deep.equal([['orderPlaced', 1, true]]);
    });

    it('should refuse a priority on a remote subscription, which cannot apply, naming class, method and event', () => {
      @injectable()
      class First {
        @subscribes(Checkout, 'orderPlaced', { priority: 10 }) onOrder(): void {}
      }
      const app = new Container({ extensions: [remoteEvents({ transport: new FakeTransport() })] });
      expect(() => app.get(First)).to.throw(WiringError,
        /^First\.onOrder subscribes to remote event "orderPlaced" with priority 10, which cannot apply: .*Remove the priority, or make the event local/);
      expect(() => new Container().get(First), 'a local event takes it').not.to.throw();
    });

    it('should refuse a priority, or a second class in a consumer group, before any of the object is wired', () => {
      @injectable() class Audit { @subscribes(Checkout, 'orderPlaced') onOrder(): void {} }
      const refused = {
        priority: () => {
          class Billing {
            @publishes('invoiced', { remote: true }) invoiced!: Event<[id: string]>;
            @subscribes(Checkout, 'cartViewed') onCart(): void {}
            @subscribes(Checkout, 'orderPlaced') onOrder(): void {}
            @subscribes(Checkout, 'orderPlaced', { priority: 3 }) onOrderFirst(): void {}
          }
          return new Billing();
        },
        'consumer group': () => {
          class Audit {
            @publishes('invoiced', { remote: true }) invoiced!: Event<[id: string]>;
            @subscribes(Checkout, 'cartViewed') onCart(): void {}
            @subscribes(Checkout, 'orderPlaced') onOrder(): void {}
          }
          return new Audit();
        },
      };
      for (const [why, make] of Object.entries(refused)) {
        const transport = new FakeTransport();
        const hooks: string[] = [];
        const tracer: ContainerExtension = {
          eventCreated: (_event, source) => { hooks.push(`event of ${source.constructor.name}`); },
          subscriptionConnected: (c) => { hooks.push(`${c.subscriber.constructor.name}.${c.method}`); },
          objectAdopted: (object) => { hooks.push(`adopted ${object.constructor.name}`); },
        };
        const app = new Container({ extensions: [tracer, remoteEvents({ transport })] });
        const checkout = app.get(Checkout);
        app.get(Audit);
        const before = { hooks: [...hooks], subscriptions: transport.subscriptions.length, graph: app.graph() };
        const object = make();
        expect(() => app.wire(object), why).to.throw(WiringError, why === 'priority' ? 'with priority 3, which cannot apply' : 'share consumer group "Audit.onOrder"');
        expect(hooks, `${why}: no hook called for it`).to.deep.equal(before.hooks);
        expect(transport.subscriptions, `${why}: no consumer`).to.have.length(before.subscriptions);
        expect(checkout.cartViewed.size, `${why}: no local connection`).to.equal(0);
        expect(Object.getOwnPropertyDescriptor(object, 'invoiced')?.value, `${why}: no event created`).to.equal(undefined);
        expect(app.graph(), `${why}: not in the graph`).to.deep.equal(before.graph);
        checkout.orderPlaced.fire('o-1', 1);
        expect(transport.published, `${why}: Checkout forwards as before`).to.have.length(1);
        // Not owned by the container: refused the same way again (not "already wired"), and free for another container.
        expect(() => app.wire(object), why).to.throw(WiringError, /cannot apply|share consumer group/);
        expect(() => new Container().wire(object), why).not.to.throw();
      }
    });

    it('should wire nothing of a subscriber whose transport subscribe() throws, stop its forwarding, and wire it once the transport accepts', async () => {
      const calls: string[] = [];
      @injectable()
      class Relay {
        // Made in the constructor: the container takes it over, and forwards it while the object is wired.
        @publishes('relayed', { remote: true }) readonly relayed = new Event<[id: string]>();
        @subscribes(Checkout, 'orderPlaced') onOrder(id: string): void { calls.push(`order ${id}`); }
        @subscribes(Checkout, 'cartViewed') onCart(id: string): void { calls.push(`cart ${id}`); }
        @subscribes(Checkout, 'orderPlaced') audit(id: string): void { calls.push(`audit ${id}`); }
      }
      const transport = new FakeTransport();
      transport.refuseGroups.add('Relay.audit');
      const app = new Container({ extensions: [remoteEvents({ transport, namespace: 'shop' })] });
      const checkout = app.get(Checkout);
      const relay = new Relay();
      expect(() => app.wire(relay)).to.throw(WiringError,
        'Could not wire Relay: subscriberAdopted() of extension remoteEvents() (transport fake://memory) threw: cannot create consumer group Relay.audit. ' +
        'Nothing of Relay was wired; fix the cause and wire it again.');
      expect(transport.subscriptions.map((s) => s.group), 'the consumer started before the failure').to.deep.equal(['Relay.onOrder']);
      expect(app.graph().edges.filter((e) => e.publisher === 'Relay' || e.subscriber === 'Relay'), 'no connection of Relay, nor its forwarding').to.deep.equal([]);
      expect(checkout.cartViewed.size, 'no local connection').to.equal(0);
      relay.relayed.fire('r-1');
      expect(transport.published, 'its event is not forwarded').to.deep.equal([]);
      checkout.cartViewed.fire('c-1');
      expect(calls).to.deep.equal([]);

      transport.refuseGroups.clear();
      app.wire(relay);
      expect(transport.subscriptions.map((s) => s.group), 'one consumer per group').to.deep.equal(['Relay.onOrder', 'Relay.audit']);
      checkout.cartViewed.fire('c-2');
      checkout.orderPlaced.fire('o-1', 1);
      relay.relayed.fire('r-2');
      expect(transport.published.map((e) => e.name)).to.deep.equal(['orderPlaced', 'relayed']);
      expect(await transport.deliver(transport.published[0])).to.deep.equal([]);
      expect(calls).to.deep.equal(['cart c-2', 'order o-1', 'audit o-1']);
    });

    it('should show remote connections in graph(), with the consumer group, and draw them dashed', () => {
      @injectable()
      class Mailer {
        @subscribes(Checkout, 'orderPlaced') onOrder(): void {}
        @subscribes(Checkout, 'cartViewed') onCart(): void {}
      }
      const app = new Container({ extensions: [remoteEvents({ transport: new FakeTransport(), service: 'billing' })] });
      app.get(Mailer);
      app.get(Checkout);
      const graph = app.graph();
      expect(graph.edges).to.deep.equal([
        { publisher: 'Checkout', event: 'cartViewed', subscriber: 'Mailer', method: 'onCart', connections: 1 },
        { publisher: 'Checkout', event: 'orderPlaced', subscriber: '*', method: '*', connections: 1, kind: 'remote', group: 'default' },
        { publisher: 'Checkout', event: 'orderPlaced', subscriber: 'Mailer', method: 'onOrder', connections: 1, kind: 'remote', group: 'billing/Mailer.onOrder' },
      ]);
      expect(toText(graph)).to.equal(
        'Checkout.cartViewed\n  -> Mailer.onCart\nCheckout.orderPlaced\n  -> (forwarded) (remote: default)\n  -> Mailer.onOrder (remote: billing/Mailer.onOrder)\n');
      expect(toMermaid(graph)).to.contain('Checkout -.->|"orderPlaced → onOrder (remote: billing/Mailer.onOrder)"| Mailer');
      expect(toDot(graph)).to.contain('"Checkout" -> "Mailer" [label="orderPlaced → onOrder (remote: billing/Mailer.onOrder)", style=dashed];');
    });

    it('should show, in a process that only publishes a remote event, that its fires leave the process, until the publisher is released', () => {
      const app = new Container({ extensions: [remoteEvents({ transport: new FakeTransport(), namespace: 'shop' })] });
      const checkout = app.get(Checkout);
      const second = app.wire(new Checkout());
      const graph = app.graph();
      expect(graph.edges).to.deep.equal([
        { publisher: 'Checkout', event: 'orderPlaced', subscriber: '*', method: '*', connections: 2, kind: 'remote', group: 'shop' },
      ]);
      expect(toText(graph)).to.equal('Checkout.orderPlaced\n  -> (forwarded) x2 (remote: shop)\n');
      expect(toMermaid(graph)).to.equal([
        'flowchart LR', '  Checkout["Checkout ×2"]', '  forwarded(("forwarded"))', '  Checkout -.->|"orderPlaced ×2 (remote: shop)"| forwarded', '',
      ].join('\n'));
      expect(toDot(graph)).to.contain('  "(forwarded)" [shape=plaintext, fontcolor=gray40];\n  "Checkout" -> "(forwarded)" [label="orderPlaced ×2 (remote: shop)", style=dashed];');
      app.release(checkout);
      app.release(second);
      expect(app.graph().edges, 'a released publisher forwards nothing').to.deep.equal([]);
      app.wire(checkout);
      expect(app.graph().edges.map((e) => [e.subscriber, e.connections])).to.deep.equal([['*', 1]]);
      const local = new Container();
      local.get(Checkout);
      expect(local.graph().edges, 'no forwarding without remoteEvents()').to.deep.equal([]);
    });
  });
});
