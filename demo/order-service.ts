/**
 * Demo 2: the order service (demo/shop.ts) bootstrapped by a container. Shows, in order:
 * wiring that does not depend on construction order, a faulty subscriber isolated and
 * reported, an async subscriber awaited with fireAsync, a per-screen subscriber in a child
 * scope, unwired when the scope is disposed, and dispose() at shutdown.
 */
import { Container, toText, type HandlerFailure } from '../lib';
import { Audit, Checkout, Inventory, Mailer, OrderWatcher, Purchasing } from './shop';

/** Reports a failing handler in one line; the container's default would print the stack to stderr. */
function reportFailure(failure: HandlerFailure): void {
  const error = failure.error instanceof Error ? `${failure.error.name}: ${failure.error.message}` : String(failure.error);
  console.log(`  ! ${failure.handler} failed on "${failure.eventName}": ${error} (reported; the other handlers ran)`);
}

/** Runs the order service scenario; returns the container, already disposed. */
export async function runOrderService(): Promise<Container> {
  const app = new Container({ onError: reportFailure });

  console.log('1. Wiring does not depend on construction order');
  // Subscribers first, then their source, then a subscriber that is also a source, then its subscriber.
  app.get(Mailer);
  app.get(Audit);
  const checkout = app.get(Checkout);
  app.get(Inventory);
  app.get(Purchasing);
  console.log('  built Mailer, Audit, Checkout, Inventory, Purchasing (in that order); the live wiring:');
  for (const line of toText(app.graph()).trimEnd().split('\n')) console.log(`    ${line}`);

  console.log('2. An async subscriber awaited with fireAsync');
  await checkout.placeOrder('mug', 2, 'Ada@Example.com');
  console.log('  placeOrder resolved after the confirmation was sent');

  console.log('3. A faulty subscriber is isolated and reported; the others still run');
  await checkout.placeOrder('mug', 2);

  console.log('4. A subscriber per screen lives in a scope: closing the screen unwires it');
  {
    using screen = app.createChild();   // one scope per screen, request or job
    screen.get(OrderWatcher);
    console.log(`  orderPlaced has ${checkout.orderPlaced.size} handlers with the watcher`);
    await checkout.placeOrder('tea', 1, 'grace@example.com');
  }   // the screen closes: its scope is disposed and the watcher unwired, whatever the garbage collector does
  console.log(`  screen closed: orderPlaced has ${checkout.orderPlaced.size} handlers`);
  await checkout.placeOrder('tea', 1, 'linus@example.com');

  console.log('5. dispose() at shutdown');
  app.dispose();
  console.log(`  disposed: orderPlaced has ${checkout.orderPlaced.size} handlers`);
  return app;
}

if (require.main === module) void runOrderService();
