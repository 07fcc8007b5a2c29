import { InvalidArgumentError } from './errors';
import { writeError } from './environment';
import { className, safeString } from './describe';

/**
 * What an event does when a handler throws or its returned promise rejects.
 * - `'isolate'` (default): every handler runs; each failure goes to the `onError` reporter.
 * - `'throw'`: the first failure stops the fire and is thrown to the caller, as it was thrown.
 * - `'collect'`: every handler runs, then one `AggregateError` of all failures is thrown.
 *
 * A promise that rejects after a synchronous `fire()` has returned cannot be thrown to its
 * caller any more: under every mode it goes to `onError`. Use `fireAsync()` to have
 * rejections thrown or collected too.
 */
export type ErrorMode = 'isolate' | 'throw' | 'collect';

/** Everything known about one handler failure, as given to an {@link ErrorReporter}. */
export interface HandlerFailure {
  /** What the handler threw, or why its promise rejected. */
  readonly error: unknown;
  /** The name of the event that was being delivered. */
  readonly eventName: string;
  /** The object that owns the event, if known. */
  readonly source: object | undefined;
  /** The handler, as `Class.method` for methods of objects, else the function's name. */
  readonly handler: string;
  /** True when the handler returned a promise that rejected. */
  readonly async: boolean;
  /** True when this failure made the handler reach its quarantine limit: it has been removed. */
  readonly quarantined: boolean;
}

/**
 * Receives handler failures under the `'isolate'` mode, rejections that arrive after
 * `fire()` returned, and quarantine notices. A reporter that throws is ignored (the
 * default reporter is then used), so reporting can never break a fire.
 */
export type ErrorReporter = (failure: HandlerFailure) => void;

/** Error handling options shared by events and containers. */
export interface ErrorPolicyOptions {
  /** What a failing handler does to the fire. Default `'isolate'`. */
  errors?: ErrorMode | undefined;
  /** Where failures are reported. Default: one line and the stack on stderr. */
  onError?: ErrorReporter | undefined;
  /**
   * Remove a handler after this many consecutive failures (a success resets the count),
   * and report it once with `quarantined: true`. Default: never.
   */
  quarantine?: number | undefined;
}

/** Writes one clear line and the stack to stderr (`console.error` where there is no `process`). Never throws. */
export const defaultReporter: ErrorReporter = (failure) => {
  try {
    const what = failure.async ? 'rejected' : 'threw';
    const from = failure.source ? ` of ${className(failure.source)}` : '';
    const removed = failure.quarantined ? ' (quarantined: the handler was removed)' : '';
    const error = failure.error;
    const detail = error instanceof Error ? (error.stack ?? String(error)) : safeString(error);
    writeError(
      `eventwire: handler ${failure.handler} of event "${failure.eventName}"${from} ${what}${removed}\n` +
      `${detail}\n`);
  } catch {
    // Reporting must never break a fire.
  }
};

/** Calls `reporter`, falling back to the default reporter if it throws. */
export function report(reporter: ErrorReporter, failure: HandlerFailure): void {
  try {
    reporter(failure);
  } catch (reporterError) {
    defaultReporter(failure);
    defaultReporter({ ...failure, error: reporterError, handler: `onError reporter (while reporting ${failure.handler})` });
  }
}

/** Checks error policy options, naming `where` in the message. */
export function checkErrorPolicy(options: ErrorPolicyOptions, where: string): void {
  const { errors, onError, quarantine } = options;
  if (errors !== undefined && errors !== 'isolate' && errors !== 'throw' && errors !== 'collect') {
    throw new InvalidArgumentError(
      `${where}: errors must be 'isolate', 'throw' or 'collect', got ${safeString(errors)}.`);
  }
  if (onError !== undefined && typeof onError !== 'function') {
    throw new InvalidArgumentError(`${where}: onError must be a function, got ${safeString(onError)}.`);
  }
  if (quarantine !== undefined && !(Number.isInteger(quarantine) && quarantine > 0)) {
    throw new InvalidArgumentError(
      `${where}: quarantine must be a whole number of failures above 0, got ${safeString(quarantine)}.`);
  }
}
