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

let codegen = true;
let compiled = 0;

type Factory = (
  event: Event<unknown[]>, records: readonly HandlerRecord[], fail: typeof onFail,
  isThenable: (value: unknown) => boolean, currentJob: () => number, loop: (...args: unknown[]) => void,
) => (...args: unknown[]) => void;

/** Builds the dedicated dispatcher of `event`'s current handler set, or undefined to keep the loop. */
export function compileDispatcher(
  event: Event<any>, loop: (...args: unknown[]) => void, isThenable: (value: unknown) => boolean,
): ((...args: any[]) => void) | undefined {
  const records = event._list.records;
  if (!codegen || records.length === 0 || records.length > MAX_COMPILED_HANDLERS) return undefined;
  let factory: Factory;
  try {
    // Unique source per compilation: V8 caches `new Function` by source, feedback included,
    // and each event must get call sites of its own.
    factory = new Function('event', 'R', 'fail', 'isThenable', 'currentJob', 'loop',
      source(records, event._quarantine > 0) + `\n//# sourceURL=eventwire-dispatch-${++compiled}.js`) as Factory;
  } catch {
    codegen = false;
    return undefined;
  }
  return factory(event, records, onFail, isThenable, currentJob, loop);
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

function source(records: readonly HandlerRecord[], quarantine: boolean): string {
  const head: string[] = ['"use strict";', 'const list = event._list, version = list.version, info = event._info;'];
  const body: string[] = [];
  let weak = false;
  records.forEach((record, i) => {
    head.push(`const r${i} = R[${i}], f${i} = r${i}.fn;`);
    const t = record.weak === undefined ? 'undefined' : 't';
    const call = (args: string): string => (t === 'undefined' && !record.info
      ? `f${i}(${args})`
      : `f${i}.call(${[t, record.info ? 'info' : '', args].filter(Boolean).join(', ')})`);
    const rest = record.info ? `f${i}.call(${t}, info, ...arguments)` : `f${i}.apply(${t}, arguments)`;
    const invoke = `x = argc === 1 ? ${call('a0')} : argc === 0 ? ${call('')} : argc === 2 ? ${call('a0, a1')}` +
      ` : argc === 3 ? ${call('a0, a1, a2')} : ${rest};`;
    const lines = [
      record.once ? `list.remove(r${i});` : '',
      'try {',
      `  ${invoke}`,
      // Consecutive failures only matter to quarantine.
      quarantine
        ? `  if (x !== undefined && isThenable(x)) event.watch(r${i}, x); else if (r${i}.failures !== 0) r${i}.failures = 0;`
        : `  if (x !== undefined && isThenable(x)) event.watch(r${i}, x);`,
      `} catch (e) { errors = fail(event, r${i}, e, errors); }`,
    ].filter(Boolean);
    let block = lines.join('\n');
    if (record.weak !== undefined) {
      weak = true;
      block = `t = r${i}.held;\nif (t === undefined) list.markDead(r${i}); else {\n${block}\n}`;
    }
    // The first record is live when the fire starts (any removal bumps the version);
    // later ones may be removed by an earlier handler of this fire.
    body.push(i === 0 ? block : `if (r${i}.live) {\n${block}\n}`);
  });
  return [
    ...head,
    'return function fire(a0, a1, a2) {',
    'if (list.version !== version) { event.decompile(); return loop.apply(undefined, arguments); }',
    weak ? 'if (list.heldJob !== currentJob()) list.holdTargets();' : '',
    'const argc = arguments.length;',
    'let errors, x, t;',
    ...body,
    'if (errors !== undefined) throw event.aggregate(errors);',
    '};',
  ].join('\n');
}
