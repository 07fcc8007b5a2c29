import type { Dispatch } from './dispatch';
import { Flags, type HandlerList, type HandlerRecord, type RecordState } from './handler-list';
import { hold } from './holding';

// Local copies: an imported binding is a property load at every use (see `Flags`).
const { LIVE, ONCE, INFO, WEAK } = Flags;

/**
 * Invokes one record of `list` with a payload of `argc` arguments: `a0` is the first, `args`
 * all of them (unused when `argc` is 1). Returns what the handler returned, or undefined
 * without calling it when the record is not live (removed before its turn) or its weak
 * target was collected (the record is then marked dead). A `once` record is removed just
 * before its call. Throws what the handler throws.
 *
 * The one routine that calls a record. `fireAsync`, replay and the compiled tier's `resume`
 * call it; the generic loop (`loop.ts`) has its body copied in by `scripts/generate-loop.mjs`,
 * once per way the payload arrives, because V8 needs the loop functions whole (see there).
 * Edit it here and run `npm run generate`: `npm test` fails while `loop.ts` is stale.
 * Its body must keep one statement per line, and every `return` on one line.
 */
export function call(d: Dispatch, list: HandlerList, record: HandlerRecord, argc: number, a0: unknown, args: ArrayLike<unknown> | undefined): unknown {
  // BEGIN body
  const s = record.s;
  const fn = record.fn;
  // Plain and live (see handler-list.ts): a direct call (`fn.call` would first load `call` from functions of many shapes).
  if (s === list) return argc === 1 ? fn(a0) : fn(...(args as unknown[]));
  // A state with flags, maybe a target; or removed.
  const state = s as RecordState;
  const flags = state.flags;
  if ((flags & LIVE) === 0) return undefined;
  // A strongly held target is always in `held`; a weak one once a fire has held it.
  let target = state.held;
  if (target === undefined && (flags & WEAK) !== 0 && (target = hold(state)) === undefined) {
    list.markDead(record);
    return undefined;
  }
  if ((flags & ONCE) !== 0) list.remove(record);
  if ((flags & INFO) !== 0) return argc === 1 ? fn.call(target, d.info, a0) : fn.call(target, d.info, ...(args as unknown[]));
  if (target === undefined) return argc === 1 ? fn(a0) : fn(...(args as unknown[]));
  return argc === 1 ? fn.call(target, a0) : fn.call(target, ...(args as unknown[]));
  // END body
}

/** True for an object or function with a `then` method. */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function';
}
