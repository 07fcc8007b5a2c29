import { Event, publishes, subscribes } from '../../lib';
// orders.ts and payments.ts import each other: each subscribes to the other's events, so each
// names the other lazily (`() => Payments`), as it is still undefined while this file loads.
import { Payments } from './payments';

/** Takes orders; learns from Payments whether each was paid. */
export class Orders {
  @publishes() declare readonly orderPlaced: Event<[orderId: string, amount: number]>;

  place(orderId: string, amount: number): void {
    console.log(`  [Orders]   order ${orderId}: ${amount}`);
    this.orderPlaced.fire(orderId, amount);
  }

  @subscribes(() => Payments, 'opened')
  onPaymentsOpened(limit: number): void {
    console.log(`  [Orders]   heard that payments opened (limit ${limit}): fired before the container wired Payments, replayed`);
  }

  @subscribes(() => Payments, 'paymentSucceeded')
  markPaid(orderId: string): void {
    console.log(`  [Orders]   ${orderId} paid`);
  }

  @subscribes(() => Payments, 'paymentFailed')
  cancel(orderId: string, reason: string): void {
    console.log(`  [Orders]   ${orderId} cancelled: ${reason}`);
  }
}
