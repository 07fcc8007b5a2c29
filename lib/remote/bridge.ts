import { Event, type EventInfo } from '../core/event';
import { InvalidArgumentError, WiringError } from '../core/errors';
import { report, type HandlerFailure } from '../core/error-policy';
import { safeString } from '../core/describe';
import { MemoryIdempotencyStore } from './idempotency';
import type { Class, PublishedEvent, SubscribedEvent } from '../wiring/metadata';
import type { CarriedSubscription, ContainerExtension, ExtensionHost, PendingSubscription } from '../wiring/extension';
import { NoSubscriberError, PoisonMessageError, TransportClosedError } from './errors';
import {
  jsonCodec,
  type Codec, type Consumer, type Delivery, type EncodedEnvelope, type Envelope, type IdempotencyClaim,
  type IdempotencyStore, type PayloadValidator, type Transport,
} from './transport';

/**
 * The bridge between the wiring and a {@link Transport}, plugged into a container as a
 * {@link ContainerExtension} by `remoteEvents()`: it forwards fires of
 * `@publishes(name, { remote: true })` events as envelopes, and delivers envelopes to the
 * `@subscribes` methods of this process.
 *
 * Delivery rule: each subscriber class and method is a consumer group named `Class.method`
 * (prefixed with `service/` when set) on the stream of its event in its namespace. Every group
 * gets a copy of every event; the processes that run the same group share its events, each
 * handled by one of them. In that process the group has an `Event` of its own, to which the
 * wiring adds the method of every live object of exactly that class, with the subscription's
 * options; a delivery is a `fireAsync` of that event.
 */

/** Options of `remoteEvents(options)`. */
export interface RemoteOptions {
  /**
   * Carries `@publishes(name, { remote: true })` events. The container OWNS it: its
   * `disposeAsync()` closes it. (Without `remoteEvents()`, remote events are wired locally.)
   */
  transport: Transport;
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
 * is undefined (it lives in another process) and `event` is its consumer group's event in this
 * process.
 */
export interface RemoteEventInfo<A extends unknown[] = unknown[]> extends EventInfo<A> {
  /** The envelope the event arrived in (id, namespace, version, occurredAt, headers); absent on local fires. */
  readonly envelope?: Envelope<A>;
}

const NAME = /^[A-Za-z0-9_.-]+$/;

/** One consumer group in this process: a subscriber class and one of its subscriptions. */
class Listener {
  consumer: Consumer | undefined;
  /** True while the group's event has no handler: the consumer takes no messages. */
  paused = false;
  /** The envelope being delivered, while the event calls its handlers (see `invoke`). */
  current: Envelope<unknown[]> | undefined = undefined;
  /** Failures the event reported itself (quarantine): not reported again. */
  readonly reported = new Set<unknown>();
  /** The wiring adds the method of each live object of the class to it. */
  readonly event: Event<unknown[]>;

  constructor(
    readonly subscriber: Class, readonly subscription: SubscribedEvent, readonly name: string, readonly group: string, host: ExtensionHost,
  ) {
    // 'collect': a delivery has no caller; every failure comes back here, to be reported and retried.
    const onError = (failure: HandlerFailure): void => {
      if (failure.quarantined) this.reported.add(failure.error);
      host.reporter(failure);
    };
    this.event = new Event<unknown[]>(name, { ...host.eventOptions, errors: 'collect', onError });
  }
}

/**
 * @internal The remote bridge: implements {@link ContainerExtension} on top of a transport.
 * Made by `remoteEvents()`.
 */
export class RemoteBridge implements ContainerExtension {
  /** See {@link ContainerExtension.name}: `remoteEvents() (transport <description>)`. */
  readonly name: string;
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
  /** What stops the forwarding of each source object's remote events, for `objectReleased`. */
  private readonly forwarding = new WeakMap<object, (() => void)[]>();
  private host: ExtensionHost | undefined;
  private closing_: Promise<void> | undefined;
  private closed = false;

  /** Checks the options; `where` names the caller in messages. */
  constructor(options: RemoteOptions, where = 'remoteEvents()') {
    if (options === null || typeof options !== 'object') {
      throw new InvalidArgumentError(`${where}: options must be an object with a transport, got ${safeString(options)}.`);
    }
    const { transport, namespace, service, codec, validate, versions } = options;
    const t = transport as Partial<Transport> | null | undefined;
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
    this.transport = transport;
    this.name = `${where} (transport ${transport.description})`;
    this.namespace = namespace ?? 'default';
    this.service = service;
    this.codec = codec ?? jsonCodec;
    this.validate = validate;
    this.versions = versions ?? {};
    this.idempotency = transport.idempotency ?? new MemoryIdempotencyStore();
  }

  /** See {@link ContainerExtension.attach}: one container per bridge, which owns its transport. */
  attach(host: ExtensionHost): void {
    if (this.host !== undefined) {
      throw new InvalidArgumentError(
        `new Container(): this remoteEvents() extension (transport ${this.transport.description}) is already plugged into another container, ` +
        'which owns its transport. Call remoteEvents() once per container, each with its own transport.');
    }
    this.host = host;
  }

  /** See {@link ContainerExtension.carries}: the events declared `{ remote: true }`. */
  carries(declared: PublishedEvent): boolean {
    return declared.options.remote === true;
  }

  /** See {@link ContainerExtension.eventCreated}: every fire of a remote event is published. */
  eventCreated(event: Event<unknown[]>, source: object, declared: PublishedEvent): void {
    if (declared.options.remote !== true) return;
    const name = declared.name;
    const publish = (...args: unknown[]): Promise<void> => this.publish(name, args);
    Object.defineProperty(publish, 'name', { value: `remote publish of "${name}"` });
    const stop = this.attached().forward(event, publish, {
      via: { kind: 'remote', group: this.namespace },
      // A bounded fireAsyncWith() gave up: a publish the transport has not sent yet is withdrawn.
      withdraw: (published) => this.transport.withdraw?.(published as Promise<void>) === true,
    });
    let stops = this.forwarding.get(source);
    if (stops === undefined) this.forwarding.set(source, stops = []);
    stops.push(stop);
  }

  /** See {@link ContainerExtension.objectReleased}: a released publisher's events are no longer published. */
  objectReleased(object: object): void {
    for (const stop of this.forwarding.get(object) ?? []) stop();
    this.forwarding.delete(object);
  }

  /**
   * See {@link ContainerExtension.checkSubscriber}: refuses, before the object is wired, what
   * cannot apply to a consumer group: a priority, an anonymous class, two classes in one group.
   */
  checkSubscriber({ subscriber: object, subscription, declared }: PendingSubscription): void {
    const subscriber = object.constructor as Class;
    const method = String(subscription.method);
    const { priority } = subscription.options;
    if (priority !== undefined && priority !== 0) {
      throw new WiringError(
        `${subscriber.name}.${method} subscribes to remote event "${declared.name}" with priority ${safeString(priority)}, which cannot apply: ` +
        'each subscriber method of a remote event is a consumer group of its own, delivered in no order with the others. ' +
        'Remove the priority, or make the event local (no remote: true).');
    }
    if (!subscriber.name) {
      throw new WiringError(
        `An anonymous class subscribes to remote event "${declared.name}": its consumer group is named after the class. Give the class a name.`);
    }
    const group = this.groupOf(subscriber, method);
    const owner = this.groups.get(`${declared.name}\u0000${group}`);
    if (owner !== undefined && owner !== subscriber) {
      throw new WiringError(
        `Two different classes named ${subscriber.name} subscribe to remote event "${declared.name}" with method ${method}: ` +
        `they would share consumer group "${group}" and split its events. Rename one of them.`);
    }
  }

  /** See {@link ContainerExtension.subscriberAdopted}: one consumer group per subscriber class and subscription (checked by `checkSubscriber`). */
  subscriberAdopted({ subscriber: object, subscription, declared, connect }: CarriedSubscription): void {
    const subscriber = object.constructor as Class;
    let bySubscription = this.listeners.get(subscriber);
    if (bySubscription === undefined) this.listeners.set(subscriber, bySubscription = new Map());
    let listener = bySubscription.get(subscription);
    if (listener === undefined) {
      const group = this.groupOf(subscriber, String(subscription.method));
      this.groups.set(`${declared.name}\u0000${group}`, subscriber);
      listener = new Listener(subscriber, subscription, declared.name, group, this.attached());
      bySubscription.set(subscription, listener);
    }
    const current = listener;
    connect(current.event, { via: { kind: 'remote', group: current.group }, info: () => ({ envelope: current.current }) });
    // Once closing has begun, no consumer starts: close() could not stop it any more.
    if (this.closed || this.closing_ !== undefined) return;
    if (current.consumer === undefined) {
      current.consumer = this.transport.subscribe({
        namespace: this.namespace,
        event: declared.name,
        group: current.group,
        handle: (envelope, delivery) => this.deliver(current, envelope, delivery),
      });
    } else if (current.paused) {
      current.paused = false;
      current.consumer.resume();
    }
  }

  /** See {@link ContainerExtension.closing}: stops every consumer, draining its handlers. */
  closing(): Promise<void> {
    return this.closing_ ??= (async () => {
      const consumers = [...this.listeners.values()].flatMap((m) => [...m.values()]).map((l) => l.consumer);
      const failures: unknown[] = [];
      for (const result of await Promise.allSettled(consumers.map((c) => c?.close()))) {
        if (result.status === 'rejected') failures.push(result.reason);
      }
      if (failures.length === 1) throw failures[0];
      if (failures.length > 1) throw new AggregateError(failures, `${failures.length} consumer(s) of the transport ${this.transport.description} failed to close`);
    })();
  }

  /** See {@link ContainerExtension.close}: closes the transport (it waits, boundedly, for unconfirmed publishes). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.transport.close();
  }

  /** The consumer group of a subscriber class's method: `Class.method`, prefixed with `service/` when set. */
  private groupOf(subscriber: Class, method: string): string {
    return `${this.service === undefined ? '' : `${this.service}/`}${subscriber.name}.${method}`;
  }

  /** The container's host: every hook but `attach` is called by the container that attached the bridge. */
  private attached(): ExtensionHost {
    return this.host!;
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
    const claim = await this.claim(`${this.namespace}:${listener.name}:${listener.group}`, envelope.id, delivery.signal);
    if (claim === 'done') return;
    try {
      await this.invoke(listener, envelope);
    } catch (error) {
      await claim.abandon().catch(() => undefined);   // the claim lapses on its own otherwise
      if (NoSubscriberError.isNoSubscriber(error)) throw error;
      if (!listener.reported.delete(error)) {
        report(this.attached().reporter, {
          error,
          eventName: listener.name,
          source: undefined,
          handler: `${listener.subscriber.name}.${String(listener.subscription.method)} (remote delivery ${delivery.attempt} of ${delivery.maxAttempts})`,
          async: true,
          quarantined: false,
        });
      }
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

  /**
   * Fires the group's event with the payload: the core applies once, filter, info, the error
   * policy's quarantine and the trace. Rejects when a handler failed, so that the message is retried.
   */
  private async invoke(listener: Listener, envelope: Envelope<unknown[]>): Promise<void> {
    const { event } = listener;
    if (event.size === 0) throw this.pause(listener, envelope, true);
    // Handlers are called synchronously within fireAsync(): the info of each call reads `current` then.
    listener.current = envelope;
    let settled: Promise<void>;
    try {
      settled = event.fireAsync(...envelope.payload);
    } finally {
      listener.current = undefined;
    }
    // A `once` subscription is done: the group stops taking messages here, quietly.
    if (event.size === 0) this.pause(listener, envelope, false);
    try {
      await settled;
    } catch (error) {
      const errors = (error as AggregateError).errors;
      if (errors.length === 1) throw errors[0];
      throw new AggregateError(errors, `${errors.length} ${listener.subscriber.name} objects failed to handle remote event "${envelope.name}"`, { cause: error });
    }
  }

  /** Pauses the consumer of a group with no handler left; with `report`, reports it once. Returns the error to throw. */
  private pause(listener: Listener, envelope: Envelope<unknown[]>, reportIt: boolean): NoSubscriberError {
    const { subscriber, group } = listener;
    const error = new NoSubscriberError(
      `No live ${subscriber.name} object in this process to deliver remote event "${envelope.name}" (id ${envelope.id}) to: ` +
      `it was released, garbage-collected, or its container disposed without disposeAsync(). Consumer group ${group} pauses ` +
      `in this process until a ${subscriber.name} is wired again; its events wait in the broker for other processes of the service. ` +
      'Keep remote subscribers alive (singletons, the default) and close containers with disposeAsync().');
    if (!listener.paused) {
      listener.paused = true;
      listener.consumer?.pause();
      if (reportIt) {
        report(this.attached().reporter, {
          error, eventName: listener.name, source: undefined, handler: `${subscriber.name}.${String(listener.subscription.method)} (remote)`,
          async: true, quarantined: false,
        });
      }
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
