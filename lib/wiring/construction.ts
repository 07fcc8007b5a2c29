import { forwardFires, type Event } from '../core/event';
import { emitWarning } from '../core/environment';
import { className } from '../core/describe';

/**
 * Fires made from a constructor, before the container wires the object: held while the
 * container runs a constructor or factory, and fired again once the object is wired, so that
 * its subscribers get them (an event's subscribers are connected only when the container adopts
 * the object, after the constructor returns).
 */

/** One fire of an event created during a construction. */
export interface HeldFire {
  readonly event: Event<unknown[]>;
  readonly args: unknown[];
  /** The handlers the event had when fired (ones the constructor added itself). */
  readonly handlers: number;
}

interface Window {
  readonly fires: HeldFire[];
  readonly stops: (() => void)[];
}

/** The construction the container is running, if any (the innermost one). */
let current: Window | undefined = undefined;

/**
 * Called by `@publishes` when it creates an object's event (a standard field's initializer, a
 * legacy `declare readonly` field's first read): while the container constructs an object, the
 * event's fires are recorded. Not for an event with `replay`, which keeps its payloads itself.
 */
export function holdConstructionFires(event: Event<unknown[]>): void {
  const window = current;
  if (window === undefined) return;
  window.stops.push(forwardFires(event, (...args: unknown[]) => {
    window.fires.push({ event, args, handlers: event.size });
  }));
}

/**
 * Runs `construct` (a constructor or a factory) and returns what it made, with the fires of
 * the events created meanwhile, in order; they are no longer recorded afterwards.
 */
export function constructing<T>(construct: () => T): { value: T; fires: readonly HeldFire[] } {
  const outer = current;
  const window: Window = current = { fires: [], stops: [] };
  try {
    return { value: construct(), fires: window.fires };
  } finally {
    current = outer;
    for (const stop of window.stops) stop();
  }
}

/** Classes, with their event names, already warned about: a constructor fire that reached only the constructor's own handlers. */
const warned = new WeakMap<Function, Set<string>>();

/**
 * Fires again, now that `object` is wired, what its own events fired while it was constructed,
 * in order. A fire that handlers the constructor added itself already got is not repeated (they
 * would get it twice): if the wiring then connected subscribers, they missed it, and a warning
 * says so.
 */
export function deliverConstructionFires(object: object, fires: readonly HeldFire[]): void {
  for (const { event, args, handlers } of fires) {
    if (event.source !== object || event.isDisposed) continue;
    if (handlers === 0) {
      event.fire(...args);
    } else if (event.size > handlers && !warnedAbout(object.constructor, event.name)) {
      emitWarning(
        `${className(object)}'s constructor fired "${event.name}" after adding a handler to it itself, so the subscribers ` +
        `wired afterwards missed it. Use @publishes('${event.name}', { replay: 1 }) or fire it after construction.`,
        'ConstructorFireMissedWarning', 'EVENTWIRE_CONSTRUCTOR_FIRE_MISSED');
    }
  }
}

/** True when `cls` was already warned about for `name`; records it otherwise. */
function warnedAbout(cls: Function, name: string): boolean {
  let names = warned.get(cls);
  if (names === undefined) warned.set(cls, names = new Set());
  if (names.has(name)) return true;
  names.add(name);
  return false;
}
