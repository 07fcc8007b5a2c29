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
    this.maxIds = options.maxIds ?? 100_000;
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
        if (this.entries.size > this.maxIds) this.entries.delete(this.entries.keys().next().value!);
      },
      abandon: async () => {
        if (this.entries.get(key) === holder) this.entries.delete(key);
      },
    };
  }
}
