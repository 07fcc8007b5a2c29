import type { Event } from './event';
import { currentJob, type HandlerRecord } from './handler-list';

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

let codegen = true;
let compiled = 0;

type Factory = (
  event: Event<unknown[]>, records: readonly HandlerRecord[], fail: typeof onFail,
  isThenable: (value: unknown) => boolean, currentJob: () => number, loop: (...args: unknown[]) => void,
  resume: (event: Event<any>, records: readonly HandlerRecord[], from: number, to: number, errors: unknown[] | undefined, args: unknown[]) => void,
) => (...args: unknown[]) => void;

/** Builds the dedicated dispatcher of `event`'s current handler set, or undefined to keep the loop. */
export function compileDispatcher(
  event: Event<any>, loop: (...args: unknown[]) => void, isThenable: (value: unknown) => boolean, argc: number,
): ((...args: any[]) => void) | undefined {
  const records = event._list.records;
  if (!codegen || records.length === 0 || records.length > MAX_COMPILED_HANDLERS || argc > MAX_COMPILED_ARGS) return undefined;
  let factory: Factory;
  try {
    // Unique source per compilation: V8 caches `new Function` by source, feedback included,
    // and each event must get call sites of its own.
    factory = new Function('event', 'R', 'fail', 'isThenable', 'currentJob', 'loop', 'resume',
      source(records, event._quarantine > 0, argc) + `\n//# sourceURL=eventwire-dispatch-${++compiled}.js`) as Factory;
  } catch {
    codegen = false;
    return undefined;
  }
  return factory(event, records, onFail, isThenable, currentJob, loop, (e, r, from, to, errors, args) => resume(e, r, from, to, errors, args, isThenable));
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
    if (!record.live) continue;
    let target: object | undefined;
    if (record.weak !== undefined) {
      target = record.held;
      if (target === undefined) {
        list.markDead(record);
        continue;
      }
    }
    if (record.once) list.remove(record);
    try {
      const result = record.info ? record.fn.call(target, event._info, ...args) : record.fn.apply(target, args);
      if (result !== undefined && isThenable(result)) event.watch(record, result as PromiseLike<unknown>);
      else if (record.failures !== 0) record.failures = 0;
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
 * Between handlers it checks `list.version`, not each record's `live` flag: when the
 * handlers are inlined, V8 proves the version unchanged and drops all but the first check,
 * while ten `live` loads stay (they cost 5 ns per fire at 10 handlers once any handler
 * anywhere has been unsubscribed). A failure or a change of the handler set hands the rest
 * of the fire to `resume`, so no path merges back into the fast one.
 */
function source(records: readonly HandlerRecord[], quarantine: boolean, argc: number): string {
  const params = Array.from({ length: argc }, (_, i) => `a${i}`);
  const args = `[${params.join(', ')}]`;
  const head: string[] = ['"use strict";', 'const list = event._list, version = list.version, info = event._info;'];
  const body: string[] = [];
  let weak = false;
  records.forEach((record, i) => {
    head.push(`const r${i} = R[${i}], f${i} = r${i}.fn;`);
    const last = i === records.length - 1;
    const rest = (errors: string): string => `return resume(event, R, ${i + 1}, ${records.length}, ${errors}, ${args});`;
    const t = record.weak === undefined ? 'undefined' : 't';
    const call = t === 'undefined' && !record.info
      ? `f${i}(${params.join(', ')})`
      : `f${i}.call(${[t, ...(record.info ? ['info'] : []), ...params].join(', ')})`;
    if (record.weak !== undefined) {
      // holdTargets() marked records with a collected target dead (the version check caught it).
      weak = true;
      body.push(`t = r${i}.held;`);
    }
    if (record.once) body.push(`list.remove(r${i});`);
    body.push(
      `try { x = ${call}; } catch (e) { ${rest(`fail(event, r${i}, e, undefined)`)} }`,
      // Consecutive failures only matter to quarantine.
      quarantine
        ? `if (x !== undefined && isThenable(x)) event.watch(r${i}, x); else if (r${i}.failures !== 0) r${i}.failures = 0;`
        : `if (x !== undefined && isThenable(x)) event.watch(r${i}, x);`,
      last ? '' : `if (list.version !== version) { ${rest('undefined')} }`,
    );
  });
  return [
    ...head,
    `return function fire(${params.join(', ')}) {`,
    'if (list.version !== version) { event.decompile(); return loop.apply(undefined, arguments); }',
    `if (arguments.length !== ${argc}) return loop.apply(undefined, arguments);`,
    weak ? 'if (list.heldJob !== currentJob()) { list.holdTargets(); if (list.version !== version) { event.decompile(); return loop.apply(undefined, arguments); } }' : '',
    'let x, t;',
    ...body.filter(Boolean),
    '};',
  ].join('\n');
}
