import { expect } from 'chai';
import { createHook } from 'node:async_hooks';
import { FireAbortedError, injectable, subscribes } from '../../lib';
import { BrokerError, PublishBufferFullError, PublishError, TransportClosedError } from '../../lib/remote';
import { streamKey } from '../../lib/redis';
import { Shop, type Order } from './fixtures/shop';
import { describeBroker, eventually, inspect, killServices, node, orders, pendingCount, ServiceProcess, tally, waitDrained } from './helpers';
import { RedisServer } from './redis-server';

describeBroker('Redis transport: outages and crashes', () => {
  let server: RedisServer;
  beforeEach(async () => { server = await RedisServer.start(); });
  afterEach(async () => {
    await killServices();
    await server?.stop();
  });

  it('should lose no event when the broker is killed with -9 and restarted, and consumers resume without a restart', async () => {
    const consumer = await ServiceProcess.start({ url: server.url, namespace: 'crash', service: 'Billing', delayMs: 30, maxInFlight: 2 });
    const { app, transport, failures } = node(server, 'crash');
    const shop = app.get(Shop);
    const sent = orders('crash', 30);
    try {
      for (const order of sent.slice(0, 10)) shop.orderPlaced.fire(order);
      // Kill the broker while handlers run and messages wait in the stream.
      await eventually('the consumer to be busy with the first orders', () => consumer.handled.length >= 2);
      await eventually('the first 10 publishes to be confirmed', () => transport.pendingPublishes === 0);
      await server.kill9();
      for (const order of sent.slice(10, 20)) shop.orderPlaced.fire(order);   // buffered while the broker is down
      expect(transport.pendingPublishes).to.equal(10);
      await server.restart();
      for (const order of sent.slice(20)) shop.orderPlaced.fire(order);
      await eventually('the consumer to handle all 30 orders', () => new Set(consumer.handled).size === 30, 20_000,
        () => ({ handled: consumer.handled.length }));
      await waitDrained(server.url, streamKey('eventwire', 'crash', 'orderPlaced'), 'Billing.onOrderPlaced');
      await consumer.flush();
      expect([...tally(consumer.handled).values()].every((n) => n === 1), 'each order handled once').to.equal(true);
      expect(new Set(consumer.handled)).to.deep.equal(new Set(sent.map((o) => o.id)));
      expect(consumer.messages.filter((m) => m.type === 'ready'), 'the consumer process was never restarted').to.have.length(1);
      expect(failures.filter((f) => !(f instanceof BrokerError)).map(String), 'only the outage itself was reported').to.deep.equal([]);
      const reports = failures.map(String);
      const lost = reports.findIndex((f) => /Lost the connection/.test(f));
      expect(lost, 'the outage was reported').to.be.at.least(0);
      expect(reports.slice(lost + 1).some((f) => /Connected again to redis:\/\/127\.0\.0\.1:\d+ after \d+ ms/.test(f)), 'and then its end').to.equal(true);
    } finally {
      await app.disposeAsync();
      await consumer.stop();
    }
    const redis = inspect(server.url);
    try {
      expect(await pendingCount(redis, streamKey('eventwire', 'crash', 'orderPlaced'), 'Billing.onOrderPlaced')).to.equal(0);
    } finally {
      await redis.quit();
    }
  });

  it('should buffer publishes during an outage up to maxPendingPublishes, then throw, and deliver the buffered ones later', async () => {
    const handled: string[] = [];
    @injectable()
    class Ledger {
      @subscribes(Shop, 'orderPlaced') onOrderPlaced(order: Order): void { handled.push(order.id); }
    }
    const consumer = node(server, 'bound');
    consumer.app.get(Ledger);
    await consumer.transport.ready();
    const strict = node(server, 'bound', { maxPendingPublishes: 5 }, { errors: 'throw' });
    const lenient = node(server, 'bound', { maxPendingPublishes: 1 });
    try {
      const strictShop = strict.app.get(Shop);
      const lenientShop = lenient.app.get(Shop);
      await server.kill9();
      for (const order of orders('buffered', 5)) strictShop.orderPlaced.fire(order);
      expect(strict.transport.pendingPublishes).to.equal(5);
      // Over the bound: thrown to the caller under the 'throw' policy...
      expect(() => strictShop.orderPlaced.fire({ id: 'over', total: 0 }))
        .to.throw(PublishBufferFullError, /maxPendingPublishes = 5\).*NOT published/);
      // ...and reported to onError under the default 'isolate' policy.
      lenientShop.orderPlaced.fire({ id: 'lenient-0', total: 0 });
      lenientShop.orderPlaced.fire({ id: 'lenient-over', total: 0 });
      expect(lenient.failures.filter((f) => f instanceof PublishBufferFullError)).to.have.length(1);
      await server.restart();
      await eventually('the 6 buffered events to arrive', () => handled.length === 6, 15_000, () => handled);
      await waitDrained(server.url, streamKey('eventwire', 'bound', 'orderPlaced'), 'Ledger.onOrderPlaced');
      expect(handled).to.have.length(6);
      expect(new Set(handled)).to.deep.equal(new Set([...orders('buffered', 5).map((o) => o.id), 'lenient-0']));
      expect(strict.failures.filter((f) => !(f instanceof BrokerError))).to.deep.equal([]);
    } finally {
      await Promise.all([strict.app.disposeAsync(), lenient.app.disposeAsync(), consumer.app.disposeAsync()]);
    }
  });

  it('should resolve fireAsync only for events Redis stored and reject the others, under the default isolate policy', async () => {
    const { app, failures } = node(server, 'honest', { maxPendingPublishes: 50 });
    const shop = app.get(Shop);
    let redis: ReturnType<typeof inspect> | undefined;
    try {
      await shop.orderPlaced.fireAsync({ id: 'before', total: 0 });
      await server.kill9();
      const sent = orders('outage', 200);
      const results = sent.map((order) => shop.orderPlaced.fireAsync(order).then(() => 'resolved', (error: unknown) => error as Error));
      await server.restart();
      const settled = await Promise.all(results);
      redis = inspect(server.url);
      const resolved = sent.filter((_, i) => settled[i] === 'resolved').map((o) => o.id);
      const rejected = settled.filter((r): r is Error => r !== 'resolved');
      const stored = (await redis.xrange(streamKey('eventwire', 'honest', 'orderPlaced'), '-', '+'))
        .map(([, fields]) => (JSON.parse(fields[fields.indexOf('payload') + 1]) as [Order])[0].id);
      expect(resolved, 'the 50 buffered publishes were stored once the broker was back').to.have.length(50);
      expect(stored.slice(1), 'every resolved fireAsync was stored, and nothing else').to.deep.equal(resolved);
      expect(rejected).to.have.length(150);
      expect(rejected.every((e) => e instanceof PublishBufferFullError && /NOT published/.test(e.message))).to.equal(true);
      expect(failures.filter((f) => !(f instanceof BrokerError)), 'given to the callers, not reported').to.deep.equal([]);
    } finally {
      await app.disposeAsync();
      await redis?.quit();
    }
  });

  it('should fail, and report, the publishes still unconfirmed when it is closed during an outage', async () => {
    const { app, transport, failures } = node(server, 'closing', { closeTimeoutMs: 200 });
    const shop = app.get(Shop);
    await shop.orderPlaced.fireAsync({ id: 'stored', total: 1 });
    await server.kill9();
    shop.orderPlaced.fire({ id: 'stranded', total: 2 });
    expect(transport.pendingPublishes).to.equal(1);
    await app.disposeAsync();
    const names = failures.map((f) => `${(f as Error).name}: ${(f as Error).message}`);
    expect(names.filter((n) => /never confirmed|not confirmed/.test(n))).to.have.length(2);
    expect(names.some((n) => /^PublishError: Closed the Redis transport with 1 publish\(es\) the broker .* never confirmed within closeTimeoutMs \(200 ms\): those events were probably NOT published/.test(n))).to.equal(true);
    expect(names.some((n) => /^PublishError: The remote event "orderPlaced" \(id .*\) was not confirmed by redis:.* within closeTimeoutMs when the transport closed: it was probably NOT published/.test(n))).to.equal(true);
    expect(() => transport.publish({
      id: 'x', name: 'orderPlaced', namespace: 'closing', version: 1, occurredAt: '', headers: {}, payload: '[]',
    })).to.throw(TransportClosedError, /is closed/);
  });

  it('should fail a publish the broker did not take within publishTimeoutMs, and withdraw it: it is never sent later', async () => {
    await server.kill9();
    const { app, transport, failures } = node(server, 'withdrawn', { publishTimeoutMs: 300 });
    const shop = app.get(Shop);
    let redis: ReturnType<typeof inspect> | undefined;
    try {
      const awaited = shop.orderPlaced.fireAsync({ id: 'awaited', total: 1 }).then(() => 'stored', (error: unknown) => error);
      shop.orderPlaced.fire({ id: 'fired', total: 2 });
      // The caller gives up first (fireAsyncWith's own bound): its publish, still buffered, is withdrawn at once, and the caller told.
      const bounded = shop.orderPlaced.fireAsyncWith({ timeoutMs: 50 }, { id: 'bounded', total: 3 }).then(() => 'stored', (error: unknown) => error);
      expect(await bounded).to.be.instanceOf(FireAbortedError);
      expect((await bounded as Error).message).to.match(/with its forwarding \(remote publish of "orderPlaced"\) withdrawn: it was NOT sent/);
      expect(transport.pendingPublishes, 'the other two are still buffered').to.equal(2);
      const error = await awaited;
      expect(error).to.be.instanceOf(PublishError);
      expect((error as Error).message).to.match(new RegExp(
        '^Cannot publish remote event "orderPlaced" \\(id [0-9a-f-]+\\): redis://127\\.0\\.0\\.1:\\d+ did not take it within publishTimeoutMs \\(300 ms\\), ' +
        'which is unreachable\\. It was withdrawn: it was NOT published and will not be sent later'));
      // The fired one was withdrawn as well (at its own deadline), and reported: no caller waits for it.
      await eventually('every publish to be withdrawn', () => transport.pendingPublishes === 0);
      const reported = failures.filter((f): f is PublishError => f instanceof PublishError).map((f) => f.message);
      expect(reported, 'the bounded one was not reported: its caller was told').to.have.length(1);
      expect(reported.every((m) => /did not take it within publishTimeoutMs \(300 ms\).*withdrawn/.test(m))).to.equal(true);
      await server.restart();
      redis = inspect(server.url);
      await shop.orderPlaced.fireAsync({ id: 'after', total: 4 });
      const stored = (await redis.xrange(streamKey('eventwire', 'withdrawn', 'orderPlaced'), '-', '+'))
        .map(([, fields]) => (JSON.parse(fields[fields.indexOf('payload') + 1]) as [Order])[0].id);
      expect(stored, 'nothing withdrawn was sent once the broker was back').to.deep.equal(['after']);
    } finally {
      await app.disposeAsync();
      await redis?.quit();
    }
  });

  it('should fail a publish sent but not confirmed within publishTimeoutMs, saying it may still be stored', async () => {
    const { app, failures } = node(server, 'unconfirmed', { publishTimeoutMs: 200 });
    const shop = app.get(Shop);
    const redis = inspect(server.url);
    try {
      await shop.orderPlaced.fireAsync({ id: 'before', total: 0 });
      await redis.call('CLIENT', 'PAUSE', 1000, 'WRITE');   // the broker takes the XADD and answers it after the pause
      const error = await shop.orderPlaced.fireAsync({ id: 'paused', total: 1 }).then(() => 'stored', (e: unknown) => e);
      expect(error).to.be.instanceOf(PublishError);
      expect((error as Error).message).to.match(
        /^The remote event "orderPlaced" \(id [0-9a-f-]+\) was sent to redis:\/\/127\.0\.0\.1:\d+ but not confirmed within publishTimeoutMs \(200 ms\): it may have been stored/);
      await eventually('the paused write to be stored after all', async () =>
        (await redis.xlen(streamKey('eventwire', 'unconfirmed', 'orderPlaced'))) === 2);
      expect(failures.filter((f) => !(f instanceof BrokerError)), 'given to the caller, not reported').to.deep.equal([]);
    } finally {
      await app.disposeAsync();
      await redis.quit();
    }
  });

  it('should not withdraw a publish already sent when a bounded fireAsyncWith gives up: the caller is told it is not settled, and it is stored', async () => {
    const { app, transport, failures } = node(server, 'sentbounded', { publishTimeoutMs: 5000 });
    const shop = app.get(Shop);
    const redis = inspect(server.url);
    try {
      await shop.orderPlaced.fireAsync({ id: 'before', total: 0 });
      await redis.call('CLIENT', 'PAUSE', 500, 'WRITE');   // the broker takes the XADD and answers it after the pause
      const error = await shop.orderPlaced.fireAsyncWith({ timeoutMs: 50 }, { id: 'paused', total: 1 }).then(() => 'stored', (e: unknown) => e);
      expect(error).to.be.instanceOf(FireAbortedError);
      expect((error as Error).message).to.match(/with its forwarding \(remote publish of "orderPlaced"\) not settled\. They keep running/);
      expect(transport.pendingPublishes, 'sent, so not withdrawn').to.equal(1);
      await eventually('the paused write to be stored after all', async () =>
        (await redis.xlen(streamKey('eventwire', 'sentbounded', 'orderPlaced'))) === 2);
      expect(failures.filter((f) => !(f instanceof BrokerError)), 'it succeeded: nothing reported').to.deep.equal([]);
    } finally {
      await app.disposeAsync();
      await redis.quit();
    }
  });

  it('should leave no timer of the transport behind once disposeAsync() resolved, after an outage', async () => {
    await server.kill9();
    // Every timer created from here on (Node sets `_destroyed` on a Timeout once it ran or was cleared).
    const created: { _destroyed?: boolean }[] = [];
    const hook = createHook({ init: (_id, type, _trigger, resource) => { if (type === 'Timeout') created.push(resource as { _destroyed?: boolean }); } });
    hook.enable();
    try {
      @injectable()
      class Ledger {
        @subscribes(Shop, 'orderPlaced') onOrderPlaced(): void { /* never reached: the broker is down */ }
      }
      const { app, failures } = node(server, 'timers', { closeTimeoutMs: 100 });
      app.get(Ledger);
      const stranded = app.get(Shop).orderPlaced.fireAsync({ id: 'stranded', total: 1 }).catch((error: unknown) => error);
      await eventually('the outage to be reported', () => failures.some((f) => /Cannot connect to/.test(String(f))));
      expect(created.filter((t) => t._destroyed !== true), 'the transport and its consumer hold timers while they run').to.not.have.length(0);
      await app.disposeAsync();
      expect(created.filter((t) => t._destroyed !== true), 'no timer left once disposeAsync() resolved').to.have.length(0);
      expect(String(await stranded)).to.match(/PublishError: .*NOT published/);
    } finally {
      hook.disable();
    }
  });

  it('should redeliver the event of a consumer killed mid-handler to another instance, and not before it died', async () => {
    const hanging = await ServiceProcess.start({ url: server.url, namespace: 'mid', service: 'Billing', hang: true, claimIdleMs: 1000 });
    const { app } = node(server, 'mid');
    try {
      app.get(Shop).orderPlaced.fire({ id: 'o-1', total: 1 });
      await eventually('the first instance to start handling o-1', () => hanging.started.includes('o-1'));
      const rescuer = await ServiceProcess.start({ url: server.url, namespace: 'mid', service: 'Billing', claimIdleMs: 1000 });
      try {
        // A live, slow handler keeps renewing its message: nobody takes it over, though it runs
        // for twice claimIdleMs (this wait is the point of the check, not a guess).
        await new Promise((resolve) => setTimeout(resolve, 2 * 1000));
        expect(rescuer.started, 'not taken over while its consumer lives').to.deep.equal([]);
        await hanging.kill9();
        await eventually('another instance to handle o-1', () => rescuer.handled.includes('o-1'));
        expect(hanging.handled).to.deep.equal([]);
        expect(rescuer.handled).to.deep.equal(['o-1']);
        expect(rescuer.failures).to.deep.equal([]);
        const redis = inspect(server.url);
        try {
          await eventually('o-1 to be acknowledged', async () =>
            await pendingCount(redis, streamKey('eventwire', 'mid', 'orderPlaced'), 'Billing.onOrderPlaced') === 0);
        } finally {
          await redis.quit();
        }
      } finally {
        await rescuer.stop();
      }
    } finally {
      await app.disposeAsync();
    }
  });
});
