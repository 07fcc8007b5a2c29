const gc = (globalThis as { gc?: () => void }).gc;

/** True when node runs with `--expose-gc`. */
export const canCollect = gc !== undefined;

/** A full garbage collection, when available; returns whether it ran. */
export function fullGc(): boolean {
  gc?.();
  return canCollect;
}
