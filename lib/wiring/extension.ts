import type { Event, EventOptions } from '../core/event';
import type { ErrorReporter } from '../core/error-policy';
import type { Subscription } from '../core/subscription';
import type { PublishedEvent, SubscribedEvent } from './metadata';

/**
 * The container's extension point: what a transport (`remoteEvents()` of `eventwire/remote`), a
 * tracer or a metrics integration plugs in with `new Container({ extensions: [...] })`. Every hook
 * is optional and called synchronously, in the order the extensions are listed; a hook that
 * throws fails the call that triggered it (`get()`, `wire()`, `release()`...). A child container
 * shares its root's extensions: their hooks fire for the objects of every scope of the tree.
 *
 * Adopting an object is all or nothing. When `eventCreated`, `subscriberAdopted`,
 * `subscriptionConnected` or `objectAdopted` throws while an object is adopted, the container
 * undoes it: every connection of the object is removed (the subscriptions the hooks saw become
 * inactive), what `host.forward` installed on its events is stopped, its event properties are as they were (an event it made itself gets back its own
 * name, source and options), nothing owns it, and every extension that was called with it (any
 * of those four hooks it has, the one that threw included) gets
 * {@link objectReleased}, maybe without `objectAdopted`. An object the container built for
 * `get()` (a class or a factory, not a `useValue`) is then disposed, as the container's
 * `dispose()` would (its failure goes to `onError`): the next `get()` builds a new one. Then
 * `get()` or `wire()` throws a `WiringError` naming the class, the hook and the extension, with
 * the hook's error as `cause`.
 * What already ran cannot be taken back: a handler of the object that received an event's
 * replayed payloads (`replay`) while it was connected has run.
 *
 * @example
 * const adopted: string[] = [];
 * const counting: ContainerExtension = { objectAdopted: (object) => { adopted.push(object.constructor.name); } };
 * new Container({ extensions: [counting] }).get(Dashboard);   // adopted: ['Dashboard']
 */
export interface ContainerExtension {
  /** Names the extension in error messages, e.g. `remoteEvents() (transport redis://…)`; else its index in `extensions` (`#0`). */
  readonly name?: string;
  /**
   * Called once, when the root container is built with the extension: what it needs of the
   * container. An extension that belongs to one container (it owns a transport) throws when
   * attached to a second one.
   */
  attach?(host: ExtensionHost): void;
  /**
   * The container created (or took over) `event`, declared by `@publishes` as `declared` on
   * `source`, as it adopts `source`: before any handler is connected to it.
   */
  eventCreated?(event: Event<unknown[]>, source: object, declared: PublishedEvent): void;
  /**
   * True when this extension carries the event `declared` (of the class `publisher`): the wiring
   * then connects NO subscriber to it locally and calls {@link subscriberAdopted} instead. The
   * first extension that carries an event gets it.
   */
  carries?(declared: PublishedEvent, publisher: Function): boolean;
  /**
   * An object about to be adopted subscribes to an event that this extension carries: throw to
   * refuse it (e.g. an option that cannot apply). Called for each such subscription of the object
   * BEFORE any of it is wired, so a refused object is left as it was: no event created, no
   * connection made, no other hook called for it. Must change nothing: {@link subscriberAdopted}
   * follows once every check of the object passed.
   */
  checkSubscriber?(pending: PendingSubscription): void;
  /**
   * An adopted object subscribes to an event that this extension carries: connect it where the
   * extension delivers (`carried.connect(event)`), with the subscription's options.
   */
  subscriberAdopted?(carried: CarriedSubscription): void;
  /** The wiring connected a subscriber's method to an event (locally, or through an extension). */
  subscriptionConnected?(connection: ConnectionInfo): void;
  /** An object was adopted: its events exist and it is connected as a source and a subscriber. */
  objectAdopted?(object: object): void;
  /**
   * An object was released (by `release()`, or by the dispose of its container): it is unwired.
   * Also called, without `objectAdopted` before it, when an adoption this extension was told of
   * failed and was undone (see above): release what you set up for the object. The container
   * has already stopped what {@link ExtensionHost.forward} installed on the object's events.
   */
  objectReleased?(object: object): void;
  /**
   * `disposeAsync()` of the root container is starting: stop taking work and let the work in
   * flight finish (a transport drains its consumers). Awaited; then the container disposes its
   * objects (each released), then calls {@link close}. Not called by a plain `dispose()`.
   */
  closing?(): void | Promise<void>;
  /**
   * `disposeAsync()` of the root container disposed its objects: release what the extension
   * holds (a transport closes its connections). Awaited, in the reverse order of the list; its
   * failure rejects `disposeAsync()`. Not called by a plain `dispose()`.
   */
  close?(): void | Promise<void>;
}

/** What the container offers an extension in {@link ContainerExtension.attach}. */
export interface ExtensionHost {
  /** The options (error policy, trace, maxWeakHandlers) of every event the container creates. Frozen. */
  readonly eventOptions: EventOptions;
  /** The container's `onError` reporter (the default one when it has none). */
  readonly reporter: ErrorReporter;
  /**
   * Calls `forward` with the payload of every `fire` and `fireAsync` of `event`, before its
   * handlers, WITHOUT being a handler: `clear()`, quarantine and `size` never see it.
   * `fireAsync()` awaits it and rejects with its failure under every error policy; `fire()`
   * treats its failure as a handler's. Returns what stops it (idempotent).
   *
   * The container owns it when `event` is an event of an object it wired: `release()` of the
   * object, the dispose of its scope, or its adoption failing and being undone stop it, before
   * {@link ContainerExtension.objectReleased}; wiring the object again calls `eventCreated`
   * again. One forwarder per event: a second `forward` of it, by any extension, throws an
   * `InvalidArgumentError` naming the extension that forwards it.
   *
   * `options.via`: `graph()` shows the event as a forwarding edge of that kind and group until
   * it stops. `options.withdraw`: called, with the promise `forward` returned, when a bounded
   * `fireAsyncWith()` gives up before that promise settled: withdraw the event if it has not
   * gone out yet (it then never goes out; reject that promise) and return true, else false. The
   * caller's `FireAbortedError` says which.
   */
  forward(
    event: Event<unknown[]>, forward: (...args: unknown[]) => unknown,
    options?: { readonly via?: CarrierInfo; readonly withdraw?: (forwarded: unknown) => boolean },
  ): () => void;
}

/** A subscription of an object about to be adopted to an event an extension carries (see {@link ContainerExtension.checkSubscriber}). */
export interface PendingSubscription {
  /** The subscribing object. */
  readonly subscriber: object;
  /** Its `@subscribes` declaration: method, source class, event and options. */
  readonly subscription: SubscribedEvent;
  /** The `@publishes` declaration of the event it subscribes to. */
  readonly declared: PublishedEvent;
}

/** A subscription of an adopted object to an event an extension carries (see {@link ContainerExtension.subscriberAdopted}). */
export interface CarriedSubscription extends PendingSubscription {
  /**
   * Connects the subscriber's method to `event` exactly as the wiring connects it to a local
   * event (`once`, `priority`, `filter`, `info`, held strongly when owned, weakly otherwise) and
   * records the connection, so that `release()` and dispose remove it and `graph()` shows it
   * with `via`. A `filter` and an `EventInfo` get `event.source` as the source (usually
   * undefined: the publisher is elsewhere); `info()`, when given, adds its fields to the
   * `EventInfo` of each call.
   */
  connect(event: Event<any>, options: { readonly via: CarrierInfo; readonly info?: () => object }): Subscription;
}

/** How a carried connection, or a forwarded event, travels, as `graph()` shows it. */
export interface CarrierInfo {
  /** What carries it, e.g. `'remote'`. */
  readonly kind: string;
  /** The group it is delivered through, e.g. the consumer group `billing/Mailer.onOrderPlaced`; for a forwarded event, where it goes (the namespace `shop`). */
  readonly group: string;
}

/** One connection the wiring made (see {@link ContainerExtension.subscriptionConnected}). */
export interface ConnectionInfo {
  /** The publishing class (for a carried connection, the class subscribed to). */
  readonly publisher: Function;
  /** The event's declared name. */
  readonly event: string;
  /** The subscribing object. */
  readonly subscriber: object;
  /** The subscribing method. */
  readonly method: string;
  /** The publishing object; undefined for a carried connection. */
  readonly source: object | undefined;
  /** The handler's registration. */
  readonly subscription: Subscription;
  /** How a carried connection travels; undefined for a local one. */
  readonly via: CarrierInfo | undefined;
}

/** The hooks of {@link ContainerExtension}, which the container checks are functions. */
export const EXTENSION_HOOKS = [
  'attach', 'eventCreated', 'carries', 'checkSubscriber', 'subscriberAdopted', 'subscriptionConnected', 'objectAdopted', 'objectReleased', 'closing', 'close',
] as const satisfies readonly (keyof ContainerExtension)[];
