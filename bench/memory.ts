import { fullGc } from './gc';
import type { Implementation } from './implementation';
import { median } from './stats';

/**
 * Memory per subscription: the growth of `heapUsed` (after full collections) when 100
 * emitters get 1,000 subscriptions each, divided by 100,000. Handlers (distinct closures)
 * and weak targets are made before the baseline, so only what the emitters retain is
 * counted; the 100 emitters themselves add well under a byte per subscription.
 * (100 emitters because eventwire's `add` used to copy the handler array each time; it
 * appends in place now, and the shape is kept so figures compare from run to run.)
 */
export const EMITTERS = 100;
export const PER_EMITTER = 1000;

class Subscriber {
  c = 0;
  onFire(a: number): void {
    this.c = (this.c + a) | 0;
  }
}

/**
 * Collects fully, letting pending jobs and FinalizationRegistry callbacks run in between
 * (emittery emits a meta event per `on`; eventwire's weak records are cleaned up by one).
 */
async function collect(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    if (!fullGc()) throw new Error('the memory scenario needs node --expose-gc');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  fullGc();
  return process.memoryUsage().heapUsed;
}

async function measureOnce(impl: Implementation): Promise<number> {
  const subscribing = impl.subscribing!;
  const weak = impl.name === 'eventwire-weak';
  const count = EMITTERS * PER_EMITTER;
  const sink = { c: 0 };
  const handlers = Array.from({ length: count }, (_, i) => (a: number): void => { sink.c = (sink.c + a + i) | 0; });
  const targets = Array.from({ length: weak ? count : 1 }, () => new Subscriber());
  const base = await collect();
  const emitters: unknown[] = [];
  for (let e = 0; e < EMITTERS; e++) {
    const emitter = subscribing.create();
    for (let i = e * PER_EMITTER; i < (e + 1) * PER_EMITTER; i++) {
      subscribing.add(emitter, weak ? Subscriber.prototype.onFire : handlers[i], targets[weak ? i : 0]);
    }
    emitters.push(emitter);
  }
  const bytes = ((await collect()) - base) / count;
  if (emitters.length !== EMITTERS || handlers.length !== count || targets.length === 0) throw new Error('unreachable');
  return bytes;
}

/** Bytes per subscription of each implementation that can subscribe, median of `trials`. */
export async function memoryPerSubscription(impls: readonly Implementation[], trials: number): Promise<Map<string, number>> {
  const result = new Map<string, number>();
  for (const impl of impls) {
    if (impl.subscribing === undefined) continue;
    const bytes: number[] = [];
    for (let trial = 0; trial < trials; trial++) bytes.push(await measureOnce(impl));
    result.set(impl.name, median(bytes));
  }
  return result;
}
