import type { Redis, RedisOptions } from 'ioredis';
import { InvalidArgumentError } from '../core/errors';
import { safeString } from '../core/describe';

/** Options of `new RedisTransport(options)`. Every time is in milliseconds. */
export interface RedisTransportOptions {
  /**
   * The broker: a `redis://` URL, ioredis options, or an ioredis client whose settings are copied
   * (the transport opens its own connections and never closes yours). Default `redis://127.0.0.1:6379`.
   */
  connection?: string | RedisOptions | Redis;
  /** Prefix of every key the transport writes. Default `'eventwire'`. */
  prefix?: string;
  /** This process's consumer name in its groups. Default `host:pid:random`, unique per transport. */
  consumerName?: string;
  /**
   * Handlers of one subscription (consumer group) running at once in this process. Default 16.
   * `1` handles one stream's events in order (a failing one is retried before the next), as long
   * as one process runs the group and no message is reclaimed from a crashed consumer.
   */
  maxInFlight?: number;
  /** Deliveries of a failing message before it is dead-lettered. Default 5. */
  maxAttempts?: number;
  /** Delay before the first retry of a failing message; it doubles for each retry, up to 30 s. Default 200. */
  retryDelayMs?: number;
  /**
   * A message a consumer holds for this long without renewing it (the consumer crashed) is
   * reclaimed by another consumer of its group. Live handlers renew their messages every third
   * of it, so a slow handler keeps its message; but a handler that BLOCKS the event loop for
   * longer (synchronous work) cannot renew, and its message is run again elsewhere: raise it
   * then. Two thirds of it is the lease of an envelope id being handled. Default 3000: a crashed consumer's
   * messages are handled elsewhere within about 4/3 × claimIdleMs.
   */
  claimIdleMs?: number;
  /** How often each consumer looks for such messages. Default `claimIdleMs / 3`. */
  claimIntervalMs?: number;
  /** The `BLOCK` of each `XREADGROUP`: the longest a read waits, so a lost connection is noticed. Default 2000. */
  blockMs?: number;
  /**
   * Publishes the broker has not confirmed yet (buffered during an outage). One more THROWS
   * `PublishBufferFullError` synchronously: nothing is dropped silently. Default 10 000.
   */
  maxPendingPublishes?: number;
  /** Where a consumer group created now starts: at `'new'` events (default) or the stream's `'beginning'`. */
  startFrom?: 'new' | 'beginning';
  /**
   * How long stream entries are kept: each publish trims entries older than this from its
   * stream (`XADD MINID ~ <now - retentionMs>`), so streams stay bounded by age. A group that is
   * stopped for longer never sees what was trimmed. `0` keeps entries forever. Default 24 h.
   */
  retentionMs?: number;
  /**
   * Trim each stream to about this many entries on publish (`XADD MAXLEN ~`) INSTEAD of by age
   * (`retentionMs`). Default: by age. Trimming removes entries that slow or stopped groups have
   * not read yet.
   */
  maxStreamLength?: number;
  /**
   * How long handled envelope ids are remembered to drop duplicates. Default `retentionMs`
   * (24 h when that is 0): as long as an entry can still be delivered.
   */
  dedupTtlMs?: number;
  /**
   * The largest encoded payload, in bytes (UTF-8), that `publish` accepts; a larger one THROWS
   * `PayloadTooLargeError` synchronously (every subscriber would hold it in memory). Default
   * 1 MiB: send a reference (a key, a URL) to larger data.
   */
  maxPayloadBytes?: number;
  /**
   * The longest a publish waits for the broker to confirm it; `await fireAsync()` of a remote
   * event then rejects with a `PublishError` naming the event and the broker. A publish still
   * buffered then (the broker unreachable) is WITHDRAWN: it is never sent later, so retrying it
   * cannot duplicate it. One already sent may still be stored (the error says so). Set it below
   * your request timeout on request paths. Default 10 000.
   */
  publishTimeoutMs?: number;
  /** How long `close()` waits for handlers in flight and for unconfirmed publishes. Default 10 000. */
  closeTimeoutMs?: number;
  /**
   * Background problems: a lost connection (once per outage), dead-lettered messages, retries
   * of failed reads. Default: one line on stderr.
   */
  onError?: (error: Error) => void;
}

/** Options with every default filled in. */
export type ResolvedOptions = Required<Omit<RedisTransportOptions, 'connection' | 'maxStreamLength'>> &
  Pick<RedisTransportOptions, 'connection' | 'maxStreamLength'>;

/** Fills in defaults and checks every option, naming it in the error. */
export function resolveOptions(options: RedisTransportOptions, consumerName: string): ResolvedOptions {
  if (options === null || typeof options !== 'object') {
    throw new InvalidArgumentError(`new RedisTransport(): options must be an object, got ${safeString(options)}.`);
  }
  const claimIdleMs = options.claimIdleMs ?? 3000;
  const retentionMs = options.retentionMs ?? DAY;
  const resolved: ResolvedOptions = {
    connection: options.connection,
    prefix: options.prefix ?? 'eventwire',
    consumerName: options.consumerName ?? consumerName,
    maxInFlight: options.maxInFlight ?? 16,
    maxAttempts: options.maxAttempts ?? 5,
    retryDelayMs: options.retryDelayMs ?? 200,
    claimIdleMs,
    claimIntervalMs: options.claimIntervalMs ?? Math.max(10, Math.floor(claimIdleMs / 3)),
    blockMs: options.blockMs ?? 2000,
    maxPendingPublishes: options.maxPendingPublishes ?? 10_000,
    startFrom: options.startFrom ?? 'new',
    retentionMs,
    maxStreamLength: options.maxStreamLength,
    dedupTtlMs: options.dedupTtlMs ?? (retentionMs === 0 ? DAY : retentionMs),
    maxPayloadBytes: options.maxPayloadBytes ?? 1024 * 1024,
    publishTimeoutMs: options.publishTimeoutMs ?? 10_000,
    closeTimeoutMs: options.closeTimeoutMs ?? 10_000,
    onError: options.onError ?? ((error) => { process.stderr.write(`eventwire/redis: ${error.message}\n`); }),
  };
  const counts = ['maxInFlight', 'maxAttempts', 'maxPendingPublishes', 'maxPayloadBytes'] as const;
  for (const name of counts) whole(name, resolved[name], 1);
  const times = ['retryDelayMs', 'retentionMs', 'claimIdleMs', 'claimIntervalMs', 'blockMs', 'dedupTtlMs', 'publishTimeoutMs', 'closeTimeoutMs'] as const;
  for (const name of times) whole(name, resolved[name], name === 'retryDelayMs' || name === 'retentionMs' ? 0 : 1);
  if (resolved.maxStreamLength !== undefined) whole('maxStreamLength', resolved.maxStreamLength, 1);
  for (const name of ['prefix', 'consumerName'] as const) {
    if (typeof resolved[name] !== 'string' || resolved[name] === '') {
      throw new InvalidArgumentError(`new RedisTransport(): ${name} must be a non-empty string, got ${safeString(resolved[name])}.`);
    }
  }
  if (resolved.startFrom !== 'new' && resolved.startFrom !== 'beginning') {
    throw new InvalidArgumentError(`new RedisTransport(): startFrom must be 'new' or 'beginning', got ${safeString(resolved.startFrom)}.`);
  }
  if (typeof resolved.onError !== 'function') {
    throw new InvalidArgumentError(`new RedisTransport(): onError must be a function, got ${safeString(resolved.onError)}.`);
  }
  return resolved;
}

const DAY = 24 * 3600_000;

function whole(name: string, value: unknown, min: number): void {
  if (!(Number.isInteger(value) && (value as number) >= min)) {
    throw new InvalidArgumentError(`new RedisTransport(): ${name} must be a whole number from ${min}, got ${safeString(value)}.`);
  }
}
