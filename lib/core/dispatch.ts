import type { Event } from './event';
import { Flags, hold, jobs, resetFailures, type HandlerRecord, type RecordState } from './handler-list';

const { LIVE, ONCE, INFO, FAILURE, FLAG_BITS } = Flags;

/**
 * Compiled dispatchers: for an event whose handler set has stopped changing, a function
 * generated for exactly that set, one call site per handler, so V8 can inline each
 * handler. Same semantics as the generic loop in `event.ts`, which is the reference.
 *
 * Where code generation is forbidden (`new Function` throws, as under a strict Content
 * Security Policy) every event keeps the generic loop.
 */

/** Handler sets larger than this keep the generic loop (code size grows with the set). */
const MAX_COMPILED_HANDLERS = 24;

/** Fires with more arguments than this keep the generic loop. */
const MAX_COMPILED_ARGS = 8;

/** Up to this many weak records, a compiled fire tests each target's `held`; beyond, the job epoch (see `source`). */
const PER_TARGET_CHECKS = 3;

let codegen = true;
let compiled = 0;

type Factory = (
  event: Event<unknown[]>, records: readonly HandlerRecord[], fail: typeof onFail,
  isThenable: (value: unknown) => boolean, loop: (...args: unknown[]) => void,
  resume: (event: Event<any>, records: readonly HandlerRecord[], from: number, to: number, errors: unknown[] | undefined, args: unknown[]) => void,
  resetFailures: (record: HandlerRecord) => void, hold: (state: RecordState) => object | undefined, jobs: { epoch: number },
) => (...args: unknown[]) => void;

/** Builds the dedicated dispatcher of `event`'s current handler set, or undefined to keep the loop. */
export function compileDispatcher(
  event: Event<any>, loop: (...args: unknown[]) => void, isThenable: (value: unknown) => boolean, argc: number,
): ((...args: any[]) => void) | undefined {
  const list = event._list;
  const records = list.records;
  // Tombstones (removed records not yet compacted away; `maybeCompile` compacts first) keep the loop.
  if (!codegen || records.length === 0 || records.length > MAX_COMPILED_HANDLERS || argc > MAX_COMPILED_ARGS || list.dead !== 0) return undefined;
  let factory: Factory;
  try {
    // Unique source per compilation: V8 caches `new Function` by source, feedback included,
    // and each event must get call sites of its own.
    factory = new Function('event', 'R', 'fail', 'isThenable', 'loop', 'resume', 'resetFailures', 'hold', 'jobs',
      source(records, list, event._quarantine > 0, argc) + `\n//# sourceURL=eventwire-dispatch-${++compiled}.js`) as Factory;
  } catch {
    codegen = false;
    return undefined;
  }
  return factory(event, records, onFail, isThenable, loop, (e, r, from, to, errors, args) => resume(e, r, from, to, errors, args, isThenable), resetFailures, hold, jobs);
}

/**
 * The rest of a compiled fire from `records[from]` on, once something happened that the
 * compiled code does not handle: a handler failed, or the handler set changed during the
 * fire (a removed record is skipped through its `live` flag; an added one waits for the next fire).
 */
export function resume(
  event: Event<any>, records: readonly HandlerRecord[], from: number, to: number, errors: unknown[] | undefined, args: unknown[],
  isThenable: (value: unknown) => boolean,
): void {
  const list = event._list;
  for (let i = from; i < to; i++) {
    const record = records[i];
    const s = record.s;
    // `s` is the list for a plain live record (see handler-list.ts).
    const state = s === list ? undefined : s as RecordState;
    const flags = state === undefined ? LIVE : state.flags;
    if ((flags & LIVE) === 0) continue;
    let target = state?.held;
    if (target === undefined && state?.weak !== undefined && (target = hold(state)) === undefined) {
      list.markDead(record);
      continue;
    }
    if ((flags & ONCE) !== 0) list.remove(record);
    try {
      const result = (flags & INFO) !== 0 ? record.fn.call(target, event._info, ...args) : record.fn.apply(target, args);
      if (result !== undefined && isThenable(result)) event.watch(record, result as PromiseLike<unknown>);
      else resetFailures(record);   // the record may have got a state during its own call
    } catch (error) {
      errors = onFail(event, record, error, errors);
    }
  }
  if (errors !== undefined) throw event.aggregate(errors);
}

/** @internal For tests: pretend code generation is forbidden (or allowed again). */
export function setCodegen(enabled: boolean): void {
  codegen = enabled;
}

/** Accounts for a synchronous failure; returns the collected errors, or throws under `'throw'`. */
export function onFail(event: Event<any>, record: HandlerRecord, error: unknown, errors: unknown[] | undefined): unknown[] | undefined {
  if (event.failed(record, error, false) === undefined) return errors;
  if (event._mode === 'throw') throw error;
  (errors ??= []).push(error);
  return errors;
}

/**
 * The dispatcher is specialised to `argc`, the argument count of the fire that compiled it:
 * it declares exactly that many parameters (a non-inlined call with fewer arguments than
 * declared parameters costs V8 ~3 ns more) and has one call site per handler. A fire with
 * another count takes the generic loop.
 *
 * Between handlers it checks `list.version`, not whether each record is live: when the
 * handlers are inlined, V8 proves the version unchanged and drops all but the first check,
 * while ten `live` loads stay (they cost 5 ns per fire at 10 handlers once any handler
 * anywhere has been unsubscribed). A failure or a change of the handler set hands the rest
 * of the fire to `resume`, so no path merges back into the fast one.
 */
function source(records: readonly HandlerRecord[], list: object, quarantine: boolean, argc: number): string {
  const params = Array.from({ length: argc }, (_, i) => `a${i}`);
  const args = `[${params.join(', ')}]`;
  const head: string[] = ['"use strict";', 'const list = event._list, version = list.version, info = event._info;'];
  const body: string[] = [];
  const weak: number[] = [];
  records.forEach((record, i) => {
    // The state of a record never changes once it has one; a plain record that gets one
    // (its first failure under quarantine) bumps the version, which rebuilds this dispatcher.
    const state = record.s === list ? undefined : record.s as RecordState;
    const isWeak = state?.weak !== undefined;
    // A strongly held target never changes while the record is live: a constant.
    const isStrong = !isWeak && state?.held !== undefined;
    const info = state !== undefined && (state.flags & INFO) !== 0;
    head.push(`const r${i} = R[${i}], f${i} = r${i}.fn${state === undefined ? '' : `, s${i} = r${i}.s`}${isStrong ? `, t${i} = s${i}.held` : ''};`);
    const last = i === records.length - 1;
    const rest = (errors: string): string => `return resume(event, R, ${i + 1}, ${records.length}, ${errors}, ${args});`;
    const t = isWeak ? 't' : isStrong ? `t${i}` : 'undefined';
    const call = !isWeak && !isStrong && !info
      ? `f${i}(${params.join(', ')})`
      : `f${i}.call(${[t, ...(info ? ['info'] : []), ...params].join(', ')})`;
    if (isWeak) {
      weak.push(i);
      body.push(`t = s${i}.held;`);
    }
    if (state !== undefined && (state.flags & ONCE) !== 0) body.push(`list.remove(r${i});`);
    body.push(
      `try { x = ${call}; } catch (e) { ${rest(`fail(event, r${i}, e, undefined)`)} }`,
      // Consecutive failures only matter to quarantine. A plain record has none, unless it got
      // a state during its own call (failing in a nested fire); then its success resets them.
      !quarantine
        ? `if (x !== undefined && isThenable(x)) event.watch(r${i}, x);`
        : state === undefined
          ? `if (x !== undefined && isThenable(x)) event.watch(r${i}, x); else if (r${i}.s !== list) resetFailures(r${i});`
          : `if (x !== undefined && isThenable(x)) event.watch(r${i}, x); else if (s${i}.flags >= ${FAILURE}) s${i}.flags &= ${FLAG_BITS};`,
      last ? '' : `if (list.version !== version) { ${rest('undefined')} }`,
    );
  });
  // A weak record's `held` is set for the rest of the job once some fire has held it (see
  // `hold`). The first fire of a job finds out before any handler runs and leaves (never
  // merging back into the fast path, so V8 keeps proving the version unchanged between
  // inlined handlers): `held` holds every target and fires again. A collected target marks
  // its record dead, a change of the handler set. With up to PER_TARGET_CHECKS weak
  // records the fire tests each `held` (V8 reuses those loads below); with more, one test of
  // the job epoch in which this dispatcher last held them costs less.
  const perTarget = weak.length <= PER_TARGET_CHECKS;
  if (weak.length > 0) {
    head.push(
      ...(perTarget ? [] : ['var heldIn = -1;']),
      `function held(${params.join(', ')}) {`,
      ...weak.map((i) => `if (hold(s${i}) === undefined) list.markDead(r${i});`),
      'if (list.version !== version) { event.decompile(); return loop.apply(undefined, arguments); }',
      ...(perTarget ? [] : ['heldIn = jobs.epoch;']),
      `return fire(${params.join(', ')});`,
      '}',
    );
  }
  const holding = weak.length === 0 ? ''
    : perTarget ? `if (${weak.map((i) => `s${i}.held === undefined`).join(' || ')}) return held(${params.join(', ')});`
      : `if (heldIn !== jobs.epoch) return held(${params.join(', ')});`;
  return [
    ...head,
    `const fire = function fire(${params.join(', ')}) {`,
    'if (list.version !== version) { event.decompile(); return loop.apply(undefined, arguments); }',
    `if (arguments.length !== ${argc}) return loop.apply(undefined, arguments);`,
    holding,
    'let x, t;',
    ...body.filter(Boolean),
    '};',
    'return fire;',
  ].join('\n');
}
