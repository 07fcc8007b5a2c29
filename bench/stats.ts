/** The q-quantile (0..1) of `values`, by linear interpolation between the closest ranks. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((x, y) => x - y);
  const at = (sorted.length - 1) * q;
  const low = Math.floor(at);
  const high = Math.ceil(at);
  return sorted[low] + (sorted[high] - sorted[low]) * (at - low);
}

/** Median of rates. */
export function median(rates: readonly number[]): number {
  return quantile(rates, 0.5);
}

/**
 * The 90th percentile of the time per operation, as a rate: the slow tail, so it is
 * the 10th percentile of the ops/s figures.
 */
export function p90(rates: readonly number[]): number {
  return quantile(rates, 0.1);
}

/** Shuffles in place (Fisher-Yates). */
export function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}
