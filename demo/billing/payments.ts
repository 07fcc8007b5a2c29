import { Event, publishes, subscribes } from '../../lib';
import { Orders } from './orders';

/** Charges placed orders up to a limit; fires `opened` from its own constructor. */
export class Payments {
  // `declare`: the event exists from construction on. `replay: 1` keeps the payload for
  // subscribers wired later.
  @publishes('opened', { replay: 1 }) declare readonly opened: Event<[limit: number]>;
  @publishes() declare readonly paymentSucceeded: Event<[orderId: string]>;
  @publishes() declare readonly paymentFailed: Event<[orderId: string, reason: string]>;

  constructor(private readonly limit = 100) {
    console.log(`  [Payments] open, limit ${limit} (fired in its constructor)`);
    this.opened.fire(limit);
  }

  @subscribes(() => Orders, 'orderPlaced')
  charge(orderId: string, amount: number): void {
    if (amount > this.limit) {
      console.log(`  [Payments] refused ${orderId}: ${amount} is over the limit of ${this.limit}`);
      this.paymentFailed.fire(orderId, 'over the limit');
    } else {
      console.log(`  [Payments] charged ${orderId}: ${amount}`);
      this.paymentSucceeded.fire(orderId);
    }
  }
}
