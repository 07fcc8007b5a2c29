import { Event, injectable, publishes } from '../../lib';

/** An order of the distributed demo. */
export interface Order {
  readonly id: number;
  readonly customer: string;
  readonly total: number;
}

/** Publishes orders to every process through Redis: `remote: true` is the only change from a local app. */
@injectable()
export class Checkout {
  @publishes('orderPlaced', { remote: true }) orderPlaced!: Event<[order: Order]>;
}

/** The demo's namespace: its streams are `eventwire:demo:<event>`. */
export const namespace = 'demo';
