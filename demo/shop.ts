/**
 * The order service of the demo: classes only, nothing runs on import, so the graph
 * command can load this module and draw its wiring (`eventwire graph demo/shop.ts`).
 *
 *   Checkout --orderPlaced--> Inventory, Mailer, Audit (and any OrderWatcher)
 *   Inventory --lowStock--> Purchasing
 *
 * Every service gets the Logger through its constructor.
 */
import { Event, injectable, publishes, subscribes } from '../lib';

/** One order, as Checkout publishes it. */
export interface Order {
  readonly id: string;
  readonly sku: string;
  readonly quantity: number;
  /** Missing for guest orders. */
  readonly email?: string;
}

/** Writes one indented line per message, prefixed with the class that logs it. */
@injectable()
export class Logger {
  info(from: object, message: string): void {
    console.log(`  ${`[${from.constructor.name}]`.padEnd(14)} ${message}`);
  }
}

/** Takes orders and announces each one. */
@injectable()
export class Checkout {
  @publishes() orderPlaced!: Event<[order: Order]>;
  private next = 1001;

  constructor(private readonly log: Logger) {}

  /** Places an order and waits until every handler, async ones included, is done. */
  async placeOrder(sku: string, quantity: number, email?: string): Promise<Order> {
    const order: Order = { id: `A-${this.next++}`, sku, quantity, email };
    this.log.info(this, `order ${order.id}: ${quantity} x ${sku}${email ? ` for ${email}` : ' (guest)'}`);
    await this.orderPlaced.fireAsync(order);
    return order;
  }
}

/** Reserves stock for each order; announces when a product runs low. */
@injectable()
export class Inventory {
  static readonly reorderAt = 3;
  @publishes() lowStock!: Event<[sku: string, left: number]>;
  private readonly stock = new Map<string, number>([['mug', 6], ['tea', 40]]);

  constructor(private readonly log: Logger) {}

  @subscribes(Checkout, 'orderPlaced')
  reserve(order: Order): void {
    const left = (this.stock.get(order.sku) ?? 0) - order.quantity;
    this.stock.set(order.sku, left);
    this.log.info(this, `reserved ${order.quantity} x ${order.sku}, ${left} left`);
    if (left <= Inventory.reorderAt) this.lowStock.fire(order.sku, left);
  }
}

/** Reorders products that run low. */
@injectable()
export class Purchasing {
  /** Nobody subscribes to this one yet: the diagram flags it. */
  @publishes() reorderSent!: Event<[sku: string, quantity: number]>;

  constructor(private readonly log: Logger) {}

  @subscribes(Inventory, 'lowStock')
  reorder(sku: string, left: number): void {
    this.log.info(this, `${sku} is low (${left} left): reordering 10`);
    this.reorderSent.fire(sku, 10);
  }
}

/** Sends a confirmation mail for each order: an async handler. */
@injectable()
export class Mailer {
  constructor(private readonly log: Logger) {}

  @subscribes(Checkout, 'orderPlaced')
  async sendConfirmation(order: Order): Promise<void> {
    if (order.email === undefined) return;
    await new Promise((resolve) => setTimeout(resolve, 20));   // the mail server's round trip
    this.log.info(this, `confirmation of ${order.id} sent to ${order.email}`);
  }

  /** Called by `container.dispose()` at shutdown. */
  dispose(): void {
    this.log.info(this, 'mail server connection closed');
  }
}

/** Keeps an audit trail of orders. It has a bug: guest orders have no email. */
@injectable()
export class Audit {
  readonly trail: string[] = [];

  constructor(private readonly log: Logger) {}

  @subscribes(Checkout, 'orderPlaced')
  record(order: Order): void {
    const customer = order.email!.toLowerCase();   // the bug: throws for guest orders
    this.trail.push(`${order.id} ${customer}`);
    this.log.info(this, `recorded ${order.id} for ${customer}`);
  }
}

/** One support agent's live view of incoming orders: one per screen (a child scope), unwired when the screen closes. */
@injectable({ scope: 'scoped' })
export class OrderWatcher {
  constructor(private readonly log: Logger) {}

  @subscribes(Checkout, 'orderPlaced')
  show(order: Order): void {
    this.log.info(this, `new order on screen: ${order.id}`);
  }
}
