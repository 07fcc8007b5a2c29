import type { Redis } from 'ioredis';
import { safeString } from '../core/describe';
import type { Consumer, EncodedEnvelope, TransportSubscription } from '../remote/transport';
import { BrokerError, DeadLetterError, NoSubscriberError, PoisonMessageError } from '../remote/errors';
import { deadLetterKey, fromFields, streamKey } from './fields';
import type { ResolvedOptions } from './options';
import { autoClaimReply, entriesReply, pendingReply, readReply, type Entry } from './replies';

/** What a consumer needs from its transport. */
export interface ConsumerContext {
  readonly command: Redis;
  readonly options: ResolvedOptions;
  /** A new connection for blocking reads, owned by the consumer. */
  openBlocking(): Redis;
  report(error: Error): void;
}

/**
 * One consumer group's consumer in this process, for one stream.
 *
 * - Reads with `XREADGROUP ... BLOCK` on its own connection, at most as many messages as it has
 *   free slots (`maxInFlight`), and runs at most `maxInFlight` handlers at once.
 * - Acknowledges a message only after its handler resolved. A failing message is retried in
 *   place (the slot stays taken) after a doubling delay, re-claimed with `XCLAIM` so that its
 *   delivery count grows, and dead-lettered with the error after `maxAttempts` deliveries.
 * - While a handler runs, its message is renewed (`XCLAIM ... JUSTID`) so nobody takes it over;
 *   messages left idle longer than `claimIdleMs` by a crashed consumer are taken over with
 *   `XAUTOCLAIM`, and dead-lettered once they were delivered more than `maxAttempts` times.
 */
export class StreamConsumer implements Consumer {
  /** See {@link Consumer.ready}. */
  readonly ready: Promise<void>;
  private readonly key: string;
  private readonly blocking: Redis;
  private readonly stopping = new AbortController();
  /** Messages this consumer holds, until acknowledged, dead-lettered or given up. */
  private readonly owned = new Map<string, Promise<void>>();
  /** The fields of each owned message, to name it in reports. */
  private readonly fieldsOf = new Map<string, string[] | null>();
  /** Owned messages whose handler still ran when closing gave up waiting (closeTimeoutMs). */
  private readonly abandoned = new Set<string>();
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private wake: (() => void) | undefined;
  private clientId: number | undefined;
  private reading = false;
  private cursor = '0-0';
  private claimTimer: NodeJS.Timeout | undefined;
  private claiming: Promise<void> = Promise.resolve();
  private renewTimer: NodeJS.Timeout | undefined;
  private readonly loop: Promise<void>;
  private closing: Promise<void> | undefined;
  private paused = false;
  /**
   * Where re-reading this consumer's own pending entries (`XREADGROUP ... 0`) goes on, or
   * undefined once none is left: after every (re)connection, entries read before a crash of
   * this process (same `consumerName`) or whose read reply a broker crash lost are taken first.
   */
  private history: string | undefined = '0';
  /** No taking over of other consumers' messages before this time: see `commandReady`. */
  private claimNotBefore = 0;

  constructor(private readonly context: ConsumerContext, private readonly subscription: TransportSubscription) {
    const { prefix } = context.options;
    this.key = streamKey(prefix, subscription.namespace, subscription.event);
    this.blocking = context.openBlocking();
    this.blocking.on('ready', () => {
      this.clientId = undefined;
      this.history = '0';
    });
    let markReady!: () => void;
    this.ready = new Promise((resolve) => { markReady = resolve; });
    this.loop = this.run(markReady);
  }

  private get options(): ResolvedOptions {
    return this.context.options;
  }

  private get stopped(): boolean {
    return this.stopping.signal.aborted;
  }

  /**
   * Called by the transport when its command connection is ready; `again` after an outage.
   * Back from an outage, live consumers renew their messages at once, and get claimIdleMs to do
   * so before anyone (this consumer included) takes messages over by their idle time.
   */
  commandReady(again: boolean): void {
    if (again) this.claimNotBefore = Date.now() + this.options.claimIdleMs;
    this.renew();
  }

  /** See {@link Consumer.pause}. */
  pause(): void {
    this.paused = true;
  }

  /** See {@link Consumer.resume}. */
  resume(): void {
    this.paused = false;
    this.wake?.();
  }

  /** See {@link Consumer.close}. */
  close(): Promise<void> {
    return this.closing ??= this.shutDown();
  }

  private async shutDown(): Promise<void> {
    const { group } = this.subscription;
    this.stopping.abort(new Error(`The consumer of ${this.key} for group ${group} is closing.`));
    this.wake?.();
    clearTimeout(this.claimTimer);
    if (this.reading && this.clientId !== undefined && this.context.command.status === 'ready') {
      // Ends the blocked XREADGROUP now, as if it had timed out: no message is lost in its reply.
      await within(this.context.command.call('CLIENT', 'UNBLOCK', this.clientId, 'TIMEOUT'), 1000).catch(() => undefined);
    }
    await within(this.loop, this.options.blockMs + 3000).catch(() => undefined);
    await within(this.claiming, this.options.closeTimeoutMs).catch(() => undefined);
    const drained = await within(Promise.allSettled(this.owned.values()), this.options.closeTimeoutMs).then(() => true, () => false);
    clearTimeout(this.renewTimer);
    if (!drained) {
      // Each message left behind is named: it will be handled again by another consumer.
      for (const id of this.owned.keys()) {
        this.abandoned.add(id);
        this.context.report(new BrokerError(
          `Closing the consumer of ${this.key} for group ${group}: ${this.describe(id)} still ran after closeTimeoutMs ` +
          `(${this.options.closeTimeoutMs} ms). Its message stays pending: another consumer of the group takes it over after ` +
          'claimIdleMs and runs the handler again. Raise closeTimeoutMs above your longest handler to avoid this.'));
      }
    } else if (this.context.command.status === 'ready') {
      // A consumer that holds nothing is removed from the group, so groups do not collect dead names.
      try {
        const mine = pendingReply(await within(this.context.command.call('XPENDING', this.key, group, '-', '+', 1, this.options.consumerName), 1000));
        if (mine.length === 0) await within(this.context.command.call('XGROUP', 'DELCONSUMER', this.key, group, this.options.consumerName), 1000);
      } catch {
        // Only housekeeping.
      }
    }
    this.blocking.disconnect();
  }

  private async run(markReady: () => void): Promise<void> {
    try {
      await this.createGroup();
    } finally {
      markReady();
    }
    this.scheduleClaim();
    let failures = 0;
    while (!this.stopped) {
      const free = this.options.maxInFlight - this.owned.size;
      if (free <= 0 || this.paused || this.blocking.status !== 'ready') {
        await this.until(free <= 0 || this.paused ? 'wake' : 'connection');
        continue;
      }
      try {
        this.clientId ??= Number(await within(this.blocking.call('CLIENT', 'ID'), 1000));
        const history = this.history;
        this.reading = history === undefined;
        const read = this.blocking.call(
          'XREADGROUP', 'GROUP', this.subscription.group, this.options.consumerName, 'COUNT', free,
          ...(history === undefined ? ['BLOCK', this.options.blockMs, 'STREAMS', this.key, '>'] : ['STREAMS', this.key, history]));
        read.catch(() => undefined);   // settled late when the connection dropped: see below
        // A dropped connection never answers this read: wait for the next connection at once.
        const reply = await this.unlessDisconnected(read);
        this.reading = false;
        failures = 0;
        const entries = readReply(reply);
        if (history === undefined) {
          for (const [id, fields] of entries) this.take(id, fields, 1);
        } else {
          if (this.history === history) this.history = entries.length < free ? undefined : entries[entries.length - 1][0];
          await this.takeCounted(entries);
        }
      } catch (error) {
        this.reading = false;
        if (this.stopped) break;
        if (isNoGroup(error)) {
          await this.createGroup();
          continue;
        }
        if (++failures === 1) {
          this.context.report(new BrokerError(
            `Reading ${this.key} for consumer group ${this.subscription.group} failed: ${message(error)}. Retrying until it works.`, { cause: error }));
        }
        await pause(Math.min(50 * 2 ** failures, 2000), this.stopping.signal);
      }
    }
  }

  /** `read`, or null as soon as the blocking connection closes. */
  private unlessDisconnected(read: Promise<unknown>): Promise<unknown> {
    let onClose!: () => void;
    const closed = new Promise<null>((resolve) => {
      onClose = () => resolve(null);
      this.blocking.once('close', onClose);
    });
    return Promise.race([read, closed]).finally(() => this.blocking.off('close', onClose));
  }

  /** Waits for a wake-up (a free slot, `resume()`) or a connection, or until the consumer stops. */
  private until(what: 'wake' | 'connection'): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        this.wake = undefined;
        this.blocking.off('ready', done);
        resolve();
      };
      this.wake = done;
      if (what === 'connection') this.blocking.on('ready', done);
      if (this.stopped) done();
    });
  }

  /** Creates the group (and the stream) unless it exists; retries while the broker is unreachable. */
  private async createGroup(): Promise<void> {
    const start = this.options.startFrom === 'beginning' ? '0' : '$';
    for (let failures = 0; !this.stopped; failures++) {
      try {
        await this.context.command.call('XGROUP', 'CREATE', this.key, this.subscription.group, start, 'MKSTREAM');
        return;
      } catch (error) {
        if (message(error).startsWith('BUSYGROUP')) return;
        if (failures === 0) {
          this.context.report(new BrokerError(
            `Could not create consumer group ${this.subscription.group} on ${this.key}: ${message(error)}. Retrying until it works.`, { cause: error }));
        }
        await pause(Math.min(50 * 2 ** failures, 2000), this.stopping.signal);
      }
    }
  }

  /** `handler <group> of remote event "<name>" (id <envelope id>, entry <entry id>)`, for reports. */
  private describe(id: string): string {
    const envelope = fromFields(this.fieldsOf.get(id) ?? null);
    const event = typeof envelope === 'string' ? 'a message that is not an envelope' : `remote event "${envelope.name}" (id ${envelope.id}`;
    return `handler ${this.subscription.group} of ${event}${typeof envelope === 'string' ? ' (' : ', '}stream entry ${id})`;
  }

  /** Takes charge of a message: handles it as soon as a handler slot is free. */
  private take(id: string, fields: string[] | null, deliveries: number): void {
    if (this.owned.has(id)) return;
    this.fieldsOf.set(id, fields);
    const done = this.handle(id, fields, deliveries)
      .then((outcome) => ({ outcome, error: undefined as unknown }), (error: unknown) => ({ outcome: 'left' as const, error }))
      .then(({ outcome, error }) => {
        if (this.abandoned.has(id)) {
          this.context.report(new BrokerError(outcome === 'acknowledged'
            ? `The ${this.describe(id)} finished after its consumer closed, and was acknowledged after all: it will not run again.`
            : `The ${this.describe(id)} ended after its consumer closed (closeTimeoutMs ${this.options.closeTimeoutMs} ms)` +
              `${error === undefined ? '' : ` (${sentence(message(error), '')})`}: it was NOT acknowledged, and another consumer ` +
              'of the group runs it again. Raise closeTimeoutMs above your longest handler, or make the handler idempotent.', { cause: error }));
        } else if (error !== undefined) {
          this.context.report(new BrokerError(
            `The ${this.describe(id)} could not be settled: ${sentence(message(error))} It stays pending and will be delivered again.`, { cause: error }));
        }
      })
      .finally(() => {
        this.fieldsOf.delete(id);
        this.abandoned.delete(id);
        this.owned.delete(id);
        if (this.owned.size === 0) {
          clearTimeout(this.renewTimer);
          this.renewTimer = undefined;
        }
        this.wake?.();
      });
    this.owned.set(id, done);
    this.renewSoon();
  }

  /** Handles a message until it is settled, or left pending ('left') for another consumer. */
  private async handle(id: string, fields: string[] | null, deliveries: number): Promise<'acknowledged' | 'left'> {
    const { maxAttempts } = this.options;
    const envelope = fromFields(fields);
    if (typeof envelope === 'string') {
      return this.deadLetter(id, fields, new PoisonMessageError(`Message ${id} of ${this.key} cannot be handled: ${envelope}`), deliveries);
    }
    const { event, namespace } = this.subscription;
    if (envelope.name !== event || envelope.namespace !== namespace) {
      return this.deadLetter(id, fields, new PoisonMessageError(
        `Message ${id} of ${this.key} cannot be handled: its envelope names event ${JSON.stringify(envelope.name)} of namespace ` +
        `${JSON.stringify(envelope.namespace)}, but this stream carries event "${event}" of namespace "${namespace}" (it was not written by eventwire)`), deliveries);
    }
    if (deliveries > maxAttempts) {
      return this.deadLetter(id, fields, new DeadLetterError(
        `it was delivered ${deliveries} times without being acknowledged: its consumers crashed or hung while handling it`), deliveries);
    }
    await this.acquire();
    try {
      for (;;) {
        const failure = await this.attempt(envelope, deliveries);
        if (failure === undefined) {
          await this.context.command.call('XACK', this.key, this.subscription.group, id);
          return 'acknowledged';
        }
        // Stays pending, uncounted: another consumer (or this one, resumed) takes it over.
        if (NoSubscriberError.isNoSubscriber(failure.error)) return 'left';
        if (this.stopped) {
          if (failure.error !== this.stopping.signal.reason && !this.abandoned.has(id)) {
            this.context.report(new BrokerError(
              `The ${this.describe(id)} failed while its consumer was closing (${message(failure.error)}): it was NOT acknowledged ` +
              'and stays pending; another consumer of the group will handle it again.', { cause: failure.error }));
          }
          return 'left';
        }
        if (PoisonMessageError.isPoison(failure.error) || deliveries >= maxAttempts) {
          return this.deadLetter(id, fields, failure.error, deliveries);
        }
        const delay = Math.min(this.options.retryDelayMs * 2 ** (deliveries - 1), 30_000);
        if (!await pause(delay, this.stopping.signal)) return 'left';
        // XCLAIM counts the delivery; an empty reply means someone else settled the message.
        const claimed = entriesReply(await this.context.command.call('XCLAIM', this.key, this.subscription.group, this.options.consumerName, 0, id));
        if (claimed.length === 0) return 'acknowledged';
        deliveries++;
      }
    } finally {
      this.release();
    }
  }

  private async attempt(envelope: EncodedEnvelope, attempt: number): Promise<{ error: unknown } | undefined> {
    try {
      await this.subscription.handle(envelope, { attempt, maxAttempts: this.options.maxAttempts, signal: this.stopping.signal });
      return undefined;
    } catch (error) {
      return { error };
    }
  }

  /** Moves a message to the dead-letter stream with the error, and acknowledges it, atomically. */
  private async deadLetter(id: string, fields: string[] | null, error: unknown, deliveries: number): Promise<'acknowledged'> {
    const { group } = this.subscription;
    const target = deadLetterKey(this.key);
    const reason = message(error);
    const results = await this.context.command.multi()
      .call('XADD', target, '*', ...(fields ?? []),
        'dl.error', error instanceof Error ? `${error.name}: ${reason}` : reason,
        'dl.stream', this.key, 'dl.entry', id, 'dl.group', group, 'dl.consumer', this.options.consumerName,
        'dl.deliveries', String(deliveries), 'dl.at', new Date().toISOString())
      .call('XACK', this.key, group, id)
      .exec();
    const failed = results?.find(([e]) => e !== null)?.[0];
    if (results === null || failed) throw failed ?? new Error('the MULTI transaction was aborted');
    this.context.report(new DeadLetterError(
      `Dead-lettered message ${id} of ${this.key} for group ${group} after ${deliveries} delivery(ies): ${sentence(reason)} ` +
      `It is in ${target} (XRANGE ${target} - +); fix the cause, then XADD its fields to ${this.key} to handle it again.`, { cause: error }));
    return 'acknowledged';
  }

  private scheduleClaim(): void {
    if (this.stopped) return;
    this.claimTimer = setTimeout(() => {
      this.claiming = this.claim()
        .catch((error: unknown) => {
          if (!this.stopped) {
            this.context.report(new BrokerError(`Taking over idle messages of ${this.key} for group ${this.subscription.group} failed: ${message(error)}`, { cause: error }));
          }
        })
        .finally(() => this.scheduleClaim());
    }, this.options.claimIntervalMs);
  }

  /** Takes over messages other consumers left idle for longer than `claimIdleMs`. */
  private async claim(): Promise<void> {
    const command = this.context.command;
    const free = this.options.maxInFlight - this.owned.size;
    if (free <= 0 || command.status !== 'ready' || this.stopped || this.paused || Date.now() < this.claimNotBefore) return;
    const { group } = this.subscription;
    const { cursor, entries, deleted } = autoClaimReply(await command.call(
      'XAUTOCLAIM', this.key, group, this.options.consumerName, this.options.claimIdleMs, this.cursor, 'COUNT', free));
    this.cursor = cursor;
    if (deleted.length > 0) {
      await command.call('XACK', this.key, group, ...deleted);
      this.context.report(new BrokerError(
        `${deleted.length} pending message(s) of ${this.key} were trimmed from the stream before group ${group} handled them ` +
        '(maxStreamLength is too small for this consumer): they cannot be delivered.'));
    }
    await this.takeCounted(entries);
  }

  /** Takes entries read again (not for the first time), with their delivery counts. */
  private async takeCounted(entries: readonly Entry[]): Promise<void> {
    const { group } = this.subscription;
    const fresh = entries.filter(([id]) => !this.owned.has(id));
    if (fresh.length === 0) return;
    const pipeline = this.context.command.pipeline();
    for (const [id] of fresh) pipeline.call('XPENDING', this.key, group, id, id, 1);
    const counts = (await pipeline.exec()) ?? [];
    fresh.forEach(([id, fields], i) => {
      const [row] = counts[i]?.[0] === null ? pendingReply(counts[i][1]) : [];
      this.take(id, fields, row === undefined ? 1 : row.deliveries);
    });
  }

  /**
   * Keeps the messages of running handlers from going idle (a lease renewed every third of
   * `claimIdleMs`), so that no one takes over a message whose handler still runs.
   */
  private renewSoon(): void {
    if (this.renewTimer !== undefined) return;
    this.renewTimer = setTimeout(() => {
      this.renewTimer = undefined;
      if (this.owned.size === 0) return;
      this.renew();
      this.renewSoon();
    }, Math.max(10, Math.floor(this.options.claimIdleMs / 3)));
  }

  /** Resets the idle time of every message this consumer holds (`XCLAIM ... JUSTID`). */
  private renew(): void {
    const command = this.context.command;
    if (this.owned.size === 0 || command.status !== 'ready' || this.stopped) return;
    command.call('XCLAIM', this.key, this.subscription.group, this.options.consumerName, 0, ...this.owned.keys(), 'JUSTID')
      .catch(() => undefined);   // the next renewal tries again
  }

  private acquire(): Promise<void> {
    if (this.running < this.options.maxInFlight) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next !== undefined) next();
    else this.running--;
  }
}

/** `text` ending with exactly one `end` (a full stop by default), whether or not it had one. */
function sentence(text: string, end = '.'): string {
  return `${text.replace(/\.+$/, '')}${end}`;
}

function isNoGroup(error: unknown): boolean {
  return message(error).startsWith('NOGROUP');
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : safeString(error);
}

/** Resolves true after `ms`, or false as soon as `signal` aborts. */
function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** `promise`, or a rejection after `ms`. */
export function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
