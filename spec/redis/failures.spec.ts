import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { Event, injectable, publishes, subscribes } from '../../lib';
import { DeadLetterError, type Codec, type EncodedEnvelope, type RemoteEventInfo } from '../../lib/remote';
import { deadLetterKey, streamKey } from '../../lib/redis';
import { toFields } from '../../lib/redis/fields';
import { Shop, type Order } from './fixtures/shop';
import { describeBroker, drained, eventually, inspect, node, orders, pendingCount, tally, waitDrained } from './helpers';
import { RedisServer } from './redis-server';

function entryFields(entry: [string, string[]]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < entry[1].length; i += 2) out[entry[1][i]] = entry[1][i + 1];
  return out;
}

describeBroker('Redis transport: failures, duplicates and payloads', () => {
  let server: RedisServer;
  before(async () => { server = await RedisServer.start(); });
  after(async () => { await server?.stop(); });

  it('should retry a throwing handler up to maxAttempts, unacknowledged, then dead-letter it with the error', async () => {
    const stream = streamKey('eventwire', 'retry', 'orderPlaced');
    const redis = inspect(server.url);
    const seen: { id: string; pending: number; deliveries: number }[] = [];
    @injectable()
    class Payments {
      @subscribes(Shop, 'orderPlaced') async onOrderPlaced(order: Order): Promise<void> {
        const rows = await redis.xpending(stream, 'Payments.onOrderPlaced', '-', '+', 10) as [string, string, number, number][];
        seen.push({ id: order.id, pending: rows.length, deliveries: Number(rows[0]?.[3]) });
        if (order.id === 'declined') throw new Error('card declined');
        if (order.id === 'flaky' && seen.filter((s) => s.id === 'flaky').length < 2) throw new Error('timeout');
      }
    }
    const { app, transport, failures } = node(server, 'retry', { maxAttempts: 3, retryDelayMs: 20 });
    try {
      app.get(Payments);
      await transport.ready();
      await app.get(Shop).orderPlaced.fireAsync({ id: 'declined', total: 1 });
      // Reported once the MULTI reply is back, which can be after XLEN (another connection) shows the entry.
      await eventually('the failing order to be dead-lettered and reported', () => failures.some((f) => f instanceof DeadLetterError));
      expect(await redis.xlen(deadLetterKey(stream))).to.equal(1);
      expect(seen.map((s) => [s.id, s.pending, s.deliveries]), 'pending (never acknowledged) at each attempt')
        .to.deep.equal([['declined', 1, 1], ['declined', 1, 2], ['declined', 1, 3]]);
      const [dead] = await redis.xrange(deadLetterKey(stream), '-', '+') as [string, string[]][];
      const fields = entryFields(dead);
      expect(fields['dl.error']).to.equal('Error: card declined');
      expect(fields['dl.deliveries']).to.equal('3');
      expect(fields['dl.group']).to.equal('Payments.onOrderPlaced');
      expect(JSON.parse(fields.payload)).to.deep.equal([{ id: 'declined', total: 1 }]);
      expect(await pendingCount(redis, stream, 'Payments.onOrderPlaced')).to.equal(0);
      expect(failures.filter((f) => String(f) === 'Error: card declined'), 'each failed attempt reported').to.have.length(3);
      expect(failures.filter((f) => f instanceof DeadLetterError)).to.have.length(1);

      // A handler that fails once and then succeeds is acknowledged, not dead-lettered.
      seen.length = 0;
      await app.get(Shop).orderPlaced.fireAsync({ id: 'flaky', total: 2 });
      await eventually('the flaky order to succeed', async () =>
        seen.length === 2 && await pendingCount(redis, stream, 'Payments.onOrderPlaced') === 0);
      expect(seen.map((s) => s.deliveries)).to.deep.equal([1, 2]);
      expect(await redis.xlen(deadLetterKey(stream))).to.equal(1);
    } finally {
      await app.disposeAsync();
      await redis.quit();
    }
  });

  it('should take over messages a vanished consumer left pending, and dead-letter one delivered more than maxAttempts times', async () => {
    const stream = streamKey('eventwire', 'takeover', 'orderPlaced');
    const group = 'Rescue.onOrderPlaced';
    const handled: [string, number][] = [];
    @injectable()
    class Rescue {
      @subscribes(Shop, 'orderPlaced', { info: true }) onOrderPlaced(info: RemoteEventInfo<[Order]>, order: Order): void {
        handled.push([order.id, info.envelope!.version]);
      }
    }
    const redis = inspect(server.url);
    const publisher = node(server, 'takeover');
    // A consumer that reads two messages and vanishes without acknowledging them; the second one
    // already went through 3 deliveries.
    await redis.xgroup('CREATE', stream, group, '$', 'MKSTREAM');
    await publisher.app.get(Shop).orderPlaced.fireAsync({ id: 'orphan', total: 1 });
    await publisher.app.get(Shop).orderPlaced.fireAsync({ id: 'cursed', total: 2 });
    const [[, entries]] = await redis.xreadgroup('GROUP', group, 'ghost', 'COUNT', 2, 'STREAMS', stream, '>') as [string, [string, string[]][]][];
    await redis.xclaim(stream, group, 'ghost', 0, entries[1][0], 'RETRYCOUNT', 3);
    const { app, failures } = node(server, 'takeover', { claimIdleMs: 300, claimIntervalMs: 50, maxAttempts: 3 });
    try {
      app.get(Rescue);
      await eventually('both messages to be settled, the dead-lettering reported', () => failures.length > 0 && handled.length === 1);
      expect(await redis.xlen(deadLetterKey(stream))).to.equal(1);
      expect(handled).to.deep.equal([['orphan', 1]]);
      const [dead] = (await redis.xrange(deadLetterKey(stream), '-', '+') as [string, string[]][]).map(entryFields);
      expect(JSON.parse(dead.payload)).to.deep.equal([{ id: 'cursed', total: 2 }]);
      expect(dead['dl.deliveries']).to.equal('4');
      expect(dead['dl.error']).to.match(/delivered 4 times without being acknowledged: its consumers crashed or hung/);
      await waitDrained(server.url, stream, group);
      expect(failures.map((f) => (f as Error).name)).to.deep.equal(['DeadLetterError']);
    } finally {
      await Promise.all([app.disposeAsync(), publisher.app.disposeAsync()]);
      await redis.quit();
    }
  });

  it('should first take its own pending entries when it starts again under the same consumerName, without waiting for claimIdleMs', async () => {
    const stream = streamKey('eventwire', 'own', 'orderPlaced');
    const group = 'Returner.onOrderPlaced';
    const handled: [string, number][] = [];
    @injectable()
    class Returner {
      @subscribes(Shop, 'orderPlaced', { info: true }) onOrderPlaced(info: RemoteEventInfo<[Order]>, order: Order): void {
        handled.push([order.id, info.envelope!.version]);
      }
    }
    const redis = inspect(server.url);
    const publisher = node(server, 'own');
    // The previous life of this process read three messages and crashed before handling them.
    await redis.xgroup('CREATE', stream, group, '$', 'MKSTREAM');
    for (const order of orders('own', 3)) await publisher.app.get(Shop).orderPlaced.fireAsync(order);
    await redis.xreadgroup('GROUP', group, 'pod-7', 'COUNT', 3, 'STREAMS', stream, '>');
    const started = Date.now();
    const { app, failures } = node(server, 'own', { consumerName: 'pod-7', claimIdleMs: 60_000, maxInFlight: 2 });
    try {
      app.get(Returner);
      await waitDrained(server.url, stream, group);
      expect(Date.now() - started, 'long before claimIdleMs').to.be.below(5000);
      expect(handled.map(([id]) => id).sort()).to.deep.equal(['own-0', 'own-1', 'own-2']);
      expect(failures).to.deep.equal([]);
    } finally {
      await Promise.all([app.disposeAsync(), publisher.app.disposeAsync()]);
      await redis.quit();
    }
  });

  it('should keep the message of a handler slower than claimIdleMs from another instance of its service', async () => {
    const stream = streamKey('eventwire', 'slow', 'orderPlaced');
    const redis = inspect(server.url);
    const runs: string[] = [];
    const deliveries: number[] = [];
    @injectable()
    class Slow {
      @subscribes(Shop, 'orderPlaced') async onOrderPlaced(order: Order): Promise<void> {
        runs.push(order.id);
        for (let i = 0; i < 3; i++) {
          await new Promise((resolve) => setTimeout(resolve, 250));
          const [row] = await redis.xpending(stream, 'Slow.onOrderPlaced', '-', '+', 1) as [string, string, number, number][];
          deliveries.push(Number(row[3]));
        }
      }
    }
    const options = { claimIdleMs: 200, claimIntervalMs: 50 };
    const one = node(server, 'slow', options);
    const two = node(server, 'slow', options);
    try {
      one.app.get(Slow);
      two.app.get(Slow);
      await Promise.all([one.transport.ready(), two.transport.ready()]);
      await one.app.get(Shop).orderPlaced.fireAsync({ id: 'long', total: 1 });
      await waitDrained(server.url, stream, 'Slow.onOrderPlaced');
      expect(deliveries, 'never taken over (delivered once) while the handler ran for 750 ms').to.deep.equal([1, 1, 1]);
      expect(runs).to.deep.equal(['long']);
      expect([...one.failures, ...two.failures]).to.deep.equal([]);
    } finally {
      await Promise.all([one.app.disposeAsync(), two.app.disposeAsync()]);
      await redis.quit();
    }
  });

  it('should have the effect of a duplicated publish and of a duplicated delivery once', async () => {
    const stream = streamKey('eventwire', 'dup', 'orderPlaced');
    const group = 'Stock.onOrderPlaced';
    const effects: string[] = [];
    @injectable()
    class Stock {
      @subscribes(Shop, 'orderPlaced') async onOrderPlaced(order: Order): Promise<void> {
        await new Promise((resolve) => setTimeout(resolve, 30));
        effects.push(order.id);
      }
    }
    // Two instances of one service: two consumers of one group.
    const one = node(server, 'dup');
    const two = node(server, 'dup');
    const redis = inspect(server.url);
    try {
      one.app.get(Stock);
      two.app.get(Stock);
      await Promise.all([one.transport.ready(), two.transport.ready()]);
      // The same envelope stored three times, as a publish resent after a reconnect would be.
      const envelope: EncodedEnvelope = {
        id: randomUUID(), name: 'orderPlaced', namespace: 'dup', version: 1, occurredAt: new Date().toISOString(),
        headers: { 'content-type': 'application/json' }, payload: JSON.stringify([{ id: 'dup-1', total: 1 }]),
      };
      await Promise.all([one.transport.publish(envelope), two.transport.publish(envelope), one.transport.publish(envelope)]);
      await one.app.get(Shop).orderPlaced.fireAsync({ id: 'single-1', total: 2 });
      const allAcked = (): Promise<boolean> => drained(redis, stream, group);
      await eventually('all 4 entries to be delivered and acknowledged', allAcked);
      expect(await redis.xlen(stream)).to.equal(4);
      expect(effects.sort()).to.deep.equal(['dup-1', 'single-1']);

      // Every entry delivered again to the group, as after a crash between handling and acknowledging.
      await redis.xgroup('SETID', stream, group, '0');
      await eventually('the 4 entries to be delivered again and acknowledged', allAcked);
      expect(effects.sort()).to.deep.equal(['dup-1', 'single-1']);
      expect([...one.failures, ...two.failures]).to.deep.equal([]);
    } finally {
      await Promise.all([one.app.disposeAsync(), two.app.disposeAsync()]);
      await redis.quit();
    }
  });

  it('should round-trip Date, Map and BigInt with a superjson codec, and dead-letter invalid or undecodable payloads', async () => {
    const { default: superjson } = await import('superjson');
    const superjsonCodec: Codec = {
      contentType: 'application/vnd.superjson+json',
      encode: (payload) => superjson.stringify(payload),
      decode: (text) => superjson.parse(text),
    };
    interface Invoice { issuedAt: Date; lines: Map<string, bigint>; total: bigint }
    @injectable()
    class Invoicing {
      @publishes('invoiceIssued', { remote: true }) invoiceIssued!: Event<[invoice: Invoice, note: string]>;
    }
    const received: [Invoice, string][] = [];
    @injectable()
    class Accounting {
      @subscribes(Invoicing, 'invoiceIssued') onInvoiceIssued(invoice: Invoice, note: string): void { received.push([invoice, note]); }
    }
    const validate = (envelope: { payload: unknown[] }): boolean => typeof (envelope.payload[0] as Invoice | undefined)?.total === 'bigint';
    const consumer = node(server, 'codec', {}, { codec: superjsonCodec, validate });
    const publisher = node(server, 'codec', {}, { codec: superjsonCodec, validate });
    const sloppy = node(server, 'codec', {}, { codec: superjsonCodec });   // publishes without validating
    const stream = streamKey('eventwire', 'codec', 'invoiceIssued');
    const redis = inspect(server.url);
    try {
      consumer.app.get(Accounting);
      await consumer.transport.ready();
      const invoice: Invoice = { issuedAt: new Date('2026-01-02T03:04:05.678Z'), lines: new Map([['tea', 12n ** 20n]]), total: 12n ** 20n };
      await publisher.app.get(Invoicing).invoiceIssued.fireAsync(invoice, 'paid');
      await eventually('the invoice to arrive', () => received.length === 1);
      const [got, note] = received[0];
      expect(got.issuedAt).to.be.instanceOf(Date);
      expect(got.issuedAt.toISOString()).to.equal('2026-01-02T03:04:05.678Z');
      expect(got.lines).to.be.instanceOf(Map);
      expect(got.lines.get('tea')).to.equal(12n ** 20n);
      expect(got.total).to.equal(12n ** 20n);
      expect(note).to.equal('paid');

      // Rejected before publishing by the validating publisher...
      expect(() => publisher.app.get(Invoicing).invoiceIssued.fire({ ...invoice, total: 1 as unknown as bigint }, 'bad'))
        .not.to.throw();   // the default 'isolate' policy reports it
      expect(publisher.failures.map(String)).to.deep.equal(['InvalidArgumentError: Remote event "invoiceIssued" was not published: its payload failed validation: the validator returned false']);
      // ...dead-lettered on delivery when published without validation, or undecodable.
      await sloppy.app.get(Invoicing).invoiceIssued.fireAsync({ ...invoice, total: 1 as unknown as bigint }, 'invalid');
      await redis.xadd(stream, '*', ...toFields({
        id: randomUUID(), name: 'invoiceIssued', namespace: 'codec', version: 1, occurredAt: new Date().toISOString(),
        headers: { 'content-type': superjsonCodec.contentType }, payload: '{not json',
      }));
      await redis.xadd(stream, '*', 'hello', 'world');
      await eventually('three poison messages to be dead-lettered and reported', () => consumer.failures.length >= 3);
      expect(await redis.xlen(deadLetterKey(stream))).to.equal(3);
      const dead = (await redis.xrange(deadLetterKey(stream), '-', '+') as [string, string[]][]).map(entryFields);
      expect(dead.map((f) => f['dl.deliveries']), 'never retried').to.deep.equal(['1', '1', '1']);
      expect(dead[0]['dl.error']).to.match(/PoisonMessageError: .*invalid payload: the validator returned false/);
      expect(dead[1]['dl.error']).to.match(/PoisonMessageError: .*could not be decoded with application\/vnd\.superjson\+json/);
      expect(dead[2]['dl.error']).to.match(/PoisonMessageError: .*not an eventwire envelope \(missing field\(s\): id, name/);
      expect(received).to.have.length(1);
      expect(await pendingCount(redis, stream, 'Accounting.onInvoiceIssued')).to.equal(0);
      expect(tally(consumer.failures.map((f) => (f as Error).name))).to.deep.equal(new Map([['DeadLetterError', 3]]));
      expect(consumer.failures.map((f) => (f as Error).message).filter((m) => /\.\.|\.\s+\./.test(m)), 'no doubled full stop').to.deep.equal([]);
    } finally {
      await Promise.all([consumer.app.disposeAsync(), publisher.app.disposeAsync(), sloppy.app.disposeAsync()]);
      await redis.quit();
    }
  });
});
