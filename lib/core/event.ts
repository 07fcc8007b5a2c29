import { className, describeEvent, safeString } from './describe';
import { checkErrorPolicy, defaultReporter, report, type ErrorPolicyOptions, type HandlerFailure } from './error-policy';
import { DisposedError, FireAbortedError, InvalidArgumentError } from './errors';
import { emitWarning } from './environment';
import { Flags, HandlerList, HandlerRecord, RecordExtra, RecordState, isLive, resetFailures, targetOf } from './handler-list';
import { trackOwner } from './weak-targets';
import { Dispatch, deliver, deliverOne, describeHandler } from './dispatch';
import { call, isThenable } from './invoke';
import { inactiveSubscription, type Subscription } from './subscription';

// Local copies: an imported binding is a property load at every use (see `Flags`).
const { LIVE, ONCE, INFO } = Flags;

/** Reach an event's dispatch and set its forwarder (see {@link forwardFires}): set by the class, which alone reaches them. */
let setForwarder: (event: Event<any>, forwarder: HandlerRecord | undefined, around: Around | undefined) => void;
let dispatchOf: (event: Event<any>) => Dispatch;

/** The `withdraw` of each forwarder that has one (see {@link forwardFires}). */
const withdrawals = new WeakMap<HandlerRecord, (forwarded: unknown) => boolean>();
/** Puts the forwarder before the handlers' dispatcher (kept out of the class: an app that forwards nothing bundles none of it). */
type Around = (handlers: (...args: any[]) => void) => (...args: any[]) => void;

/**
 * Calls `forward` with the payload of every `fire` and `fireAsync` of `event`, before its
 * handlers, without being one: `clear()`, quarantine and `size` never see it, and `remove()`
 * cannot reach it. What a container extension (a transport) uses to carry an event out.
 *
 * Its failure is the fire's own: `fireAsync()` awaits it and rejects with its failure under
 * every error policy, `'isolate'` included; a synchronous `fire()` treats it like a handler's
 * (the policy, then `onError`, naming the function). An event has one forwarder at most;
 * `dispose()` drops it. Returns what stops it.
 *
 * `withdraw` is called when a bounded `fireAsync` gives up while the promise `forward` returned
 * for that fire has not settled, with that promise: withdraw what it started if that can still be
 * done (the event then never goes out, and its promise rejects), and return true. The caller's
 * `FireAbortedError` then says it was withdrawn, and that rejection is not reported. A `withdraw`
 * that throws is reported to `onError` (as `withdraw of <forwarder>`) and counts as not withdrawn.
 */
export function forwardFires<A extends unknown[]>(
  event: Event<A>, forward: (...args: A) => unknown, withdraw?: (forwarded: unknown) => boolean,
): () => void {
  // Named as extensions call it (`ExtensionHost.forward`); the container's own use never fails.
  const where = `host.forward(): ${describeEvent(event.name, event.source)}`;
  if (typeof forward !== 'function') throw new InvalidArgumentError(`${where}: forward must be a function, got ${safeString(forward)}.`);
  if (event.isDisposed) throw new DisposedError(`${where} was disposed: it forwards nothing.`);
  const d = dispatchOf(event);
  if (d.forwarder !== undefined) {
    throw new InvalidArgumentError(`${where} is already forwarded: an event has one forwarder. Call the function the first one returned before forwarding it again.`);
  }
  // Its own record, in no list: `s` is the list, so the dispatch code takes it as plain and live.
  const forwarder = new HandlerRecord(event._list, forward);
  const around: Around = (handlers) => (...args) => {
    // As a handler's: a failure follows the policy (it is never counted toward quarantine).
    const failures = deliver(d, d.list, forwarder, args, undefined, false);
    if (failures === undefined) return handlers(...args);
    // 'collect': the handlers still run, and their failures join the forwarder's.
    try {
      handlers(...args);
    } catch (error) {
      failures.push(...(error as AggregateError).errors);
    }
    throw d.aggregate(failures);
  };
  setForwarder(event, forwarder, around);
  if (withdraw !== undefined) withdrawals.set(forwarder, withdraw);
  // Stops this forwarder only (once stopped, or the event disposed, it is not the event's any more).
  return () => {
    if (d.forwarder === forwarder) setForwarder(event, undefined, undefined);
  };
}

/** What a handler that asks for it (`{ info: true }`) receives before the payload. */
export interface EventInfo<A extends unknown[] = any[]> {
  /** The event's declared name. */
  readonly name: string;
  /** The object that owns the event (set by the container), if any. */
  readonly source: object | undefined;
  /** The event itself. */
  readonly event: Event<A>;
}

/** One dispatch, as seen by a trace hook. */
export interface TraceRecord {
  readonly event: Event<any>;
  readonly name: string;
  readonly source: object | undefined;
  /** Handlers registered when the fire started. */
  readonly handlers: number;
  /** Wall time of the synchronous part of the dispatch, in milliseconds. */
  readonly durationMs: number;
  /** Handlers that threw synchronously during this dispatch. */
  readonly failures: number;
  /** True for `fireAsync`, whose duration includes waiting for the handlers' promises. */
  readonly async: boolean;
}

/** Called after every dispatch of an event that has one. Errors it throws are reported, never thrown. */
export type TraceHook = (record: TraceRecord) => void;

/** Options of `new Event(name, options)`. */
export interface EventOptions extends ErrorPolicyOptions {
  /** The object that owns the event, passed to handlers that ask for {@link EventInfo}. */
  source?: object | undefined;
  /** Warn once when more than this many strongly held handlers are added. Default 100; 0 turns the warning off. */
  maxHandlers?: number | undefined;
  /**
   * Warn once when more than this many handlers with a weakly held `target` are registered
   * at once: weakly held subscribers are collected only while their event is quiet, so on a
   * busy event they pile up. Default 1000; 0 turns the warning off.
   */
  maxWeakHandlers?: number | undefined;
  /** Keep the last N payloads and deliver them to each handler added later (sticky state). Default 0. */
  replay?: number | undefined;
  /** How `fireAsync` runs handlers: all at once (`'concurrent'`, default) or one after another (`'serial'`). */
  async?: 'concurrent' | 'serial' | undefined;
  /** Called after every dispatch, for logging and metrics. */
  trace?: TraceHook | undefined;
  /**
   * Bound every `fireAsync`: after this many milliseconds it rejects with a
   * {@link FireAbortedError} naming the handlers not settled yet. Default: no bound.
   */
  timeoutMs?: number | undefined;
}

/** Options of `event.fireAsyncWith(options, ...payload)`. */
export interface FireAsyncOptions {
  /** Give up when this signal aborts: reject with a {@link FireAbortedError}. */
  signal?: AbortSignal | undefined;
  /** Give up after this many milliseconds (overrides the event's `timeoutMs`). */
  timeoutMs?: number | undefined;
}

/** Options of `event.add(handler, options)`. */
export interface AddOptions {
  /** Remove the handler just before its first call. */
  once?: boolean | undefined;
  /** Remove the handler when this signal aborts. An already aborted signal adds nothing. */
  signal?: AbortSignal | undefined;
  /** Higher runs first; equal priorities run in the order added. Default 0. */
  priority?: number | undefined;
}

/** A handler of an event with payload `A`. */
export type Handler<A extends unknown[]> = (...args: A) => unknown;

const DEFAULT_MAX_HANDLERS = 100;
/** Default of `maxWeakHandlers`. */
export const DEFAULT_MAX_WEAK_HANDLERS = 1000;
/**
 * A typed event: the publisher object of the essay. Handlers run synchronously, in order
 * of priority and then of addition, each with the typed payload.
 *
 * Semantics users trip over:
 * - Adding or removing handlers during a fire takes effect from the next fire, except that a
 *   handler removed before its turn is NOT called.
 * - Firing from inside a handler (re-entrancy) delivers the nested fire at once, depth-first,
 *   like Node's EventEmitter; the outer fire then goes on with its remaining handlers.
 * - The same function added twice is called twice; `remove(fn)` removes its latest registration.
 * - Plain functions are held strongly. Methods added with `{ target }` hold the target WEAKLY.
 *   Never pass a bound function (`obj.m.bind(obj)`) as a weak handler: nothing else holds it.
 *
 * @example
 * const started = new Event<[rpm: number]>('started');
 * const sub = started.add((rpm) => console.log(rpm));
 * started.fire(900);
 * sub.unsubscribe();
 */
export class Event<A extends unknown[] = []> implements Disposable {
  /** The declared name, given to reporters, traces and handlers that ask for {@link EventInfo}. */
  readonly name!: string;
  /** The object that owns the event, if any. */
  readonly source!: object | undefined;

  /**
   * Calls every handler synchronously with `args`. Under the default `'isolate'` policy it
   * never throws because of a handler. It may be detached: `const fire = event.fire` works.
   */
  fire!: (...args: A) => void;

  /** @internal The registrations (read by tests and the benchmark). */ readonly _list = new HandlerList();
  /** Calls the handlers: the tiers, the error policy, the installed dispatcher. */
  private readonly d: Dispatch = new Dispatch(this._list, this, (fire) => {
    this.fire = this.dispatcher(fire);
  });
  private maxHandlers!: number;
  private maxWeakHandlers!: number;
  private replay!: number;
  private readonly replayed: unknown[][] = [];
  private serial!: boolean;
  private trace: TraceHook | undefined;
  private warned = false;
  private warnedWeak = false;
  private timeoutMs: number | undefined;
  /** @internal Set by the container: runs once, before the first fire or fireAsync. */
  _beforeFirstFire: (() => void) | undefined = undefined;
  /** @internal Set when the container that created the event was disposed: what a fire throws. */
  private retired: string | undefined = undefined;
  private around: Around | undefined = undefined;
  /** What the constructor was given: a container that adopts the event fills in the rest. */
  private readonly givenName: string | undefined;
  private readonly givenOptions: EventOptions;
  /** @internal The options `configure` last took (see `_reconfigure`). */
  _options!: EventOptions;

  /**
   * @param name The event's name; defaults to `'event'`.
   * @param options Error policy, source, replay, tracing and the leak warning limit.
   */
  static {
    dispatchOf = (event) => event.d;
    setForwarder = (event, forwarder, around) => {
      event.d.forwarder = forwarder;
      event.around = around;
      // A disposed event keeps its `fire` (a retired one throws from it).
      if (!event._list.disposed) event.d.decompile();
    };
  }

  constructor(name?: string, options: EventOptions = {}) {
    this.givenName = name;
    this.givenOptions = options;
    this.configure(name ?? 'event', options);
  }

  /**
   * @internal A container takes the event over (an event made before the object was wired):
   * its name, source and options fill in what the constructor was not given.
   */
  _adopt(name: string, defaults: EventOptions): void {
    const given: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(this.givenOptions)) if (value !== undefined) given[key] = value;
    this.configure(this.givenName ?? name, { ...defaults, ...given });
    if (this.d.info !== undefined) this.d.info = Object.freeze({ name: this.name, source: this.source, event: this });
  }

  /**
   * @internal Puts back what `_adopt` changed, as `name`, `_options` and `_beforeFirstFire`
   * were before it: an adoption that failed is undone.
   */
  _reconfigure(name: string, options: EventOptions, beforeFirstFire: (() => void) | undefined): void {
    this._adopt(name, options);
    this._beforeFirstFire = beforeFirstFire;
  }

  private configure(name: string, options: EventOptions): void {
    if (typeof name !== 'string') {
      throw new InvalidArgumentError(`new Event(): the name must be a string, got ${safeString(name)}.`);
    }
    const where = `Event "${name}"`;
    checkErrorPolicy(options, where);
    const { maxHandlers = DEFAULT_MAX_HANDLERS, maxWeakHandlers = DEFAULT_MAX_WEAK_HANDLERS, replay = 0, async = 'concurrent' } = options;
    if (!(Number.isInteger(maxHandlers) && maxHandlers >= 0)) {
      throw new InvalidArgumentError(`${where}: maxHandlers must be a whole number (0 for no limit), got ${safeString(maxHandlers)}.`);
    }
    if (!(Number.isInteger(maxWeakHandlers) && maxWeakHandlers >= 0)) {
      throw new InvalidArgumentError(`${where}: maxWeakHandlers must be a whole number (0 for no limit), got ${safeString(maxWeakHandlers)}.`);
    }
    if (!(Number.isInteger(replay) && replay >= 0)) {
      throw new InvalidArgumentError(`${where}: replay must be a whole number of payloads, got ${safeString(replay)}.`);
    }
    if (async !== 'concurrent' && async !== 'serial') {
      throw new InvalidArgumentError(`${where}: async must be 'concurrent' or 'serial', got ${safeString(async)}.`);
    }
    if (options.trace !== undefined && typeof options.trace !== 'function') {
      throw new InvalidArgumentError(`${where}: trace must be a function, got ${safeString(options.trace)}.`);
    }
    checkTimeout(options.timeoutMs, where);
    (this as { name: string }).name = name;
    (this as { source: object | undefined }).source = options.source;
    this.timeoutMs = options.timeoutMs;
    this.maxHandlers = maxHandlers;
    this.maxWeakHandlers = maxWeakHandlers;
    this.replay = replay;
    this.serial = async === 'serial';
    this.trace = options.trace;
    this._options = options;
    // A new generic loop, installed as `fire` (it reads the quarantine setting once, when made).
    this.d.configure(options.errors ?? 'isolate', options.onError ?? defaultReporter, options.quarantine ?? 0);
  }

  /**
   * What `fire` is: the handlers' dispatcher itself when nothing surrounds it (no forwarder,
   * replay or trace), so that `fire` then costs nothing more; else behind the forwarder, with
   * the payload kept for replay and the dispatch traced.
   */
  private dispatcher(handlers: (...args: A) => void): (...args: A) => void {
    const dispatch = this.around === undefined ? handlers : this.around(handlers) as (...args: A) => void;
    if (this.trace === undefined && this.replay === 0) return dispatch;
    return (...args: A) => {
      if (this.replay > 0) this.remember(args);
      if (this.trace === undefined) return dispatch(...args);
      const handlers = this._list.size;
      const failuresBefore = this.d.failures;
      const started = performance.now();
      try {
        dispatch(...args);
      } finally {
        this.traced(handlers, started, failuresBefore, false);
      }
    };
  }

  /** Live handlers. Falls when a weakly held target is collected. */
  get size(): number {
    const list = this._list;
    if (list.weak > 0) list.sweep();   // finds the records of collected targets (see `HandlerList.sweep`)
    return list.size;
  }

  /** True after `dispose()`. */
  get isDisposed(): boolean {
    return this._list.disposed;
  }

  /**
   * Adds a handler. Returns its {@link Subscription}.
   *
   * With `{ target: obj }` the handler is called as a method of `obj` (`this === obj`) and
   * `obj` is held WEAKLY: once it is collected, the handler is dropped. It is collected only
   * while this event is quiet: a target called in a job stays alive until the job ends, so the
   * target of an event that fires in every job never is. Unsubscribe what you are done with. The handler itself is
   * held strongly, so pass a prototype method, NOT a closure or bound function that
   * captures `obj` (that would keep `obj` alive through the event).
   *
   * With `{ info: true }` the handler receives an {@link EventInfo} before the payload.
   */
  add(handler: Handler<A>, options?: AddOptions & { target?: undefined; info?: false }): Subscription;
  add(handler: (info: EventInfo<A>, ...args: A) => unknown, options: AddOptions & { target?: undefined; info: true }): Subscription;
  add<T extends object>(handler: (this: T, ...args: A) => unknown, options: AddOptions & { target: T; info?: false }): Subscription;
  add<T extends object>(handler: (this: T, info: EventInfo<A>, ...args: A) => unknown, options: AddOptions & { target: T; info: true }): Subscription;
  add(handler: (...args: any[]) => unknown, options?: AddOptions & { target?: object; info?: boolean }): Subscription {
    // Small enough for V8 to inline at the call site, where an options literal then costs
    // nothing: the commonest registrations, plain and `{ once: true }`, skip `_add`.
    const list = this._list;
    let record: HandlerRecord;
    if (list.disposed || typeof handler !== 'function') {
      return this._add(handler, options ?? {}, false);
    } else if (options === undefined) {
      record = new HandlerRecord(list, handler);
    } else if (options.once === true && options.target === undefined && options.info === undefined &&
      options.priority === undefined && options.signal === undefined) {
      record = new HandlerRecord(list.once(), handler);
    } else {
      return this._add(handler, options, false);
    }
    list.insert(record);
    if (this.maxHandlers !== 0 && list.size - list.weak > this.maxHandlers) this.warnIfCrowded();
    if (this.replayed.length > 0) this.replayTo(record);
    return record;
  }

  /**
   * @internal `add()`, with the target held strongly when `strong` is true: for a container
   * that owns the target and unwires it at a known moment.
   */
  _add(handler: (...args: any[]) => unknown, options: AddOptions & { target?: object; info?: boolean }, strong: boolean): Subscription {
    // The messages' prefix (`this.where()`) is built only when one is thrown.
    if (this._list.disposed) {
      throw new DisposedError(`${this.where()}: add() was called after the event was disposed. Add handlers before disposing, or create a new event.`);
    }
    if (typeof handler !== 'function') {
      throw new InvalidArgumentError(`${this.where()}: add() expects a function, got ${safeString(handler)}.`);
    }
    const { once = false, signal, priority = 0, target, info = false } = options;
    if (typeof priority !== 'number' || !Number.isFinite(priority)) {
      throw new InvalidArgumentError(`${this.where()}: priority must be a finite number, got ${safeString(priority)}.`);
    }
    if (target !== undefined && (target === null || (typeof target !== 'object' && typeof target !== 'function'))) {
      throw new InvalidArgumentError(`${this.where()}: target must be an object (it is held weakly), got ${safeString(target)}.`);
    }
    if (signal !== undefined && !(signal instanceof AbortSignal)) {
      throw new InvalidArgumentError(`${this.where()}: signal must be an AbortSignal, got ${safeString(signal)}.`);
    }
    if (signal?.aborted) return inactiveSubscription;

    const list = this._list;
    const weak = strong ? undefined : target;
    // A plain registration (no option) is a two-field record; anything else gets a state.
    const state = target === undefined && once !== true && info !== true && priority === 0 && signal === undefined
      ? undefined
      : new RecordState(list, LIVE | (once === true ? ONCE : 0) | (info === true ? INFO : 0), weak,
        priority === 0 && signal === undefined ? undefined : new RecordExtra(priority), strong ? target : undefined);
    const record = new HandlerRecord(state ?? list, handler);
    if (info === true && this.d.info === undefined) {
      this.d.info = Object.freeze({ name: this.name, source: this.source, event: this });
    }
    // Tracked so that, once this event is collected, its records turn inactive and long-lived
    // signals let go of them.
    if ((weak !== undefined || signal !== undefined) && !list.ownerTracked) {
      list.ownerTracked = true;
      trackOwner(this, list);
    }
    if (signal !== undefined) state!.extra!.detach = removeOnAbort(signal, list, record);
    list.insert(record);
    if (weak !== undefined) this.warnIfWeakCrowded(target!);
    else if (this.maxHandlers !== 0 && list.size - list.weak > this.maxHandlers) this.warnIfCrowded();
    if (this.replayed.length > 0) this.replayTo(record);
    return record;
  }

  /**
   * Removes the latest registration of `handler` (for `target`, when given).
   * Returns true if something was removed.
   */
  remove(handler: (...args: any[]) => unknown, target?: object): boolean {
    const list = this._list;
    // In registration order: `records` is, until a priority other than 0 is used.
    const order = list.order ?? list.records;
    for (let i = order.length - 1; i >= 0; i--) {
      const record = order[i];
      if (record.fn === handler && isLive(record) && (target === undefined || targetOf(record) === target)) {
        return list.remove(record);
      }
    }
    return false;
  }

  /** Removes every handler. */
  clear(): void {
    this._list.clear();
    this.d.decompile();   // the compiled dispatcher would keep the removed handlers until the next fire
  }

  /**
   * Removes every handler; later `add()` calls throw {@link DisposedError}. Firing an event you
   * disposed does nothing, as with any event that has no handler; but an event disposed with its
   * container throws {@link DisposedError} on `fire()` and `fireAsync()` (see `Container.dispose()`).
   */
  dispose(): void {
    this._list.clear();
    this.d.forwarder = this.around = undefined;
    this.d.decompile();
    this._list.disposed = true;
    this.replayed.length = 0;
  }

  /** Same as `dispose()`, for `using`. */
  [Symbol.dispose](): void {
    this.dispose();
  }

  /**
   * @internal Disposes the event because `owner` (its container) was disposed: from then on
   * `fire()` and `fireAsync()` throw a {@link DisposedError} that says so.
   */
  retire(owner: string): void {
    this.dispose();
    this.retired = `${this.where()} was fired after ${owner} was disposed: no handler ran. ` +
      'Fire events before dispose() (stop timers and servers first), or build a new container.';
    this.fire = () => { throw new DisposedError(this.retired!); };
  }

  /**
   * @internal Makes the next fire (or fireAsync) call `check` once first. Costs nothing after
   * that fire: the event's own dispatcher is put back.
   */
  checkBeforeFirstFire(check: () => void): void {
    let pending = true;
    const run = (): void => {
      if (!pending) return;
      pending = false;
      this._beforeFirstFire = undefined;
      try {
        check();
      } catch {
        // A check only warns: it never breaks a fire.
      }
    };
    this._beforeFirstFire = run;
    const dispatcher = this.fire;
    const first = (...args: A): void => {
      if (this.fire === first) this.fire = dispatcher;
      run();
      this.fire(...args);
    };
    this.fire = first;
  }

  /**
   * Calls every handler and waits for the promises they return: all at once, or one after
   * another with the `async: 'serial'` option. Failures, synchronous or rejected, follow
   * the error policy: `'isolate'` reports them and resolves, `'throw'` rejects with the
   * first one (other handlers already started still finish; their failures are reported),
   * `'collect'` rejects with one `AggregateError`. With the event option `timeoutMs`, it
   * rejects with a {@link FireAbortedError} once that time has passed (see `fireAsyncWith`).
   *
   * A forwarded event (see {@link forwardFires}: a remote event in a container with
   * `remoteEvents()`) resolves only once its forwarder settled (the broker STORED the event),
   * and REJECTS under every policy, `'isolate'` included, when it failed (`PublishError` and its
   * subclasses, `TransportClosedError`, or the codec's or validator's `InvalidArgumentError`).
   */
  fireAsync(...args: A): Promise<void> {
    return this.settle(args, this.timeoutMs, undefined);
  }

  /**
   * `fireAsync` with a bound: it rejects with a {@link FireAbortedError} naming the handlers
   * that had not settled when `options.signal` aborts or `options.timeoutMs` (default: the
   * event's `timeoutMs`) elapses. Those handlers keep running (JavaScript cannot stop them);
   * their later failures are reported to `onError`. An already aborted signal calls no handler.
   *
   * @example
   * await placed.fireAsyncWith({ timeoutMs: 2000, signal: request.signal }, order);
   */
  fireAsyncWith(options: FireAsyncOptions, ...args: A): Promise<void> {
    const where = `${this.where()}: fireAsyncWith()`;
    // A bad option rejects, as every failure of a fireAsync does (settle never throws).
    try {
      if (options === null || typeof options !== 'object') {
        throw new InvalidArgumentError(`${where} expects an options object first, got ${safeString(options)}.`);
      }
      const { signal, timeoutMs = this.timeoutMs } = options;
      checkTimeout(timeoutMs, where);
      if (signal !== undefined && !(signal instanceof AbortSignal)) {
        throw new InvalidArgumentError(`${where}: signal must be an AbortSignal, got ${safeString(signal)}.`);
      }
      return this.settle(args, timeoutMs, signal);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private async settle(args: A, timeoutMs: number | undefined, signal: AbortSignal | undefined): Promise<void> {
    if (this.retired !== undefined) throw new DisposedError(this.retired);
    this._beforeFirstFire?.();
    if (signal?.aborted) throw this.gaveUp(signal, undefined, new Set());
    const started = this.trace === undefined ? 0 : performance.now();
    const d = this.d;
    const failuresBefore = d.failures;
    const list = this._list;
    if (this.replay > 0) this.remember(args);
    // The forwarder first, as a plain record (see `forwardFires`).
    const forwarder = d.forwarder;
    const records = forwarder === undefined ? list.records : [forwarder, ...list.records];
    const n = records.length;   // handlers appended during this fire wait for the next one
    const handlers = list.size;
    // The targets of the records, held for the whole fire (weak ones are dereferenced now:
    // one collected before the fire started is marked dead at its turn).
    const targets = records.map(targetOf);
    // What the fire throws, and the failures in it (reported if the fire gives up).
    let errors: unknown[] | undefined;
    let collected: HandlerFailure[] | undefined;
    // Only a bounded fire keeps track of the handlers not settled yet, to name them.
    const bound = timeoutMs === undefined && signal === undefined ? undefined : bounded(timeoutMs, signal);
    const unsettled = bound === undefined ? undefined : new Set<HandlerRecord>();
    let abandoned = false;
    // What the forwarder returned, and whether it was withdrawn when the fire gave up (see `forwardFires`).
    let forwarded: unknown;
    let withdrawn = false;
    const fail = (record: HandlerRecord, error: unknown, async: boolean): void => {
      if (withdrawn && record === forwarder) return;   // the caller was told: its FireAbortedError says so
      // After the fire gave up nobody can receive it: reported. The forwarder's failure is
      // the caller's under every policy (see `forwardFires`).
      const failure = d.failed(record, error, async, abandoned, undefined, record === forwarder);
      if (failure === undefined) return;
      if (d.mode === 'throw' && errors !== undefined) {
        // A later failure of an already started handler: reported, unless quarantine just did.
        if (!failure.quarantined) report(d.onError, failure);
      } else {
        (errors ??= []).push(error);
        (collected ??= []).push(failure);
      }
    };
    const wait = async (promise: Promise<unknown>): Promise<void> => {
      if (bound === undefined) {
        await promise;
        return;
      }
      try {
        await Promise.race([promise, bound.promise]);
      } catch (reason) {
        abandoned = true;
        // Failures collected so far would be lost with the fire: reported.
        for (const failure of collected ?? []) report(d.onError, failure);
        // An unsettled forwarder is withdrawn if it can still be (see `forwardFires`). A withdraw
        // that throws is reported, and the caller still gets the FireAbortedError (not withdrawn).
        if (forwarder !== undefined && unsettled!.has(forwarder)) {
          try {
            withdrawn = withdrawals.get(forwarder)?.(forwarded) === true;
          } catch (error) {
            this.reportAside(error, `withdraw of ${describeHandler(forwarder)}`);
          }
        }
        throw this.gaveUp(signal, reason === TIMED_OUT ? timeoutMs : undefined, unsettled!, forwarder, withdrawn);
      }
    };
    const pending: Promise<void>[] = [];
    try {
      // Under 'throw' the first failure, synchronous or (serial) awaited, stops the fire.
      for (let i = 0; i < n && (errors === undefined || d.mode !== 'throw'); i++) {
        const record = records[i];
        targets[i] = undefined;   // its turn: from here `call` holds its target
        let result: unknown;
        try {
          result = call(d, list, record, args.length, args[0], args);
          if (record === forwarder) forwarded = result;
        } catch (error) {
          fail(record, error, false);
          continue;
        }
        // A success resets the consecutive failures (counted only under quarantine).
        if (!isThenable(result)) {
          resetFailures(record);
          continue;
        }
        unsettled?.add(record);
        const settled = Promise.resolve(result).then(
          () => { unsettled?.delete(record); resetFailures(record); },
          (error: unknown) => { unsettled?.delete(record); fail(record, error, true); });
        if (this.serial) await wait(settled);
        else pending.push(settled);
      }
      if (pending.length > 0) await wait(Promise.all(pending));
    } finally {
      bound?.release();
    }
    if (this.trace !== undefined) this.traced(handlers, started, failuresBefore, true);
    // Under 'isolate', `errors` holds only failures of the forwarder.
    if (errors !== undefined) throw d.mode === 'collect' ? d.aggregate(errors) : errors[0];
  }

  /**
   * The error of a bounded fireAsync that gave up with the `unsettled` records (none: before
   * calling any); `forwarder` is the fire's, `withdrawn` whether it was withdrawn.
   */
  private gaveUp(
    signal: AbortSignal | undefined, timedOutAfter: number | undefined, unsettled: ReadonlySet<HandlerRecord>, forwarder?: HandlerRecord, withdrawn = false,
  ): FireAbortedError {
    const why = timedOutAfter === undefined ? 'was aborted by its signal' : `gave up after ${timedOutAfter} ms (timeoutMs)`;
    // The forwarder is not a handler (see `forwardFires`): named apart, and not in `pending`.
    const pending = [...unsettled].filter((record) => record !== forwarder).map((record) => describeHandler(record));
    const parts = pending.length === 0 ? [] : [`${pending.length} handler(s) not settled: ${pending.join(', ')}`];
    if (forwarder !== undefined && unsettled.has(forwarder)) {
      parts.unshift(`its forwarding (${forwarder.fn.name || 'forwarder'}) ${withdrawn ? 'withdrawn: it was NOT sent' : 'not settled'}`);
    }
    const which = parts.length === 0 ? 'before calling any handler. Pass a signal that is not aborted yet.'
      : `with ${parts.join(', and ')}. ` + (withdrawn && pending.length === 0 ? 'Fire it again if it must go out, or raise timeoutMs.'
        : 'They keep running and their failures are reported to onError; ' +
          (withdrawn ? 'the event did not go out: fire it again if it must (its handlers here run again), or raise timeoutMs.'
            : 'make them settle sooner, or raise timeoutMs.'));
    return new FireAbortedError(`${this.where()}: fireAsync() ${why} ${which}`, pending, timedOutAfter === undefined ? { cause: signal?.reason } : undefined);
  }

  /** Calls the trace hook for a dispatch that started at `started` (`performance.now()`), when the failure count was `failuresBefore`. */
  private traced(handlers: number, started: number, failuresBefore: number, async: boolean): void {
    const failures = this.d.failures - failuresBefore;
    try {
      this.trace!({ event: this, name: this.name, source: this.source, handlers, durationMs: performance.now() - started, failures, async });
    } catch (error) {
      this.reportAside(error, 'trace hook');
    }
  }

  /** Reports what a hook of this event that is not a handler threw (`what`: the trace hook, a forwarder's withdraw). */
  private reportAside(error: unknown, what: string): void {
    report(this.d.onError, { error, eventName: this.name, source: this.source, handler: what, async: false, quarantined: false });
  }

  private remember(args: unknown[]): void {
    this.replayed.push(args.slice());
    if (this.replayed.length > this.replay) this.replayed.shift();
  }

  private replayTo(record: HandlerRecord): void {
    for (const args of this.replayed) {
      if (!isLive(record)) return;
      deliverOne(this.d, record, args);
    }
  }

  /** `Event "name" of Class`, for messages; built only when one is needed. */
  private where(): string {
    return describeEvent(this.name, this.source);
  }

  /** Called when the strongly held handlers exceed `maxHandlers` (its callers test that inline). */
  private warnIfCrowded(): void {
    const list = this._list;
    if (this.warned) return;
    this.warned = true;
    emitWarning(
      `${this.where()} has ${list.size - list.weak} strongly held handlers (limit ${this.maxHandlers}): ` +
      'a possible leak. Unsubscribe handlers you no longer need, or raise maxHandlers (0 turns this off).',
      'MaxHandlersExceededWarning', 'EVENTWIRE_MAX_HANDLERS');
  }

  private warnIfWeakCrowded(target: object): void {
    const list = this._list;
    if (this.warnedWeak || this.maxWeakHandlers === 0 || list.weak <= this.maxWeakHandlers) return;
    list.sweep();   // `weak` counts the records of collected targets not found yet
    if (list.weak <= this.maxWeakHandlers) return;
    this.warnedWeak = true;
    emitWarning(
      `${this.where()} holds ${list.weak} handlers of weakly held subscribers (limit ${this.maxWeakHandlers}), the latest of ${className(target)}. ` +
      'Weakly held subscribers are collected only while their event is quiet, so on a busy event they pile up. Give them an owner ' +
      'that unwires them: build them in a child scope (using scope = container.createChild()) and dispose it, or release() them; ' +
      'or raise maxWeakHandlers (0 turns this off).',
      'WeakHandlersWarning', 'EVENTWIRE_WEAK_HANDLERS');
  }
}

/** Checks a `timeoutMs` option, naming `where` in the message. */
function checkTimeout(timeoutMs: unknown, where: string): void {
  if (timeoutMs !== undefined && !(typeof timeoutMs === 'number' && timeoutMs > 0 && timeoutMs <= 2 ** 31 - 1)) {
    throw new InvalidArgumentError(`${where}: timeoutMs must be a number of milliseconds above 0 (at most 2147483647), got ${safeString(timeoutMs)}.`);
  }
}

/** Rejects with it when the timeout of a bounded fireAsync elapses. */
const TIMED_OUT = Symbol('timed out');

/** A promise that rejects when `signal` aborts or `timeoutMs` elapses; `release()` stops both. */
function bounded(timeoutMs: number | undefined, signal: AbortSignal | undefined): { promise: Promise<never>; release: () => void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onAbort: (() => void) | undefined;
  const promise = new Promise<never>((_, reject) => {
    if (timeoutMs !== undefined) timer = setTimeout(() => reject(TIMED_OUT), timeoutMs);
    onAbort = () => reject(signal!.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  // Raced at every wait; never left unhandled in between.
  promise.catch(() => undefined);
  return {
    promise,
    release: () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort!);
    },
  };
}

/**
 * Removes `record` when `signal` aborts; returns what undoes that. Module-level so the
 * listener captures only the list and the record, never the event or its source.
 */
function removeOnAbort(signal: AbortSignal, list: HandlerList, record: HandlerRecord): () => void {
  const onAbort = (): void => { list.remove(record); };
  signal.addEventListener('abort', onAbort, { once: true });
  return () => signal.removeEventListener('abort', onAbort);
}
