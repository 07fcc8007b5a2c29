/**
 * `eventwire/remote`: carries `@publishes(name, { remote: true })` events between processes,
 * through any {@link Transport} (`eventwire/redis` is one), as a container extension.
 *
 * @example
 * import { remoteEvents } from 'eventwire/remote';
 * import { RedisTransport } from 'eventwire/redis';
 * const app = new Container({
 *   extensions: [remoteEvents({ transport: new RedisTransport({ connection: process.env.REDIS_URL }), namespace: 'shop' })],
 * });
 */
import '../core/compat';
import type { ContainerExtension } from '../wiring/extension';
import { RemoteBridge, type RemoteOptions } from './bridge';

/**
 * The container extension that carries remote events through `options.transport`: every fire
 * of a `{ remote: true }` event is published, and this process's subscribers receive remote
 * events through the broker only (never locally as well), one consumer group per subscriber
 * class and method. The container OWNS the transport: `disposeAsync()` drains and closes it.
 * One container per call. Throws an `InvalidArgumentError` for bad options.
 */
export function remoteEvents(options: RemoteOptions): ContainerExtension {
  return new RemoteBridge(options);
}

export type { RemoteEventInfo, RemoteOptions } from './bridge';
export { jsonCodec } from './transport';
export type {
  Codec, Consumer, Delivery, EncodedEnvelope, Envelope, IdempotencyClaim, IdempotencyStore, PayloadValidator,
  Transport, TransportSubscription,
} from './transport';
export { MemoryIdempotencyStore } from './idempotency';
export type { MemoryIdempotencyOptions } from './idempotency';
export {
  BrokerError, DeadLetterError, NoSubscriberError, PayloadTooLargeError, PoisonMessageError, PublishBufferFullError, PublishError, TransportClosedError,
} from './errors';
