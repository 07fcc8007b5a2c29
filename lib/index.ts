import './compat';

export { Event } from './event';
export type { AddOptions, EventInfo, EventOptions, FireAsyncOptions, Handler, TraceHook, TraceRecord } from './event';
export type { Subscription } from './subscription';
export type { ErrorMode, ErrorPolicyOptions, ErrorReporter, HandlerFailure } from './error-policy';
export { defaultReporter } from './error-policy';
export {
  DecoratorError, DisposedError, EventwireError, FireAbortedError, InvalidArgumentError, OverrideError, ResolutionError,
} from './errors';
export { inject, injectable, publishes, subscribes } from './decorators';
export type {
  DepTypes, DepsMatch, EventKeys, InjectableDecorator, InjectableDepsDecorator, MethodDecorator, PayloadOf, PublishesDecorator,
} from './decorators';
export type { Class, Constructor, InjectableOptions, PublishOptions, Scope, SubscribeOptions } from './metadata';
export { Container, InjectionToken } from './container';
export type { ContainerOptions, Provider, ProviderDefinition, ScopeOptions, Token } from './container';
export type { WiringEdge, WiringGraph, WiringNode } from './graph';
export { staticGraph, toDot, toMermaid, toText } from './graph';
export type { AnyGraph, GraphEdge, StaticGraph, StaticNode, UnpublishedSubscription, UnsubscribedEvent } from './graph';
export { traceFromEnv, traceLogger } from './trace';
export type { TraceLoggerOptions } from './trace';
export { jsonCodec } from './transport';
export type {
  Codec, Consumer, Delivery, EncodedEnvelope, Envelope, IdempotencyClaim, IdempotencyStore, PayloadValidator,
  Transport, TransportSubscription,
} from './transport';
export type { RemoteEventInfo, RemoteOptions } from './remote';
export { MemoryIdempotencyStore } from './idempotency';
export type { MemoryIdempotencyOptions } from './idempotency';
export {
  BrokerError, DeadLetterError, NoSubscriberError, PayloadTooLargeError, PoisonMessageError, PublishBufferFullError, PublishError, TransportClosedError,
} from './transport-errors';
