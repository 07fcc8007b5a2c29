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
 * - No publish waits for the broker longer than `publishTimeoutMs` (10 s): one still buffered
 *   then is withdrawn (never sent later) and its promise rejects with a `PublishError`.
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
  /** Publishes the broker has not confirmed, oldest (so earliest deadline) first. */
  private readonly unconfirmed = new Set<Publish>();
  /** How many of them are still buffered here, not sent yet: those can be withdrawn. */
  private unsent = 0;
  /** The unconfirmed publish behind each promise `publish` returned, for `withdraw`. */
  private readonly byPromise = new WeakMap<Promise<void>, Publish>();
  /** Fires at the oldest unconfirmed publish's deadline (publishTimeoutMs); none while nothing is unconfirmed. */
  private deadlineTimer: NodeJS.Timeout | undefined;
  /** Called once no publish is unconfirmed (close waits for it). */
  private whenNoneUnconfirmed: (() => void)[] = [];
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
          `${this.everConnected ? 'Connected again to' : 'Connected to'} ${this.description} after ${Date.now() - this.downSince} ms: the ${this.unsent} buffered publish(es) ` +
          'are being sent, and consumers read again.'));
      }
      this.sendBuffered();
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

  /** Publishes not yet confirmed by the broker (buffered, or sent and not answered yet). */
  get pendingPublishes(): number {
    return this.unconfirmed.size;
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
    if (this.unconfirmed.size >= maxPendingPublishes) {
      throw new PublishBufferFullError(
        `Cannot publish ${what}: ${this.unconfirmed.size} earlier publishes are still waiting for ${this.description}` +
        `${this.state()} (maxPendingPublishes = ${maxPendingPublishes}). ` +
        'This event was NOT published: retry it later, publish more slowly (await fireAsync), or raise maxPendingPublishes.');
    }
    const key = streamKey(this.options.prefix, envelope.namespace, envelope.name);
    // One strategy per XADD: by length when asked, else by age (stream ids start with their time in ms).
    const trim = maxStreamLength !== undefined ? ['MAXLEN', '~', maxStreamLength]
      : retentionMs > 0 ? ['MINID', '~', Math.max(0, Date.now() - retentionMs)] : [];
    let publish!: Publish;
    const stored = new Promise<void>((resolve, reject) => {
      publish = { what, key, args: [...trim, '*', ...toFields(envelope)], deadline: Date.now() + this.options.publishTimeoutMs, sent: false, resolve, reject };
    });
    this.unconfirmed.add(publish);
    this.byPromise.set(stored, publish);
    // Sent at once when connected (after any still buffered, to keep the order); else when the connection is ready.
    if (this.command.status !== 'ready') this.unsent++;
    else if (this.unsent === 0) this.send(publish);
    else {
      this.unsent++;
      this.sendBuffered();
    }
    this.deadlineTimer ??= setTimeout(() => this.expire(), this.options.publishTimeoutMs);
    return stored;
  }

  /**
   * See {@link Transport.withdraw}: a publish still buffered here (the broker unreachable, or
   * earlier publishes still buffered) is withdrawn, never sent; one already sent is not.
   */
  withdraw(published: Promise<void>): boolean {
    const publish = this.byPromise.get(published);
    if (publish === undefined || publish.sent || !this.unconfirmed.has(publish)) return false;
    this.settle(publish, new PublishError(
      `Cannot publish ${publish.what}: withdrawn before ${this.description} took it${this.state()}, as its caller gave up waiting ` +
      '(fireAsyncWith). It was NOT published and will not be sent later. Fire it again if it must go out.'));
    return true;
  }

  /** Sends the buffered publishes, oldest first (a scan of the unconfirmed ones, only while some are buffered). */
  private sendBuffered(): void {
    if (this.unsent === 0) return;
    for (const publish of this.unconfirmed) {
      if (publish.sent) continue;
      this.unsent--;
      this.send(publish);
      if (this.unsent === 0) return;
    }
  }

  /** Hands one publish's XADD to the connection: from now on it cannot be withdrawn. */
  private send(publish: Publish): void {
    publish.sent = true;
    this.command.call('XADD', publish.key, ...publish.args).then(
      () => this.settle(publish, undefined),
      (cause: unknown) => this.settle(publish, new PublishError(
        `The ${publish.what} was NOT stored in ${publish.key} on ${this.description}: ${message(cause)}.`, { cause })));
  }

  /**
   * Settles a publish that is still unconfirmed (later answers of a publish already settled, by
   * its deadline or by closing, are ignored).
   */
  private settle(publish: Publish, error: Error | undefined): void {
    if (!this.unconfirmed.delete(publish)) return;
    if (!publish.sent) this.unsent--;
    if (error === undefined) publish.resolve();
    else publish.reject(error);
    if (this.unconfirmed.size > 0) return;
    clearTimeout(this.deadlineTimer);
    this.deadlineTimer = undefined;
    for (const resolve of this.whenNoneUnconfirmed.splice(0)) resolve();
  }

  /**
   * Fails the publishes whose publishTimeoutMs has passed: one still buffered is withdrawn (it
   * will never be sent); one already sent may still be stored, and the error says so.
   */
  private expire(): void {
    this.deadlineTimer = undefined;
    const now = Date.now();
    const { publishTimeoutMs } = this.options;
    for (const publish of this.unconfirmed) {
      if (publish.deadline > now) {
        this.deadlineTimer = setTimeout(() => this.expire(), publish.deadline - now);
        return;
      }
      this.settle(publish, publish.sent
        ? new PublishError(
          `The ${publish.what} was sent to ${this.description} but not confirmed within publishTimeoutMs (${publishTimeoutMs} ms)${this.state()}: ` +
          'it may have been stored, or be stored once the connection is back (the client sends it again; subscribers drop that duplicate by its id). ' +
          'Publishing it again as a new event may deliver it twice.')
        : new PublishError(
          `Cannot publish ${publish.what}: ${this.description} did not take it within publishTimeoutMs (${publishTimeoutMs} ms)${this.state()}. ` +
          'It was withdrawn: it was NOT published and will not be sent later. Retry it if it must go out, or raise publishTimeoutMs.'));
    }
  }

  /** `, which is unreachable` or `, whose connection is still opening` while not connected, for messages. */
  private state(): string {
    return this.connected ? '' : this.reportedDown ? ', which is unreachable' : ', whose connection is still opening';
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
    const flushed = this.unconfirmed.size === 0 ||
      await within(new Promise<void>((resolve) => this.whenNoneUnconfirmed.push(resolve)), this.options.closeTimeoutMs).then(() => true, () => false);
    if (!flushed) {
      // Fails the publishes still unconfirmed: each one is reported to its event's onError (or
      // rejects its fireAsync). Those still buffered are never sent: the connection closes now.
      const stranded = this.unconfirmed.size;
      const reason = `was not confirmed by ${this.description} within closeTimeoutMs when the transport closed: it was probably NOT published.`;
      for (const publish of this.unconfirmed) {
        const cause = new Error(reason);
        this.settle(publish, new PublishError(`The ${publish.what} ${reason}`, { cause }));
      }
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

/** One publish the broker has not confirmed yet. */
interface Publish {
  /** `remote event "<name>" (id <id>)`, for messages. */
  readonly what: string;
  readonly key: string;
  /** The XADD arguments after the key. */
  readonly args: (string | number)[];
  /** When publishTimeoutMs has passed for it (ms since the epoch). */
  readonly deadline: number;
  /** True once its XADD went to the connection: from then on it may be stored, and cannot be withdrawn. */
  sent: boolean;
  resolve(): void;
  reject(error: Error): void;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : safeString(error);
}

