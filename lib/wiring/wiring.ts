import { Event, type EventInfo, type EventOptions } from '../core/event';
import { emitWarning } from '../core/environment';
import { DecoratorError, DisposedError, InvalidArgumentError, WiringError } from '../core/errors';
import { className, describeEvent, safeString } from '../core/describe';
import {
  injectableOptions, publishedEvents, subscribedEvents, subscriberClassList, subscriberClassesVersion, type PublishedEvent, type SubscribedEvent,
} from './metadata';
import type { CarrierInfo, ConnectionInfo, ContainerExtension, PendingSubscription } from './extension';
import type { Subscription } from '../core/subscription';

/**
 * The wiring rule: a `@subscribes(Source, 'e')` method of every live subscriber is connected
 * to event 'e' of every live `Source` (or subclass) object, whichever was made first, for
 * objects adopted by one wiring scope or by scopes in a line of parents and children (never
 * across siblings). The bookkeeping holds both ends weakly; a handler holds its subscriber
 * strongly when an owner unwires it at a known moment (see `adopt`), weakly otherwise.
 */

/** One live handler connection, as the graph reports it. */
export interface Connection {
  readonly publisher: Function;
  readonly event: string;
  readonly subscriber: Function;
  readonly method: string;
  readonly subscription: Subscription;
  /** @internal The publishing object: held weakly, or strongly until released when an owner keeps it. */
  readonly source: Ref;
  /** @internal The subscribing object: held weakly, or strongly until released when an owner keeps it. */
  readonly target: Ref;
  /** How a connection that an extension carries travels (see `ContainerExtension.carries`). */
  readonly via?: CarrierInfo;
}

/** How the indexes and connections hold an object: `deref()` gives it, or undefined once it is gone. */
interface Ref {
  deref(): object | undefined;
}

/**
 * An owned object, held strongly until it is released (the container's list of what it built
 * holds its owned objects so too, until dispose). Not a WeakRef: V8 keeps the target of
 * every WeakRef created (or dereferenced) in a job alive until the job ends, so one WeakRef per
 * scoped object would keep every disposed scope of a batch loop that never yields.
 */
export class Held implements Ref {
  constructor(private target: object | undefined) {}
  deref(): object | undefined {
    return this.target;
  }
  clear(): void {
    this.target = undefined;
  }
}

/**
 * One reference per object, shared by the indexes and connections: set by `adopt`, a `Held` for an
 * object whose owner unwires it at a known moment (its handlers and its scope's bookkeeping hold
 * it strongly), else a WeakRef (as for an event that connections name).
 */
const refs = new WeakMap<object, Ref>();
function refOf(object: object): Ref {
  let ref = refs.get(object);
  if (ref === undefined) refs.set(object, ref = new WeakRef(object));
  return ref;
}

/** A connection whose handler is registered and whose two ends are alive. */
function isLive(connection: Connection): boolean {
  return connection.subscription.active && connection.source.deref() !== undefined && connection.target.deref() !== undefined;
}

/** Objects found by class: owned ones held strongly until released, the others weakly. */
class WeakIndex {
  private readonly byClass = new Map<Function, Ref[]>();
  private readonly pruneAt = new Map<Function, number>();

  add(object: object, classes: Iterable<Function>): void {
    const ref = refOf(object);
    for (const cls of classes) {
      let refs = this.byClass.get(cls);
      if (refs === undefined) this.byClass.set(cls, refs = []);
      refs.push(ref);
      if (refs.length >= (this.pruneAt.get(cls) ?? 64)) {
        const live = refs.filter((r) => r.deref() !== undefined);
        this.byClass.set(cls, live);
        this.pruneAt.set(cls, Math.max(64, live.length * 2));
      }
    }
  }

  /** Live objects indexed under `cls`. */
  live(cls: Function): object[] {
    const refs = this.byClass.get(cls);
    if (refs === undefined) return [];
    const out: object[] = [];
    for (const ref of refs) {
      const object = ref.deref();
      if (object !== undefined) out.push(object);
    }
    return out;
  }

  remove(object: object): void {
    for (const [cls, refs] of this.byClass) this.byClass.set(cls, refs.filter((r) => r.deref() !== object));
  }

  /** Forgets collected objects. */
  sweep(): void {
    for (const [cls, refs] of this.byClass) {
      const live = refs.filter((r) => r.deref() !== undefined);
      if (live.length === 0) this.byClass.delete(cls);
      else this.byClass.set(cls, live);
      this.pruneAt.set(cls, Math.max(64, live.length * 2));
    }
  }

  all(): Set<object> {
    const out = new Set<object>();
    for (const cls of this.byClass.keys()) for (const object of this.live(cls)) out.add(object);
    return out;
  }

  /** Forgets everything (a disposed scope). */
  clear(): void {
    this.byClass.clear();
    this.pruneAt.clear();
  }
}

/** Connections of each wired object, to unwire it on release. */
const connectionsOf = new WeakMap<object, Connection[]>();
/** The scope that adopted each object. */
const ownerOf = new WeakMap<object, Wiring>();
/** Events that a wiring scope created or took over (and disposes with it). */
const ownedEvents = new WeakSet<Event<unknown[]>>();
/**
 * The forwarder an extension installed on each event with `ExtensionHost.forward`: what stops
 * it, the extension's name for the "already forwarded" error, and the carrier `graph()` shows.
 * Stopped when the object whose event it is gets unwired (see `forget`).
 */
const forwarders = new WeakMap<Event<unknown[]>, { readonly stop: () => void; readonly by: string; readonly via: CarrierInfo | undefined }>();

/**
 * @internal Records the forwarder that `install` puts on `event` for the extension named `by`
 * (`ExtensionHost.forward`), carried `via`; returns what stops it, idempotent. Throws when an
 * extension's forwarder is on the event already.
 */
export function ownForwarder(event: Event<unknown[]>, by: string, via: CarrierInfo | undefined, install: () => () => void): () => void {
  const first = forwarders.get(event);
  if (first !== undefined && !event.isDisposed) {
    throw new InvalidArgumentError(
      `host.forward(): ${describeEvent(event.name, event.source)} is already forwarded, ` +
      `by extension ${first.by}: an event has one forwarder. Forward it from one extension only (the one whose carries() claims it), ` +
      'or call the function the first host.forward() returned before forwarding it again.');
  }
  const stopForwarder = install();
  const entry = {
    stop: (): void => {
      if (forwarders.get(event) === entry) forwarders.delete(event);
      stopForwarder();
    },
    by,
    via,
  };
  forwarders.set(event, entry);
  return entry.stop;
}

/** @internal How `event` is carried out of the process (see `ExtensionHost.forward`), for `graph()`; undefined if it is not, or without a carrier. */
export function forwardedVia(event: unknown): CarrierInfo | undefined {
  return event instanceof Event ? forwarders.get(event as Event<unknown[]>)?.via : undefined;
}

/** Tells a scope that one of its objects was collected, so it can sweep its bookkeeping. */
const adopted = new FinalizationRegistry<Wiring>((scope) => scope.collected());

/** The classes of an object's prototype chain, most derived first. */
function classChain(object: object): Function[] {
  const chain: Function[] = [];
  for (let p = Object.getPrototypeOf(object) as object | null; p !== null && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    const ctor = (p as { constructor?: unknown }).constructor;
    if (typeof ctor === 'function' && Object.prototype.hasOwnProperty.call(p, 'constructor')) chain.push(ctor);
  }
  return chain;
}

/**
 * One wiring scope, and its node in the ONE scope tree of a container and its children: the
 * container's parent and children are found through it (`owner` is what the container gives,
 * which must not reach the container object itself). Children are held strongly, without a
 * WeakRef (which V8 would keep alive until the job ends): a disposed child leaves its parent's
 * set at once, and one dropped without `dispose()` is taken out by `detach()`, which the
 * container calls from a finalization registry on its user-facing object.
 */
export class Wiring<Owner = unknown> {
  private readonly sources = new WeakIndex();
  private readonly subscribers = new WeakIndex();
  private readonly children = new Set<Wiring<Owner>>();
  /** Objects adopted, and of those collected, since the last sweep. */
  private adoptedSinceSweep = 0;
  private collectedSinceSweep = 0;
  /** Called after each sweep, for the container's own bookkeeping. */
  onSweep: (() => void) | undefined = undefined;
  disposed = false;
  /**
   * Root scope only: the class of every object adopted in the tree, and every class token
   * provided, for the missed-event warning (which also counts their base classes as seen).
   */
  private readonly seen = new Set<Function>();
  /** Root scope only: classes never adopted in this tree, of which an adoption failed and was undone. */
  private readonly failed = new WeakSet<Function>();
  /** Root scope only: (event, subscriber class) pairs already warned about. */
  private readonly warned = new WeakMap<PublishedEvent, WeakSet<Function>>();
  /** Root scope only: the subscriber classes of each event of each source class, by version of the class list. */
  private readonly audiences = new WeakMap<Function, Map<PublishedEvent, { version: number; classes: Audience[] }>>();

  /**
   * @param owner What this scope belongs to (its container), as the tree gives it back.
   * @param parent The parent scope, whose objects this one sees.
   * @param eventOptions Options for every event this scope creates (error policy, trace).
   * @param extensions The container's extensions (a child scope's are its root's).
   */
  constructor(
    readonly owner: Owner, readonly parent: Wiring<Owner> | undefined,
    private readonly eventOptions: EventOptions, private readonly extensions: readonly ContainerExtension[],
  ) {
    parent?.children.add(this);
  }

  /** Leaves the parent's children: a child scope dropped without `dispose()` (its container was collected). */
  detach(): void {
    this.parent?.children.delete(this);
  }

  /**
   * Creates `object`'s events, then connects it as a source and as a subscriber. With
   * `strong`, its handlers hold it strongly (its owner unwires it); otherwise weakly. Whatever
   * can refuse the object (its subscriptions, its event properties, the extensions' checks) is
   * checked first: when it throws, nothing of the object is wired. A hook that throws later is
   * undone (see `ContainerExtension`): nothing of the object stays wired either.
   */
  adopt(object: object, strong: boolean): void {
    const owner = ownerOf.get(object);
    if (owner === this) return;
    if (owner !== undefined) {
      throw new WiringError(
        `${className(object)} is already wired by another container. An object belongs to one container: release() it there first.`);
    }
    const ctor = object.constructor;
    const published = publishedEvents(ctor);
    const subscribed = subscribedEvents(ctor);
    for (const subscription of subscribed) checkSubscription(ctor, subscription);
    if (published.length === 0 && subscribed.length === 0) return;
    // Checked before anything changes: the events to take over (or create), and what the
    // extensions that carry some of the subscriptions accept.
    const existing = published.map((declared) => eventToTakeOver(object, declared));
    const carried: { extension: ContainerExtension; pending: PendingSubscription }[] = [];
    for (const subscription of subscribed) {
      const declared = findEvent(subscription.source, subscription.event)!;
      const extension = this.carrierOf(declared, subscription.source);
      if (extension !== undefined) carried.push({ extension, pending: { subscriber: object, subscription, declared } });
    }
    for (const { extension, pending } of carried) extension.checkSubscriber?.(pending);

    const seen = this.root().seen;
    const unseen = !seen.has(ctor);
    seen.add(ctor);
    // What a failed adoption undoes (see ContainerExtension): the event properties it sets, the
    // events it takes over (their name, options and first-fire check), and the extensions it tells.
    const before = published.map((declared, i) => {
      const event = existing[i];
      return event === undefined ? Object.getOwnPropertyDescriptor(object, declared.key) : [event.name, event._options, event._beforeFirstFire] as const;
    });
    const outer = told;
    const heard = told = new Set();
    try {
      published.forEach((declared, i) => this.createEvent(object, declared, existing[i]));
      ownerOf.set(object, this);
      refs.set(object, strong ? new Held(object) : new WeakRef(object));
      adopted.register(object, this, object);

      const scopes = this.lineage();
      // Subscriptions to events an extension carries reach it, not local sources.
      for (const { extension, pending } of carried) {
        const { subscription, declared } = pending;
        tell(extension, 'subscriberAdopted', {
          ...pending,
          connect: (event: Event<unknown[]>, options: { via: CarrierInfo; info?: () => object }) =>
            this.link(object, subscription, declared, event, options.via, options.info),
        });
      }
      // As a subscriber, to sources already there (not yet to itself: see below).
      for (const subscription of subscribed) {
        for (const scope of scopes) {
          for (const source of scope.sources.live(subscription.source)) this.connect(object, subscription, source);
        }
      }
      if (published.length > 0) this.sources.add(object, classChain(object));
      if (subscribed.length > 0) this.subscribers.add(object, new Set(subscribed.map((s) => s.source)));
      // As a source, to subscribers already there, itself included.
      if (published.length > 0) {
        for (const cls of classChain(object)) {
          for (const scope of scopes) {
            for (const subscriber of scope.subscribers.live(cls)) {
              for (const subscription of subscribedEvents(subscriber.constructor)) {
                if (subscription.source === cls) this.connect(subscriber, subscription, object);
              }
            }
          }
        }
      }
      for (const extension of this.extensions) tell(extension, 'objectAdopted', object);
    } catch (error) {
      this.forget(object);
      published.forEach((declared, i) => {
        const was = before[i];
        try {
          const event = existing[i];
          if (event !== undefined) event._reconfigure(...(was as Parameters<Event<unknown[]>['_reconfigure']>));
          else if (was === undefined) delete (object as Record<string | symbol, unknown>)[declared.key];
          else Object.defineProperty(object, declared.key, was as PropertyDescriptor);
        } catch {
          // an exotic object (a Proxy) that refused the event in the first place
        }
      });
      if (unseen) {
        seen.delete(ctor);
        this.root().failed.add(ctor);
      }
      const failures: unknown[] = [];
      for (const extension of this.extensions) {
        try {
          if (heard.has(extension)) extension.objectReleased?.(object);
        } catch (failure) {
          failures.push(failure);
        }
      }
      if (!(error instanceof HookFailure)) throw error;
      const [extension, hook, cause] = error.what;
      const name = className(object);
      throw new WiringError(
        `Could not wire ${name}: ${hook}() of extension ${extension.name ?? `#${this.extensions.indexOf(extension)}`} threw: ` +
        `${(cause instanceof Error ? cause.message : safeString(cause)).replace(/\.$/, '')}. Nothing of ${name} was wired; fix the cause and wire it again.`,
        { cause: failures.length > 0 ? new AggregateError([cause, ...failures], 'objectReleased() threw too') : cause });
    } finally {
      told = outer;
    }
    this.adoptedSinceSweep++;
  }

  /**
   * Counts `token` (a class) as built in this tree, for the missed-event warning: an object
   * provided for a class token (a fake, a subclass) stands in for the class.
   */
  provided(token: unknown, object: object): void {
    if (typeof token === 'function' && token !== object.constructor) this.root().seen.add(token);
  }

  /** True when `object` is not wired, or wired by this scope or one of its descendants. */
  owns(object: object): boolean {
    for (let scope = ownerOf.get(object); scope !== undefined; scope = scope.parent) {
      if (scope === this) return true;
    }
    return !ownerOf.has(object);
  }

  /** Removes every connection of `object` and forgets it. */
  release(object: object): void {
    const owner = ownerOf.get(object);
    if (owner === undefined) return;
    owner.forget(object);
    for (const extension of this.extensions) extension.objectReleased?.(object);
  }

  /** Removes every connection of `object` (adopted by this scope) and forgets it. */
  private forget(object: object): void {
    this.sources.remove(object);
    this.subscribers.remove(object);
    for (const connection of connectionsOf.get(object) ?? []) connection.subscription.unsubscribe();
    // What an extension forwards of the object's events stops with it (see `ExtensionHost.forward`).
    if (this.extensions.length > 0) {
      for (const declared of publishedEvents(object.constructor)) {
        const event: unknown = Object.getOwnPropertyDescriptor(object, declared.key)?.value;
        if (event instanceof Event) forwarders.get(event as Event<unknown[]>)?.stop();
      }
    }
    // Deleted now, not left to the collector: a weak table grows with the entries it holds
    // between two full collections and keeps that capacity (one scope per request would grow it).
    connectionsOf.delete(object);
    ownerOf.delete(object);
    adopted.unregister(object);
    // A strong reference lets go: connections that other objects still list no longer hold it.
    const ref = refs.get(object);
    if (ref instanceof Held) ref.clear();
    refs.delete(object);
  }

  /**
   * @internal Called by the finalization registry: once half of what was adopted since the
   * last sweep has been collected, forgets every collected object and dead connection.
   */
  collected(): void {
    if (++this.collectedSinceSweep < 64 || this.collectedSinceSweep * 2 < this.adoptedSinceSweep) return;
    this.sources.sweep();
    this.subscribers.sweep();
    const live = new Set([...this.sources.all(), ...this.subscribers.all()]);
    for (const object of live) {
      const list = connectionsOf.get(object);
      if (list !== undefined) connectionsOf.set(object, list.filter((c) => isLive(c)));
    }
    this.adoptedSinceSweep = live.size;
    this.collectedSinceSweep = 0;
    this.onSweep?.();
  }

  /**
   * Releases every object of this scope and disposes the events it created or took over (firing one then
   * throws a DisposedError); the scope refuses new objects afterwards.
   */
  dispose(): void {
    for (const object of this.sources.all()) {
      for (const declared of publishedEvents(object.constructor)) {
        const event = (object as Record<string | symbol, unknown>)[declared.key];
        if (event instanceof Event && ownedEvents.has(event)) event.retire('its container');
      }
    }
    for (const object of new Set([...this.sources.all(), ...this.subscribers.all()])) this.release(object);
    this.disposed = true;
    this.sources.clear();
    this.subscribers.clear();
    this.children.clear();
    this.onSweep = undefined;
    this.detach();
  }

  /** Live connections of the objects of this scope and its children (either end counts). */
  liveConnections(): Connection[] {
    const out = new Set<Connection>();
    for (const object of this.liveObjects()) {
      for (const connection of connectionsOf.get(object) ?? []) if (isLive(connection)) out.add(connection);
    }
    return [...out];
  }

  /** Live objects adopted by this scope and its children. */
  liveObjects(): object[] {
    const out = [...new Set([...this.sources.all(), ...this.subscribers.all()])];
    for (const child of this.liveChildren()) out.push(...child.liveObjects());
    return out;
  }

  /** Takes over `existing` (see `eventToTakeOver`) as `object`'s event `declared`, or creates it. */
  private createEvent(object: object, declared: PublishedEvent, existing: Event<unknown[]> | undefined): void {
    // `remote` is for extensions (see `ContainerExtension.carries`), not an Event option.
    const { remote: _remote, ...options } = declared.options;
    const eventOptions: EventOptions = { ...this.eventOptions, source: object };
    // An option given as undefined is an absent one: it leaves the container's.
    for (const [key, value] of Object.entries(options)) if (value !== undefined) (eventOptions as Record<string, unknown>)[key] = value;
    let event: Event<unknown[]>;
    if (existing !== undefined) {
      event = existing;
      event._adopt(declared.name, eventOptions);
    } else {
      event = new Event<unknown[]>(declared.name, eventOptions);
      try {
        Object.defineProperty(object, declared.key, { value: event, writable: false, enumerable: true, configurable: true });
      } catch (cause) {
        throw frozen(object, declared, cause);   // an exotic object (a Proxy) that eventToTakeOver could not foresee
      }
    }
    ownedEvents.add(event);
    for (const extension of this.extensions) tell(extension, 'eventCreated', event, object, declared);
    // A carried event may have its subscribers elsewhere; a replayed one reaches late ones.
    const root = this.root();
    const source = object.constructor;
    if (this.carrierOf(declared, source) === undefined && (declared.options.replay ?? 0) === 0 && root.unbuilt(source, declared).length > 0) {
      event.checkBeforeFirstFire(() => root.warnUnbuilt(source, declared));
    }
  }

  private connect(subscriber: object, subscription: SubscribedEvent, source: object): void {
    const declared = findEvent(source.constructor, subscription.event)!;
    // An event an extension carries reaches its subscribers through the extension only.
    if (this.carrierOf(declared, source.constructor) !== undefined) return;
    const event = (source as Record<string | symbol, unknown>)[declared.key] as Event<unknown[]>;
    this.link(subscriber, subscription, declared, event, undefined, undefined, source);
  }

  /**
   * Adds `subscriber`'s method to `event` with the subscription's options and records the
   * connection: to the event of `source`, or (without a source) to an event an extension
   * carries, `via` it.
   */
  private link(
    subscriber: object, subscription: SubscribedEvent, declared: PublishedEvent, event: Event<unknown[]>,
    via: CarrierInfo | undefined, extraInfo: (() => object) | undefined, source?: object,
  ): Subscription {
    if (this.disposed) throw new DisposedError('This container was disposed: it wires nothing any more.');
    const method = (subscriber as Record<string | symbol, unknown>)[subscription.method] as (...args: unknown[]) => unknown;
    const { once, priority, info, filter } = subscription.options;
    // An owned subscriber is held strongly (its owner unwires it), any other weakly.
    const strong = refs.get(subscriber) instanceof Held;
    // A filter needs the source: it gets it from the EventInfo, as a closure over the source
    // would keep the source alive through the subscriber's bookkeeping.
    const added = filter !== undefined || (extraInfo !== undefined && info === true)
      ? event._add(wrapped(method, filter, info === true, extraInfo), { target: subscriber, once, priority, info: true }, strong)
      : event._add(method, { target: subscriber, once, priority, info: info === true }, strong);
    const connection: Connection = {
      publisher: source?.constructor ?? subscription.source, event: declared.name, subscriber: subscriber.constructor,
      method: String(subscription.method), subscription: added, source: refOf(source ?? event), target: refOf(subscriber),
      ...(via === undefined ? {} : { via }),
    };
    remember(subscriber, connection);
    if (source !== undefined && source !== subscriber) remember(source, connection);
    if (this.extensions.length > 0) {
      const made: ConnectionInfo = {
        publisher: connection.publisher, event: connection.event, subscriber, method: connection.method, source, subscription: added, via,
      };
      for (const extension of this.extensions) tell(extension, 'subscriptionConnected', made);
    }
    return added;
  }

  /** The extension that carries `declared` (of `publisher`), if any. */
  private carrierOf(declared: PublishedEvent, publisher: Function): ContainerExtension | undefined {
    for (const extension of this.extensions) if (extension.carries?.(declared, publisher) === true) return extension;
    return undefined;
  }

  /** Root scope: an object of `cls` (or a subclass), or an object provided for it, was adopted in this tree. */
  private built(cls: Function): boolean {
    if (this.seen.has(cls)) return true;
    for (const seen of this.seen) if (seen.prototype instanceof cls) return true;
    return false;
  }

  /** Root scope: the subscriber classes of `declared` (of `source`) never built in this tree and not yet warned about. */
  private unbuilt(source: Function, declared: PublishedEvent): Audience[] {
    const warned = this.warned.get(declared);
    return this.audience(source, declared).filter((a) => warned?.has(a.cls) !== true && !this.built(a.cls));
  }

  /** Root scope: warns once per event and class about subscribers that were never built. */
  private warnUnbuilt(source: Function, declared: PublishedEvent): void {
    for (const { cls, methods } of this.unbuilt(source, declared)) {
      let warned = this.warned.get(declared);
      if (warned === undefined) this.warned.set(declared, warned = new WeakSet());
      warned.add(cls);
      emitWarning(
        `Event "${declared.name}" of ${source.name} fired, but ${cls.name} (${methods.map((m) => `${cls.name}.${m}`).join(', ')}) ` +
        (this.failed.has(cls)
          ? `subscribes to it and no ${cls.name} is wired in this container (wiring one failed and was undone): the event did not reach it. ` +
            `Fix the cause the WiringError named, then get(${cls.name}) again before the event fires.`
          : `subscribes to it and no ${cls.name} was ever built in this container: the event did not reach it. ` +
            `Register it (new Container({ providers: [${cls.name}] })) and call start(), ` +
            `or get(${cls.name}) before the event fires.`),
        'SubscriberNotBuiltWarning', 'EVENTWIRE_SUBSCRIBER_NOT_BUILT');
    }
  }

  /** Root scope: the classes of loaded code that subscribe to `declared` of `source` (cached until a new class is defined). */
  private audience(source: Function, declared: PublishedEvent): Audience[] {
    let byEvent = this.audiences.get(source);
    if (byEvent === undefined) this.audiences.set(source, byEvent = new Map());
    const version = subscriberClassesVersion();
    const cached = byEvent.get(declared);
    if (cached !== undefined && cached.version === version) return cached.classes;
    const classes: Audience[] = [];
    // Only @injectable singletons: classes meant to be built once by a container, which start()
    // builds (not fakes, hand-wired objects, or transients that come and go).
    for (const cls of subscriberClassList()) {
      const injectable = injectableOptions(cls);
      if (injectable === undefined || (injectable.scope ?? 'singleton') !== 'singleton') continue;
      let methods: string[];
      try {
        methods = subscribedEvents(cls)
          .filter((s) => (s.source === source || source.prototype instanceof s.source) &&
            findEvent(source, s.event) === declared)
          .map((s) => String(s.method));
      } catch {
        continue;   // a subscription that cannot be read yet (a lazy source): the wiring reports it
      }
      if (methods.length > 0) classes.push({ cls, methods });
    }
    byEvent.set(declared, { version, classes });
    return classes;
  }

  private root(): Wiring<Owner> {
    return this.parent === undefined ? this : this.parent.root();
  }

  /** This scope, its ancestors and its descendants. */
  private lineage(): Wiring<Owner>[] {
    const scopes: Wiring<Owner>[] = [];
    for (let scope = this.parent; scope !== undefined; scope = scope.parent) scopes.push(scope);
    const descend = (scope: Wiring<Owner>): void => {
      scopes.push(scope);
      for (const child of scope.liveChildren()) descend(child);
    };
    descend(this);
    return scopes;
  }

  /** The child scopes neither dropped nor disposed, in creation order (a new array). */
  liveChildren(): Wiring<Owner>[] {
    const live: Wiring<Owner>[] = [];
    for (const child of this.children) if (!child.disposed) live.push(child);
    return live;
  }
}

/** A class of loaded code that subscribes to an event, with its methods that do. */
interface Audience {
  readonly cls: Function;
  readonly methods: readonly string[];
}

/** The extensions told of the object being adopted (see `adopt`); undefined when no adoption runs. */
let told: Set<ContainerExtension> | undefined;

/** A hook of an extension threw while an object was adopted: `adopt` undoes the adoption and says so. */
class HookFailure {
  constructor(readonly what: readonly [ContainerExtension, string, unknown]) {}
}

/** Calls `hook` of `extension`; while an object is adopted, counts it as told of the object, and a throw becomes a {@link HookFailure}. */
function tell(extension: ContainerExtension, hook: keyof ContainerExtension, ...args: unknown[]): void {
  const fn = extension[hook] as ((...args: unknown[]) => void) | undefined;
  // An extension without this hook is not told of anything (nor given objectReleased for it).
  if (fn === undefined) return;
  told?.add(extension);
  try {
    fn.apply(extension, args);
  } catch (error) {
    throw told === undefined || error instanceof HookFailure ? error : new HookFailure([extension, hook, error]);
  }
}

function remember(object: object, connection: Connection): void {
  let list = connectionsOf.get(object);
  if (list === undefined) connectionsOf.set(object, list = []);
  list.push(connection);
  // Connections to events that were collected are dropped now and then.
  if (list.length >= 64 && (list.length & (list.length - 1)) === 0) {
    connectionsOf.set(object, list.filter((c) => isLive(c)));
  }
}

/** The method behind a filter, or with a carrier's fields added to its EventInfo. */
function wrapped(
  method: (...args: unknown[]) => unknown, filter: ((source: never, ...args: unknown[]) => boolean) | undefined, withInfo: boolean,
  extraInfo: (() => object) | undefined,
): (this: object, info: EventInfo, ...args: unknown[]) => unknown {
  const wrapper = function (this: object, info: EventInfo, ...args: unknown[]): unknown {
    if (filter !== undefined && !filter(info.source as never, ...args)) return undefined;
    if (!withInfo) return method.apply(this, args);
    return method.call(this, extraInfo === undefined ? info : Object.freeze({ ...info, ...extraInfo() }), ...args);
  };
  // Failures are reported as `Class.method`: keep the method's name.
  Object.defineProperty(wrapper, 'name', { value: method.name });
  return wrapper;
}

/**
 * The Event that `object` already holds for `declared`, made before it was wired (read in the
 * constructor, or assigned), to take over; undefined when the container must create one. An
 * event disposed with a former container is replaced: the object starts afresh. Throws, changing
 * nothing, when the property holds something else or cannot take a new event (frozen, sealed).
 */
function eventToTakeOver(object: object, declared: PublishedEvent): Event<unknown[]> | undefined {
  // The own property only: reading through the prototype's accessor would create the event.
  const own = Object.getOwnPropertyDescriptor(object, declared.key);
  const current: unknown = own === undefined ? undefined : 'value' in own ? own.value : (object as Record<string | symbol, unknown>)[declared.key];
  if (current instanceof Event && !(current.isDisposed && ownedEvents.has(current))) return current as Event<unknown[]>;
  if (current !== undefined && !(current instanceof Event)) {
    throw new DecoratorError(
      `${className(object)}.${String(declared.key)} is declared with @publishes but holds ${safeString(current)}: ` +
      'leave it unassigned (the container creates the Event) or assign an Event.');
  }
  if (own === undefined ? !Object.isExtensible(object) : own.configurable === false) throw frozen(object, declared);
  return undefined;
}

function frozen(object: object, declared: PublishedEvent, cause?: unknown): WiringError {
  return new WiringError(
    `Could not assign event "${declared.name}" to ${className(object)}.${String(declared.key)}: the object is frozen or sealed.`,
    cause === undefined ? undefined : { cause });
}

/** The published event of `ctor` that `key` names: by property key, else by declared name. */
export function findEvent(ctor: Function, key: string | symbol): PublishedEvent | undefined {
  const published = publishedEvents(ctor);
  return published.find((e) => e.key === key) ?? published.find((e) => e.name === key);
}

const checked = new WeakSet<SubscribedEvent>();

/**
 * A hint for a constructor that failed reading a property of undefined: the likely cause is
 * firing an event declared `@publishes() e!: Event<...>`, which is still undefined there.
 */
export function constructorHint(ctor: Function, error: unknown): string {
  if (!(error instanceof TypeError) || !/of undefined \(reading '(fire|fireAsync|add)'\)/.test(error.message)) return '';
  const events = publishedEvents(ctor);
  if (events.length === 0) return '';
  const key = String(events[0].key);
  return `. If the constructor fires one of its events (${events.map((e) => String(e.key)).join(', ')}): a field ` +
    `"@publishes() ${key}!: Event<...>" is undefined until the container wires the object (under ` +
    `useDefineForClassFields, the default from target ES2022). Write "@publishes() declare readonly ${key}: Event<...>" ` +
    `or "@publishes() readonly ${key} = new Event<...>()" instead.`;
}

/** Throws a clear error when a subscription names an event its source class does not publish. */
export function checkSubscription(subscriber: Function, subscription: SubscribedEvent): void {
  if (checked.has(subscription)) return;
  const { source, event, method } = subscription;
  if (findEvent(source, event) === undefined) {
    const published = publishedEvents(source).map((e) => (e.name === e.key ? `'${e.name}'` : `'${String(e.key)}' (named '${e.name}')`));
    throw new DecoratorError(
      `${subscriber.name}.${String(method)} subscribes to ${safeString(event)} of ${source.name}, but ${source.name} does not publish it. ` +
      (published.length > 0
        ? `${source.name} publishes: ${published.join(', ')}.`
        : `${source.name} publishes no events: declare one with @publishes() on a property.`));
  }
  checked.add(subscription);
}
