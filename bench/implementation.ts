import type { Tally } from './handlers';

/** What a scenario asks an implementation to do in its timed loop. */
export type Op =
  | 'fire'        // fire the event with `args` arguments
  | 'fireAsync'   // fire and await every (async) handler
  | 'addRemove'   // add one more handler, then remove it
  | 'onceFire';   // add a once handler, then fire (it runs once and is removed)

/** The shape of a case: how many handlers sit on the event, and how many arguments a fire passes. */
export interface Shape {
  readonly handlers: number;
  readonly args: 1 | 2;
  readonly async?: boolean;
  /** eventwire only: remove a handler after this many consecutive failures. */
  readonly quarantine?: number;
  /** eventwire only: false keeps the generic loop dispatcher (as where code generation is forbidden). */
  readonly codegen?: boolean;
  /**
   * Other emitters of the same shape (distinct handlers) made and fired just before this one,
   * as in an app with many similar emitters. Undefined: the emitter is made on its own (for
   * tseep, between two full GCs: see peers.ts).
   */
  readonly sameShapeEmitters?: number;
}

/** One implementation's emitter, set up for a case. */
export interface Fixture {
  /** Names the op's code may use: `e` (the emitter), `h` (one more handler), and any the implementation needs. */
  readonly bindings: Record<string, unknown>;
  /** Fires once, outside timing, with the arguments of the shape (for checks). */
  fire(a: number, b: number): void;
  /** eventwire only: which dispatcher ran, read after the measurement. */
  tier?(): string;
}

/** Who an implementation is in the report: the subject, a peer (ratios are to the fastest one), or a reference. */
export type Role = 'subject' | 'peer' | 'reference';

/**
 * How the memory scenario subscribes: an empty emitter, and how to add one subscription
 * (a distinct `handler`, or for weak subscriptions the shared `method` with a distinct `target`).
 */
export interface Subscribing {
  create(): unknown;
  add(emitter: unknown, handler: (a: number) => void, target: object): void;
}

/** An emitter under test, as the harness sees it. */
export interface Implementation {
  readonly name: string;
  readonly role: Role;
  /** For the memory scenario; omitted where it does not apply. */
  readonly subscribing?: Subscribing;
  /** The source of one operation (arguments are named `a` and `b`), or undefined when the op does not apply. */
  code(op: Op, shape: Shape): string | undefined;
  /** An emitter with `shape.handlers` distinct handlers, each adding to a counter of `tally`; so does `h`. */
  setup(tally: Tally, shape: Shape): Fixture;
}

/** `'a'` or `'a, b'`. */
export function argList(shape: Shape): string {
  return shape.args === 2 ? 'a, b' : 'a';
}
