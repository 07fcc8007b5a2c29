/**
 * `npm run demo`: the four demos in a row. Each file also runs on its own, e.g.
 * `node --expose-gc -r ts-node/register demo/order-service.ts`.
 */
import { runBilling } from './billing';
import { runDiagram } from './diagram';
import { runEssay } from './essay';
import { runOrderService } from './order-service';

async function main(): Promise<void> {
  console.log('== 1. The essay\'s example: one handler, two events, and which one fired ==');
  runEssay();
  console.log('\n== 2. An order service bootstrapped by the container ==');
  await runOrderService();
  console.log('\n== 3. The wiring diagram ==');
  runDiagram();
  console.log('\n== 4. Two services in two files, subscribing to each other ==');
  runBilling();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
