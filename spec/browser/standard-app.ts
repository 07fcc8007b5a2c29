// A small app with STANDARD (TC39) decorators, lowered by esbuild for the browser spec
// (`npm run typecheck` checks it in both decorator modes). Dependencies are declared with `deps`.
import { Container, Event, injectable, publishes, subscribes } from '../../lib';

@injectable()
export class Ledger {
  readonly lines: string[] = [];
}

@injectable()
export class Checkout {
  @publishes() readonly paid!: Event<[orderId: string, amount: number]>;
  @publishes() readonly refunded!: Event<[orderId: string]>;
}

@injectable({ deps: [Ledger] })
export class Accounting {
  constructor(private readonly ledger: Ledger) {}

  @subscribes(Checkout, 'paid', { priority: 1 })
  book(orderId: string, amount: number): void { this.ledger.lines.push(`booked ${orderId} ${amount}`); }

  @subscribes(Checkout, 'refunded', { once: true })
  reverse(orderId: string): void { this.ledger.lines.push(`reversed ${orderId}`); }

  dispose(): void { this.ledger.lines.push('accounting disposed'); }
}

@injectable({ deps: [Ledger] })
export class Receipts {
  constructor(private readonly ledger: Ledger) {}

  @subscribes(Checkout, 'paid')
  print(orderId: string): void { this.ledger.lines.push(`receipt ${orderId}`); }
}

/** Builds, wires, fires, disposes, fires again; returns what happened, what the last fire threw, and whether the classes carry standard decorator metadata. */
export function runStandardApp(): { lines: string[]; afterDispose: string; standardMetadata: boolean } {
  // Receipts is wired first, yet Accounting hears `paid` first: its priority is 1.
  const app = new Container({ providers: [Receipts, Accounting] }).start();
  const ledger = app.get(Ledger);
  const checkout = app.get(Checkout);
  checkout.paid.fire('A-1', 40);
  checkout.refunded.fire('A-1');
  checkout.refunded.fire('A-1');   // `once`: no second reversal
  app.dispose();
  let afterDispose = 'no error';
  try {
    checkout.paid.fire('A-2', 10);
  } catch (error) {
    afterDispose = (error as Error).name;
  }
  const metadata = (Symbol as { metadata?: symbol }).metadata;
  const standardMetadata = metadata !== undefined && typeof (Accounting as unknown as Record<symbol, unknown>)[metadata] === 'object';
  return { lines: ledger.lines, afterDispose, standardMetadata };
}
