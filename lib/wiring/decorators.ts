import { Event, type EventInfo, type EventOptions } from '../core/event';
import type { InjectionToken, Token } from './container';
import { DecoratorError, WiringError } from '../core/errors';
import { className, safeString } from '../core/describe';
import { holdConstructionFires } from './construction';
import {
  publishedEvents, recordDecoratorMode, recordInject, recordInjectable, recordPublished, recordStandardClass, recordSubscribed, SCOPES,
  type Class, type InjectableOptions, type MetadataTarget, type PublishedEvent, type PublishOptions, type SubscribedEvent, type SubscribeOptions,
} from './metadata';

/** The keys of `S` that hold an `Event`: what `@subscribes(Source, key)` accepts. */
export type EventKeys<S> = { [K in keyof S]-?: NonNullable<S[K]> extends Event<any> ? K : never }[keyof S];

/** The payload type of the event held at `S[K]`. */
export type PayloadOf<S, K extends keyof S> = NonNullable<S[K]> extends Event<infer A> ? A : never;

/**
 * A method decorator accepting any method assignable to `M` (fewer parameters are fine), under
 * legacy (`experimentalDecorators`) and standard decorators alike.
 */
export interface MethodDecorator<M extends (this: any, ...args: any) => any> {
  <T extends M>(prototype: object, key: string | symbol, descriptor: TypedPropertyDescriptor<T>): void;
  <T extends M>(method: T, context: ClassMethodDecoratorContext<any, T>): void;
}

/** `@publishes()` as a property decorator (legacy) or a field decorator (standard) of an `Event` field. */
export interface PublishesDecorator {
  (prototype: object, key: string | symbol, descriptor?: PropertyDescriptor): void;
  <V extends Event<any> | undefined>(value: undefined, context: ClassFieldDecoratorContext<any, V>): (initial: V) => V;
}

/** What a standard (TC39) decorator receives as its second argument. */
type DecoratorContext = {
  readonly kind: string;
  readonly name: string | symbol;
  readonly static?: boolean;
  readonly private?: boolean;
  readonly metadata?: DecoratorMetadataObject;
};

/** Legacy decorators get a key (or undefined, or an index); standard ones a context object. */
function isContext(value: unknown): value is DecoratorContext {
  return value !== null && typeof value === 'object' && typeof (value as { kind?: unknown }).kind === 'string';
}

/**
 * What a decorator is on, told the same way in both modes, so that one set of checks and
 * messages serves both: a standard decorator reads it from its context, a legacy one from its
 * arguments (the prototype, or the class for a static member or the class itself; the key; a
 * descriptor for a method or accessor, an index for a parameter).
 */
interface Member {
  /** `'class'`, `'field'`, `'method'`, `'accessor'` (legacy), or any other `context.kind`. */
  readonly kind: string;
  /** The member's key; a class's name. */
  readonly name: string | symbol;
  readonly static: boolean;
  /** A `#private` member (standard decorators only). */
  readonly private?: boolean;
  /** The name for messages: `Motor.started` (legacy), `started` (standard: the class is not defined yet). */
  readonly shown: string;
  /** The standard decorator's context; absent under legacy decorators. */
  readonly context?: DecoratorContext;
}

/** The `Member` of a decorator's arguments: a standard context, or legacy ones (target, key, descriptor or parameter index). */
function memberOf(target: unknown, key: unknown, descriptor?: PropertyDescriptor | number): Member {
  if (isContext(key)) {
    return {
      kind: key.kind, name: key.name, static: key.static === true, private: key.private === true, context: key,
      shown: typeof key.name === 'symbol' ? `[${key.name.toString()}]` : key.name,
    };
  }
  const owner = className(target as object);
  if (key === undefined) return { kind: 'class', name: owner, static: false, shown: owner };
  return {
    kind: descriptor === undefined ? 'field' : typeof descriptor === 'number' || typeof descriptor.value === 'function' ? 'method' : 'accessor',
    name: key as string | symbol, static: typeof target === 'function', shown: `${owner}.${String(key)}`,
  };
}

/** The member for messages: `static field Motor.started`, `method start`. */
function where(member: Member): string {
  return `${member.static ? 'static ' : ''}${member.kind} ${member.shown}`;
}

/** Throws the `DecoratorError` of `decorator` (as written: `@subscribes(Engine, "started")`) on `member`. */
function fail(decorator: string, member: Member, problem: string, options?: { cause: unknown }): never {
  throw new DecoratorError(`${decorator} on ${where(member)}: ${problem}`, options);
}

/**
 * Checks that `member` is what `decorator` goes on: a `kind` (else `help` says where to put it),
 * of instances (not static), that the container can reach (not `#private`).
 */
function checkPlacement(decorator: string, member: Member, kind: string, help: string): void {
  if (member.kind !== kind) fail(decorator, member, help);
  if (member.static) fail(decorator, member, `it goes on instance ${kind}s: remove "static".`);
  if (member.private) fail(decorator, member, `the container cannot reach a #private ${kind}: drop the "#" (TypeScript's "private" is fine).`);
}

/**
 * Where a member's declaration is recorded: the prototype (legacy), or `context.metadata`
 * (standard), which every standard-decorator compiler passes once `Symbol.metadata` exists.
 */
function recordTarget(decorator: string, member: Member, prototype: object): MetadataTarget {
  const { context } = member;
  if (context === undefined) return { prototype };
  if (context.metadata !== null && typeof context.metadata === 'object') return { metadata: context.metadata };
  return fail(decorator, member,
    'the compiler passed no context.metadata. Import eventwire before defining decorated classes (it sets Symbol.metadata), ' +
    'or use a compiler with decorator metadata (TypeScript 5.2+, esbuild 0.21+, SWC decoratorVersion "2022-03"), or legacy decorators.');
}

/**
 * Declares an event on a property. The container gives the `Event` its name, the object as
 * its source, the container's error policy and trace hook, and `options`.
 *
 * Under STANDARD decorators (no `experimentalDecorators`) the field holds its `Event` from
 * construction: `@publishes() readonly started!: Event<[rpm: number]>` can be fired by the
 * constructor, with or without a container; a container wiring the object later takes that same
 * event over (its error policy, trace and subscribers).
 *
 * Under LEGACY decorators, how the property is written decides when the event exists:
 * - `@publishes() declare readonly started: Event<[rpm: number]>` (or any field the compiler
 *   does not emit): the event is created on first read, so the constructor can fire it and an
 *   object made with `new` outside a container works; a container adopting the object later
 *   takes that same event over (its error policy, trace and subscribers).
 * - `@publishes() readonly started = new Event<[rpm: number]>()`: the same, with an event you
 *   create; the container fills in what you did not pass (name, source, error policy, trace).
 * - `@publishes() started!: Event<[rpm: number]>`: under `useDefineForClassFields` (the default
 *   for target ES2022 and later) the compiler emits the field as `undefined`, which hides the
 *   event until a container wires the object: the constructor CANNOT fire it, and `new` alone
 *   gives no event. Use one of the two forms above for that.
 *
 * @param name The event's name; defaults to the property key.
 * @param options Passed to the `Event` (error policy, replay, maxHandlers, async mode).
 * @example
 * class Engine {
 *   @publishes() readonly started!: Event<[rpm: number]>;
 *   constructor() { this.started.fire(0); } // standard decorators (legacy: "declare readonly started: ...")
 * }
 */
export function publishes(name?: string, options: PublishOptions = {}): PublishesDecorator {
  return ((target: object, key: string | symbol | DecoratorContext, descriptor?: PropertyDescriptor): unknown => {
    const member = memberOf(target, key, descriptor);
    checkPlacement('@publishes', member, 'field', `put it on a field typed as Event, e.g. "@publishes() ${String(member.name)}!: Event<[payload: T]>;".`);
    const eventOptions = checkPublishes(name, options, member);
    const declared: PublishedEvent = { key: member.name, name: name ?? String(member.name), options };
    recordPublished(recordTarget('@publishes', member, target), declared);
    // Standard: a field initializer gives every object its event during construction, so the
    // constructor may fire it; a field initialized with an `Event` of its own keeps it.
    if (member.context !== undefined) {
      return function (this: object, initial: unknown): unknown {
        return initial !== undefined ? initial : createEvent(declared, eventOptions, this);
      };
    }
    definePendingEvent(target, declared, eventOptions);
    return undefined;
  }) as PublishesDecorator;
}

/** Checks `@publishes` arguments when the class is defined, not when the first object is wired. */
function checkPublishes(name: unknown, options: PublishOptions, member: Member): EventOptions {
  if (name !== undefined && (typeof name !== 'string' || name === '')) fail('@publishes', member, `the name must be a non-empty string, got ${safeString(name)}.`);
  if (options === null || typeof options !== 'object') fail('@publishes', member, `options must be an object, got ${safeString(options)}.`);
  const { remote, ...eventOptions } = options;
  if (remote !== undefined && typeof remote !== 'boolean') fail('@publishes', member, `remote must be true or false, got ${safeString(remote)}.`);
  try {
    new Event((name as string | undefined) ?? String(member.name), eventOptions).dispose();
  } catch (cause) {
    fail('@publishes', member, (cause as Error).message, { cause });
  }
  return eventOptions;
}

/** An object's event for a `@publishes` field; its fires are held while a container constructs the object. */
function createEvent(declared: PublishedEvent, options: EventOptions, source: object): Event<unknown[]> {
  const event = new Event<unknown[]>(declared.name, { ...options, source });
  if ((options.replay ?? 0) === 0) holdConstructionFires(event);
  return event;
}

/**
 * Legacy decorators: puts an accessor on the prototype that creates the object's event on first
 * read (an object made with `new`, or firing in its constructor), and lets a field initializer
 * assign one. A field the compiler emits (`started!: Event` under useDefineForClassFields) is an
 * own property of the object, which hides the accessor: the container then creates the event.
 */
function definePendingEvent(prototype: object, declared: PublishedEvent, options: EventOptions): void {
  const { key } = declared;
  Object.defineProperty(prototype, key, {
    configurable: true,
    enumerable: false,
    get(this: object): Event<unknown[]> | undefined {
      // Read on a prototype itself (its own or a subclass's): no object, no event.
      if (Object.hasOwn(this, 'constructor')) return undefined;
      const event = createEvent(declared, options, this);
      try {
        Object.defineProperty(this, key, { value: event, writable: false, enumerable: true, configurable: true });
      } catch (cause) {
        throw new WiringError(
          `Could not create event "${declared.name}" on ${className(this)}.${String(key)}: the object is frozen or sealed. ` +
          `Read the event before freezing the object, or assign it in the class: "readonly ${String(key)} = new Event()".`, { cause });
      }
      return event;
    },
    set(this: object, value: unknown): void {
      // A field initializer under assignment semantics (useDefineForClassFields off).
      Object.defineProperty(this, key, { value, writable: true, enumerable: true, configurable: true });
    },
  });
}

/** A function that returns the publishing class: the lazy source of `@subscribes(() => Source, key)`. */
export type LazySource<S> = () => Class<S>;

/**
 * Makes a method a handler of the event `key` of every live `Source` (or subclass)
 * object that the same container (or a parent or child of it) builds or adopts, whichever is
 * made first. The subscriber is held weakly: dropping it unwires it.
 *
 * The compiler checks that `key` is an event property of `Source` and that the method
 * accepts the event's payload (after an `EventInfo` with `{ info: true }`).
 *
 * Two classes in files that import each other (each subscribing to the other's events) use
 * the LAZY form `@subscribes(() => Source, key)`: the function is called when the container
 * first wires an object of the subscribing class, not when the class is defined, and its
 * result is cached. It has the same compile-time checks.
 *
 * How the two forms are told apart at run time: a function with no own `prototype` (an arrow
 * function, a method, a bound function) is a lazy source; a `class` (abstract or not) is a
 * source. A plain `function` with a prototype is a source class (a class compiled to ES5) when
 * it publishes events, and otherwise a lazy source written as a function expression (what an
 * arrow becomes when compiled to ES5).
 *
 * @param source The publishing class, or a function returning it.
 * @param key The property that holds the event (its name, if it differs, is accepted at run time).
 * @param options once, priority, filter, info.
 * @example
 * class Dashboard {
 *   @subscribes(Engine, 'started') onStarted(rpm: number) { ... }
 *   @subscribes(() => Garage, 'closed') onClosed() { ... } // garage.ts imports this file
 * }
 */
export function subscribes<S, K extends EventKeys<S>>(
  source: Class<S> | LazySource<S>, key: K, options?: SubscribeOptions<S, PayloadOf<S, K>> & { info?: false },
): MethodDecorator<(...args: PayloadOf<S, K>) => unknown>;
export function subscribes<S, K extends EventKeys<S>>(
  source: Class<S> | LazySource<S>, key: K, options: SubscribeOptions<S, PayloadOf<S, K>> & { info: true },
): MethodDecorator<(info: EventInfo<PayloadOf<S, K>>, ...args: PayloadOf<S, K>) => unknown>;
export function subscribes(source: Class | LazySource<unknown>, key: string | symbol, options: SubscribeOptions = {}) {
  return (target: object, method: string | symbol | DecoratorContext, descriptor?: PropertyDescriptor): void => {
    const member = memberOf(target, method, descriptor);
    const decorator = `@subscribes(${typeof source === 'function' ? sourceText(source) : safeString(source)}, ${safeString(key)})`;
    if (typeof source !== 'function') {
      fail(decorator, member,
        'the source is not a class. If it is undefined, the two classes import each other (or the source is declared further ' +
        `down the file): use the lazy form @subscribes(() => Source, ${safeString(key)}).`);
    }
    checkPlacement(decorator, member, 'method', 'put it on a method (a field holding an arrow function cannot be held weakly).');
    if (options === null || typeof options !== 'object') fail(decorator, member, `options must be an object, got ${safeString(options)}.`);
    if (options.filter !== undefined && typeof options.filter !== 'function') fail(decorator, member, `filter must be a function, got ${safeString(options.filter)}.`);
    recordSubscribed(recordTarget(decorator, member, target), subscription(source, key, options, member.name, `${decorator} on ${where(member)}`));
  };
}

/** The recorded subscription; a lazy source is resolved on first read, then cached. */
function subscription(source: Function, key: string | symbol, options: SubscribeOptions, method: string | symbol, shown: string): SubscribedEvent {
  let resolved: Class | undefined = isClass(source) ? source as Class : undefined;
  return {
    method, event: key, options,
    get source(): Class {
      return resolved ??= resolveLazy(source as () => unknown, shown);
    },
  };
}

/** True when `fn` is surely a class: `class` syntax, or a function with a prototype that publishes events. */
function isClass(fn: Function): boolean {
  if (!Object.hasOwn(fn, 'prototype')) return false;
  return Function.prototype.toString.call(fn).startsWith('class') || publishedEvents(fn).length > 0;
}

/** Calls a lazy source (or what may be an ES5 class) and checks that it returns a class. */
function resolveLazy(fn: () => unknown, shown: string): Class {
  const maybeClass = Object.hasOwn(fn, 'prototype');
  let result: unknown;
  try {
    result = fn();
  } catch (cause) {
    // A constructor function (ES5 class) publishing nothing throws when called without new.
    if (maybeClass) return fn as unknown as Class;
    throw new DecoratorError(
      `${shown}: the source function threw ${cause instanceof Error ? `${cause.name}: ${cause.message}` : safeString(cause)}. ${LOAD_ORDER}`, { cause });
  }
  if (typeof result === 'function') return result as Class;
  if (maybeClass) return fn as unknown as Class;
  throw new DecoratorError(`${shown}: the source function returned ${safeString(result)}, not a class. ${LOAD_ORDER}`);
}

const LOAD_ORDER = 'It runs when the container first wires the subscriber; if the source class is not defined then, its module ' +
  'has not finished loading: import every module before building or wiring objects, and return the class itself (() => Source).';

/** The source as written, for messages: the class name, or the lazy function's text when short. */
function sourceText(source: Function): string {
  if (isClass(source)) return source.name || '(anonymous class)';
  const text = Function.prototype.toString.call(source).replace(/\s+/g, ' ');
  return text.length <= 60 ? text : '() => ...';
}

/** The types that the tokens of a `deps` list resolve to, in order. */
export type DepTypes<D extends readonly unknown[]> = {
  -readonly [I in keyof D]: D[I] extends InjectionToken<infer T> ? T : D[I] extends Class<infer T> ? T : any;
};

/**
 * What makes `@injectable({ deps })` fail to compile when the list does not match the
 * constructor: each dependency's type must be assignable to its parameter, and the counts equal.
 */
export type DepsMatch<C, D extends readonly unknown[]> = C extends abstract new (...args: infer P) => unknown
  ? DepTypes<D> extends P ? unknown : { 'deps must match the constructor parameters, in order': P }
  : unknown;

/** `@injectable()` as a class decorator, in either decorator mode. */
export type InjectableDecorator = <C extends Class>(target: C, context?: ClassDecoratorContext<C>) => void;

/** `@injectable({ deps })` as a class decorator: the compiler checks `deps` against the constructor. */
export type InjectableDepsDecorator<D extends readonly unknown[]> =
  <C extends Class>(target: C & DepsMatch<C, D>, context?: ClassDecoratorContext<C>) => void;

/**
 * Marks a class the container may build, with its scope, and says how to find the
 * constructor's dependencies: the `deps` list if given, else `@inject` tokens and the
 * parameter types the compiler emits (`emitDecoratorMetadata`, legacy decorators only).
 *
 * `deps` works with every decorator mode and build tool (esbuild, tsx, Vitest, SWC): one token
 * per constructor parameter, in order; the compiler checks each against its parameter's type
 * (a string or symbol token is not checked) and the counts.
 *
 * @example
 * @injectable({ scope: 'scoped', deps: [Logger, CONFIG] })   // one per child scope: `using scope = app.createChild()`
 * class Request { constructor(readonly log: Logger, readonly config: Config) {} }
 */
export function injectable<const D extends readonly Token[]>(options: InjectableOptions & { deps: D }): InjectableDepsDecorator<D>;
export function injectable(options?: InjectableOptions): InjectableDecorator;
export function injectable(options: InjectableOptions = {}): InjectableDecorator {
  return (ctor: Function, context?: unknown, descriptor?: PropertyDescriptor): void => {
    const member = memberOf(ctor, context, descriptor);
    if (member.kind !== 'class' || typeof ctor !== 'function') fail('@injectable', member, 'it goes on a class.');
    const { scope = 'singleton', deps } = options ?? {};
    if (!SCOPES.includes(scope)) fail('@injectable', member, `scope must be 'singleton', 'scoped' or 'transient', got ${safeString(scope)}.`);
    if (deps !== undefined) checkDeps(ctor, deps, member);
    recordInjectable(ctor, deps === undefined ? { scope } : { scope, deps: [...deps] });
    recordDecoratorMode(ctor, member.context === undefined ? 'legacy' : 'standard');
    if (member.context !== undefined) recordStandardClass(ctor, member.context.metadata);
  };
}

function checkDeps(ctor: Function, deps: unknown, member: Member): asserts deps is readonly unknown[] {
  if (!Array.isArray(deps)) fail('@injectable', member, `deps must be an array of tokens, one per constructor parameter, got ${safeString(deps)}.`);
  const missing = deps.findIndex((token) => token === undefined || token === null);
  if (missing >= 0) fail('@injectable', member, `deps[${missing}] is ${String(deps[missing])}. If it is a class, the two files import each other: break the cycle or use an InjectionToken.`);
  if (deps.length < ctor.length) {
    fail('@injectable', member,
      `deps lists ${deps.length} token(s) but the constructor takes ${ctor.length} parameter(s): give one token per parameter, in order.`);
  }
}

/**
 * Names the dependency of one constructor parameter: for interfaces, strings, symbols,
 * `InjectionToken`s, or builds that emit no type metadata (esbuild, tsx, Vitest 3, swc without it).
 * LEGACY decorators only (`experimentalDecorators`): standard decorators have no parameter
 * decorators; use `@injectable({ deps })` there (it works in both modes).
 *
 * @example
 * constructor(@inject(LOGGER) log: Logger) {}
 */
export function inject(token: unknown) {
  return (ctor: object, key: string | symbol | undefined, index: number): void => {
    const member = memberOf(ctor, key, index);
    const decorator = `@inject(${safeString(token)})`;
    if (member.context !== undefined || member.kind !== 'class' || typeof ctor !== 'function') {
      fail(decorator, member,
        'it goes on constructor parameters (legacy decorators only), or list the dependencies on the class: @injectable({ deps: [...] }).');
    }
    if (token === undefined || token === null) fail(decorator, member, `the token of parameter #${index} is ${String(token)}. If it is a class, the two files import each other: break the cycle or use an InjectionToken.`);
    recordInject(ctor, index, token);
  };
}
