import { className } from './describe';
import { report, type ErrorMode, type ErrorReporter, type HandlerFailure } from './error-policy';
import type { Event, EventInfo } from './event';
import { Flags, resetFailures, targetOf, type HandlerList, type HandlerRecord, type RecordState } from './handler-list';
import { hold, jobs } from './holding';
import { call, isThenable } from './invoke';
import { loopDispatcher, resetAfterCall } from './loop';

// Local copies: an imported binding is a property load at every use (see `Flags`).
const { ONCE, INFO, WEAK, FAILURE, FLAG_BITS } = Flags;

/**
 * Calling an event's handlers, in two tiers with one routine between them:
 *
 * - `call` (invoke.ts) invokes ONE record: it skips a record that is not live (or whose weak
 *   target was collected), removes a `once` record first, and calls the handler with its
 *   target, its `EventInfo` and the payload. Every path that calls a record goes through it:
 *   the generic loop (loop.ts, where it is copied in by a generator), `resume` of the compiled
 *   tier, replay, `fireAsync` and the forwarder. {@link deliver} adds what follows a call on
 *   the synchronous paths (a returned promise watched, the failure count reset, a failure
 *   accounted for), as the loop does.
 * - The generic loop fires any handler set, in any environment. After `compileAfter` fires
 *   with an unchanged set it asks {@link Dispatch.maybeCompile} for a dispatcher generated for
 *   exactly that set (one call site per handler, so V8 can inline each handler), which hands
 *   the rest of a fire back to `resume` when something happens that it does not handle.
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

/** @internal For tests: pretend code generation is forbidden (or allowed again). */
export function setCodegen(enabled: boolean): void {
  codegen = enabled;
}

/**
 * The part of an event that calls its handlers: its records, error policy and tiers. The
 * `Event` owns one and gives it what it needs (its name and source for messages, the
 * `EventInfo`, where to install a dispatcher); nothing here reaches into the event.
 */
export class Dispatch {
  /** What handlers added with `{ info: true }` receive first; made when the first one is added. */
  info: EventInfo<any> | undefined = undefined;
  mode: ErrorMode = 'isolate';
  onError!: ErrorReporter;
  /** Consecutive failures after which a handler is removed; 0 for never. */
  quarantine = 0;
  /** Handler failures so far (for traces). */
  failures = 0;
  /**
   * The event's forwarder (see `forwardFires` in event.ts): a plain record of no list, run
   * before the handlers, never quarantined.
   */
  forwarder: HandlerRecord | undefined = undefined;
  /** The generic loop of this event (it reads the quarantine setting once, when made). */
  loop!: (...args: unknown[]) => void;
  private compiledVersion = -1;

  constructor(
    readonly list: HandlerList,
    /** The event, for its name and source in messages. */
    private readonly event: Event<any>,
    /** Makes `fire` the event's dispatcher (wrapped for replay or a trace, if any). */
    private readonly install: (fire: (...args: any[]) => void) => void,
  ) {}

  /** Takes the error policy and (re)installs the generic loop. */
  configure(mode: ErrorMode, onError: ErrorReporter, quarantine: number): void {
    this.mode = mode;
    this.onError = onError;
    this.quarantine = quarantine;
    this.loop = loopDispatcher(this);
    this.compiledVersion = -1;
    this.install(this.loop);
  }

  /** Installs a compiled dispatcher once the handler set has been stable for a while. */
  maybeCompile(argc: number): void {
    const list = this.list;
    if (this.compiledVersion === list.version) return;
    this.compiledVersion = list.version;
    // A dispatcher is compiled for live records only: drop the tombstones first.
    list.compact();
    const compiled = compileDispatcher(this, argc);
    if (compiled !== undefined) this.install(compiled);
  }

  /** Back to the generic loop after a change of the handler set. */
  decompile(): void {
    this.install(this.loop);
  }

  /**
   * Accounts for one failure: quarantine, then reporting under `'isolate'` (unless the caller
   * receives it: `own`) or when `late`. Returns the failure when the caller must throw or
   * collect it, else undefined.
   */
  failed(record: HandlerRecord, error: unknown, async: boolean, late = false, target?: object, own = false): HandlerFailure | undefined {
    this.failures++;
    // Named before quarantine removes the record (a removed record lets go of its target).
    const handler = describeHandler(record, target);
    // Consecutive failures only matter to quarantine: without it nothing is counted. Never the
    // forwarder's, even one stopped since (a fireAsync under way, or `watch`, still names it: `own`).
    const quarantined = this.quarantine > 0 && !own && record !== this.forwarder &&
      this.list.countFailure(record) >= this.quarantine && this.list.remove(record);
    const failure = { error, eventName: this.event.name, source: this.event.source, handler, async, quarantined };
    if (late || (this.mode === 'isolate' && !own)) {
      report(this.onError, failure);
      return undefined;
    }
    if (quarantined) report(this.onError, failure);
    return failure;
  }

  /** Accounts for a synchronous failure; returns the collected errors, or throws under `'throw'`. */
  fail(record: HandlerRecord, error: unknown, errors: unknown[] | undefined): unknown[] | undefined {
    if (this.failed(record, error, false) === undefined) return errors;
    if (this.mode === 'throw') throw error;
    (errors ??= []).push(error);
    return errors;
  }

  /** The error thrown under `'collect'`. */
  aggregate(errors: unknown[]): AggregateError {
    const source = this.event.source;
    const from = source ? ` of ${className(source)}` : '';
    return new AggregateError(errors, `${errors.length} handler(s) of event "${this.event.name}"${from} failed`);
  }

  /** Routes a promise returned during a synchronous fire to the reporter. */
  watch(record: HandlerRecord, result: PromiseLike<unknown>): void {
    // The target as the call had it: the record may let go of it before the promise settles
    // (a quarantine or an unwiring removes it), and the failure still names `Class.method`.
    const target = targetOf(record);
    // The forwarder is never counted toward quarantine, even once stopped before its promise settles.
    const own = record === this.forwarder;
    try {
      result.then(
        () => { resetFailures(record); },
        (error: unknown) => { this.failed(record, error, true, true, target, own); });
    } catch (error) {
      this.failed(record, error, true, true, target, own);
    }
  }
}

/** `Class.method` for methods of objects, the function name otherwise. */
export function describeHandler(record: HandlerRecord, target?: object): string {
  const name = record.fn.name || '(anonymous)';
  target ??= targetOf(record);
  return target === undefined ? name : `${className(target)}.${name}`;
}

/**
 * {@link call} for the synchronous paths outside the loop (`resume`, replay, the forwarder), with what
 * follows the call, as in the loop: a returned promise is watched; a success resets the
 * consecutive failures (counted only under quarantine); a failure is accounted for
 * (`Dispatch.fail`). Returns the errors collected so far.
 */
export function deliver(
  d: Dispatch, list: HandlerList, record: HandlerRecord, args: unknown[], errors: unknown[] | undefined, quarantine: boolean,
): unknown[] | undefined {
  try {
    const result = call(d, list, record, args.length, args[0], args);
    if (result !== undefined && isThenable(result)) d.watch(record, result);
    else if (quarantine) resetAfterCall(list, record);
    return errors;
  } catch (error) {
    return d.fail(record, error, errors);
  }
}

/**
 * Delivers one payload to one record, as a fire would (replay): throws under `'throw'` and
 * `'collect'` when the handler fails.
 */
export function deliverOne(d: Dispatch, record: HandlerRecord, args: unknown[]): void {
  resume(d, [record], 0, 1, undefined, args);
}

/**
 * The rest of a compiled fire from `records[from]` on, once something happened that the
 * compiled code does not handle: a handler failed, or the handler set changed during the
 * fire (a removed record is skipped through its `live` flag; an added one waits for the next fire).
 */
function resume(d: Dispatch, records: readonly HandlerRecord[], from: number, to: number, errors: unknown[] | undefined, args: unknown[]): void {
  const list = d.list;
  const quarantine = d.quarantine > 0;
  for (let i = from; i < to; i++) errors = deliver(d, list, records[i], args, errors, quarantine);
  if (errors !== undefined) throw d.aggregate(errors);
}

type Resume = typeof resume;

type Factory = (
  d: Dispatch, records: readonly HandlerRecord[],
  isThenable: (value: unknown) => boolean, loop: (...args: unknown[]) => void, resume: Resume,
  resetFailures: (record: HandlerRecord) => void, hold: (state: RecordState) => object | undefined, jobs: { epoch: number },
) => (...args: unknown[]) => void;

/** Builds the dedicated dispatcher of the current handler set, or undefined to keep the loop. */
function compileDispatcher(d: Dispatch, argc: number): ((...args: any[]) => void) | undefined {
  const list = d.list;
  const records = list.records;
  // Tombstones (removed records not yet compacted away; `maybeCompile` compacts first) keep the loop.
  if (!codegen || records.length === 0 || records.length > MAX_COMPILED_HANDLERS || argc > MAX_COMPILED_ARGS || list.dead !== 0) return undefined;
  let factory: Factory;
  try {
    // Unique source per compilation: V8 caches `new Function` by source, feedback included,
    // and each event must get call sites of its own.
    factory = new Function('d', 'R', 'isThenable', 'loop', 'resume', 'resetFailures', 'hold', 'jobs',
      source(records, list, d.quarantine > 0, argc) + `\n//# sourceURL=eventwire-dispatch-${++compiled}.js`) as Factory;
  } catch {
    codegen = false;
    return undefined;
  }
  return factory(d, records, isThenable, d.loop, resume, resetFailures, hold, jobs);
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
  const head: string[] = ['"use strict";', 'const list = d.list, version = list.version, info = d.info;'];
  const body: string[] = [];
  const weak: number[] = [];
  records.forEach((record, i) => {
    // The state of a record never changes once it has one; a plain record that gets one
    // (its first failure under quarantine) bumps the version, which rebuilds this dispatcher.
    const state = record.s === list ? undefined : record.s as RecordState;
    const isWeak = state !== undefined && (state.flags & WEAK) !== 0;
    // A strongly held target never changes while the record is live: a constant.
    const isStrong = !isWeak && state?.held !== undefined;
    const info = state !== undefined && (state.flags & INFO) !== 0;
    head.push(`const r${i} = R[${i}], f${i} = r${i}.fn${state === undefined ? '' : `, s${i} = r${i}.s`}${isStrong ? `, t${i} = s${i}.held` : ''};`);
    const last = i === records.length - 1;
    const rest = (errors: string): string => `return resume(d, R, ${i + 1}, ${records.length}, ${errors}, ${args});`;
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
      `try { x = ${call}; } catch (e) { ${rest(`d.fail(r${i}, e, undefined)`)} }`,
      // Consecutive failures only matter to quarantine. A plain record has none, unless it got
      // a state during its own call (failing in a nested fire), which changed the version;
      // then its success resets them. The version, not `r.s`: V8 proves it unchanged between
      // inlined handlers and drops the test (it cost the quarantine row a tenth of its speed).
      !quarantine
        ? `if (x !== undefined && isThenable(x)) d.watch(r${i}, x);`
        : state === undefined
          ? `if (x !== undefined && isThenable(x)) d.watch(r${i}, x); else if (list.version !== version) resetFailures(r${i});`
          : `if (x !== undefined && isThenable(x)) d.watch(r${i}, x); else if (s${i}.flags >= ${FAILURE}) s${i}.flags &= ${FLAG_BITS};`,
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
      'if (list.version !== version) { d.decompile(); return loop.apply(undefined, arguments); }',
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
    'if (list.version !== version) { d.decompile(); return loop.apply(undefined, arguments); }',
    `if (arguments.length !== ${argc}) return loop.apply(undefined, arguments);`,
    holding,
    'let x, t;',
    ...body.filter(Boolean),
    '};',
    'return fire;',
  ].join('\n');
}
