import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { injectable, subscribes } from '../../lib';
import { PayloadTooLargeError, PoisonMessageError, PublishBufferFullError } from '../../lib/remote';
import { deadLetterKey, RedisTransport, streamKey } from '../../lib/redis';
import { toFields } from '../../lib/redis/fields';
import { Shop, type Order } from './fixtures/shop';
import { describeBroker, eventually, inspect, node, waitDrained } from './helpers';
import { RedisServer } from './redis-server';

describeBroker('Redis transport: bounded growth and checked input', () => {
  let server: RedisServer;
  before(async () => { server = await RedisServer.start(); });
  after(async () => { await server?.stop(); });

  it('should refuse a payload over maxPayloadBytes at publish, counting UTF-8 bytes, and say what to do', async () => {
    const { app, failures } = node(server, 'big', { maxPayloadBytes: 100 });
    const redis = inspect(server.url);
    try {
      const shop = app.get(Shop);
      await shop.orderPlaced.fireAsync({ id: 'x'.repeat(60), total: 1 });   // 81 bytes encoded
      // 61 characters, 101 bytes encoded.
      const rejected = await shop.orderPlaced.fireAsync({ id: 'é'.repeat(40), total: 1 }).then(() => undefined, (error: unknown) => error);
      expect(rejected).to.be.instanceOf(PayloadTooLargeError);
      expect((rejected as Error).message).to.match(
        /^Cannot publish remote event "orderPlaced" \(id [0-9a-f-]{36}\): its encoded payload is 101 bytes, over the Redis transport's maxPayloadBytes \(100\).*Publish a reference to the data/);
      shop.orderPlaced.fire({ id: 'y'.repeat(200), total: 2 });   // fire(): reported under 'isolate'
      expect(failures.map((f) => (f as Error).name)).to.deep.equal(['PayloadTooLargeError']);
      expect(await redis.xlen(streamKey('eventwire', 'big', 'orderPlaced')), 'only the small one was stored').to.equal(1);
    } finally {
      await app.disposeAsync();
      await redis.quit();
    }
  });

  it('should trim streams by age on publish by default, and remember handled ids exactly as long', async () => {
    const stream = streamKey('eventwire', 'aged', 'orderPlaced');
    const redis = inspect(server.url);
    const handled: string[] = [];
    @injectable()
    class Keeper {
      @subscribes(Shop, 'orderPlaced') onOrderPlaced(order: Order): void { handled.push(order.id); }
    }
    const { app, transport } = node(server, 'aged', { retentionMs: 60_000 });
    try {
      app.get(Keeper);
      await transport.ready();
      // 250 entries from long ago (ids are times in ms), as a stream would hold after a day.
      const old = redis.pipeline();
      for (let i = 1; i <= 250; i++) old.xadd(stream, `1000-${i}`, 'old', String(i));
      await old.exec();
      await app.get(Shop).orderPlaced.fireAsync({ id: 'fresh', total: 1 });
      const length = await redis.xlen(stream);
      expect(length, 'whole old stream nodes were trimmed (MINID ~ trims by node)').to.be.below(100);
      const [[newest]] = await redis.xrevrange(stream, '+', '-', 'COUNT', 1);
      expect(Number(newest.split('-')[0])).to.be.above(Date.now() - 60_000);
      await eventually('the fresh order to be handled', () => handled.includes('fresh'));
      await waitDrained(server.url, stream, 'Keeper.onOrderPlaced');   // the seen key gets its final TTL before the XACK; the old entries are dead-lettered, so acknowledged too
      const [key] = await redis.keys('eventwire:seen:aged:*');
      const ttl = await redis.pttl(key);
      expect(ttl, 'dedupTtlMs defaults to retentionMs').to.be.within(50_000, 60_000);
    } finally {
      await app.disposeAsync();
      await redis.quit();
    }
  });

  it('should dead-letter an entry whose envelope names another event or namespace than its stream', async () => {
    const stream = streamKey('eventwire', 'forged', 'orderPlaced');
    const handled: string[] = [];
    @injectable()
    class Auditor {
      @subscribes(Shop, 'orderPlaced') onOrderPlaced(order: Order): void { handled.push(order.id); }
    }
    const { app, transport, failures } = node(server, 'forged');
    const redis = inspect(server.url);
    try {
      app.get(Auditor);
      await transport.ready();
      const forged = (name: string, namespace: string): string[] => toFields({
        id: randomUUID(), name, namespace, version: 1, occurredAt: new Date().toISOString(),
        headers: { 'content-type': 'application/json' }, payload: '[{"id":"forged","total":0}]',
      });
      const entries = [
        await redis.xadd(stream, '*', ...forged('refundIssued', 'forged')),
        await redis.xadd(stream, '*', ...forged('orderPlaced', 'other')),
      ];
      // The consumer reports a dead-lettering once its MULTI reply is back, which can be after the
      // dead-letter stream already holds the entry (seen here on another connection): wait for the reports.
      await eventually('both entries to be dead-lettered and reported', () => failures.length >= 2, undefined,
        () => failures.map((f) => (f as Error).message));
      expect(failures.map((f) => (f as Error).name)).to.deep.equal(['DeadLetterError', 'DeadLetterError']);
      const dead = await redis.xrange(deadLetterKey(stream), '-', '+');
      expect(dead.map(([, fields]) => fields[fields.indexOf('dl.entry') + 1])).to.have.members(entries);
      expect(handled).to.deep.equal([]);
      const causes = failures.map((f) => (f as Error).cause);
      for (const cause of causes) expect(cause).to.be.instanceOf(PoisonMessageError);
      const messages = causes.map((c) => (c as Error).message);
      expect(messages.find((m) => m.includes('"refundIssued"'))).to.match(
        /cannot be handled: its envelope names event "refundIssued" of namespace "forged", but this stream carries event "orderPlaced" of namespace "forged"/);
      expect(messages.find((m) => m.includes('"other"'))).to.match(
        /cannot be handled: its envelope names event "orderPlaced" of namespace "other", but this stream carries event "orderPlaced" of namespace "forged"/);
    } finally {
      await app.disposeAsync();
      await redis.quit();
    }
  });

  it('should say that the connection is still opening, not that the broker is unreachable, when the buffer fills meanwhile', async () => {
    const failures: unknown[] = [];
    const transport = new RedisTransport({ connection: server.url, maxPendingPublishes: 1, onError: (e) => failures.push(e) });
    try {
      const envelope = { id: 'e', name: 'orderPlaced', namespace: 'opening', version: 1, occurredAt: '', headers: {}, payload: '[]' };
      const first = transport.publish(envelope);
      expect(() => transport.publish({ ...envelope, id: 'f' })).to.throw(PublishBufferFullError,
        /1 earlier publishes are still waiting for redis:\/\/127\.0\.0\.1:\d+, whose connection is still opening \(maxPendingPublishes = 1\)/);
      await first;
    } finally {
      await transport.close();
    }
    expect(failures).to.deep.equal([]);
  });

  it('should run many subscriptions on one transport without piling listeners on its connection', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error): void => { warnings.push(warning); };
    process.on('warning', onWarning);
    const transport = new RedisTransport({ connection: server.url, blockMs: 200 });
    try {
      for (let i = 0; i < 24; i++) {
        transport.subscribe({ namespace: 'many', event: `e${i}`, group: `G${i}.on`, handle: async () => undefined });
      }
      await transport.ready();
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.map((w) => w.name)).not.to.include('MaxListenersExceededWarning');
    } finally {
      process.off('warning', onWarning);
      await transport.close();
    }
  });
});
