/// <reference types="node" preserve="true" />
import 'reflect-metadata';

export { Event } from './event';
export type { AddOptions, EventInfo, EventOptions, Handler, TraceHook, TraceRecord } from './event';
export type { Subscription } from './subscription';
export type { ErrorMode, ErrorPolicyOptions, ErrorReporter, HandlerFailure } from './error-policy';
export { defaultReporter } from './error-policy';
export { DecoratorError, DisposedError, EventwireError, InvalidArgumentError, ResolutionError } from './errors';
export { inject, injectable, publishes, subscribes } from './decorators';
export type { EventKeys, PayloadOf } from './decorators';
export type { Class, Constructor, InjectableOptions, PublishOptions, Scope, SubscribeOptions } from './metadata';
export { Container, InjectionToken } from './container';
export type { ContainerOptions, Provider, Token } from './container';
export type { WiringEdge, WiringGraph, WiringNode } from './graph';
