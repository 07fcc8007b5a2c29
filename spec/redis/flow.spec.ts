import { expect } from 'chai';
import { injectable, subscribes } from '../../lib';
import { deadLetterKey, streamKey } from '../../lib/redis';
import { Shop, type Order } from './fixtures/shop';
import { describeBroker, eventually, inspect, killServices, node, orders, pendingCount, ServiceProcess, tally, waitDrained } from './helpers';
import { RedisServer } from './redis-server';

describeBroker('Redis transport: flow control and shutdown', () => {
  let server: RedisServer;
  before(async () => { server = await RedisServer.start(); });
  after(async () => {
    await killServices();
    await server?.stop();
  });

  it('should never run more than maxInFlight handlers at once, and keep stream order with maxInFlight 1', async () => {
    const runs = { wide: { now: 0, max: 0, done: [] as string[] }, narrow: { now: 0, max: 0, done: [] as string[] } };
    const track = async (lane: keyof typeof runs, order: Order): Promise<void> => {
      const run = runs[lane];
      run.max = Math.max(run.max, ++run.now);
      await new Promise((resolve) => setTimeout(resolve, 5 + (order.total % 4) * 7));
      run.now--;
      run.done.push(order.id);
    };
    @injectable()
    class Wide {
      @subscribes(Shop, 'orderPlaced') onOrderPlaced(order: Order): Promise<void> { return track('wide', order); }
    }
    @injectable()
    class Narrow {
      @subscribes(Shop, 'orderPlaced') onOrderPlaced(order: Order): Promise<void> { return track('narrow', order); }
    }
    const wide = node(server, 'flow', { maxInFlight: 4 });
    const narrow = node(server, 'flow', { maxInFlight: 1 });
    const publisher = node(server, 'flow');
    try {
      wide.app.get(Wide);
      narrow.app.get(Narrow);
      await Promise.all([wide.transport.ready(), narrow.transport.ready()]);
      const sent = orders('flow', 40);
      for (const order of sent) publisher.app.get(Shop).orderPlaced.fire(order);
      await eventually('both services to handle the 40 orders', () => runs.wide.done.length === 40 && runs.narrow.done.length === 40,
        20_000, () => ({ wide: runs.wide.done.length, narrow: runs.narrow.done.length }));
      expect(runs.wide.max, 'maxInFlight 4').to.equal(4);
      expect(runs.narrow.max, 'maxInFlight 1').to.equal(1);
      expect(runs.narrow.done, 'maxInFlight 1 keeps stream order').to.deep.equal(sent.map((o) => o.id));
      expect([...wide.failures, ...narrow.failures]).to.deep.equal([]);
    } finally {
      await Promise.all([wide.app.disposeAsync(), narrow.app.disposeAsync(), publisher.app.disposeAsync()]);
    }
  });

  it('should stop taking events, without dead-lettering any, in a container disposed with plain dispose()', async () => {
    const stream = streamKey('eventwire', 'plain', 'orderPlaced');
    const handled: string[] = [];
    @injectable()
    class Keeper {
      @subscribes(Shop, 'orderPlaced') onOrderPlaced(order: Order): void { handled.push(order.id); }
    }
    const options = { claimIdleMs: 300, claimIntervalMs: 50 };
    const careless = node(server, 'plain', options);
    const publisher = node(server, 'plain');
    const redis = inspect(server.url);
    try {
      careless.app.get(Keeper);
      await careless.transport.ready();
      careless.app.dispose();   // not disposeAsync(): the transport stays open, its subscriber is gone
      for (const order of orders('plain', 3)) await publisher.app.get(Shop).orderPlaced.fireAsync(order);
      await eventually('the careless consumer to pause', () => careless.failures.length > 0);
      expect(careless.failures.map((f) => (f as Error).name)).to.deep.equal(['NoSubscriberError']);
      expect(await redis.exists(deadLetterKey(stream)), 'nothing dead-lettered').to.equal(0);
      // Another instance of the service gets all three, the paused one's pending message included.
      const rescuer = node(server, 'plain', options);
      try {
        rescuer.app.get(Keeper);
        await waitDrained(server.url, stream, 'Keeper.onOrderPlaced');
        expect(handled.sort()).to.deep.equal(['plain-0', 'plain-1', 'plain-2']);
      } finally {
        await rescuer.app.disposeAsync();
      }
    } finally {
      await Promise.all([careless.app.disposeAsync(), publisher.app.disposeAsync()]);
      await redis.quit();
    }
  });

  it('should shut down cleanly: in-flight handlers finish and are acknowledged, nothing stays pending, the process exits by itself', async () => {
    const stream = streamKey('eventwire', 'shutdown', 'orderPlaced');
    const config = { url: server.url, namespace: 'shutdown', service: 'Billing', delayMs: 150, maxInFlight: 8 } as const;
    const first = await ServiceProcess.start(config);
    const { app, failures } = node(server, 'shutdown');
    const redis = inspect(server.url);
    const sent = orders('shutdown', 40);
    try {
      for (const order of sent) app.get(Shop).orderPlaced.fire(order);
      await eventually('handlers to be in flight', () => first.started.length >= 8);
      await first.stop();   // disposeAsync() in the child; stop() fails unless it then exits by itself
      expect(first.started.length, 'it took some orders').to.be.greaterThan(0);
      expect(first.handled.sort(), 'every started handler finished').to.deep.equal(first.started.sort());
      expect(first.failures, 'no failure and no unhandled rejection').to.deep.equal([]);
      expect(await pendingCount(redis, stream, 'Billing.onOrderPlaced'), 'no pending entries').to.equal(0);
      expect(await redis.xinfo('CONSUMERS', stream, 'Billing.onOrderPlaced'), 'its consumer left the group').to.deep.equal([]);

      const second = await ServiceProcess.start(config);
      await eventually('the rest to be handled by a new instance', () => first.handled.length + second.handled.length === 40);
      await second.stop();
      const all = [...first.handled, ...second.handled];
      expect([...tally(all).values()].every((n) => n === 1), 'each order once').to.equal(true);
      expect(new Set(all)).to.deep.equal(new Set(sent.map((o) => o.id)));
      expect(second.failures).to.deep.equal([]);
      expect(failures).to.deep.equal([]);
    } finally {
      await app.disposeAsync();
    }
    try {
      const clients = String(await redis.client('LIST')).trim().split('\n');
      expect(clients, 'only the inspecting connection is left on the broker').to.have.length(1);
    } finally {
      await redis.quit();
    }
  });
  it('should name each message left for redelivery when handlers outlast closeTimeoutMs, and report a late handler as not acknowledged', async () => {
    const stream = streamKey('eventwire', 'late', 'orderPlaced');
    const runs: string[] = [];
    @injectable()
    class Archive {
      @subscribes(Shop, 'orderPlaced') async onOrderPlaced(order: Order): Promise<void> {
        runs.push(order.id);
        if (runs.length <= 2) await new Promise((resolve) => setTimeout(resolve, 600));
      }
    }
    const options = { closeTimeoutMs: 200, claimIdleMs: 300, claimIntervalMs: 50 };
    const leaving = node(server, 'late', options);
    const publisher = node(server, 'late');
    const redis = inspect(server.url);
    try {
      leaving.app.get(Archive);
      await leaving.transport.ready();
      for (const order of orders('late', 2)) await publisher.app.get(Shop).orderPlaced.fireAsync(order);
      await eventually('both handlers to run', () => runs.length === 2);
      const started = Date.now();
      await leaving.app.disposeAsync();
      expect(Date.now() - started, 'disposeAsync() waited about closeTimeoutMs, not for the handlers').to.be.below(550);
      const left = leaving.failures.map(String).filter((f) => /still ran after closeTimeoutMs/.test(f));
      expect(left).to.have.length(2);
      const named = left.map((f) => /handler Archive\.onOrderPlaced of remote event "orderPlaced" \(id ([0-9a-f-]{36}), stream entry (\d+-\d+)\)/.exec(f));
      expect(named.every((m) => m !== null), 'each report names the handler, the event and the message').to.equal(true);
      expect(new Set(named.map((m) => m![2])).size, 'one report per message').to.equal(2);
      await eventually('the late handlers to be reported as not acknowledged', () =>
        leaving.failures.map(String).filter((f) => /ended after its consumer closed .*NOT acknowledged/.test(f)).length === 2,
      5000, () => leaving.failures.map(String));
      expect(await pendingCount(redis, stream, 'Archive.onOrderPlaced'), 'both messages stay pending').to.equal(2);
      // Another instance runs them again: the effect is doubled, but it was reported, never silent.
      const rescuer = node(server, 'late', options);
      try {
        rescuer.app.get(Archive);
        await waitDrained(server.url, stream, 'Archive.onOrderPlaced');
        expect([...runs].sort()).to.deep.equal(['late-0', 'late-0', 'late-1', 'late-1']);
      } finally {
        await rescuer.app.disposeAsync();
      }
    } finally {
      await publisher.app.disposeAsync();
      await redis.quit();
    }
  });
});
