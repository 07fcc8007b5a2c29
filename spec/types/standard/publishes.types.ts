// Type tests that only standard decorators can make (tsconfig.standard.json): the compiler sees
// the field's type, so @publishes accepts Event fields only.
import { Event, publishes } from '../../../lib';

export class Fine {
  @publishes() readonly started!: Event<[rpm: number]>;
  @publishes() readonly stopped = new Event();
  @publishes() maybe?: Event<[reason: string]>;
}

export class Wrong {
  // @ts-expect-error a @publishes field holds an Event
  @publishes() count = 0;
  // @ts-expect-error @publishes goes on fields, not methods
  @publishes() start(): void { /* never */ }
}
