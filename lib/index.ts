import './core/compat';

export { Event } from './core/event';
export type { AddOptions, EventInfo, EventOptions, FireAsyncOptions, Handler, TraceHook, TraceRecord } from './core/event';
export type { Subscription } from './core/subscription';
export type { ErrorMode, ErrorPolicyOptions, ErrorReporter, HandlerFailure } from './core/error-policy';
export { defaultReporter } from './core/error-policy';
export {
  DecoratorError, DisposedError, EventwireError, FireAbortedError, InvalidArgumentError, OverrideError, ResolutionError, WiringError,
} from './core/errors';
export { inject, injectable, publishes, subscribes } from './wiring/decorators';
export type {
  DepTypes, DepsMatch, EventKeys, InjectableDecorator, InjectableDepsDecorator, MethodDecorator, PayloadOf, PublishesDecorator,
} from './wiring/decorators';
export type {
  Class, Constructor, InjectableOptions, PublishedEvent, PublishOptions, Scope, SubscribedEvent, SubscribeOptions,
} from './wiring/metadata';
export type { CarriedSubscription, CarrierInfo, ConnectionInfo, ContainerExtension, ExtensionHost, PendingSubscription } from './wiring/extension';
export { Container, InjectionToken } from './wiring/container';
export type { ContainerOptions, Provider, ProviderDefinition, ScopeOptions, Token } from './wiring/container';
export type { WiringEdge, WiringGraph, WiringNode } from './tools/graph';
export { staticGraph, toDot, toMermaid, toText } from './tools/graph';
export type { AnyGraph, GraphEdge, StaticEdge, StaticGraph, StaticNode, UnpublishedSubscription, UnsubscribedEvent } from './tools/graph';
export { traceFromEnv, traceLogger } from './core/trace';
export type { TraceLoggerOptions } from './core/trace';
