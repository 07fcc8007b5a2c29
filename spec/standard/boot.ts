// Constructor fires under STANDARD decorators, for spec/constructor-fires.spec.ts (runStandard).
import { Event, injectable, publishes, subscribes } from '../../lib';

@injectable()
export class Boot {
  @publishes() readonly booted!: Event<[at: number]>;
  @publishes('ready', { replay: 1 }) readonly ready!: Event<[name: string]>;

  constructor() {
    this.booted.fire(1);
    this.ready.fire('boot');
  }
}

@injectable()
export class BootWatcher {
  readonly seen: string[] = [];
  @subscribes(Boot, 'booted') onBooted(at: number): void { this.seen.push(`booted ${at}`); }
  @subscribes(Boot, 'ready') onReady(name: string): void { this.seen.push(`ready ${name}`); }
}
