import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { IdempotencyClaim, IdempotencyStore } from '../remote/transport';

/** Claims an id: 'new' (now held by ARGV[1] for ARGV[2] ms), 'done', or 'busy'. */
const CLAIM = `
local v = redis.call('GET', KEYS[1])
if not v then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 'new'
end
if v == 'done' then return 'done' end
return 'busy'`;

/** Extends or gives back a claim, only if ARGV[1] still holds it. */
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/**
 * Envelope ids in Redis, shared by every consumer: a key per (scope, id) holds the claim of the
 * consumer handling it (with a lease, renewed while the handler runs) and then `done` for
 * `ttlMs`. Duplicates delivered to any process of a group are handled once.
 */
export class RedisIdempotencyStore implements IdempotencyStore {
  private readonly open = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;

  /**
   * @param redis The connection to use (commands wait in its offline queue during an outage).
   * @param prefix Prefix of the keys.
   * @param leaseMs How long a claim outlives its holder.
   * @param ttlMs How long a handled id is remembered.
   */
  constructor(private readonly redis: Redis, private readonly prefix: string, private readonly leaseMs: number, private readonly ttlMs: number) {}

  /** See {@link IdempotencyStore.claim}. */
  async claim(scope: string, id: string): Promise<IdempotencyClaim | 'done' | 'busy'> {
    const key = `${this.prefix}:${scope}:${id}`;
    const holder = randomUUID();
    const state = await this.redis.eval(CLAIM, 1, key, holder, this.leaseMs) as string;
    if (state !== 'new') return state === 'done' ? 'done' : 'busy';
    this.open.set(key, holder);
    this.renewSoon();
    return {
      finish: async () => {
        this.open.delete(key);
        await this.redis.set(key, 'done', 'PX', this.ttlMs);
      },
      abandon: async () => {
        this.open.delete(key);
        await this.redis.eval(RELEASE, 1, key, holder);
      },
    };
  }

  /** Stops renewing claims (they lapse after their lease). */
  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.open.clear();
  }

  private renewSoon(): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.open.size === 0) return;
      this.renew();
      this.renewSoon();
    }, Math.max(10, Math.floor(this.leaseMs / 3)));
  }

  /** Renews every live claim now (the transport calls it when back from an outage). */
  renew(): void {
    // During an outage the renewals would only pile up in the offline queue.
    if (this.open.size === 0 || this.redis.status !== 'ready') return;
    const pipeline = this.redis.pipeline();
    for (const [key, holder] of this.open) pipeline.eval(RENEW, 1, key, holder, this.leaseMs);
    pipeline.exec().catch(() => undefined);   // a claim that lapses is re-checked by its next holder
  }
}
