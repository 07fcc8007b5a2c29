/**
 * `npm run test:faults`: faults injected into separate processes (subscriber services in their
 * own OS processes, a real redis-server with `appendfsync always`), with the transport's DEFAULT
 * timings. Each scenario asserts that no effect is lost or duplicated, and the recovery time.
 * The figures are printed for the record.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { deadLetterKey, streamKey } from '../../lib/redis';
import { toFields } from '../../lib/redis/fields';
import { Shop, type FixtureConfig, type Order } from '../redis/fixtures/shop';
import { describeBroker, eventually, inspect, killServices, node, orders, pendingCount, ServiceProcess, tally, waitDrained } from '../redis/helpers';
import { RedisServer } from '../redis/redis-server';

const GROUP = 'Billing.onOrderPlaced';

/** Every id once, across every process: nothing lost, nothing run twice. */
function expectExactlyOnce(handled: readonly string[], sent: readonly Order[]): void {
  const duplicated = [...tally(handled)].filter(([, n]) => n > 1).map(([id]) => id);
  const lost = sent.map((o) => o.id).filter((id) => !handled.includes(id));
  expect({ lost, duplicated }).to.deep.equal({ lost: [], duplicated: [] });
}

function record(figure: string): void {
  process.stdout.write(`      fault figure: ${figure}\n`);
}

describeBroker('Fault injection (separate processes, default timings)', () => {
  let server: RedisServer;
  beforeEach(async () => { server = await RedisServer.start('always'); });
  afterEach(async () => {
    await killServices();
    await server?.stop();
  });

  const service = (namespace: string, extra: Partial<FixtureConfig> = {}): Promise<ServiceProcess> =>
    ServiceProcess.start({ url: server.url, namespace, service: 'Billing', defaults: true, ...extra });

  it('kill -9 of a subscriber mid-handler: its messages run elsewhere within 5 s, each once', async () => {
    // The victim takes the first 4 orders (all its slots); the survivor, started after, the rest:
    // it has free slots when the victim dies, so what is measured is the take-over itself. The
    // victim's handlers outlast the test (they renew their lease while they run, so nobody takes
    // them over before the kill): with 1.5 s ones, a survivor slow to start under load found them
    // finished, and nothing orphaned.
    const a = await service('kill-sub', { delayMs: 10 * 60_000, maxInFlight: 4 });
    const { app } = node(server, 'kill-sub', { claimIdleMs: 3000, blockMs: 2000 });
    const sent = orders('kill-sub', 12);
    try {
      for (const order of sent.slice(0, 4)) await app.get(Shop).orderPlaced.fireAsync(order);
      await eventually('the victim to be mid-handler', () => a.started.length === 4);
      const b = await service('kill-sub', { delayMs: 1500, maxInFlight: 16 });
      for (const order of sent.slice(4)) await app.get(Shop).orderPlaced.fireAsync(order);
      const orphans = a.started.filter((id) => !a.handled.includes(id));
      expect(orphans, 'killed mid-handler').to.have.length(4);
      await a.kill9();
      const killedAt = Date.now();
      await eventually('the orphaned messages to start elsewhere', () => orphans.every((id) => b.started.includes(id)), 15_000);
      const recovery = Date.now() - killedAt;
      record(`subscriber kill -9: ${orphans.length} orphaned message(s) restarted by the other instance after ${recovery} ms`);
      expect(recovery, 'recovery time with the default claimIdleMs').to.be.below(5000);
      await waitDrained(server.url, streamKey('eventwire', 'kill-sub', 'orderPlaced'), GROUP);
      await b.flush();
      expectExactlyOnce([...a.handled, ...b.handled], sent);
      expect(b.failures).to.deep.equal([]);
    } finally {
      await app.disposeAsync();
    }
  });

  it('kill -9 of redis (appendfsync always) under load: nothing acknowledged is lost, nothing runs twice', async () => {
    const a = await service('kill-redis', { delayMs: 20, maxInFlight: 8 });
    const b = await service('kill-redis', { delayMs: 20, maxInFlight: 8 });
    const { app, transport } = node(server, 'kill-redis', { claimIdleMs: 3000, blockMs: 2000 });
    const sent = orders('kill-redis', 300);
    try {
      const shop = app.get(Shop);
      for (const order of sent.slice(0, 150)) shop.orderPlaced.fire(order);
      await eventually('handling to be under way', () => a.handled.length + b.handled.length >= 20);
      await server.kill9();
      for (const order of sent.slice(150)) shop.orderPlaced.fire(order);   // buffered meanwhile
      await new Promise((resolve) => setTimeout(resolve, 1000));
      await server.restart();
      const restartedAt = Date.now();
      const before = a.handled.length + b.handled.length;
      await eventually('handling to resume', () => a.handled.length + b.handled.length > before, 15_000);
      const resumed = Date.now() - restartedAt;
      await eventually('every order to be handled', () => new Set([...a.handled, ...b.handled]).size === sent.length, 30_000);
      const drained = Date.now() - restartedAt;
      record(`redis kill -9 (1 s down): handling resumed ${resumed} ms after the restart, all ${sent.length} handled after ${drained} ms`);
      await waitDrained(server.url, streamKey('eventwire', 'kill-redis', 'orderPlaced'), GROUP);
      await Promise.all([a.flush(), b.flush()]);
      expectExactlyOnce([...a.handled, ...b.handled], sent);
      expect(transport.pendingPublishes).to.equal(0);
      expect(resumed).to.be.below(5000);
    } finally {
      await app.disposeAsync();
    }
  });

  it('poison and malformed entries among good ones: dead-lettered once, the good ones handled once', async () => {
    const a = await service('poison', { maxInFlight: 4 });
    const b = await service('poison', { maxInFlight: 4 });
    const { app } = node(server, 'poison');
    const stream = streamKey('eventwire', 'poison', 'orderPlaced');
    const redis = inspect(server.url);
    const sent = orders('poison', 40);
    try {
      const bad = (payload: string, name = 'orderPlaced'): string[] => toFields({
        id: randomUUID(), name, namespace: 'poison', version: 1, occurredAt: new Date().toISOString(),
        headers: { 'content-type': 'application/json' }, payload,
      });
      for (const [i, order] of sent.entries()) {
        await app.get(Shop).orderPlaced.fireAsync(order);
        if (i % 10 === 0) {
          await redis.xadd(stream, '*', ...bad('{not json'));
          await redis.xadd(stream, '*', 'hello', 'world');
          await redis.xadd(stream, '*', ...bad('[1]', 'refundIssued'));
        }
      }
      await waitDrained(server.url, stream, GROUP);
      await Promise.all([a.flush(), b.flush()]);
      expectExactlyOnce([...a.handled, ...b.handled], sent);
      expect(await redis.xlen(deadLetterKey(stream))).to.equal(12);
      expect([...a.failures, ...b.failures].filter((f) => /^Dead-lettered/.test(f))).to.have.length(12);
    } finally {
      await app.disposeAsync();
      await redis.quit();
    }
  });

  it('a consumer slower than claimIdleMs keeps its messages: no second run while it lives', async () => {
    const slow = await service('slow', { delayMs: 4500, maxInFlight: 2 });   // 1.5 × the default claimIdleMs
    const { app } = node(server, 'slow');
    const sent = orders('slow', 2);
    try {
      for (const order of sent) await app.get(Shop).orderPlaced.fireAsync(order);
      await eventually('the slow consumer to start both', () => slow.started.length === 2);
      const other = await service('slow', { maxInFlight: 2 });
      await eventually('the slow handlers to finish', () => slow.handled.length === 2, 15_000);
      await waitDrained(server.url, streamKey('eventwire', 'slow', 'orderPlaced'), GROUP);
      await other.flush();
      expect(other.started, 'never taken over').to.deep.equal([]);
      expectExactlyOnce([...slow.handled, ...other.handled], sent);
    } finally {
      await app.disposeAsync();
    }
  });

  it('SIGTERM mid-stream: handlers in flight finish and are acknowledged, the process exits 0, the rest runs elsewhere once', async () => {
    const leaving = await service('sigterm', { delayMs: 300, maxInFlight: 4 });
    const staying = await service('sigterm', { delayMs: 300, maxInFlight: 4 });
    const { app } = node(server, 'sigterm');
    const stream = streamKey('eventwire', 'sigterm', 'orderPlaced');
    const sent = orders('sigterm', 40);
    try {
      for (const order of sent) app.get(Shop).orderPlaced.fire(order);
      await eventually('the leaving instance to be busy', () => leaving.started.length >= 4);
      const code = await leaving.terminate();
      expect(code, 'exit code').to.equal(0);
      expect(leaving.messages.some((m) => m.type === 'stopped')).to.equal(true);
      expect([...leaving.handled].sort(), 'every started handler finished').to.deep.equal([...leaving.started].sort());
      expect(leaving.failures).to.deep.equal([]);
      await waitDrained(server.url, stream, GROUP);
      await staying.flush();
      expectExactlyOnce([...leaving.handled, ...staying.handled], sent);
      const redis = inspect(server.url);
      try {
        expect(await pendingCount(redis, stream, GROUP)).to.equal(0);
      } finally {
        await redis.quit();
      }
    } finally {
      await app.disposeAsync();
    }
  });
});

