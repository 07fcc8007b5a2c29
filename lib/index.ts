export { Event } from './event';
export type { AddOptions, EventInfo, EventOptions, Handler, TraceHook, TraceRecord } from './event';
export type { Subscription } from './subscription';
export type { ErrorMode, ErrorPolicyOptions, ErrorReporter, HandlerFailure } from './error-policy';
export { defaultReporter } from './error-policy';
export { DecoratorError, DisposedError, EventwireError, InvalidArgumentError, ResolutionError } from './errors';
