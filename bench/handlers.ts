/**
 * Benchmark handlers: each one a distinct function (its own source, so its own place in V8's
 * feedback), doing real 32-bit integer work on a counter of its own; the harness checks the
 * sum exactly after every sample.
 *
 * One counter per handler, as handlers in an app touch different state: with one shared
 * counter, V8 merges the work of handlers inlined one after another into a single add (the
 * direct calls then ran 10 handlers as fast as 1), and anything between two handlers (a
 * check, a branch) broke that merge and looked far more costly than it is.
 */

/** One handler's counter. */
export interface Counter {
  c: number;
}

/** The counters of one case. */
export class Tally {
  private readonly counters: Counter[] = [];

  /** A new counter, part of the total. */
  counter(): Counter {
    const counter = { c: 0 };
    this.counters.push(counter);
    return counter;
  }

  /** Makes an object with a `c` field (a subscriber) part of the total. */
  track(counter: Counter): void {
    this.counters.push(counter);
  }

  /** The sum of the counters, in 32 bits. */
  total(): number {
    let sum = 0;
    for (const counter of this.counters) sum = (sum + counter.c) | 0;
    return sum;
  }
}

/** A handler of 0 to 2 numeric arguments. */
export type CountingHandler = (...args: number[]) => unknown;

/** A class whose prototype method is subscribed weakly, the container's way; an instance counts in its own `c`. */
export interface SubscriberClass {
  new (tally: Tally): Counter;
  prototype: { onFire: CountingHandler };
}

let made = 0;

/** The work of one call: `(c + a) | 0` with one argument, `(c + a - b) | 0` with two (order matters). */
function work(target: string, args: number): string {
  return args === 2 ? `${target}.c = (${target}.c + a - b) | 0;` : `${target}.c = (${target}.c + a) | 0;`;
}

/** `count` distinct strong handlers, each adding to a new counter of `tally`. */
export function countingHandlers(tally: Tally, count: number, args = 1, async = false): CountingHandler[] {
  const list: CountingHandler[] = [];
  for (let i = 0; i < count; i++) {
    const id = ++made;
    const params = args === 2 ? 'a, b' : 'a';
    list.push(new Function('s', `return ${async ? 'async ' : ''}function handler${id}(${params}) { ${work('s', args)} };`)(tally.counter()));
  }
  return list;
}

/** `count` distinct classes whose `onFire` method adds to the instance's own `c`; instances join the tally they are given. */
export function subscriberClasses(count: number, args = 1, async = false): SubscriberClass[] {
  const list: SubscriberClass[] = [];
  for (let i = 0; i < count; i++) {
    const id = ++made;
    const params = args === 2 ? 'a, b' : 'a';
    list.push(new Function(`return class Subscriber${id} {
      constructor(tally) { this.c = 0; tally.track(this); }
      ${async ? 'async ' : ''}onFire(${params}) { ${work('this', args)} }
    };`)());
  }
  return list;
}

/** Handlers for mitt, whose `emit` passes one payload: two arguments travel as `{ a, b }`. */
export function countingPayloadHandlers(tally: Tally, count: number): CountingHandler[] {
  const list: CountingHandler[] = [];
  for (let i = 0; i < count; i++) {
    const id = ++made;
    list.push(new Function('s', `return function handler${id}(p) { s.c = (s.c + p.a - p.b) | 0; };`)(tally.counter()));
  }
  return list;
}
