import { safeString } from '../core/describe';
import { InvalidArgumentError } from '../core/errors';
import type { IdempotencyClaim, IdempotencyStore } from './transport';

/** Options of {@link MemoryIdempotencyStore}. */
export interface MemoryIdempotencyOptions {
  /** How many handled ids to remember; the oldest are forgotten first. Default 100 000. */
  maxIds?: number;
}

/**
 * An {@link IdempotencyStore} in this process's memory: it catches duplicates delivered to this
 * process only, and forgets everything on restart. The bridge uses it when the transport has no
 * shared store.
 */
export class MemoryIdempotencyStore implements IdempotencyStore {
  private readonly entries = new Map<string, 'done' | object>();
  private readonly maxIds: number;

  /** @param options How many ids to remember. */
  constructor(options: MemoryIdempotencyOptions = {}) {
    const { maxIds = 100_000 } = options;
    if (!(Number.isInteger(maxIds) && maxIds > 0)) {
      throw new InvalidArgumentError(`new MemoryIdempotencyStore(): maxIds must be a whole number above 0, got ${safeString(maxIds)}.`);
    }
    this.maxIds = maxIds;
  }

  /** See {@link IdempotencyStore.claim}. */
  async claim(scope: string, id: string): Promise<IdempotencyClaim | 'done' | 'busy'> {
    const key = `${scope}\u0000${id}`;
    const current = this.entries.get(key);
    if (current === 'done') return 'done';
    if (current !== undefined) return 'busy';
    const holder = {};
    this.entries.set(key, holder);
    return {
      finish: async () => {
        this.entries.delete(key);
        this.entries.set(key, 'done');
        // Forget the oldest handled id; ids still being handled are never evicted.
        if (this.entries.size > this.maxIds) {
          for (const [oldest, state] of this.entries) {
            if (state === 'done') {
              this.entries.delete(oldest);
              break;
            }
          }
        }
      },
      abandon: async () => {
        if (this.entries.get(key) === holder) this.entries.delete(key);
      },
    };
  }
}
