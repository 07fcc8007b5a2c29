import type { Event as EventClass } from '../../lib';

/**
 * Fires events of 0 to 5 arguments, three handlers each, `rounds` times: what the handlers saw,
 * and for each event whether `fire` is still the generic loop afterwards (an event that compiled
 * a dispatcher, as on Node after 64 fires, has a new `fire`). Run in the page and, as a control
 * that the check can see a compilation, on Node.
 */
export function fireEveryArity(Event: typeof EventClass, rounds = 100): { calls: number; last: string[]; onLoop: boolean[] } {
  const seen: string[] = [];
  const onLoop: boolean[] = [];
  for (let n = 0; n <= 5; n++) {
    const event = new Event<unknown[]>(`e${n}`);
    for (let h = 0; h < 3; h++) event.add((...args: unknown[]) => { seen.push(`${n}:${h}:${args.join(',')}`); });
    const loop = event.fire;
    const args = [1, 2, 3, 4, 5].slice(0, n);
    for (let round = 0; round < rounds; round++) event.fire(...args);
    onLoop.push(event.fire === loop);
  }
  return { calls: seen.length, last: seen.slice(-3), onLoop };
}
