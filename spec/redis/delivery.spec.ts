import { expect } from 'chai';
import { Container, injectable, subscribes } from '../../lib';
import { remoteEvents } from '../../lib/remote';
import { RedisTransport, streamKey } from '../../lib/redis';
import { Shop, type Order } from './fixtures/shop';
import { describeBroker, eventually, inspect, killServices, node, orders, pendingCount, ServiceProcess, tally, waitDrained } from './helpers';
import { RedisServer } from './redis-server';

describeBroker('Redis transport: delivery', () => {
  let server: RedisServer;
  before(async () => { server = await RedisServer.start(); });
  after(async () => {
    await killServices();
    await server?.stop();
  });

  it('should deliver an event from one process to another', async () => {
    const consumer = await ServiceProcess.start({ url: server.url, namespace: 'one', service: 'Billing' });
    const { app } = node(server, 'one');
    try {
      app.get(Shop).orderPlaced.fire({ id: 'o-1', total: 42 });
      await eventually('the other process to handle o-1', () => consumer.handled.includes('o-1'));
      expect(consumer.handled).to.deep.equal(['o-1']);
      expect(consumer.failures).to.deep.equal([]);
    } finally {
      await app.disposeAsync();
      await consumer.stop();
    }
  });

  it('should fan out to two services, each event handled once per service by one of its two instances', async () => {
    const config = { url: server.url, namespace: 'fan', delayMs: 5, maxInFlight: 2 } as const;
    const services = await Promise.all([
      ServiceProcess.start({ ...config, service: 'Billing' }), ServiceProcess.start({ ...config, service: 'Billing' }),
      ServiceProcess.start({ ...config, service: 'Shipping' }), ServiceProcess.start({ ...config, service: 'Shipping' }),
    ]);
    const [billing1, billing2, shipping1, shipping2] = services;
    const { app } = node(server, 'fan');
    const sent = orders('fan', 40);
    try {
      const shop = app.get(Shop);
      for (const order of sent) shop.orderPlaced.fire(order);
      const billing = (): string[] => [...billing1.handled, ...billing2.handled];
      const shipping = (): string[] => [...shipping1.handled, ...shipping2.handled];
      await eventually('both services to handle all 40 orders', () => billing().length >= 40 && shipping().length >= 40,
        15_000, () => ({ billing: billing().length, shipping: shipping().length }));
      // Nothing is left to deliver to either group, and every report has arrived: the counts are final.
      await waitDrained(server.url, streamKey('eventwire', 'fan', 'orderPlaced'), 'Billing.onOrderPlaced', 'Shipping.onOrderPlaced');
      await Promise.all(services.map((s) => s.flush()));
      for (const handled of [billing(), shipping()]) {
        expect(handled).to.have.length(40);
        expect([...tally(handled).values()].every((n) => n === 1), 'each order once per service').to.equal(true);
        expect(new Set(handled)).to.deep.equal(new Set(sent.map((o) => o.id)));
      }
      for (const instance of services) expect(instance.handled.length, `pid ${instance.pid} shared the work`).to.be.greaterThan(0);
    } finally {
      await app.disposeAsync();
      await Promise.all(services.map((s) => s.stop()));
    }
  });

  it('should deliver events published while the consumer was down when it starts again', async () => {
    const first = await ServiceProcess.start({ url: server.url, namespace: 'down', service: 'Billing' });
    await first.stop();   // its consumer group now exists, and nobody reads it
    const { app } = node(server, 'down');
    const sent = orders('down', 10);
    try {
      for (const order of sent) app.get(Shop).orderPlaced.fire(order);
      await eventually('the 10 publishes to be stored', async () => {
        const redis = inspect(server.url);
        try {
          return await redis.xlen(streamKey('eventwire', 'down', 'orderPlaced')) === 10;
        } finally {
          await redis.quit();
        }
      });
      const second = await ServiceProcess.start({ url: server.url, namespace: 'down', service: 'Billing' });
      try {
        await eventually('the restarted consumer to handle the 10 orders', () => second.handled.length === 10);
        expect(second.handled).to.deep.equal(sent.map((o) => o.id));
      } finally {
        await second.stop();
      }
    } finally {
      await app.disposeAsync();
    }
  });

  it('should keep two namespaces on one broker apart', async () => {
    const received: Record<string, string[]> = { red: [], blue: [] };
    @injectable()
    class Audit {
      @subscribes(Shop, 'orderPlaced') onOrderPlaced(this: Audit, order: Order): void { received[this.namespace].push(order.id); }
      namespace = '';
    }
    const red = node(server, 'red');
    const blue = node(server, 'blue');
    red.app.get(Audit).namespace = 'red';
    blue.app.get(Audit).namespace = 'blue';
    try {
      await Promise.all([red.transport.ready(), blue.transport.ready()]);
      red.app.get(Shop).orderPlaced.fire({ id: 'r-1', total: 1 });
      blue.app.get(Shop).orderPlaced.fire({ id: 'b-1', total: 2 });
      await red.app.get(Shop).orderPlaced.fireAsync({ id: 'r-2', total: 3 });
      await eventually('each namespace to get its own events', () => received.red.length === 2 && received.blue.length === 1);
      await waitDrained(server.url, streamKey('eventwire', 'red', 'orderPlaced'), 'Audit.onOrderPlaced');
      await waitDrained(server.url, streamKey('eventwire', 'blue', 'orderPlaced'), 'Audit.onOrderPlaced');
      expect(received).to.deep.equal({ red: ['r-1', 'r-2'], blue: ['b-1'] });
      expect([...red.failures, ...blue.failures]).to.deep.equal([]);
    } finally {
      await Promise.all([red.app.disposeAsync(), blue.app.disposeAsync()]);
    }
  });

  it('should connect with the settings of a given ioredis client, and leave that client open', async () => {
    const client = inspect(server.url);
    const handled: string[] = [];
    @injectable()
    class Borrower {
      @subscribes(Shop, 'orderPlaced') onOrderPlaced(order: Order): void { handled.push(order.id); }
    }
    const transport = new RedisTransport({ connection: client, blockMs: 200 });
    const app = new Container({ extensions: [remoteEvents({ transport, namespace: 'borrowed' })] });
    try {
      app.get(Borrower);
      await transport.ready();
      await app.get(Shop).orderPlaced.fireAsync({ id: 'b-1', total: 1 });
      await eventually('the event to arrive', () => handled.length === 1);
    } finally {
      await app.disposeAsync();
    }
    expect(await client.ping()).to.equal('PONG');
    await client.quit();
  });

  it('should handle its own remote event once, through the broker, in a process that publishes and subscribes', async () => {
    const handled: string[] = [];
    @injectable()
    class Ledger {
      @subscribes(Shop, 'orderPlaced') onOrderPlaced(order: Order): void { handled.push(order.id); }
    }
    const { app, transport, failures } = node(server, 'self');
    try {
      app.get(Ledger);
      await transport.ready();
      app.get(Shop).orderPlaced.fire({ id: 's-1', total: 1 });
      expect(handled, 'not handled locally during the fire').to.deep.equal([]);
      await eventually('the event to come back through the broker', () => handled.length === 1);
      await waitDrained(server.url, streamKey('eventwire', 'self', 'orderPlaced'), 'Ledger.onOrderPlaced');
      expect(handled).to.deep.equal(['s-1']);
      expect(failures).to.deep.equal([]);
    } finally {
      await app.disposeAsync();
    }
    const redis = inspect(server.url);
    try {
      expect(await pendingCount(redis, streamKey('eventwire', 'self', 'orderPlaced'), 'Ledger.onOrderPlaced')).to.equal(0);
    } finally {
      await redis.quit();
    }
  });
});
