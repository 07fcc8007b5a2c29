/**
 * `eventwire/redis`: the Redis Streams transport, for `remoteEvents()` of `eventwire/remote`.
 * Needs the optional peer dependency `ioredis` (5 or 6, on RESP2 or RESP3) and Redis 6.2 or
 * later. See docs/remote.md.
 *
 * @example
 * import { Container } from 'eventwire';
 * import { remoteEvents } from 'eventwire/remote';
 * import { RedisTransport } from 'eventwire/redis';
 * const transport = new RedisTransport({ connection: process.env.REDIS_URL });
 * const app = new Container({ extensions: [remoteEvents({ transport, namespace: 'shop' })] });
 */
import '../core/compat';

export { RedisTransport } from './transport';
export type { RedisTransportOptions } from './options';
export { RedisIdempotencyStore } from './idempotency';
export { deadLetterKey, streamKey } from './fields';
