import { Event, type EventInfo, type EventOptions } from './event';
import { DecoratorError } from './errors';
import { className, safeString } from './error-policy';
import {
  publishedEvents, recordInject, recordInjectable, recordPublished, recordSubscribed, SCOPES,
  type Class, type InjectableOptions, type PublishedEvent, type PublishOptions, type SubscribeOptions,
} from './metadata';

/** The keys of `S` that hold an `Event`: what `@subscribes(Source, key)` accepts. */
export type EventKeys<S> = { [K in keyof S]-?: NonNullable<S[K]> extends Event<any> ? K : never }[keyof S];

/** The payload type of the event held at `S[K]`. */
export type PayloadOf<S, K extends keyof S> = NonNullable<S[K]> extends Event<infer A> ? A : never;

/** A method decorator accepting any method assignable to `M` (fewer parameters are fine). */
type MethodDecorator<M> = <T extends M>(prototype: object, key: string | symbol, descriptor: TypedPropertyDescriptor<T>) => void;

function memberName(prototype: object, key: string | symbol): string {
  return `${className(prototype)}.${String(key)}`;
}

/**
 * Declares an event on a property. The container gives the `Event` its name, the object as
 * its source, the container's error policy and trace hook, and `options`.
 *
 * How the property is written decides when the event exists:
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
 *   @publishes() declare readonly started: Event<[rpm: number]>;
 *   constructor() { this.started.fire(0); } // works, with or without a container
 * }
 */
export function publishes(name?: string, options: PublishOptions = {}) {
  return (prototype: object, key: string | symbol, descriptor?: PropertyDescriptor): void => {
    const where = memberName(prototype, key);
    if (typeof prototype === 'function') {
      throw new DecoratorError(`@publishes on static member ${prototype.name}.${String(key)}: events belong to instances. Remove "static".`);
    }
    if (descriptor !== undefined) {
      throw new DecoratorError(
        `@publishes on ${where}, which is a method or accessor: put it on a property typed as Event, ` +
        `e.g. "@publishes() ${String(key)}!: Event<[payload: T]>;".`);
    }
    if (name !== undefined && (typeof name !== 'string' || name === '')) {
      throw new DecoratorError(`@publishes on ${where}: the name must be a non-empty string, got ${safeString(name)}.`);
    }
    if (options === null || typeof options !== 'object') {
      throw new DecoratorError(`@publishes on ${where}: options must be an object, got ${safeString(options)}.`);
    }
    // Check the options when the class is defined, not when the first object is wired.
    const { remote, ...eventOptions } = options;
    if (remote !== undefined && typeof remote !== 'boolean') {
      throw new DecoratorError(`@publishes on ${where}: remote must be true or false, got ${safeString(remote)}.`);
    }
    try {
      new Event(name ?? String(key), eventOptions).dispose();
    } catch (cause) {
      throw new DecoratorError(`@publishes on ${where}: ${(cause as Error).message}`, { cause });
    }
    const declared = { key, name: name ?? String(key), options };
    recordPublished(prototype, declared);
    definePendingEvent(prototype, declared, eventOptions);
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
      try {
        Object.defineProperty(this, key, { value: event, writable: false, enumerable: true, configurable: true });
      } catch (cause) {
        throw new DecoratorError(
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
  return (prototype: object, method: string | symbol, descriptor?: PropertyDescriptor): void => {
    const where = memberName(prototype, method);
    if (typeof source !== 'function') {
      throw new DecoratorError(
        `@subscribes on ${where}: the source must be a class, got ${safeString(source)}. ` +
        `If it is undefined, the two classes import each other (or the source is declared further down the file): ` +
        `use the lazy form @subscribes(() => Source, ${safeString(key)}).`);
    }
    const shown = `@subscribes(${sourceText(source)}, ${safeString(key)})`;
    if (typeof prototype === 'function') {
      throw new DecoratorError(`@subscribes on static method ${prototype.name}.${String(method)}: handlers are instance methods. Remove "static".`);
    }
    if (descriptor === undefined || typeof descriptor.value !== 'function') {
      throw new DecoratorError(
        `${shown} on ${where}, which is not a method: ` +
        'put it on a method (a property holding an arrow function cannot be held weakly).');
    }
    if (options === null || typeof options !== 'object') {
      throw new DecoratorError(`${shown} on ${where}: options must be an object, got ${safeString(options)}.`);
    }
    if (options.filter !== undefined && typeof options.filter !== 'function') {
      throw new DecoratorError(`${shown} on ${where}: filter must be a function, got ${safeString(options.filter)}.`);
    }
    let resolved: Class | undefined = isClass(source) ? source as Class : undefined;
    recordSubscribed(prototype, {
      method, event: key, options,
      get source(): Class {
        return resolved ??= resolveLazy(source as () => unknown, `${shown} on ${where}`, className(prototype));
      },
    });
  };
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

/**
 * Marks a class the container may build, with its scope, and makes the compiler emit its
 * constructor parameter types (`emitDecoratorMetadata`).
 *
 * @example
 * @injectable({ scope: 'scoped' })   // one per child scope: `using scope = app.createChild()`
 * class Request { constructor(readonly log: Logger) {} }
 */
export function injectable(options: InjectableOptions = {}) {
  return (ctor: Function): void => {
    const { scope = 'singleton' } = options;
    if (!SCOPES.includes(scope)) {
      throw new DecoratorError(`@injectable on ${ctor.name}: scope must be 'singleton', 'scoped' or 'transient', got ${safeString(scope)}.`);
    }
    recordInjectable(ctor, { scope });
  };
}

/**
 * Names the dependency of one constructor parameter: for interfaces, strings, symbols,
 * `InjectionToken`s, or builds that emit no type metadata (esbuild, tsx, Vitest 3, swc without it).
 *
 * @example
 * constructor(@inject(LOGGER) log: Logger) {}
 */
export function inject(token: unknown) {
  return (ctor: object, key: string | symbol | undefined, index: number): void => {
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
