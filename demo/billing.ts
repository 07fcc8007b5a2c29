/**
 * Demo 4: two services in two files that import each other and subscribe to each other's
 * events with the lazy source `@subscribes(() => Source, key)`; one fires an event from its
 * constructor. Runs on its own too: `node -r ts-node/register demo/billing.ts`.
 */
import { Container, staticGraph, toText } from '../lib';
import { Orders } from './billing/orders';
import { Payments } from './billing/payments';

/** Places one order under the payment limit and one over it, then prints the wiring. */
export function runBilling(): void {
  const app = new Container();
  const orders = app.get(Orders);
  app.get(Payments);
  orders.place('B-1', 40);
  orders.place('B-2', 250);
  app.dispose();
  console.log('  The wiring declared in demo/billing/ (eventwire graph demo/billing/orders.ts prints the same):');
  for (const line of toText(staticGraph([Orders, Payments])).trimEnd().split('\n')) console.log(`    ${line}`);
}

if (require.main === module) runBilling();
