import * as fc from 'fast-check';
import { setMaxListeners } from 'node:events';
import { Event, type ErrorMode, type HandlerFailure, type Subscription } from '../lib';
import { setCompileThreshold } from '../lib/core/loop';

/**
 * Model-based test of `Event`: random scenarios run against the real event and against a
 * small reference model written from the documented semantics, and every observable is
 * compared: calls (which function, on which target, with which arguments, in which order),
 * reports to `onError` (interleaved with the calls), what `fire` threw and `fireAsync`
 * rejected with, `remove()` results, what `add()` threw after `dispose()`, `size` and every
 * subscription's `active` after each step.
 *
 * Runs: EVENTWIRE_RUNS (default 1,000 per dispatch tier); EVENTWIRE_SEED replays a failure.
 */
const RUNS = Number(process.env.EVENTWIRE_RUNS ?? 1000);
const SEED = process.env.EVENTWIRE_SEED === undefined ? undefined : Number(process.env.EVENTWIRE_SEED);

/** Handler functions, weak targets and abort signals available to a scenario. */
const FUNCTIONS = 4;
const TARGETS = 2;
const SIGNALS = 2;
/** Nested fires allowed below a top-level operation. */
const MAX_DEPTH = 2;
/** Handlers stop adding handlers once the event has this many. */
const MAX_SIZE_FOR_NESTED_ADD = 12;

// ---------------------------------------------------------------------------------------------
// Scenarios

type Outcome = 'ok' | 'throw' | 'reject' | 'resolve';

interface AddSpec {
  readonly fn: number;
  readonly once: boolean;
  readonly priority: number;
  readonly target: number | undefined;
  readonly signal: number | undefined;
  readonly info: boolean;
}

type Effect =
  | { readonly type: 'add'; readonly spec: AddSpec }
  | { readonly type: 'remove'; readonly fn: number; readonly target: number | undefined }
  | { readonly type: 'unsubscribe'; readonly sub: number; readonly viaDispose: boolean }
  | { readonly type: 'abort'; readonly signal: number }
  | { readonly type: 'clear' }
  | { readonly type: 'dispose' }
  | { readonly type: 'fire'; readonly args: number[] };

type Operation = Effect | { readonly type: 'fireAsync'; readonly args: number[] };

/** What one call of a handler function does: side effects, then return or throw. */
interface Behaviour {
  readonly outcome: Outcome;
  readonly effects: readonly Effect[];
}

interface Scenario {
  readonly errors: ErrorMode;
  readonly quarantine: number | undefined;
  readonly async: 'concurrent' | 'serial';
  /** Per function, the behaviours of its successive calls (cycled). */
  readonly behaviours: readonly (readonly Behaviour[])[];
  readonly operations: readonly Operation[];
}

const argsArb = fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: 4 });
const indexArb = (n: number): fc.Arbitrary<number> => fc.nat({ max: n - 1 });
const addSpecArb: fc.Arbitrary<AddSpec> = fc.record({
  fn: indexArb(FUNCTIONS),
  once: fc.constantFrom(false, false, true),
  priority: fc.constantFrom(0, 0, 0, 1, 2, -1),
  target: fc.option(indexArb(TARGETS), { nil: undefined, freq: 2 }),
  signal: fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: indexArb(SIGNALS) }),
  info: fc.constantFrom(false, false, false, true),
});
const addArb = addSpecArb.map((spec) => ({ type: 'add' as const, spec }));
const removeArb = fc.record({
  type: fc.constant('remove' as const), fn: indexArb(FUNCTIONS), target: fc.option(indexArb(TARGETS), { nil: undefined, freq: 2 }),
});
const unsubscribeArb = fc.record({ type: fc.constant('unsubscribe' as const), sub: fc.nat({ max: 50 }), viaDispose: fc.boolean() });
const abortArb = fc.record({ type: fc.constant('abort' as const), signal: indexArb(SIGNALS) });
const clearArb = fc.constant({ type: 'clear' as const });
const disposeArb = fc.constant({ type: 'dispose' as const });
const fireArb = argsArb.map((args) => ({ type: 'fire' as const, args }));
const fireAsyncArb = argsArb.map((args) => ({ type: 'fireAsync' as const, args }));

const effectArb: fc.Arbitrary<Effect> = fc.oneof(
  { weight: 12, arbitrary: addArb },
  { weight: 4, arbitrary: removeArb },
  { weight: 6, arbitrary: unsubscribeArb },
  { weight: 2, arbitrary: abortArb },
  { weight: 1, arbitrary: clearArb },
  { weight: 10, arbitrary: fireArb },
);
const behaviourArb: fc.Arbitrary<Behaviour> = fc.record({
  outcome: fc.oneof(
    { weight: 6, arbitrary: fc.constant('ok' as const) },
    { weight: 3, arbitrary: fc.constant('throw' as const) },
    { weight: 2, arbitrary: fc.constant('reject' as const) },
    { weight: 2, arbitrary: fc.constant('resolve' as const) },
  ),
  effects: fc.oneof(
    { weight: 3, arbitrary: fc.constant([]) },
    { weight: 2, arbitrary: fc.array(effectArb, { minLength: 1, maxLength: 2 }) },
  ),
});
const operationArb: fc.Arbitrary<Operation> = fc.oneof(
  { weight: 36, arbitrary: addArb },
  { weight: 30, arbitrary: fireArb },
  { weight: 12, arbitrary: fireAsyncArb },
  { weight: 9, arbitrary: removeArb },
  { weight: 6, arbitrary: unsubscribeArb },
  { weight: 3, arbitrary: abortArb },
  { weight: 3, arbitrary: clearArb },
  { weight: 1, arbitrary: disposeArb },   // rare: nothing but failed adds after it
);
const scenarioArb: fc.Arbitrary<Scenario> = fc.record({
  errors: fc.constantFrom<ErrorMode>('isolate', 'throw', 'collect'),
  quarantine: fc.constantFrom(undefined, undefined, 1, 2, 3),
  async: fc.constantFrom('concurrent' as const, 'serial' as const),
  behaviours: fc.array(fc.array(behaviourArb, { minLength: 1, maxLength: 3 }), { minLength: FUNCTIONS, maxLength: FUNCTIONS }),
  operations: fc.array(operationArb, { minLength: 1, maxLength: 40, size: 'medium' }),
});

// ---------------------------------------------------------------------------------------------
// Observations, shared by the real run and the model

/** An error as observed: a handler's own error by its tag, an AggregateError by its content. */
type ErrorSeen = string | { readonly aggregate: string; readonly errors: readonly ErrorSeen[] };

type Entry =
  | { readonly call: string; readonly this: number | null; readonly args: readonly unknown[] }
  | { readonly report: ErrorSeen; readonly handler: string; readonly async: boolean; readonly quarantined: boolean; readonly event: string }
  | { readonly removed: boolean }
  | { readonly addThrew: string }
  | { readonly op: number; readonly outcome: 'returned' | 'threw' | 'resolved' | 'rejected'; readonly error?: ErrorSeen }
  | { readonly op: number; readonly size: number; readonly active: readonly boolean[] };

const EVENT_NAME = 'model';

function aggregateMessage(count: number): string {
  return `${count} handler(s) of event "${EVENT_NAME}" failed`;
}

// ---------------------------------------------------------------------------------------------
// The real event

class Target {}

function seen(error: unknown): ErrorSeen {
  if (error instanceof AggregateError) return { aggregate: error.message, errors: (error.errors as unknown[]).map(seen) };
  if (error instanceof Error && /^f\d+\.\d+$/.test(error.message)) return error.message;
  return `UNEXPECTED ${error instanceof Error ? error.stack : String(error)}`;
}

function named<F extends (...args: never[]) => unknown>(name: string, fn: F): F {
  Object.defineProperty(fn, 'name', { value: name });
  return fn;
}

async function runReal(scenario: Scenario): Promise<Entry[]> {
  const trace: Entry[] = [];
  const targets = Array.from({ length: TARGETS }, () => new Target());
  const controllers = Array.from({ length: SIGNALS }, () => new AbortController());
  // Many handlers may share a signal here; Node would warn past 10 abort listeners.
  setMaxListeners(0, ...controllers.map((c) => c.signal));
  const subscriptions: Subscription[] = [];
  const calls = new Array<number>(FUNCTIONS).fill(0);
  let depth = 0;
  const event = new Event<number[]>(EVENT_NAME, {
    errors: scenario.errors,
    quarantine: scenario.quarantine,
    async: scenario.async,
    onError: (failure: HandlerFailure) => {
      trace.push({ report: seen(failure.error), handler: failure.handler, async: failure.async, quarantined: failure.quarantined, event: failure.eventName });
    },
  });
  const isInfo = (value: unknown): boolean =>
    typeof value === 'object' && value !== null && (value as { event?: unknown }).event === event &&
    (value as { name?: unknown }).name === EVENT_NAME;

  const functions = scenario.behaviours.map((behaviours, i) => named(`f${i}`, function (this: unknown, ...args: unknown[]): unknown {
    const k = calls[i]++;
    const behaviour = behaviours[k % behaviours.length];
    trace.push({
      call: `f${i}`,
      this: this === undefined ? null : targets.indexOf(this as Target),
      args: args.map((arg) => (isInfo(arg) ? 'INFO' : arg)),
    });
    for (const effect of behaviour.effects) apply(effect, true);
    const tag = `f${i}.${k}`;
    switch (behaviour.outcome) {
      case 'ok': return undefined;
      case 'throw': throw new Error(tag);
      case 'reject': return Promise.reject(new Error(tag));
      case 'resolve': return Promise.resolve();
    }
  }));

  function apply(effect: Effect, nested: boolean): void {
    switch (effect.type) {
      case 'add': {
        if (nested && event.size >= MAX_SIZE_FOR_NESTED_ADD) return;
        const { fn, once, priority, target, signal, info } = effect.spec;
        const options = {
          once, priority, info,
          target: target === undefined ? undefined : targets[target],
          signal: signal === undefined ? undefined : controllers[signal].signal,
        };
        try {
          subscriptions.push(event.add(functions[fn] as never, options as never));
        } catch (error) {
          trace.push({ addThrew: error instanceof Error ? error.name : String(error) });
        }
        return;
      }
      case 'remove':
        trace.push({ removed: event.remove(functions[effect.fn], effect.target === undefined ? undefined : targets[effect.target]) });
        return;
      case 'unsubscribe': {
        if (subscriptions.length === 0) return;
        const subscription = subscriptions[effect.sub % subscriptions.length];
        if (effect.viaDispose) subscription[Symbol.dispose]();
        else subscription.unsubscribe();
        return;
      }
      case 'abort':
        controllers[effect.signal].abort();
        return;
      case 'clear':
        event.clear();
        return;
      case 'dispose':
        event.dispose();
        return;
      case 'fire':
        if (depth >= MAX_DEPTH) return;
        depth++;
        try {
          event.fire(...effect.args);
        } finally {
          depth--;
        }
        return;
    }
  }

  for (let op = 0; op < scenario.operations.length; op++) {
    const operation = scenario.operations[op];
    if (operation.type === 'fire') {
      try {
        event.fire(...operation.args);
        trace.push({ op, outcome: 'returned' });
      } catch (error) {
        trace.push({ op, outcome: 'threw', error: seen(error) });
      }
    } else if (operation.type === 'fireAsync') {
      try {
        await event.fireAsync(...operation.args);
        trace.push({ op, outcome: 'resolved' });
      } catch (error) {
        trace.push({ op, outcome: 'rejected', error: seen(error) });
      }
    } else {
      apply(operation, false);
    }
    await new Promise((resolve) => setImmediate(resolve));
    trace.push({ op, size: event.size, active: subscriptions.map((s) => s.active) });
  }
  return trace;
}

// ---------------------------------------------------------------------------------------------
// The reference model, written from the documented semantics (not from the implementation)

interface ModelRegistration {
  readonly fn: number;
  readonly target: number | undefined;
  readonly once: boolean;
  readonly priority: number;
  readonly info: boolean;
  readonly signal: number | undefined;
  live: boolean;
  /** Consecutive failures, for quarantine. */
  failures: number;
}

/** A failure thrown inside the model. */
class ModelFailure {
  constructor(readonly error: ErrorSeen) {}
}

type CallResult = { readonly kind: 'value' } | { readonly kind: 'fulfilled' } | { readonly kind: 'rejected'; readonly error: ErrorSeen };

function runModel(scenario: Scenario): Entry[] {
  const trace: Entry[] = [];
  /** Live registrations, in the order they were added. */
  let registrations: ModelRegistration[] = [];
  const subscriptions: (ModelRegistration | undefined)[] = [];
  const aborted = new Array<boolean>(SIGNALS).fill(false);
  const calls = new Array<number>(FUNCTIONS).fill(0);
  let disposed = false;
  /** Promise reactions, run in order once the synchronous part of an operation is over. */
  const microtasks: (() => void)[] = [];
  let depth = 0;
  const { errors: mode, quarantine } = scenario;

  const drain = (): void => {
    while (microtasks.length > 0) microtasks.shift()!();
  };
  const handlerName = (r: ModelRegistration): string => (r.target === undefined ? `f${r.fn}` : `Target.f${r.fn}`);
  const report = (r: ModelRegistration, error: ErrorSeen, async: boolean, quarantined: boolean): void => {
    trace.push({ report: error, handler: handlerName(r), async, quarantined, event: EVENT_NAME });
  };
  const aggregate = (errors: ErrorSeen[]): ErrorSeen => ({ aggregate: aggregateMessage(errors.length), errors });

  /** Handlers run by priority (higher first), then in the order added. */
  const inCallOrder = (): ModelRegistration[] =>
    registrations.map((r, i) => ({ r, i })).sort((a, b) => b.r.priority - a.r.priority || a.i - b.i).map(({ r }) => r);

  function remove(r: ModelRegistration): boolean {
    if (!r.live) return false;
    r.live = false;
    registrations = registrations.filter((other) => other !== r);
    return true;
  }

  /** Counts one failure; true when it reaches the quarantine limit and removes the handler. */
  function countFailure(r: ModelRegistration): boolean {
    r.failures++;
    return quarantine !== undefined && r.failures >= quarantine && remove(r);
  }

  function call(r: ModelRegistration, args: readonly number[]): CallResult {
    const k = calls[r.fn]++;
    const behaviours = scenario.behaviours[r.fn];
    const behaviour = behaviours[k % behaviours.length];
    trace.push({ call: `f${r.fn}`, this: r.target ?? null, args: r.info ? ['INFO', ...args] : [...args] });
    for (const effect of behaviour.effects) apply(effect, true);
    const tag = `f${r.fn}.${k}`;
    switch (behaviour.outcome) {
      case 'ok': return { kind: 'value' };
      case 'throw': throw new ModelFailure(tag);
      case 'reject': return { kind: 'rejected', error: tag };
      case 'resolve': return { kind: 'fulfilled' };
    }
  }

  /** Synchronous fire; throws a ModelFailure under 'throw' and 'collect'. */
  function fire(args: readonly number[]): void {
    let errors: ErrorSeen[] | undefined;
    for (const r of inCallOrder()) {
      if (!r.live) continue;                    // removed during this fire, before its turn
      if (r.once) remove(r);                    // once handlers are removed before their call
      let result: CallResult;
      try {
        result = call(r, args);
      } catch (failure) {
        if (!(failure instanceof ModelFailure)) throw failure;
        const quarantined = countFailure(r);
        if (mode === 'isolate') {
          report(r, failure.error, false, quarantined);
          continue;
        }
        if (quarantined) report(r, failure.error, false, true);   // the quarantine notice
        if (mode === 'throw') throw failure;                     // the first failure stops the fire
        (errors ??= []).push(failure.error);
        continue;
      }
      if (result.kind === 'value') {
        r.failures = 0;
      } else {
        // A promise returned during a synchronous fire is always reported, never thrown.
        microtasks.push(() => {
          if (result.kind === 'fulfilled') {
            r.failures = 0;
          } else {
            report(r, result.error, true, countFailure(r));
          }
        });
      }
    }
    if (errors !== undefined) throw new ModelFailure(aggregate(errors));
  }

  /** fireAsync, as its TSDoc describes it; returns the rejection, if any. */
  function fireAsync(args: readonly number[]): ErrorSeen | undefined {
    let errors: ErrorSeen[] | undefined;
    const fail = (r: ModelRegistration, error: ErrorSeen, async: boolean): void => {
      const quarantined = countFailure(r);
      if (mode === 'isolate') {
        report(r, error, async, quarantined);
      } else if (mode === 'throw' && errors !== undefined) {
        report(r, error, async, quarantined);   // a later failure of a handler already started: reported once
      } else {
        (errors ??= []).push(error);
        if (quarantined) report(r, error, async, true);
      }
    };
    for (const r of inCallOrder()) {
      if (!r.live) continue;
      if (r.once) remove(r);
      let result: CallResult;
      try {
        result = call(r, args);
      } catch (failure) {
        if (!(failure instanceof ModelFailure)) throw failure;
        fail(r, failure.error, false);
        if (mode === 'throw') break;
        continue;
      }
      if (result.kind === 'value') {
        r.failures = 0;
        continue;
      }
      microtasks.push(() => {
        if (result.kind === 'fulfilled') r.failures = 0;
        else fail(r, result.error, true);
      });
      if (scenario.async === 'serial') {
        drain();
        if (mode === 'throw' && errors !== undefined) break;
      }
    }
    drain();
    if (errors === undefined) return undefined;
    return mode === 'throw' ? errors[0] : aggregate(errors);
  }

  function apply(effect: Effect, nested: boolean): void {
    switch (effect.type) {
      case 'add': {
        if (nested && registrations.length >= MAX_SIZE_FOR_NESTED_ADD) return;
        const { signal } = effect.spec;
        if (disposed) {
          trace.push({ addThrew: 'DisposedError' });   // add() after dispose() throws
          return;
        }
        if (signal !== undefined && aborted[signal]) {
          subscriptions.push(undefined);   // an already aborted signal adds nothing
          return;
        }
        const r: ModelRegistration = { ...effect.spec, live: true, failures: 0 };
        registrations.push(r);
        subscriptions.push(r);
        return;
      }
      case 'remove': {
        // remove(fn) removes its latest registration (for that target, when given).
        for (let i = registrations.length - 1; i >= 0; i--) {
          const r = registrations[i];
          if (r.fn === effect.fn && (effect.target === undefined || r.target === effect.target)) {
            trace.push({ removed: remove(r) });
            return;
          }
        }
        trace.push({ removed: false });
        return;
      }
      case 'unsubscribe': {
        if (subscriptions.length === 0) return;
        const r = subscriptions[effect.sub % subscriptions.length];
        if (r !== undefined) remove(r);
        return;
      }
      case 'abort':
        if (aborted[effect.signal]) return;
        aborted[effect.signal] = true;
        for (const r of registrations.filter((other) => other.signal === effect.signal)) remove(r);
        return;
      case 'clear':
        for (const r of registrations) r.live = false;
        registrations = [];
        return;
      case 'dispose':
        // Removes every handler; firing a disposed event does nothing.
        for (const r of registrations) r.live = false;
        registrations = [];
        disposed = true;
        return;
      case 'fire':
        if (depth >= MAX_DEPTH) return;
        depth++;
        try {
          fire(effect.args);
        } finally {
          depth--;
        }
        return;
    }
  }

  for (let op = 0; op < scenario.operations.length; op++) {
    const operation = scenario.operations[op];
    if (operation.type === 'fire') {
      try {
        fire(operation.args);
        trace.push({ op, outcome: 'returned' });
      } catch (failure) {
        if (!(failure instanceof ModelFailure)) throw failure;
        trace.push({ op, outcome: 'threw', error: failure.error });
      }
      drain();
    } else if (operation.type === 'fireAsync') {
      const error = fireAsync(operation.args);
      trace.push(error === undefined ? { op, outcome: 'resolved' } : { op, outcome: 'rejected', error });
    } else {
      apply(operation, false);
      drain();
    }
    trace.push({ op, size: registrations.length, active: subscriptions.map((r) => r?.live ?? false) });
  }
  return trace;
}

// ---------------------------------------------------------------------------------------------

/** Throws, with the context of the first difference, unless the two traces are equal. */
function compareTraces(real: readonly Entry[], model: readonly Entry[]): void {
  const length = Math.max(real.length, model.length);
  for (let i = 0; i < length; i++) {
    const r = JSON.stringify(real[i]);
    const m = JSON.stringify(model[i]);
    if (r === m) continue;
    let op = 0;
    for (let j = i - 1; j >= 0; j--) {
      const entry = model[j] as { op?: number };
      if (entry.op !== undefined) { op = entry.op + 1; break; }
    }
    const before = model.slice(Math.max(0, i - 6), i).map((e) => `    ${JSON.stringify(e)}`).join('\n');
    throw new Error(
      `the event and the model disagree at entry #${i}, during operation #${op}:\n` +
      `  same until:\n${before}\n  real:  ${r}\n  model: ${m}`);
  }
}

async function check(scenario: Scenario): Promise<void> {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => { unhandled.push(reason); };
  process.on('unhandledRejection', onUnhandled);
  let real: Entry[];
  try {
    real = await runReal(scenario);
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
  if (unhandled.length > 0) throw new Error(`unhandled rejection(s): ${unhandled.map((u) => String(u)).join(', ')}`);
  compareTraces(real, runModel(scenario));
}

for (const { tier, threshold } of [{ tier: 'the generic loop', threshold: Infinity }, { tier: 'compiled dispatchers', threshold: 1 }]) {
  describe(`model-based: Event against its reference model (fired through ${tier})`, () => {
    before(() => setCompileThreshold(threshold));
    after(() => setCompileThreshold(64));

    it(`should match the model on ${RUNS} random scenarios of add, remove, abort, fire and fireAsync under every error policy`, async function () {
      this.timeout(Math.max(120_000, RUNS * 100));
      await fc.assert(fc.asyncProperty(scenarioArb, check), { numRuns: RUNS, seed: SEED });
    });
  });
}
