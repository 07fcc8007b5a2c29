// A small app for spec/standard-decorators.spec.ts, which compiles it with STANDARD decorators
// (runStandard); `npm run typecheck` checks it in both modes.
import { Event, InjectionToken, injectable, publishes, subscribes, type EventInfo } from '../../lib';

export interface Config { readonly currency: string }
export const CONFIG = new InjectionToken<Config>('config');

@injectable()
export class Ledger {
  readonly lines: string[] = [];
}

@injectable({ deps: [Ledger, CONFIG] })
export class Checkout {
  @publishes('opened', { replay: 1 }) readonly opened!: Event<[currency: string]>;
  @publishes('paid') readonly paidEvent!: Event<[amount: number]>;
  @publishes() readonly own = new Event<[note: string]>('custom');

  constructor(readonly ledger: Ledger, readonly config: Config) {
    // Standard decorators give the field its Event during construction: firing here works.
    this.opened.fire(config.currency);
  }
}

@injectable({ deps: [Ledger, CONFIG] })
export class ExpressCheckout extends Checkout {
  @publishes() readonly rushed!: Event;
}

@injectable({ scope: 'transient', deps: [Ledger] })
export class Receipt {
  constructor(readonly ledger: Ledger) {}

  @subscribes(Checkout, 'opened') onOpened(currency: string): void {
    this.ledger.lines.push(`opened in ${currency}`);
  }

  @subscribes(Checkout, 'paidEvent', { info: true, filter: (_checkout, amount) => amount > 0 })
  onPaid(info: EventInfo<[amount: number]>, amount: number): void {
    this.ledger.lines.push(`${info.name} ${amount}`);
  }

  @subscribes(() => ExpressCheckout, 'rushed') onRushed(): void { // the lazy form
    this.ledger.lines.push('rushed');
  }
}

/** A subclass that adds a handler: it inherits Receipt's. */
@injectable({ deps: [Ledger] })
export class AuditedReceipt extends Receipt {
  @subscribes(Checkout, 'own') onNote(note: string): void {
    this.ledger.lines.push(`note ${note}`);
  }
}
