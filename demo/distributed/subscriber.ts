/**
 * A subscriber process of the distributed demo: `billing` or `shipping` (argv[2]), each its own
 * service, so each gets every order. Started by demo/distributed/index.ts with REDIS_URL set.
 */
import { Container, injectable, subscribes } from '../../lib';
import { remoteEvents } from '../../lib/remote';
import { RedisTransport } from '../../lib/redis';
import { Checkout, namespace, type Order } from './model';

const log = (line: string): void => { process.send?.(line); };

@injectable()
class Billing {
  @subscribes(Checkout, 'orderPlaced') onOrderPlaced(order: Order): void {
    log(`[billing  pid ${process.pid}] invoice for order #${order.id}: ${order.total.toFixed(2)} EUR to ${order.customer}`);
  }
}

@injectable()
class Shipping {
  @subscribes(Checkout, 'orderPlaced') async onOrderPlaced(order: Order): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 50));   // booking a courier takes a while
    log(`[shipping pid ${process.pid}] parcel booked for order #${order.id}`);
  }
}

async function main(): Promise<void> {
  const transport = new RedisTransport({ connection: process.env.REDIS_URL, blockMs: 500 });
  const app = new Container({ extensions: [remoteEvents({ transport, namespace })] });
  app.get(process.argv[2] === 'shipping' ? Shipping : Billing);
  await transport.ready();
  process.once('message', () => {
    void app.disposeAsync().then(() => process.disconnect());   // drains handlers, then exits by itself
  });
  process.send?.('ready');
}

void main();
