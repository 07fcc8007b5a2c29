import type { TraceHook, TraceRecord } from './event';
import { className, safeString } from './describe';
import { InvalidArgumentError } from './errors';
import { environment, writeError } from './environment';

/**
 * A ready-made trace hook: one line per dispatch, for `new Container({ trace })`,
 * `new Event(name, { trace })`, or the `EVENTWIRE_TRACE` environment variable.
 */

/** Options of {@link traceLogger}. */
export interface TraceLoggerOptions {
  /** Where each line goes (without a newline). Default: stderr, so traces never mix with a program's output. */
  write?: (line: string) => void;
  /** Log every dispatch. Default true; false logs dead events only. */
  dispatches?: boolean;
  /** Mark fires that reached no handler at all ("dead events", as Guava calls them). Default true. */
  deadEvents?: boolean;
}

/**
 * A trace hook that logs each dispatch as one line: source class, event, `fire` or
 * `fireAsync`, handler count, duration and failures, e.g.
 * `[eventwire] Checkout.orderPlaced fireAsync: 3 handlers, 20.412 ms, 1 failed`.
 * A fire that reached no handler ends with `(dead event)`.
 *
 * @example
 * const app = new Container({ trace: traceLogger() });
 * const deadOnly = new Container({ trace: traceLogger({ dispatches: false }) });
 */
export function traceLogger(options: TraceLoggerOptions = {}): TraceHook {
  const { write = writeToStderr, dispatches = true, deadEvents = true } = options;
  if (typeof write !== 'function') throw new InvalidArgumentError(`traceLogger(): write must be a function, got ${safeString(write)}.`);
  if (!dispatches && !deadEvents) {
    throw new InvalidArgumentError('traceLogger(): with dispatches and deadEvents both false it would log nothing. Leave the trace hook out instead.');
  }
  return logger(write, dispatches, deadEvents);
}

/**
 * The trace hook asked for by the environment, or undefined (no hook, so no cost) when
 * tracing is off. `EVENTWIRE_TRACE=1` (any value but `0`, `false`, `off`, `no` or empty)
 * logs every dispatch; `EVENTWIRE_TRACE=dead` logs only fires that reached no handler.
 *
 * @param env The environment to read; defaults to `process.env` (none where there is no `process`).
 */
export function traceFromEnv(env: Readonly<Record<string, string | undefined>> = environment()): TraceHook | undefined {
  const value = (env.EVENTWIRE_TRACE ?? '').trim().toLowerCase();
  if (value === '' || value === '0' || value === 'false' || value === 'off' || value === 'no') return undefined;
  return logger(writeToStderr, value !== 'dead', true);
}

/**
 * The hook of {@link traceLogger}, its options checked; `traceFromEnv`, the container's default,
 * calls it directly, so that a bundle without `traceLogger` leaves the checks out.
 */
function logger(write: (line: string) => void, dispatches: boolean, deadEvents: boolean): TraceHook {
  // Never both false (traceLogger checks it; traceFromEnv marks dead events): without
  // dispatches, only dead events are logged.
  return (record) => {
    if (dispatches || record.handlers === 0) write(formatTrace(record, deadEvents));
  };
}

/** One dispatch as one line. */
function formatTrace(record: TraceRecord, markDead: boolean): string {
  const where = record.source === undefined ? record.name : `${className(record.source)}.${record.name}`;
  const handlers = `${record.handlers} handler${record.handlers === 1 ? '' : 's'}`;
  const dead = markDead && record.handlers === 0 ? ' (dead event)' : '';
  return `[eventwire] ${where} ${record.async ? 'fireAsync' : 'fire'}: ${handlers}, ${record.durationMs.toFixed(3)} ms, ${record.failures} failed${dead}`;
}

function writeToStderr(line: string): void {
  writeError(`${line}\n`);
}
