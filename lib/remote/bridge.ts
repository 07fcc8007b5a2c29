import { Event, failsTheFire, type EventInfo } from '../core/event';
import { DecoratorError, InvalidArgumentError } from '../core/errors';
import { defaultReporter, report, safeString, type ErrorReporter } from '../core/error-policy';
import { MemoryIdempotencyStore } from './idempotency';
import type { Class, PublishedEvent, SubscribedEvent } from '../wiring/metadata';
import type { RemoteLink } from '../wiring/remote-link';
import { NoSubscriberError, PoisonMessageError, TransportClosedError } from './errors';
import {
  jsonCodec,
  type Codec, type Consumer, type Delivery, type EncodedEnvelope, type Envelope, type IdempotencyClaim,
  type IdempotencyStore, type PayloadValidator, type Transport,
} from './transport';

/**
 * The bridge between the wiring and a {@link Transport}: it turns fires of
 * `@publishes(name, { remote: true })` events into envelopes, and envelopes into calls of
 * `@subscribes` methods.
 *
 * Delivery rule: each subscriber class is a consumer group named `Class.method` (prefixed with
 * `service/` when set) on the stream of its event in its namespace. Every group gets a copy of
 * every event; the processes that run the same group share its events, each handled by one of
 * them. Within that process, every live object of the class receives it.
 */

/** Options of the bridge, given to `new Container({ transport, ... })`. */
export interface RemoteOptions {
  /**
   * Carry `@publishes(name, { remote: true })` events through this transport. The container
   * OWNS it: `disposeAsync()` closes it. Without a transport, remote events are wired locally.
   */
  transport?: Transport;
  /** Isolates streams: containers only exchange events with the same namespace. Default `'default'`. */
  namespace?: string;
  /**
   * Prefix of this process's consumer group names (`billing/Mailer.onOrderPlaced`). Set it when
   * two services have subscriber classes of the same name: same-named groups share the work.
   */
  service?: string;
  /** Encodes payloads; both ends MUST agree. Default {@link jsonCodec}. */
  codec?: Codec;
  /** Checks payloads on publish and on delivery; a payload it rejects on delivery is dead-lettered. */
  validate?: PayloadValidator;
  /** Payload schema version by event name, written to envelopes. Default 1. */
  versions?: Readonly<Record<string, number>>;
}

/**
 * The {@link EventInfo} a subscriber with `{ info: true }` receives for a remote event: `source`
 * is undefined (it lives in another process) and `event` is a disposed stand-in.
 */
export interface RemoteEventInfo<A extends unknown[] = unknown[]> extends EventInfo<A> {
  /** The envelope the event arrived in (id, namespace, version, occurredAt, headers); absent on local fires. */
  readonly envelope?: Envelope<A>;
}

const NAME = /^[A-Za-z0-9_.-]+$/;

/** Subscribers of one (subscriber class, subscription): one consumer group. */
class Listener {
  /** Queries of the wiring scopes that adopted objects of the class. */
  providers: (() => object[])[] = [];
  consumer: Consumer | undefined;
  /** True while no object of the class is live: the consumer takes no messages. */
  paused = false;
  /** Stands in for the event in {@link RemoteEventInfo}; it is disposed. */
  readonly standIn: Event<unknown[]>;

  constructor(readonly subscriber: Class, readonly subscription: SubscribedEvent, readonly event: string, readonly group: string) {
    this.standIn = new Event<unknown[]>(event);
    this.standIn.dispose();
  }

  /** Live objects of exactly the subscriber class; forgets queries that found none. */
  live(): object[] {
    const found = new Set<object>();
    const useful: (() => object[])[] = [];
    for (const provider of this.providers) {
      let added = false;
      for (const object of provider()) {
        if (object.constructor !== this.subscriber || found.has(object)) continue;
        found.add(object);
        added = true;
      }
      if (added) useful.push(provider);
    }
    this.providers = useful;
    return [...found];
  }
}

/**
 * @internal Implements the {@link RemoteLink} seam on top of a transport. Created by the
 * container when its options have a `transport`.
 */
export class RemoteBridge implements RemoteLink {
  private readonly transport: Transport;
  private readonly namespace: string;
  private readonly service: string | undefined;
  private readonly codec: Codec;
  private readonly validate: PayloadValidator | undefined;
  private readonly versions: Readonly<Record<string, number>>;
  private readonly idempotency: IdempotencyStore;
  private readonly listeners = new Map<Class, Map<SubscribedEvent, Listener>>();
  /** Group owners by event and group name, to refuse two classes in one group. */
  private readonly groups = new Map<string, Class>();
  private closing: Promise<void> | undefined;
  private closed = false;

  /** Returns a bridge when `options` has a transport, else undefined. Checks the options. */
  static create(options: RemoteOptions, reporter: ErrorReporter | undefined): RemoteBridge | undefined {
    const { transport, namespace, service, codec, validate, versions } = options;
    const where = 'new Container()';
    if (transport === undefined) return undefined;   // remote events are wired locally
    const t = transport as Partial<Transport> | null;
    if (t === null || typeof t !== 'object' || typeof t.publish !== 'function' || typeof t.subscribe !== 'function' || typeof t.close !== 'function') {
      throw new InvalidArgumentError(`${where}: transport must implement Transport (publish, subscribe, close), got ${safeString(transport)}.`);
    }
    for (const [option, value] of [['namespace', namespace], ['service', service]] as const) {
      if (value !== undefined && (typeof value !== 'string' || !NAME.test(value))) {
        throw new InvalidArgumentError(`${where}: ${option} must be a non-empty string of letters, digits, '_', '.' or '-', got ${safeString(value)}.`);
      }
    }
    if (codec !== undefined && (codec === null || typeof codec.contentType !== 'string' || typeof codec.encode !== 'function' || typeof codec.decode !== 'function')) {
      throw new InvalidArgumentError(`${where}: codec must have a contentType string and encode/decode functions, got ${safeString(codec)}.`);
    }
    if (validate !== undefined && typeof validate !== 'function') {
      throw new InvalidArgumentError(`${where}: validate must be a function, got ${safeString(validate)}.`);
    }
    for (const [name, version] of Object.entries(versions ?? {})) {
      if (!Number.isInteger(version) || version < 1) {
        throw new InvalidArgumentError(`${where}: versions.${name} must be a whole number from 1, got ${safeString(version)}.`);
      }
    }
    return new RemoteBridge(options as RemoteOptions & { transport: Transport }, reporter ?? defaultReporter);
  }

  private constructor(options: RemoteOptions & { transport: Transport }, private readonly reporter: ErrorReporter) {
    this.transport = options.transport;
    this.namespace = options.namespace ?? 'default';
    this.service = options.service;
    this.codec = options.codec ?? jsonCodec;
    this.validate = options.validate;
    this.versions = options.versions ?? {};
    this.idempotency = options.transport.idempotency ?? new MemoryIdempotencyStore();
  }

  /** See {@link RemoteLink.forwarder}: the returned handler publishes every fire. */
  forwarder(_source: object, declared: PublishedEvent): (...args: unknown[]) => unknown {
    const name = declared.name;
    const forward = (...args: unknown[]): Promise<void> => this.publish(name, args);
    Object.defineProperty(forward, 'name', { value: `remote publish of "${name}"` });
    // Its failure means "not published": fireAsync() rejects with it under every error policy.
    Object.defineProperty(forward, failsTheFire, { value: true });
    return forward;
  }

  /** See {@link RemoteLink.listen}: starts one consumer group per subscriber class and subscription. */
  listen(subscriber: Class, subscription: SubscribedEvent, _publisher: Class, declared: PublishedEvent, instances: () => object[]): void {
    // Once closing has begun, no new consumer starts: close() could not stop it any more.
    if (this.closed || this.closing !== undefined) return;
    let bySubscription = this.listeners.get(subscriber);
    if (bySubscription === undefined) this.listeners.set(subscriber, bySubscription = new Map());
    const existing = bySubscription.get(subscription);
    if (existing !== undefined) {
      existing.providers.push(instances);
      if (existing.providers.length > 32) queueMicrotask(() => existing.live());
      if (existing.paused) {
        existing.paused = false;
        existing.consumer?.resume();
      }
      return;
    }
    const method = String(subscription.method);
    if (!subscriber.name) {
      throw new DecoratorError(
        `An anonymous class subscribes to remote event "${declared.name}": its consumer group is named after the class. Give the class a name.`);
    }
    const group = `${this.service === undefined ? '' : `${this.service}/`}${subscriber.name}.${method}`;
    const groupKey = `${declared.name}\u0000${group}`;
    if (this.groups.has(groupKey) && this.groups.get(groupKey) !== subscriber) {
      throw new DecoratorError(
        `Two different classes named ${subscriber.name} subscribe to remote event "${declared.name}" with method ${method}: ` +
        `they would share consumer group "${group}" and split its events. Rename one of them.`);
    }
    this.groups.set(groupKey, subscriber);
    const listener = new Listener(subscriber, subscription, declared.name, group);
    listener.providers.push(instances);
    bySubscription.set(subscription, listener);
    listener.consumer = this.transport.subscribe({
      namespace: this.namespace,
      event: declared.name,
      group,
      handle: (envelope, delivery) => this.deliver(listener, envelope, delivery),
    });
  }

  /**
   * Stops every consumer (draining their handlers), calls `between` (the container's
   * `dispose()`), then closes the transport. Idempotent; failures are thrown once all ran.
   */
  close(between?: () => void | Promise<void>): Promise<void> {
    return this.closing ??= (async () => {
      const failures: unknown[] = [];
      const consumers = [...this.listeners.values()].flatMap((m) => [...m.values()]).map((l) => l.consumer);
      for (const result of await Promise.allSettled(consumers.map((c) => c?.close()))) {
        if (result.status === 'rejected') failures.push(result.reason);
      }
      try {
        await between?.();
      } catch (error) {
        failures.push(error);
      }
      this.closed = true;
      try {
        await this.transport.close();
      } catch (error) {
        failures.push(error);
      }
      if (failures.length === 1) throw failures[0];
      if (failures.length > 1) throw new AggregateError(failures, `${failures.length} failure(s) while closing the transport ${this.transport.description}`);
    })();
  }

  private publish(name: string, args: unknown[]): Promise<void> {
    if (this.closed) {
      throw new TransportClosedError(
        `Remote event "${name}" was fired after its container was disposed: it was NOT published. Fire remote events before disposeAsync().`);
    }
    const envelope: Envelope<unknown[]> = {
      id: crypto.randomUUID(),   // the Web Crypto global: Node 19+, browsers, workers
      name,
      namespace: this.namespace,
      version: this.versions[name] ?? 1,
      occurredAt: new Date().toISOString(),
      headers: { 'content-type': this.codec.contentType },
      payload: args,
    };
    if (this.validate !== undefined) {
      const reason = this.invalid(envelope);
      if (reason !== undefined) {
        throw new InvalidArgumentError(`Remote event "${name}" was not published: its payload failed validation: ${reason}`);
      }
    }
    let payload: string;
    try {
      payload = this.codec.encode(args);
    } catch (cause) {
      throw new InvalidArgumentError(
        `Remote event "${name}" was not published: codec ${this.codec.contentType} could not encode its payload (${message(cause)}). ` +
        'Send plain data, or plug a codec that handles it (e.g. superjson for Date, Map, BigInt) with the codec option.', { cause });
    }
    return this.transport.publish({ ...envelope, payload });
  }

  private async deliver(listener: Listener, encoded: EncodedEnvelope, delivery: Delivery): Promise<void> {
    const envelope = this.decode(encoded);
    const claim = await this.claim(`${this.namespace}:${listener.event}:${listener.group}`, envelope.id, delivery.signal);
    if (claim === 'done') return;
    try {
      await this.invoke(listener, envelope);
    } catch (error) {
      await claim.abandon().catch(() => undefined);   // the claim lapses on its own otherwise
      if (NoSubscriberError.isNoSubscriber(error)) throw error;
      report(this.reporter, {
        error,
        eventName: listener.event,
        source: undefined,
        handler: `${listener.subscriber.name}.${String(listener.subscription.method)} (remote delivery ${delivery.attempt} of ${delivery.maxAttempts})`,
        async: true,
        quarantined: false,
      });
      throw error;
    }
    await claim.finish();
  }

  /** Claims the id, waiting while another consumer handles a duplicate of it. */
  private async claim(scope: string, id: string, signal: AbortSignal): Promise<IdempotencyClaim | 'done'> {
    for (let wait = 20; ; wait = Math.min(wait * 2, 250)) {
      const claim = await this.idempotency.claim(scope, id);
      if (claim !== 'busy') return claim;
      await sleep(wait, signal);
    }
  }

  private async invoke(listener: Listener, envelope: Envelope<unknown[]>): Promise<void> {
    const objects = listener.live();
    const { subscriber, subscription } = listener;
    if (objects.length === 0) throw this.pause(listener, envelope);
    const { filter, info } = subscription.options;
    if (filter !== undefined && !filter(undefined, ...envelope.payload)) return;
    const args = info === true
      ? [Object.freeze({ name: envelope.name, source: undefined, event: listener.standIn, envelope }) satisfies RemoteEventInfo, ...envelope.payload]
      : envelope.payload;
    const results = await Promise.allSettled(objects.map(async (object) => {
      const method = (object as Record<string | symbol, unknown>)[subscription.method] as (...a: unknown[]) => unknown;
      return method.apply(object, args);
    }));
    const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    if (failures.length === 1) throw failures[0];
    if (failures.length > 1) throw new AggregateError(failures, `${failures.length} ${subscriber.name} objects failed to handle remote event "${envelope.name}"`);
  }

  /** Pauses the consumer of a class with no live object (reported once); returns the error to throw. */
  private pause(listener: Listener, envelope: Envelope<unknown[]>): NoSubscriberError {
    const { subscriber, group } = listener;
    const error = new NoSubscriberError(
      `No live ${subscriber.name} object in this process to deliver remote event "${envelope.name}" (id ${envelope.id}) to: ` +
      `it was released, garbage-collected, or its container disposed without disposeAsync(). Consumer group ${group} pauses ` +
      `in this process until a ${subscriber.name} is wired again; its events wait in the broker for other processes of the service. ` +
      'Keep remote subscribers alive (singletons, the default) and close containers with disposeAsync().');
    if (!listener.paused) {
      listener.paused = true;
      listener.consumer?.pause();
      report(this.reporter, {
        error, eventName: listener.event, source: undefined, handler: `${subscriber.name}.${String(listener.subscription.method)} (remote)`,
        async: true, quarantined: false,
      });
    }
    return error;
  }

  /** Decodes and validates; a message that can never be handled throws {@link PoisonMessageError}. */
  private decode(encoded: EncodedEnvelope): Envelope<unknown[]> {
    const what = `Remote event "${encoded.name}" (id ${encoded.id})`;
    const contentType = encoded.headers['content-type'];
    if (contentType !== undefined && contentType !== this.codec.contentType) {
      throw new PoisonMessageError(
        `${what} is encoded as ${contentType}, but this container decodes ${this.codec.contentType}. Give publishers and subscribers the same codec.`);
    }
    let payload: unknown;
    try {
      payload = this.codec.decode(encoded.payload);
    } catch (cause) {
      throw new PoisonMessageError(`${what} could not be decoded with ${this.codec.contentType}: ${message(cause)}`, { cause });
    }
    if (!Array.isArray(payload)) {
      throw new PoisonMessageError(`${what} decoded to ${safeString(payload)}, not an argument list: it was not published by eventwire.`);
    }
    const envelope: Envelope<unknown[]> = { ...encoded, payload };
    if (this.validate !== undefined) {
      const reason = this.invalid(envelope);
      if (reason !== undefined) throw new PoisonMessageError(`${what} has an invalid payload: ${reason}`);
    }
    return envelope;
  }

  /** Why the validator rejects the envelope, or undefined when it accepts it. */
  private invalid(envelope: Envelope<unknown[]>): string | undefined {
    try {
      return this.validate!(envelope) === false ? 'the validator returned false' : undefined;
    } catch (error) {
      return message(error);
    }
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : safeString(error);
}

/** Resolves after `ms`, or rejects with the signal's reason once it aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
