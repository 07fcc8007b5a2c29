import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Redis, type RedisOptions } from 'ioredis';
import { safeString } from '../core/describe';
import { InvalidArgumentError } from '../core/errors';
import type { Consumer, EncodedEnvelope, Transport, TransportSubscription } from '../remote/transport';
import { BrokerError, PayloadTooLargeError, PublishBufferFullError, PublishError, TransportClosedError } from '../remote/errors';
import { StreamConsumer, within } from './consumer';
import { streamKey, toFields } from './fields';
import { RedisIdempotencyStore } from './idempotency';
import { resolveOptions, type RedisTransportOptions, type ResolvedOptions } from './options';

/**
 * A {@link Transport} over Redis Streams (Redis 6.2 or later), on `ioredis`.
 *
 * Guarantees: at-least-once delivery to every consumer group, turned into effectively-once
 * handling by deduplication on the envelope id (kept in Redis, shared by all consumers).
 * No ordering across the consumers of a group. See docs/remote.md.
 *
 * - Publishing never waits: while the broker is unreachable, publishes are buffered in memory
 *   up to `maxPendingPublishes`, then `publish` THROWS `PublishBufferFullError` synchronously.
 *   Buffered publishes are lost if the process exits before the broker comes back.
 * - Consumers read on their own connection with a finite `BLOCK`, and resume by themselves
 *   after the broker restarts.
 *
 * @example
 * const transport = new RedisTransport({ connection: 'redis://127.0.0.1:6379' });
 * const app = new Container({ extensions: [remoteEvents({ transport, namespace: 'shop' })] });
 * // ...
 * await app.disposeAsync();   // drains handlers, closes the transport
 */
export class RedisTransport implements Transport {
  /** See {@link Transport.description}, e.g. `redis://127.0.0.1:6379`. */
  readonly description: string;
  /** Handled envelope ids, in Redis. */
  readonly idempotency: RedisIdempotencyStore;
  private readonly options: ResolvedOptions;
  private readonly command: Redis;
  private readonly blocking = new Set<Redis>();
  private readonly consumers = new Set<StreamConsumer>();
  /** Unconfirmed publishes: each one's settled promise, and how to fail it at close. */
  private readonly publishes = new Map<Promise<void>, (error: Error) => void>();
  private closing: Promise<void> | undefined;
  private closed = false;
  private connected = false;
  private everConnected = false;
  private reportedDown = false;
  private downSince = 0;

  /** @param options Where the broker is, and the delivery limits. Connecting starts at once. */
  constructor(options: RedisTransportOptions = {}) {
    this.options = resolveOptions(options, `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`);
    this.command = this.connect({});
    const { host, port } = this.command.options;
    this.description = `redis://${host ?? '127.0.0.1'}:${port ?? 6379}`;
    this.command.on('ready', () => {
      if (this.reportedDown && !this.closed) {
        this.report(new BrokerError(
          `${this.everConnected ? 'Connected again to' : 'Connected to'} ${this.description} after ${Date.now() - this.downSince} ms: the ${this.publishes.size} buffered publish(es) ` +
          'are being sent, and consumers read again.'));
      }
      // One listener for all: a listener per consumer would trip EventEmitter's leak warning.
      this.idempotency.renew();
      for (const consumer of this.consumers) consumer.commandReady(this.everConnected);
      this.connected = true;
      this.everConnected = true;
      this.reportedDown = false;
    });
    this.command.on('close', () => {
      if (this.connected) this.reportDown('the connection closed');
      this.connected = false;
    });
    this.command.on('error', (error: Error) => this.reportDown(error.message, error));
    // The lease of an id lapses (2/3 claimIdleMs after its holder died) before its message can be
    // taken over (claimIdleMs): the consumer that takes it over finds the id free at once.
    const leaseMs = Math.max(1, Math.floor((this.options.claimIdleMs * 2) / 3));
    this.idempotency = new RedisIdempotencyStore(this.command, `${this.options.prefix}:seen`, leaseMs, this.options.dedupTtlMs);
  }

  /** Publishes not yet confirmed by the broker. */
  get pendingPublishes(): number {
    return this.publishes.size;
  }

  /** See {@link Transport.publish}: `XADD` to `<prefix>:<namespace>:<event>`. */
  publish(envelope: EncodedEnvelope): Promise<void> {
    const what = `remote event "${envelope.name}" (id ${envelope.id})`;
    if (this.closed) {
      throw new TransportClosedError(`Cannot publish ${what}: the Redis transport ${this.description} is closed. Publish before disposing the container.`);
    }
    const { maxPayloadBytes, maxPendingPublishes, retentionMs, maxStreamLength } = this.options;
    // A UTF-8 byte is at most one UTF-16 unit, and a unit at most three bytes: count only near the limit.
    if (envelope.payload.length * 3 > maxPayloadBytes) {
      const bytes = Buffer.byteLength(envelope.payload, 'utf8');
      if (bytes > maxPayloadBytes) {
        throw new PayloadTooLargeError(
          `Cannot publish ${what}: its encoded payload is ${bytes} bytes, over the Redis transport's maxPayloadBytes ` +
          `(${maxPayloadBytes}); every subscriber would hold it in memory. Publish a reference to the data (a key, a URL) ` +
          'instead, or raise maxPayloadBytes.');
      }
    }
    if (this.publishes.size >= maxPendingPublishes) {
      const state = this.connected ? '' : this.reportedDown ? ', which is unreachable' : ', whose connection is still opening';
      throw new PublishBufferFullError(
        `Cannot publish ${what}: ${this.publishes.size} earlier publishes are still waiting for ${this.description}` +
        `${state} (maxPendingPublishes = ${maxPendingPublishes}). ` +
        'This event was NOT published: retry it later, publish more slowly (await fireAsync), or raise maxPendingPublishes.');
    }
    const key = streamKey(this.options.prefix, envelope.namespace, envelope.name);
    // One strategy per XADD: by length when asked, else by age (stream ids start with their time in ms).
    const trim = maxStreamLength !== undefined ? ['MAXLEN', '~', maxStreamLength]
      : retentionMs > 0 ? ['MINID', '~', Math.max(0, Date.now() - retentionMs)] : [];
    let fail!: (error: Error) => void;
    const stored = new Promise<void>((resolve, reject) => {
      fail = reject;
      this.command.call('XADD', key, ...trim, '*', ...toFields(envelope)).then(
        () => resolve(),
        (cause: unknown) => reject(new PublishError(`The ${what} was NOT stored in ${key} on ${this.description}: ${message(cause)}.`, { cause })));
    });
    const settled = stored.then(() => undefined, () => undefined);
    this.publishes.set(settled, (error) => fail(new PublishError(`The ${what} ${error.message}`, { cause: error })));
    void settled.then(() => this.publishes.delete(settled));
    return stored;
  }

  /** See {@link Transport.subscribe}. */
  subscribe(subscription: TransportSubscription): Consumer {
    if (this.closed) {
      throw new TransportClosedError(`Cannot subscribe group ${subscription.group} to "${subscription.event}": the Redis transport ${this.description} is closed.`);
    }
    const consumer = new StreamConsumer({
      command: this.command,
      options: this.options,
      openBlocking: () => this.openBlocking(),
      report: (error) => this.report(error),
    }, subscription);
    this.consumers.add(consumer);
    return consumer;
  }

  /** Resolves once every consumer started so far has its group and reads. */
  async ready(): Promise<void> {
    await Promise.all([...this.consumers].map((c) => c.ready));
  }

  /** See {@link Transport.close}. */
  close(): Promise<void> {
    return this.closing ??= this.shutDown();
  }

  private async shutDown(): Promise<void> {
    // Handlers drained here may still publish follow-up events.
    await Promise.all([...this.consumers].map((c) => c.close()));
    this.closed = true;
    this.idempotency.close();
    const flushed = this.publishes.size === 0 ||
      await within(Promise.all(this.publishes.keys()), this.options.closeTimeoutMs).then(() => true, () => false);
    if (!flushed) {
      // Fails the buffered publishes: each one is reported to its event's onError. (ioredis
      // would leave its queued commands unsettled when disconnected while reconnecting.)
      const stranded = this.publishes.size;
      const reason = new Error(`was not confirmed by ${this.description} within closeTimeoutMs when the transport closed: it was probably NOT published.`);
      for (const fail of this.publishes.values()) fail(reason);
      await Promise.all(this.publishes.keys());
      this.command.disconnect();
      this.report(new PublishError(
        `Closed the Redis transport with ${stranded} publish(es) the broker ${this.description} never confirmed ` +
        `within closeTimeoutMs (${this.options.closeTimeoutMs} ms): those events were probably NOT published ` +
        '(one sent just before the connection dropped may have been stored).'));
    } else if (this.command.status === 'ready') {
      await within(this.command.quit(), 2000).catch(() => this.command.disconnect());
    } else {
      this.command.disconnect();
    }
    for (const connection of this.blocking) connection.disconnect();
    // Lets the connections' disconnect timers (disconnectTimeout 0, set above) run out first:
    // once close() resolved, the transport holds no timer (timers of one length run in order).
    await new Promise((resolve) => setTimeout(resolve, 1));
  }

  private openBlocking(): Redis {
    const connection = this.connect({
      autoResendUnfulfilledCommands: false,
      blockingTimeout: this.options.blockMs + 5000,
      blockingTimeoutGrace: 2000,
    });
    connection.on('error', () => undefined);   // the command connection reports outages
    connection.on('end', () => this.blocking.delete(connection));
    this.blocking.add(connection);
    return connection;
  }

  private connect(extra: RedisOptions): Redis {
    // disconnectTimeout 0: ioredis's disconnect() keeps a timer of that length until the socket
    // emits 'close', which a socket that already failed (broker down) never does again: with its
    // default (2 s) the process would stay alive that long after disposeAsync() resolved.
    const overrides: RedisOptions = { maxRetriesPerRequest: null, enableOfflineQueue: true, disconnectTimeout: 0, ...extra };
    const { connection } = this.options;
    if (connection === undefined) return new Redis(overrides);
    if (typeof connection === 'string') return new Redis(connection, overrides);
    if (typeof (connection as Redis).duplicate === 'function') return (connection as Redis).duplicate(overrides);
    if (typeof connection === 'object' && connection !== null) return new Redis({ ...(connection as RedisOptions), ...overrides });
    throw new InvalidArgumentError(`new RedisTransport(): connection must be a redis:// URL, ioredis options or an ioredis client, got ${safeString(connection)}.`);
  }

  /** Reports an outage once, until the connection is ready again. */
  private reportDown(reason: string, cause?: Error): void {
    if (this.reportedDown || this.closed) return;
    this.reportedDown = true;
    this.downSince = Date.now();
    this.report(new BrokerError(
      `${this.everConnected ? 'Lost the connection to' : 'Cannot connect to'} ${this.description} (${reason}). ` +
      `Reconnecting; meanwhile publishes are buffered (up to maxPendingPublishes = ${this.options.maxPendingPublishes}) and consumers wait.`,
      { cause }));
  }

  private report(error: Error): void {
    try {
      this.options.onError(error);
    } catch {
      process.stderr.write(`eventwire/redis: ${error.message}\n`);
    }
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : safeString(error);
}

