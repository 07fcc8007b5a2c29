import type { TraceHook } from '../core/event';
import { emitWarning } from '../core/environment';
import { DisposedError, InvalidArgumentError, OverrideError, ResolutionError, WiringError } from '../core/errors';
import { checkErrorPolicy, defaultReporter, report, type ErrorPolicyOptions } from '../core/error-policy';
import { className, safeString } from '../core/describe';
import { isThenable } from '../core/invoke';
import {
  declaredDeps, decoratorMode, injectableOptions, injectedTokens, parameterTypes, publishedEvents, subscribedEvents, SCOPES,
  type Class, type Constructor, type Scope,
} from './metadata';
import { buildGraph, type WiringGraph } from './graph';
import { traceFromEnv } from '../core/trace';
import { Held, Wiring, constructorHint, ownForwarder } from './wiring';
import { EXTENSION_HOOKS, type ContainerExtension } from './extension';
import { forwardFires } from '../core/event';
import { constructing, deliverConstructionFires, type HeldFire } from './construction';

/**
 * A typed token for dependencies that are not classes (interfaces, configuration).
 *
 * @example
 * const CONFIG = new InjectionToken<Config>('config');
 * container.register(CONFIG, { useValue: { port: 8080 } });
 */
export class InjectionToken<T> {
  /** @internal Carries `T`; never set. */
  declare readonly __type?: T;

  /** @param description Shown in error messages. */
  constructor(readonly description: string) {}

  toString(): string {
    return `InjectionToken(${this.description})`;
  }
}

/** What `get()` and `@inject()` accept. */
export type Token<T = unknown> = Class<T> | InjectionToken<T> | string | symbol;

/** How `register()` provides a token. */
export type Provider<T> =
  | { useClass: Constructor<T>; scope?: Scope }
  | { useValue: T }
  | { useFactory: (container: Container) => T; scope?: Scope };

/**
 * One entry of `providers`: a class (provided as itself, with its `@injectable` scope), or a
 * token with how to provide it, as for `register()`.
 */
export type ProviderDefinition =
  | Constructor<object>
  | ({ provide: Token<unknown> } & Provider<unknown>);

/** Options of `createChild(options)`. */
export interface ScopeOptions {
  /**
   * The classes and tokens of this scope, registered at once (see `register()`); `start()`
   * then builds the subscribers among them.
   */
  providers?: readonly ProviderDefinition[] | undefined;
}

/** Options of `new Container(options)`. */
export interface ContainerOptions extends ErrorPolicyOptions, ScopeOptions {
  /**
   * Called after every dispatch of every event this container creates, for logging and
   * metrics. Default: `traceFromEnv()`, so `EVENTWIRE_TRACE=1` prints every dispatch.
   */
  trace?: TraceHook | undefined;
  /**
   * The `maxWeakHandlers` of every event this container creates (an event's own `@publishes`
   * option wins): warn once when an event holds more handlers of weakly held subscribers.
   * Default 1000. 0 turns that warning off, and the warning about transient subscribers built
   * by the root container.
   */
  maxWeakHandlers?: number | undefined;
  /**
   * What plugs into the container (see {@link ContainerExtension}): `remoteEvents({ transport })`
   * from `eventwire/remote` carries `{ remote: true }` events between processes; a tracer sees
   * every object adopted and released, every event created and every connection made.
   * Children share them.
   */
  extensions?: readonly ContainerExtension[] | undefined;
}

interface Registration {
  readonly provider: Provider<unknown>;
  readonly scope: Scope;
}

/** Objects the container built, to dispose them at the end: held strongly when owned, else weakly. */
type Built = Held | WeakRef<object>;

/** Classes already warned about as transient subscribers built by a root container. */
const warnedUnowned = new WeakSet<Function>();

/**
 * The part of a container that its parent holds (through the scope tree), strongly: what it
 * built and what its `dispose()` needs, never the `Container` object the user holds, so that a
 * child dropped without `dispose()` can be collected and taken out of the tree (see
 * `droppedScopes`). No WeakRef per scope: V8 keeps the target of every WeakRef created in a job
 * alive until the job ends, which kept every disposed scope of a batch loop until it yielded.
 */
class ScopeCore {
  readonly registrations = new Map<unknown, Registration>();
  readonly singletons = new Map<unknown, unknown>();
  /** The `'scoped'` objects of this (child) scope. */
  readonly scoped = new Map<unknown, unknown>();
  readonly built: Built[] = [];
  /** Tokens of ancestors' singletons found clear of this scope's overrides, with the registration count then. */
  readonly overridesChecked = new Map<unknown, number>();
  /** This scope's node in the scope tree: its parent and children are found through it. */
  readonly wiring: Wiring<ScopeCore>;
  disposed = false;
  disposing: Promise<void> | undefined = undefined;
  private pruneBuiltAt = 64;

  constructor(readonly options: ContainerOptions, readonly extensions: readonly ContainerExtension[], parent: ScopeCore | undefined) {
    this.wiring = new Wiring<ScopeCore>(this, parent?.wiring, options, extensions);
    this.wiring.onSweep = () => prune(this.built, (e) => e.deref() !== undefined);
  }

  /** Keeps what this container built, for dispose(); forgets collected transients now and then. */
  remember(entry: Built): void {
    this.built.push(entry);
    if (this.built.length >= this.pruneBuiltAt) {
      prune(this.built, (e) => e.deref() !== undefined);
      this.pruneBuiltAt = Math.max(64, this.built.length * 2);
    }
  }

  /** See `Container.dispose()`. */
  dispose(): void {
    if (this.disposed) return;
    const failures: unknown[] = [];
    // A child leaves the tree as it is disposed: liveChildren() is a copy.
    for (const child of this.wiring.liveChildren()) {
      try {
        child.owner.dispose();
      } catch (error) {
        failures.push(error);
      }
    }
    for (const object of this.unwire()) {
      try {
        this.disposeObject(object);
      } catch (error) {
        failures.push(error);
      }
    }
    if (failures.length > 0) throw new AggregateError(failures, `${failures.length} object(s) failed to dispose`);
  }

  /** Calls the synchronous dispose of `object`; a promise it returns is watched (its rejection reported). Throws what it throws. */
  private disposeObject(object: object): void {
    const result = disposeOf(object, false)?.call(object);
    if (isThenable(result)) Promise.resolve(result).then(undefined, (error: unknown) => this.reportDisposeFailure(object, error));
  }

  /** See `Container.disposeAsync()`. */
  disposeAsync(): Promise<void> {
    if (this.disposing !== undefined) return this.disposing;
    // After a plain dispose() there is nothing left to dispose, but a transport to close.
    const dispose = (): Promise<void> => (this.disposed ? Promise.resolve() : this.disposeInOrder());
    // A child shares its root's extensions: the root closes them.
    return this.disposing = this.extensions.length === 0 || this.wiring.parent !== undefined ? dispose() : this.closeExtensions(dispose);
  }

  /** `closing()` of every extension, then `dispose`, then `close()` of every extension (last first); failures thrown once all ran. */
  private async closeExtensions(dispose: () => Promise<void>): Promise<void> {
    const failures: unknown[] = [];
    const run = async (step: () => unknown): Promise<void> => {
      try {
        await step();
      } catch (error) {
        failures.push(error);
      }
    };
    for (const extension of this.extensions) await run(() => extension.closing?.());
    await run(dispose);
    for (const extension of [...this.extensions].reverse()) await run(() => extension.close?.());
    if (failures.length === 1) throw failures[0];
    if (failures.length > 1) throw new AggregateError(failures, `${failures.length} failure(s) while disposing the container and closing its extensions`);
  }

  private async disposeInOrder(): Promise<void> {
    const failures: unknown[] = [];
    for (const child of this.wiring.liveChildren()) {
      try {
        await child.owner.disposeAsync();
      } catch (error) {
        failures.push(error);
      }
    }
    if (this.disposed) return;   // a dispose() call while the children were disposed did the rest
    for (const object of this.unwire()) {
      try {
        await disposeOf(object, true)?.call(object);
      } catch (error) {
        failures.push(error);
      }
    }
    if (failures.length > 0) throw new AggregateError(failures, `${failures.length} object(s) failed to dispose`);
  }

  /**
   * Marks the scope disposed, unwires it, lets go of everything it kept (a disposed container
   * the user still holds keeps nothing alive), and returns the live objects it built, newest first.
   */
  private unwire(): object[] {
    this.wiring.dispose();   // leaves the scope tree
    this.disposed = true;
    droppedScopes.unregister(this);
    const objects: object[] = [];
    for (let i = this.built.length - 1; i >= 0; i--) {
      const entry = this.built[i];
      const object = entry.deref();
      if (object !== undefined) objects.push(object);
    }
    this.built.length = 0;
    this.singletons.clear();
    this.scoped.clear();
    this.registrations.clear();
    this.overridesChecked.clear();
    return objects;
  }

  /**
   * Disposes `object`, which this container built but could not wire (its adoption failed): as
   * `dispose()` would, but its failure, or its promise's rejection, goes to `onError` (the
   * caller throws the wiring's error).
   */
  discard(object: object): void {
    try {
      this.disposeObject(object);
    } catch (error) {
      this.reportDisposeFailure(object, error, false);
    }
  }

  /** A promise returned to the synchronous dispose(): its rejection is reported, never unhandled. */
  private reportDisposeFailure(object: object, error: unknown, async = true): void {
    report(this.options.onError ?? defaultReporter, {
      error, eventName: 'dispose', source: object, handler: `${className(object)}.dispose`, async, quarantined: false,
    });
  }
}

/**
 * The safety net for a child scope dropped without `dispose()`: once its `Container` is
 * collected, its node leaves the parent's children (its objects are not disposed: nothing
 * called dispose()).
 */
const droppedScopes = new FinalizationRegistry<ScopeCore>((core) => core.wiring.detach());

/**
 * The wiring container: builds objects with constructor injection and connects every
 * `@subscribes` handler to the matching `@publishes` event of every live object it built or
 * adopted, whichever was made first.
 *
 * Every object it builds has an owner that unwires it at a known moment: a singleton, its
 * container; a `'scoped'` object or a transient built through a child scope, that child, on
 * `dispose()`. Owned objects are held and wired STRONGLY. Only what nobody owns (transients
 * built by the root container, objects adopted with `wire()`) is wired WEAKLY, and the
 * garbage collector unwires it only while its events are quiet: an object called in a job stays
 * alive until the job ends. Give per-request subscribers a scope:
 *
 * @example
 * const app = new Container();
 * app.get(Dashboard);
 * app.get(Engine).started.fire(900);   // Dashboard.onStarted(900)
 *
 * // One scope per request or job: its scoped and transient objects are unwired and
 * // disposed when it ends.
 * {
 *   using scope = app.createChild();
 *   scope.get(RequestLog);
 * }
 */
export class Container implements Disposable, AsyncDisposable {
  /** What the parent holds of this container: its maps, its node in the scope tree, what it built. */
  private readonly core: ScopeCore;
  /** The parent scope; undefined for a root container. */
  private readonly parent: Container | undefined;
  private readonly resolving: unknown[] = [];

  /**
   * @param options The error policy and trace hook of every event the container creates
   *   (an event's own `@publishes` options win), its providers, and its extensions.
   */
  constructor(options?: ContainerOptions);
  /** @internal `createChild()` passes the parent. */
  constructor(options: ScopeOptions, parent: Container);
  constructor(options: ContainerOptions = {}, parent?: Container) {
    const where = parent === undefined ? 'new Container()' : 'createChild()';
    if (options === null || typeof options !== 'object') {
      throw new InvalidArgumentError(`${where}: options must be an object, got ${safeString(options)}.`);
    }
    checkErrorPolicy(options, 'new Container()');
    if (options.trace !== undefined && typeof options.trace !== 'function') {
      throw new InvalidArgumentError(`new Container(): trace must be a function, got ${safeString(options.trace)}.`);
    }
    const { maxWeakHandlers } = options;
    if (maxWeakHandlers !== undefined && !(Number.isInteger(maxWeakHandlers) && maxWeakHandlers >= 0)) {
      throw new InvalidArgumentError(`new Container(): maxWeakHandlers must be a whole number (0 turns the warning off), got ${safeString(maxWeakHandlers)}.`);
    }
    if ('transport' in options) {
      throw new InvalidArgumentError(
        `${where}: transport is not a container option. ` +
        "Plug remote events in with new Container({ extensions: [remoteEvents({ transport, namespace })] }), remoteEvents() from 'eventwire/remote'.");
    }
    this.parent = parent;
    // A child takes its root's options (its trace read from the environment if the root had none) and extensions.
    const inherited = parent?.core.options ?? options;
    const { errors, onError, quarantine, trace = traceFromEnv(), maxWeakHandlers: max } = inherited;
    // Frozen: extensions read it (ExtensionHost.eventOptions); none may swap the app's trace or policy.
    const eventOptions: ContainerOptions = Object.freeze({ errors, onError, quarantine, trace, ...(max === undefined ? {} : { maxWeakHandlers: max }) });
    const extensions = parent?.core.extensions ?? checkExtensions(options.extensions);
    const core = this.core = new ScopeCore(eventOptions, extensions, parent?.core);
    if (parent !== undefined) {
      droppedScopes.register(this, core, core);
    } else {
      // One host per extension: an event it forwards is its own (named in the "already forwarded" error).
      extensions.forEach((extension, i) => extension.attach?.({
        eventOptions,
        reporter: onError ?? defaultReporter,
        forward: (event, forward, options) => ownForwarder(event, extension.name ?? `#${i}`, options?.via,
          () => forwardFires(event, forward, options?.withdraw)),
      }));
    }
    this.provide(options.providers, where);
  }

  /** True after `dispose()`. */
  get isDisposed(): boolean {
    return this.core.disposed;
  }

  /**
   * Says how to provide `token` in this container (and its children). A registered
   * singleton lives in this container. Throws {@link OverrideError} if the token's singleton
   * was already built here: register everything before the first `get()` or `start()`.
   *
   * In a child scope, a registration overrides the parent's for what the child builds; a
   * singleton of an ancestor that depends on the overridden token cannot see the override, so
   * asking the child for it throws {@link OverrideError} (see the README, "Scopes and overrides").
   */
  register<T>(token: Token<T>, provider: Provider<T>): this {
    this.assertLive(`register(${describe(token)})`);
    checkToken(token, 'register()');
    if (this.core.singletons.has(token)) {
      throw new OverrideError(
        `register(${describe(token)}): ${describe(token)} was already built in this container, and what holds it would keep the old one. ` +
        'Register it before the first get() or start(), or override it in a child scope: container.createChild().register(...).');
    }
    if (provider === null || typeof provider !== 'object' || !('useValue' in provider ||
        ('useClass' in provider && typeof provider.useClass === 'function') || ('useFactory' in provider && typeof provider.useFactory === 'function'))) {
      throw new InvalidArgumentError(
        `register(${describe(token)}): the provider must have useClass (a class), useValue, or useFactory (a function), got ${safeString(provider)}.`);
    }
    const scope = 'useValue' in provider ? 'singleton' : (provider.scope ?? scopeOf(provider));
    if (!SCOPES.includes(scope)) {
      throw new InvalidArgumentError(`register(${describe(token)}): scope must be 'singleton', 'scoped' or 'transient', got ${safeString(scope)}.`);
    }
    this.core.registrations.set(token, { provider: provider as Provider<unknown>, scope });
    registrationCount++;   // invalidates the override checks
    return this;
  }

  /**
   * Returns the object for `token`, building it (and its dependencies) if needed, and wires it.
   * An unregistered class is built with its `@injectable` scope (singletons then live in the
   * root container). A `'scoped'` token needs a child scope: the root container throws a
   * `ResolutionError` for it (and for a singleton of the root that depends on one).
   */
  get<T>(token: Token<T>): T {
    this.assertLive(`get(${describe(token)})`);
    checkToken(token, 'get()');
    return this.resolve(token, this) as T;
  }

  /**
   * Adopts an object built elsewhere: creates its events and wires it. Returns it. Nobody
   * owns an adopted object: it is wired WEAKLY, and unwired by `release()`, by the dispose of
   * this container, or by the garbage collector once its events are quiet. Throws a
   * {@link WiringError} when another container wires it, or it is frozen before its events exist.
   */
  wire<T extends object>(object: T): T {
    this.assertLive('wire()');
    if (object === null || typeof object !== 'object') {
      throw new InvalidArgumentError(`wire() expects an object, got ${safeString(object)}.`);
    }
    this.core.wiring.adopt(object, false);
    return object;
  }

  /**
   * Unwires one object: its handlers and the handlers on its events that wiring added.
   * Throws a {@link WiringError} if another container (not this one or one of its children) wired it.
   */
  release(object: object): void {
    if (!this.core.wiring.owns(object)) {
      throw new WiringError(
        `release(): this ${safeString(object)} was wired by another container; release it through that container.`);
    }
    this.core.wiring.release(object);
  }

  /**
   * Builds every singleton class registered in this container that subscribes to something,
   * and wires every registered `useValue` object that publishes or subscribes, so that no event
   * fired after it misses them. Transient classes and factories are built only when asked for.
   * Returns the container.
   *
   * @example
   * const app = new Container({ providers: [OrderService, PaymentService, EmailNotifier] }).start();
   */
  start(): this {
    this.assertLive('start()');
    for (const [token, { provider, scope }] of this.core.registrations) {
      if ('useValue' in provider) {
        const value = provider.useValue;
        if (value !== null && typeof value === 'object' &&
            (subscribedEvents(value.constructor).length > 0 || publishedEvents(value.constructor).length > 0)) this.get(token as Token);
      } else if (scope === 'singleton' && 'useClass' in provider && subscribedEvents(provider.useClass).length > 0) {
        this.get(token as Token);
      }
    }
    return this;
  }

  /**
   * A child scope: sees this container's singletons and wiring; siblings never see each other.
   * It owns its `'scoped'` objects and the transients built through it, and unwires and
   * disposes them on `dispose()`: create one per request or job with `using`.
   * `options.providers` registers the child's own classes and overrides.
   */
  createChild(options: ScopeOptions = {}): Container {
    this.assertLive('createChild()');
    // The child's core joins this one's in the scope tree: held until the child is disposed or collected.
    return new Container(options, this);
  }

  /** The live wiring of this container and its children, as data. */
  graph(): WiringGraph {
    this.assertLive('graph()');
    return buildGraph(this.core.wiring.liveObjects(), this.core.wiring.liveConnections());
  }

  /**
   * Disposes children first, unwires everything and disposes the events the container created
   * or took over (firing one afterwards throws a {@link DisposedError}), then calls
   * `[Symbol.dispose]()` or `dispose()` on every live object the container built, newest first (or, lacking both,
   * `[Symbol.asyncDispose]()`). Failures of those calls are thrown together as one
   * `AggregateError` once all have run. A promise one of them returns is NOT awaited (use
   * `disposeAsync()`): its rejection goes to the `onError` reporter, never unhandled.
   */
  dispose(): void {
    this.core.dispose();
  }

  /** Same as `dispose()`, for `using`. */
  [Symbol.dispose](): void {
    this.dispose();
  }

  /**
   * `dispose()` that waits: disposes children first, unwires everything, then calls and AWAITS
   * `[Symbol.asyncDispose]()`, `[Symbol.dispose]()` or `dispose()` of every live object the
   * container built, one at a time, newest first. Rejects with one `AggregateError` of the
   * failures once all have run. A root container with extensions first awaits their `closing()`
   * (a transport stops reading remote events and waits for the handlers in flight) and at the
   * end their `close()` (a transport waits, boundedly, for unconfirmed publishes and closes);
   * a child container shares its root's extensions and only disposes.
   *
   * @example
   * process.once('SIGTERM', () => { app.disposeAsync().then(() => process.exit(0), () => process.exit(1)); });
   */
  disposeAsync(): Promise<void> {
    return this.core.disposeAsync();
  }

  /** Same as `disposeAsync()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.disposeAsync();
  }

  private resolve(token: unknown, requester: Container): unknown {
    // The container injects itself: the scope that builds the object.
    if (token === Container) return requester;
    const found = this.lookup(token);
    if (found === undefined) {
      if (!isConstructor(token)) {
        throw new ResolutionError(
          `No provider for ${describe(token)}${this.pathSuffix(token)}. Register it: container.register(${describe(token)}, { useValue | useClass | useFactory }).`,
          this.path(token));
      }
      const provider = { useClass: token };
      const registration = { provider, scope: scopeOf(provider) };
      if (registration.scope === 'transient') return this.build(token, registration, requester);
      if (registration.scope === 'scoped') return requester.scopedObject(token, registration);
      const root = this.root();
      root.core.registrations.set(token, registration);
      return root.resolve(token, requester);
    }
    const { owner, registration } = found;
    if (registration.scope === 'transient') return requester.build(token, registration, requester);
    if (registration.scope === 'scoped') return requester.scopedObject(token, registration);
    if (owner !== requester) requester.checkOverrides(token, owner);
    if (owner.core.singletons.has(token)) return owner.core.singletons.get(token);
    return owner.build(token, registration, owner);
  }

  /** The scoped object of this child scope for `token`, built on first use. */
  private scopedObject(token: unknown, registration: Registration): unknown {
    if (this.parent === undefined) {
      throw new ResolutionError(
        `${describe(token)} is scoped (one instance per child scope), so the root container cannot build it${this.pathSuffix(token)}. ` +
        `Get it through a child scope: using scope = container.createChild(); scope.get(${describe(token)}). ` +
        'A singleton cannot depend on a scoped object: make the dependent scoped or transient too.', this.path(token));
    }
    if (this.core.scoped.has(token)) return this.core.scoped.get(token);
    return this.build(token, registration, this);
  }

  /**
   * Throws when `token`, a singleton of the ancestor `owner`, depends (through constructor
   * parameters) on a token that this scope or a scope between it and `owner` overrides.
   */
  private checkOverrides(token: unknown, owner: Container): void {
    if (this.core.overridesChecked.get(token) === registrationCount) return;
    const overridden = new Set<unknown>(this.core.registrations.keys());
    for (let scope = this.parent; scope !== owner && scope !== undefined; scope = scope.parent) {
      for (const key of scope.core.registrations.keys()) overridden.add(key);
    }
    const path = overridden.size === 0 ? undefined : owner.dependencyOn(token, overridden, new Set());
    if (path !== undefined) {
      const name = describe(token);
      const dependency = describe(path[path.length - 1]);
      throw new OverrideError(
        `${name} is a singleton of a parent container and depends on ${dependency} (${path.map(describe).join(' -> ')}), ` +
        `which this child scope overrides: it would use the parent's ${dependency}, never the override${this.pathSuffix(token)}. ` +
        `Register ${name} in the child too (createChild({ providers: [${name}] })), make it scoped or transient, ` +
        `or override ${dependency} in the parent instead.`);
    }
    this.core.overridesChecked.set(token, registrationCount);
  }

  /** The constructor-parameter path from `token` to one of `tokens`, as this container would build it, if any. */
  private dependencyOn(token: unknown, tokens: ReadonlySet<unknown>, visiting: Set<unknown>): unknown[] | undefined {
    if (visiting.has(token)) return undefined;
    visiting.add(token);
    const provider = this.lookup(token)?.registration.provider;
    // A value has no dependencies; a factory's are unknown until it runs.
    const ctor = provider === undefined ? (isConstructor(token) ? token : undefined) : 'useClass' in provider ? provider.useClass : undefined;
    if (ctor === undefined) return undefined;
    for (const dependency of parametersOf(ctor).tokens) {
      if (dependency === undefined || dependency === Container) continue;
      if (tokens.has(dependency)) return [token, dependency];
      const path = this.dependencyOn(dependency, tokens, visiting);
      if (path !== undefined) return [token, ...path];
    }
    return undefined;
  }

  /** Registers `providers` (the `providers` option). */
  private provide(providers: readonly ProviderDefinition[] | undefined, where: string): void {
    if (providers === undefined) return;
    if (!Array.isArray(providers)) {
      throw new InvalidArgumentError(
        `${where}: providers must be an array of classes and { provide, useClass | useValue | useFactory } objects, got ${safeString(providers)}.`);
    }
    providers.forEach((definition: unknown, i) => {
      if (isConstructor(definition)) {
        this.register(definition, { useClass: definition });
      } else if (definition !== null && typeof definition === 'object' && 'provide' in definition) {
        const { provide, ...provider } = definition as { provide: Token };
        this.register(provide, provider as Provider<unknown>);
      } else {
        throw new InvalidArgumentError(
          `${where}: providers[${i}] must be a class or { provide: token, useClass | useValue | useFactory }, got ${safeString(definition)}.`);
      }
    });
  }

  private build(token: unknown, registration: Registration, requester: Container): unknown {
    const into = registration.scope === 'singleton' ? this : requester;
    into.assertLive(`get(${describe(token)})`);
    const stack = this.root().resolving;
    const requested = stack.length === 0;
    if (stack.includes(token)) {
      const path = [...stack, token].map(describe);
      stack.length = 0;
      throw new ResolutionError(
        `Circular dependency: ${path.join(' -> ')}. Break the cycle: let one side publish an event the other subscribes to, ` +
        'or move what they share into a third class.', path);
    }
    stack.push(token);
    let object: unknown;
    // What the constructor (or factory) fires before the object is wired is held, and
    // delivered once it is (see construction.ts).
    let held: readonly HeldFire[] = [];
    try {
      const { provider } = registration;
      if ('useValue' in provider) object = provider.useValue;
      else ({ value: object, fires: held } = constructing(() => 'useFactory' in provider ? provider.useFactory(into) : into.construct(provider.useClass)));
    } catch (error) {
      const path = stack.map(describe);
      stack.pop();
      if (error instanceof ResolutionError) throw error;
      const message = error instanceof Error ? error.message : safeString(error);
      const hint = 'useClass' in registration.provider ? constructorHint(registration.provider.useClass, error) : '';
      throw new ResolutionError(`Could not build ${path.join(' -> ')}: ${describe(token)} threw: ${message}${hint}`, path, { cause: error });
    }
    stack.pop();
    // Owned: kept until a known dispose (a singleton, a scoped object, a transient of a child
    // scope), so wired strongly. Only a transient of the root container has no owner.
    const owned = registration.scope !== 'transient' || into.parent !== undefined;
    // Wire before caching: an object whose wiring failed must not be handed out later.
    if (object !== null && typeof object === 'object') {
      try {
        into.core.wiring.adopt(object, owned);
      } catch (error) {
        // Built here and never handed out: disposed now, as the container's dispose() would have.
        if (!('useValue' in registration.provider)) into.core.discard(object);
        throw error;
      }
      into.core.wiring.provided(token, object);
    }
    if (registration.scope === 'singleton') into.core.singletons.set(token, object);
    if (registration.scope === 'scoped') into.core.scoped.set(token, object);
    if (object !== null && typeof object === 'object') {
      if (!('useValue' in registration.provider)) into.core.remember(owned ? new Held(object) : new WeakRef(object));
      if (!owned && requested) into.warnUnowned(object);
      if (held.length > 0) deliverConstructionFires(object, held);
    }
    return object;
  }

  /** Warns once per class when `get()` of the root container returns a transient subscriber. */
  private warnUnowned(object: object): void {
    const ctor = object.constructor;
    if (this.core.options.maxWeakHandlers === 0 || warnedUnowned.has(ctor) || subscribedEvents(ctor).length === 0) return;
    warnedUnowned.add(ctor);
    emitWarning(
      `${ctor.name} is a transient subscriber built by the root container: nothing owns it, so only the garbage collector ` +
      'can unwire it, and not while the events it subscribes to keep firing. ' +
      `Build it through a child scope (using scope = container.createChild(); scope.get(${ctor.name})), release() it when done, ` +
      'or make it a singleton (maxWeakHandlers: 0 on the container turns this warning off).',
      'UnownedSubscriberWarning', 'EVENTWIRE_UNOWNED_SUBSCRIBER');
  }

  private construct(ctor: Constructor): unknown {
    const { tokens, typed } = parametersOf(ctor);
    return new ctor(...tokens.map((token, i) => this.resolve(this.checkParameter(ctor, i, token, typed), this)));
  }

  /** The token of parameter #`index` of `ctor`; throws what is wrong when it cannot be resolved. */
  private checkParameter(ctor: Function, index: number, token: unknown, typed: boolean): unknown {
    if (token !== undefined && !INTERFACE_TYPES.includes(token) && !PRIMITIVE_TYPES.includes(token)) return token;
    const where = `parameter #${index} of ${ctor.name}'s constructor${this.pathSuffix(ctor)}`;
    const path = this.path(ctor);
    if (INTERFACE_TYPES.includes(token)) {
      throw new ResolutionError(
        `${where} is typed as an interface, a union, a type alias or any (compiled to ${(token as Function).name}), which cannot be resolved. ` +
        'If it is a class, check for a type-only import ("import type", or "import { type X }", often added by a lint autofix): ' +
        'import it with a plain import. Otherwise name it with @inject(token) and register the token.', path);
    }
    if (token !== undefined) {
      throw new ResolutionError(
        `${where} has the primitive type ${(token as Function).name.toLowerCase()}. Name it with @inject(token) and register a value for the token.`, path);
    }
    if (typed) {
      throw new ResolutionError(
        `The type of ${where} is undefined at run time: usually two files import each other. ` +
        'Name it with @inject(token) and break the import cycle.', path);
    }
    if (decoratorMode(ctor) === 'standard') {
      // Standard decorators have no parameter decorators and emit no types: deps is the only way.
      throw new ResolutionError(
        `No type information for ${where}: standard decorators emit none ` +
        `and have no @inject. List the dependencies with @injectable({ deps: [...] }) on ${ctor.name}.`, path);
    }
    throw new ResolutionError(
      `No type information for ${where}: emitDecoratorMetadata is off, ` +
      `the class has no decorator, or the build tool does not emit metadata (esbuild, tsx, Vitest 3). ` +
      `List the dependencies with @injectable({ deps: [...] }) (any build, standard or legacy decorators), ` +
      `or add @injectable() to the class with emitDecoratorMetadata on, or name each dependency with @inject(token).`, path);
  }

  private lookup(token: unknown): { owner: Container; registration: Registration } | undefined {
    const registration = this.core.registrations.get(token);
    if (registration !== undefined) return { owner: this, registration };
    return this.parent?.lookup(token);
  }

  private root(): Container {
    return this.parent === undefined ? this : this.parent.root();
  }

  private path(token: unknown): string[] {
    const chain = [...this.root().resolving];
    if (chain[chain.length - 1] !== token) chain.push(token);
    return chain.map(describe);
  }

  private pathSuffix(token: unknown): string {
    const path = this.path(token);
    return path.length > 1 ? ` (path: ${path.join(' -> ')})` : '';
  }

  private assertLive(what: string): void {
    if (this.core.disposed) {
      throw new DisposedError(`${what} was called on a disposed container. Create a new Container (or child) instead.`);
    }
  }
}

/**
 * The token of each constructor parameter of `ctor` (undefined where none is known), and
 * whether the parameters are typed (listed in `deps`, or types emitted).
 */
function parametersOf(ctor: Function): { tokens: readonly unknown[]; typed: boolean } {
  // A subclass without a constructor of its own takes its parent's parameters.
  let owner: Function = ctor;
  while (declaredDeps(owner) === undefined && parameterTypes(owner) === undefined && injectedTokens(owner).size === 0 && owner.length === 0) {
    const parent = Object.getPrototypeOf(owner) as Function;
    if (typeof parent !== 'function' || parent === Function.prototype) break;
    owner = parent;
  }
  // `@injectable({ deps })` names every parameter: it wins over @inject and emitted types.
  const deps = declaredDeps(owner);
  if (deps !== undefined) return { tokens: deps, typed: true };
  const declared = parameterTypes(owner);
  const injected = injectedTokens(owner);
  const count = Math.max(owner.length, declared?.length ?? 0, ...[...injected.keys()].map((i) => i + 1));
  const tokens: unknown[] = [];
  for (let i = 0; i < count; i++) tokens.push(injected.get(i) ?? declared?.[i]);
  return { tokens, typed: declared !== undefined };
}

/** Parameter types that name no class: what an interface, a union, a type alias or any compile to. */
const INTERFACE_TYPES: unknown[] = [Object, Array, Function];
/** Parameter types of primitives, which need a token. */
const PRIMITIVE_TYPES: unknown[] = [String, Number, Boolean, Symbol, BigInt];

/** Changes at every registration in any container: invalidates the override checks. */
let registrationCount = 0;

/** The method that disposes `object`: with `async`, `[Symbol.asyncDispose]` first. */
function disposeOf(object: object, async: boolean): (() => unknown) | undefined {
  const o = object as { dispose?: unknown; [Symbol.dispose]?: unknown; [Symbol.asyncDispose]?: unknown };
  const candidates = async ? [o[Symbol.asyncDispose], o[Symbol.dispose], o.dispose] : [o[Symbol.dispose], o.dispose, o[Symbol.asyncDispose]];
  return candidates.find((fn) => typeof fn === 'function') as (() => unknown) | undefined;
}

/** Removes, in place, the items that fail `keep`. */
function prune<T>(items: T[], keep: (item: T) => boolean): void {
  let kept = 0;
  for (const item of items) if (keep(item)) items[kept++] = item;
  items.length = kept;
}

function isConstructor(token: unknown): token is Constructor {
  return typeof token === 'function' && token.prototype !== undefined;
}

function scopeOf(provider: Provider<unknown>): Scope {
  return 'useClass' in provider && typeof provider.useClass === 'function'
    ? (injectableOptions(provider.useClass)?.scope ?? 'singleton')
    : 'singleton';
}

/** The `extensions` option, checked. */
function checkExtensions(extensions: unknown): readonly ContainerExtension[] {
  if (extensions === undefined) return [];
  if (!Array.isArray(extensions)) {
    throw new InvalidArgumentError(
      `new Container(): extensions must be an array of ContainerExtension objects (e.g. [remoteEvents({ transport })]), got ${safeString(extensions)}.`);
  }
  extensions.forEach((extension: unknown, i) => {
    if (extension === null || typeof extension !== 'object') {
      throw new InvalidArgumentError(`new Container(): extensions[${i}] must be a ContainerExtension object, got ${safeString(extension)}.`);
    }
    for (const hook of EXTENSION_HOOKS) {
      const value = (extension as Record<string, unknown>)[hook];
      if (value !== undefined && typeof value !== 'function') {
        throw new InvalidArgumentError(`new Container(): extensions[${i}].${hook} must be a function, got ${safeString(value)}.`);
      }
    }
  });
  return [...extensions] as ContainerExtension[];
}

function checkToken(token: unknown, where: string): void {
  if (typeof token === 'function' || typeof token === 'string' || typeof token === 'symbol' || token instanceof InjectionToken) return;
  throw new InvalidArgumentError(
    `${where}: a token must be a class, a string, a symbol or an InjectionToken, got ${safeString(token)}.` +
    (token === undefined ? ' If it is a class, check for a circular import.' : ''));
}

function describe(token: unknown): string {
  if (typeof token === 'function') return token.name || '(anonymous class)';
  return token instanceof InjectionToken ? token.toString() : safeString(token);
}
