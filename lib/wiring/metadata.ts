import 'reflect-metadata';
import type { EventOptions } from '../core/event';
import type { AddOptions } from '../core/event';

/**
 * The metadata store: what the decorators record about classes. The only module that
 * touches `Reflect`, so another decorator flavour could record the same facts elsewhere.
 */

/** Any class, abstract ones included. */
export type Class<T = unknown> = abstract new (...args: any[]) => T;
/** A class that can be constructed. */
export type Constructor<T = unknown> = new (...args: any[]) => T;

/**
 * How long the container keeps what it builds, and who unwires it:
 * - `'singleton'`: one instance per container that holds the registration (the root for an
 *   unregistered class), held and wired strongly until that container is disposed.
 * - `'scoped'`: one instance per child scope (`createChild()`), held and wired strongly until
 *   that scope is disposed. Asking the root container for one is a `ResolutionError`.
 * - `'transient'`: a new instance per request. Built through a child scope, it belongs to that
 *   scope like a scoped one; built at the root, nobody owns it: it is wired weakly and only the
 *   garbage collector unwires it, which it cannot do while its events keep firing.
 */
export type Scope = 'singleton' | 'scoped' | 'transient';

/** The scopes, for validation. */
export const SCOPES: readonly Scope[] = ['singleton', 'scoped', 'transient'];

/** Options of `@publishes(name, options)`: passed to the `Event` the container creates. */
export interface PublishOptions extends Omit<EventOptions, 'source' | 'trace' | 'maxHandlers' | 'maxWeakHandlers' | 'replay' | 'async' | 'timeoutMs'> {
  // The Event options, again with `| undefined` (an undefined option is an absent one), for
  // projects compiled with exactOptionalPropertyTypes. See `EventOptions` for what each does.
  /** See `EventOptions.maxHandlers`. */
  maxHandlers?: EventOptions['maxHandlers'] | undefined;
  /** See `EventOptions.maxWeakHandlers`. */
  maxWeakHandlers?: EventOptions['maxWeakHandlers'] | undefined;
  /** See `EventOptions.replay`. */
  replay?: EventOptions['replay'] | undefined;
  /** See `EventOptions.async`. */
  async?: EventOptions['async'] | undefined;
  /** See `EventOptions.timeoutMs`. */
  timeoutMs?: EventOptions['timeoutMs'] | undefined;
  /**
   * Carry this event between processes when the container has `remoteEvents()`
   * (`eventwire/remote`) among its extensions: every fire is forwarded, and subscribers receive
   * it through the broker (never locally as well). Without it the event is wired locally like
   * any other.
   */
  remote?: boolean | undefined;
}

/** Options of `@subscribes(Source, event, options)`. */
export interface SubscribeOptions<S = any, A extends unknown[] = unknown[]> extends Omit<AddOptions, 'signal' | 'once' | 'priority'> {
  /** See `AddOptions.once`. */
  once?: AddOptions['once'] | undefined;
  /** See `AddOptions.priority`. */
  priority?: AddOptions['priority'] | undefined;
  /** Called before the handler with the source object and the payload; returning false skips the call. */
  filter?: ((source: S, ...args: A) => boolean) | undefined;
  /** Pass an `EventInfo` (name, source, event) before the payload. */
  info?: boolean | undefined;
}

/** One `@publishes` declaration. */
export interface PublishedEvent {
  readonly key: string | symbol;
  readonly name: string;
  readonly options: PublishOptions;
}

/** One `@subscribes` declaration. */
export interface SubscribedEvent {
  readonly method: string | symbol;
  /**
   * The publishing class. For the lazy form `@subscribes(() => Source, key)` it is resolved
   * on first read (when the container first wires an object of the class), then cached;
   * reading it throws a `DecoratorError` while the function returns no class.
   */
  readonly source: Class;
  readonly event: string | symbol;
  readonly options: SubscribeOptions;
}

/** What `@injectable` records. */
export interface InjectableOptions {
  /**
   * `'singleton'` (default): one instance per container that holds its registration;
   * `'scoped'`: one per child scope; `'transient'`: a new one per request. See {@link Scope}.
   */
  scope?: Scope | undefined;
  /**
   * The constructor's dependencies, one token per parameter, in order: needs neither emitted
   * metadata nor `@inject`, so it works under standard decorators and every build tool. The
   * compiler checks the list against the constructor's parameter types.
   */
  deps?: readonly unknown[] | undefined;
}

/**
 * `Symbol.metadata`, which standard decorators use to give `context.metadata`. Node 20 lacks
 * it: it is set here, before any decorated class is defined, to the same symbol that other
 * libraries and esbuild use (`Symbol.for('Symbol.metadata')`); an existing one is kept.
 */
const symbolMetadata: symbol = (Symbol as { metadata?: symbol }).metadata ??= Symbol.for('Symbol.metadata');

// Registered symbols: where both the CommonJS and the ESM build of eventwire are loaded in one
// process, the two copies of this module read and write the same metadata.
const PUBLISHES = Symbol.for('eventwire:publishes');
const SUBSCRIBES = Symbol.for('eventwire:subscribes');
const INJECTABLE = Symbol.for('eventwire:injectable');
const INJECT = Symbol.for('eventwire:inject');

/**
 * Where a class's declarations are kept: its prototype (legacy decorators, through `Reflect`),
 * or the `context.metadata` object of standard decorators, which the class then holds as its
 * own `Symbol.metadata` (the declarations are own properties of that object).
 */
export type MetadataTarget = { readonly prototype: object } | { readonly metadata: DecoratorMetadataObject };

function own<T>(key: symbol, target: MetadataTarget): T[] {
  if ('metadata' in target) {
    const holder = target.metadata as Record<symbol, T[]>;
    if (!Object.hasOwn(holder, key)) {
      Object.defineProperty(holder, key, { value: [], enumerable: false, configurable: true, writable: true });
    }
    return holder[key];
  }
  return ownReflected<T>(key, target.prototype);
}

function ownReflected<T>(key: symbol, object: object): T[] {
  let list = Reflect.getOwnMetadata(key, object) as T[] | undefined;
  if (list === undefined) {
    list = [];
    Reflect.defineMetadata(key, list, object);
  }
  return list;
}

/**
 * The declarations under `key` made on exactly `prototype`'s class: by legacy decorators (on the
 * prototype), then by standard ones (in the `Symbol.metadata` object the class holds as its own).
 */
function declaredOn<T>(prototype: object, key: symbol): readonly T[] {
  const legacy = (Reflect.getOwnMetadata(key, prototype) as T[] | undefined) ?? [];
  const ctor: unknown = Object.hasOwn(prototype, 'constructor') ? (prototype as { constructor: unknown }).constructor : undefined;
  if (typeof ctor !== 'function' || !Object.hasOwn(ctor, symbolMetadata)) return legacy;
  const holder = (ctor as unknown as Record<symbol, Record<symbol, T[]> | null | undefined>)[symbolMetadata];
  return holder !== null && typeof holder === 'object' && Object.hasOwn(holder, key) ? [...legacy, ...holder[key]] : legacy;
}

export function recordPublished(target: MetadataTarget, event: PublishedEvent): void {
  own<PublishedEvent>(PUBLISHES, target).push(event);
}

export function recordSubscribed(target: MetadataTarget, subscription: SubscribedEvent): void {
  const list = own<SubscribedEvent>(SUBSCRIBES, target);
  // Under standard decorators the class does not exist yet: its @injectable lists it (recordStandardClass).
  if (list.length === 0 && 'prototype' in target) listSubscriberClass((target.prototype as { constructor: Function }).constructor);
  list.push(subscription);
}

/**
 * Standard decorators: a class decorator (`@injectable`) names the class whose `context.metadata`
 * holds `@subscribes` declarations, for the list of subscriber classes.
 */
export function recordStandardClass(ctor: Function, metadata: DecoratorMetadataObject | undefined): void {
  if (metadata !== null && typeof metadata === 'object' && Object.hasOwn(metadata, SUBSCRIBES)) listSubscriberClass(ctor);
}

function listSubscriberClass(ctor: Function): void {
  subscriberClasses.push(new WeakRef(ctor));
  classesVersion++;
}

/** Every class that declares a `@subscribes` method, held weakly, in the order defined. */
const subscriberClasses: WeakRef<Function>[] = [];
let classesVersion = 0;

/** Changes whenever a class declaring `@subscribes` methods is defined. */
export function subscriberClassesVersion(): number {
  return classesVersion;
}

/**
 * The classes of loaded code that declare `@subscribes` methods (their subclasses are not
 * listed unless they declare some too), in the order defined.
 */
export function subscriberClassList(): Function[] {
  const classes: Function[] = [];
  for (const ref of subscriberClasses) {
    const cls = ref.deref();
    if (cls !== undefined) classes.push(cls);
  }
  if (classes.length < subscriberClasses.length / 2) {
    subscriberClasses.length = 0;
    for (const cls of classes) subscriberClasses.push(new WeakRef(cls));
  }
  return classes;
}

export function recordInjectable(ctor: Function, options: InjectableOptions): void {
  Reflect.defineMetadata(INJECTABLE, options, ctor);
}

/** How each `@injectable` class was decorated, and which modes this process has seen. */
const decoratorModes = new WeakMap<Function, DecoratorMode>();
const modesSeen = new Set<DecoratorMode>();

/** Standard (TC39) decorators, or legacy ones (`experimentalDecorators`). */
export type DecoratorMode = 'standard' | 'legacy';

/** Records how `@injectable` decorated `ctor`. */
export function recordDecoratorMode(ctor: Function, mode: DecoratorMode): void {
  decoratorModes.set(ctor, mode);
  modesSeen.add(mode);
}

/**
 * How `ctor` (or its nearest `@injectable` ancestor) was decorated; for a class without
 * `@injectable`, the one mode this process has used, if it used only one.
 */
export function decoratorMode(ctor: Function): DecoratorMode | undefined {
  for (let c: unknown = ctor; typeof c === 'function' && c !== Function.prototype; c = Object.getPrototypeOf(c)) {
    const mode = decoratorModes.get(c);
    if (mode !== undefined) return mode;
  }
  return modesSeen.size === 1 ? [...modesSeen][0] : undefined;
}

export function recordInject(ctor: Function, index: number, token: unknown): void {
  ownReflected<{ index: number; token: unknown }>(INJECT, ctor).push({ index, token });
}

const publishedCache = new WeakMap<object, readonly PublishedEvent[]>();
const subscribedCache = new WeakMap<object, readonly SubscribedEvent[]>();

/** The events a class publishes, its ancestors' included; a subclass redeclaring a key wins. */
export function publishedEvents(ctor: Function): readonly PublishedEvent[] {
  return inherited(ctor, PUBLISHES, publishedCache, (e: PublishedEvent) => e.key);
}

/** The subscriptions of a class, its ancestors' included, one per (method, source, event). */
export function subscribedEvents(ctor: Function): readonly SubscribedEvent[] {
  return inherited(ctor, SUBSCRIBES, subscribedCache, (s: SubscribedEvent) => s.method);
}

function inherited<T>(ctor: Function, key: symbol, cache: WeakMap<object, readonly T[]>, id: (item: T) => unknown): readonly T[] {
  const prototype = ctor.prototype as object | undefined;
  if (prototype === undefined || prototype === null) return [];
  const cached = cache.get(prototype);
  if (cached !== undefined) return cached;
  const byId = new Map<unknown, T[]>();
  const chain: object[] = [];
  for (let p: object | null = prototype; p !== null && p !== Object.prototype; p = Object.getPrototypeOf(p)) chain.unshift(p);
  for (const p of chain) {
    const declared = declaredOn<T>(p, key);
    const seenHere = new Set<unknown>();
    for (const item of declared) {
      const k = id(item);
      // A subclass that redeclares a member replaces its ancestors' declarations of it.
      if (!seenHere.has(k)) byId.set(k, []);
      seenHere.add(k);
      byId.get(k)!.push(item);
    }
  }
  const result = [...byId.values()].flat();
  cache.set(prototype, result);
  return result;
}

/** The `@injectable` options of a class, if it has the decorator (inherited). */
export function injectableOptions(ctor: Function): InjectableOptions | undefined {
  return Reflect.getMetadata(INJECTABLE, ctor) as InjectableOptions | undefined;
}

/** The `deps` that `@injectable({ deps })` gave exactly this class (not inherited). */
export function declaredDeps(ctor: Function): readonly unknown[] | undefined {
  return (Reflect.getOwnMetadata(INJECTABLE, ctor) as InjectableOptions | undefined)?.deps;
}

/** Constructor parameter types as emitted by the compiler (`emitDecoratorMetadata`), if any. */
export function parameterTypes(ctor: Function): readonly unknown[] | undefined {
  return Reflect.getOwnMetadata('design:paramtypes', ctor) as unknown[] | undefined;
}

/** Tokens given with `@inject(token)`, by parameter index. */
export function injectedTokens(ctor: Function): ReadonlyMap<number, unknown> {
  const list = (Reflect.getOwnMetadata(INJECT, ctor) as { index: number; token: unknown }[] | undefined) ?? [];
  return new Map(list.map(({ index, token }) => [index, token]));
}
