/**
 * The publisher process of the distributed demo: fires five orders and exits. Its code is a
 * local app's: only the container's `remoteEvents()` extension makes the events travel.
 */
import { Container } from '../../lib';
import { remoteEvents } from '../../lib/remote';
import { RedisTransport } from '../../lib/redis';
import { Checkout, namespace } from './model';

async function main(): Promise<void> {
  const app = new Container({ extensions: [remoteEvents({ transport: new RedisTransport({ connection: process.env.REDIS_URL }), namespace })] });
  const checkout = app.get(Checkout);
  const customers = ['Ada', 'Grace', 'Edsger', 'Barbara', 'Donald'];
  for (const [i, customer] of customers.entries()) {
    await checkout.orderPlaced.fireAsync({ id: i + 1, customer, total: 19.9 * (i + 1) });   // resolves once Redis stored it
    console.log(`[checkout pid ${process.pid}] placed order #${i + 1}`);
  }
  await app.disposeAsync();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
