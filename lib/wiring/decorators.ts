import { Event, type EventInfo, type EventOptions } from '../core/event';
import type { InjectionToken, Token } from './container';
import { DecoratorError, WiringError } from '../core/errors';
import { className, safeString } from '../core/describe';
import { holdConstructionFires } from './construction';
import {
  publishedEvents, recordDecoratorMode, recordInject, recordInjectable, recordPublished, recordStandardClass, recordSubscribed, SCOPES,
  type Class, type InjectableOptions, type PublishedEvent, type PublishOptions, type SubscribedEvent, type SubscribeOptions,
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

/** The member a standard decorator is on, for messages (its class is not defined yet). */
function standardWhere(context: DecoratorContext): string {
  const name = typeof context.name === 'symbol' ? `[${context.name.toString()}]` : context.name;
  return `${context.static === true ? 'static ' : ''}${context.kind} ${name}`;
}

/** `context.metadata`, which every standard-decorator compiler passes once `Symbol.metadata` exists. */
function metadataOf(context: DecoratorContext, decorator: string): DecoratorMetadataObject {
  if (context.metadata !== null && typeof context.metadata === 'object') return context.metadata;
  throw new DecoratorError(
    `${decorator} on ${standardWhere(context)}: the compiler passed no context.metadata (decorator metadata). ` +
    'Import eventwire before defining decorated classes (it sets Symbol.metadata), or use a compiler that supports ' +
    'decorator metadata (TypeScript 5.2+, esbuild 0.21+, SWC with decoratorVersion "2022-03"), or legacy decorators.');
}

function memberName(prototype: object, key: string | symbol): string {
  return `${className(prototype)}.${String(key)}`;
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
  return ((prototype: object, key: string | symbol | DecoratorContext, descriptor?: PropertyDescriptor): unknown => {
    if (isContext(key)) return publishesStandard(name, options, key);
    const where = memberName(prototype, key);
    if (typeof prototype === 'function') {
      throw new DecoratorError(`@publishes on static member ${prototype.name}.${String(key)}: events belong to instances. Remove "static".`);
    }
    if (descriptor !== undefined) {
      throw new DecoratorError(
        `@publishes on ${where}, which is a method or accessor: put it on a property typed as Event, ` +
        `e.g. "@publishes() ${String(key)}!: Event<[payload: T]>;".`);
    }
    const eventOptions = checkPublishes(name, options, key, where);
    const declared = { key, name: name ?? String(key), options };
    recordPublished({ prototype }, declared);
    definePendingEvent(prototype, declared, eventOptions);
  }) as PublishesDecorator;
}

/** Checks `@publishes` arguments when the class is defined, not when the first object is wired. */
function checkPublishes(name: unknown, options: PublishOptions, key: string | symbol, where: string): EventOptions {
  if (name !== undefined && (typeof name !== 'string' || name === '')) {
    throw new DecoratorError(`@publishes on ${where}: the name must be a non-empty string, got ${safeString(name)}.`);
  }
  if (options === null || typeof options !== 'object') {
    throw new DecoratorError(`@publishes on ${where}: options must be an object, got ${safeString(options)}.`);
  }
  const { remote, ...eventOptions } = options;
  if (remote !== undefined && typeof remote !== 'boolean') {
    throw new DecoratorError(`@publishes on ${where}: remote must be true or false, got ${safeString(remote)}.`);
  }
  try {
    new Event((name as string | undefined) ?? String(key), eventOptions).dispose();
  } catch (cause) {
    throw new DecoratorError(`@publishes on ${where}: ${(cause as Error).message}`, { cause });
  }
  return eventOptions;
}

/**
 * `@publishes` under standard decorators: records the event in `context.metadata` and returns
 * a field initializer that gives every object its `Event` during construction, so the
 * constructor may fire it. A field initialized with an `Event` of its own keeps it.
 */
function publishesStandard(name: string | undefined, options: PublishOptions, context: DecoratorContext): unknown {
  const where = standardWhere(context);
  if (context.kind !== 'field') {
    throw new DecoratorError(
      `@publishes on ${where}: put it on a field typed as Event, e.g. "@publishes() ${String(context.name)}!: Event<[payload: T]>;".`);
  }
  if (context.static === true) {
    throw new DecoratorError(`@publishes on ${where}: events belong to instances. Remove "static".`);
  }
  if (context.private === true) {
    throw new DecoratorError(`@publishes on ${where}: the container cannot reach a #private field. Drop the "#" (make it readonly if you like).`);
  }
  const key = context.name;
  const eventOptions = checkPublishes(name, options, key, where);
  const declared = { key, name: name ?? String(key), options };
  recordPublished({ metadata: metadataOf(context, '@publishes') }, declared);
  return function (this: object, initial: unknown): unknown {
    if (initial !== undefined) return initial;
    const event = new Event<unknown[]>(declared.name, { ...eventOptions, source: this });
    if ((eventOptions.replay ?? 0) === 0) holdConstructionFires(event);
    return event;
  };
}

/**
 * Puts an accessor on the prototype that creates the object's event on first read (an object
 * made with `new`, or firing in its constructor), and lets a field initializer assign one.
 * A field the compiler emits (`started!: Event` under useDefineForClassFields) is an own
 * property of the object, which hides the accessor: the container then creates the event.
 */
function definePendingEvent(prototype: object, declared: PublishedEvent, options: EventOptions): void {
  const { key } = declared;
  Object.defineProperty(prototype, key, {
    configurable: true,
    enumerable: false,
    get(this: object): Event<unknown[]> | undefined {
      // Read on a prototype itself (its own or a subclass's): no object, no event.
      if (Object.prototype.hasOwnProperty.call(this, 'constructor')) return undefined;
      const event = new Event<unknown[]>(declared.name, { ...options, source: this });
      if ((options.replay ?? 0) === 0) holdConstructionFires(event);
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
  return (prototype: object, method: string | symbol | DecoratorContext, descriptor?: PropertyDescriptor): void => {
    if (isContext(method)) return subscribesStandard(source, key, options, method);
    const where = memberName(prototype, method);
    checkSource(source, key, where);
    const shown = `@subscribes(${sourceText(source)}, ${safeString(key)})`;
    if (typeof prototype === 'function') {
      throw new DecoratorError(`@subscribes on static method ${prototype.name}.${String(method)}: handlers are instance methods. Remove "static".`);
    }
    if (descriptor === undefined || typeof descriptor.value !== 'function') {
      throw new DecoratorError(
        `${shown} on ${where}, which is not a method: ` +
        'put it on a method (a property holding an arrow function cannot be held weakly).');
    }
    checkSubscribeOptions(shown, options, where);
    recordSubscribed({ prototype }, subscription(source, key, options, method, `${shown} on ${where}`, `${className(prototype)}`));
  };
}

function checkSource(source: unknown, key: string | symbol, where: string): asserts source is Function {
  if (typeof source !== 'function') {
    throw new DecoratorError(
      `@subscribes on ${where}: the source must be a class, got ${safeString(source)}. ` +
      `If it is undefined, the two classes import each other (or the source is declared further down the file): ` +
      `use the lazy form @subscribes(() => Source, ${safeString(key)}).`);
  }
}

function checkSubscribeOptions(shown: string, options: SubscribeOptions, where: string): void {
  if (options === null || typeof options !== 'object') {
    throw new DecoratorError(`${shown} on ${where}: options must be an object, got ${safeString(options)}.`);
  }
  if (options.filter !== undefined && typeof options.filter !== 'function') {
    throw new DecoratorError(`${shown} on ${where}: filter must be a function, got ${safeString(options.filter)}.`);
  }
}

/** The recorded subscription; a lazy source is resolved on first read, then cached. */
function subscription(
  source: Function, key: string | symbol, options: SubscribeOptions, method: string | symbol, shown: string, subscriber: string,
): SubscribedEvent {
  let resolved: Class | undefined = isClass(source) ? source as Class : undefined;
  return {
    method, event: key, options,
    get source(): Class {
      return resolved ??= resolveLazy(source as () => unknown, shown, subscriber);
    },
  };
}

/** `@subscribes` under standard decorators: records the handler in `context.metadata`. */
function subscribesStandard(source: unknown, key: string | symbol, options: SubscribeOptions, context: DecoratorContext): void {
  const where = standardWhere(context);
  checkSource(source, key, where);
  const shown = `@subscribes(${sourceText(source)}, ${safeString(key)})`;
  if (context.kind !== 'method') {
    throw new DecoratorError(
      `${shown} on ${where}, which is not a method: ` +
      'put it on a method (a property holding an arrow function cannot be held weakly).');
  }
  if (context.static === true) {
    throw new DecoratorError(`@subscribes on ${where}: handlers are instance methods. Remove "static".`);
  }
  if (context.private === true) {
    throw new DecoratorError(`@subscribes on ${where}: the container cannot reach a #private method. Drop the "#" (make it private if you like).`);
  }
  checkSubscribeOptions(shown, options, where);
  recordSubscribed({ metadata: metadataOf(context, '@subscribes') },
    subscription(source, key, options, context.name, `${shown} on ${where}`, `object with the ${where}`));
}

/** True when `fn` is surely a class: `class` syntax, or a function with a prototype that publishes events. */
function isClass(fn: Function): boolean {
  if (!Object.prototype.hasOwnProperty.call(fn, 'prototype')) return false;
  return Function.prototype.toString.call(fn).startsWith('class') || publishedEvents(fn).length > 0;
}

/** Calls a lazy source (or what may be an ES5 class) and checks that it returns a class. */
function resolveLazy(fn: () => unknown, shown: string, subscriber: string): Class {
  const maybeClass = Object.prototype.hasOwnProperty.call(fn, 'prototype');
  let result: unknown;
  try {
    result = fn();
  } catch (cause) {
    // A constructor function (ES5 class) publishing nothing throws when called without new.
    if (maybeClass) return fn as unknown as Class;
    throw new DecoratorError(
      `${shown}: the source function threw ${cause instanceof Error ? `${cause.name}: ${cause.message}` : safeString(cause)}. ` +
      `It runs when the container first wires a ${subscriber}; ${LOAD_ORDER}`, { cause });
  }
  if (typeof result === 'function') return result as Class;
  if (maybeClass) return fn as unknown as Class;
  throw new DecoratorError(
    `${shown}: the source function returned ${safeString(result)}, not a class. ` +
    `It runs when the container first wires a ${subscriber}; ${LOAD_ORDER}`);
}

const LOAD_ORDER = 'if the class is not defined then, its module has not finished loading: ' +
  'import every module before building or wiring objects, and return the class itself (() => Source).';

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
  return (ctor: Function, context?: unknown): void => {
    if (isContext(context) && context.kind !== 'class') {
      throw new DecoratorError(`@injectable on ${standardWhere(context)}: it goes on a class.`);
    }
    if (typeof ctor !== 'function' || context !== undefined && !isContext(context)) {
      throw new DecoratorError(`@injectable on ${memberName(ctor, context as string | symbol)}: it goes on a class, not on a member.`);
    }
    const { scope = 'singleton', deps } = options ?? {};
    if (!SCOPES.includes(scope)) {
      throw new DecoratorError(`@injectable on ${ctor.name}: scope must be 'singleton', 'scoped' or 'transient', got ${safeString(scope)}.`);
    }
    if (deps !== undefined) checkDeps(ctor, deps);
    recordInjectable(ctor, deps === undefined ? { scope } : { scope, deps: [...deps] });
    recordDecoratorMode(ctor, isContext(context) ? 'standard' : 'legacy');
    if (isContext(context)) recordStandardClass(ctor, context.metadata);
  };
}

function checkDeps(ctor: Function, deps: unknown): asserts deps is readonly unknown[] {
  if (!Array.isArray(deps)) {
    throw new DecoratorError(`@injectable on ${ctor.name}: deps must be an array of tokens, one per constructor parameter, got ${safeString(deps)}.`);
  }
  const missing = deps.findIndex((token) => token === undefined || token === null);
  if (missing >= 0) {
    throw new DecoratorError(
      `@injectable on ${ctor.name}: deps[${missing}] is ${String(deps[missing])}. ` +
      'If it is a class, the two files import each other: break the cycle or use an InjectionToken.');
  }
  if (deps.length < ctor.length) {
    throw new DecoratorError(
      `@injectable on ${ctor.name}: deps lists ${deps.length} token(s) but the constructor takes ${ctor.length} parameter(s): ` +
      'give one token per parameter, in order.');
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
    if (isContext(key)) {
      throw new DecoratorError(
        `@inject(${safeString(token)}) on ${standardWhere(key)}: it goes on constructor parameters, which standard decorators cannot decorate. ` +
        'List the dependencies on the class instead: @injectable({ deps: [...] }).');
    }
    if (typeof ctor !== 'function' || key !== undefined) {
      throw new DecoratorError(`@inject(${safeString(token)}) on ${memberName(ctor, key ?? '?')}: it goes on constructor parameters only.`);
    }
    if (token === undefined || token === null) {
      throw new DecoratorError(
        `@inject on parameter #${index} of ${ctor.name}: the token is ${String(token)}. ` +
        'If it is a class, the two files import each other: break the cycle or use an InjectionToken.');
    }
    recordInject(ctor, index, token);
  };
}
