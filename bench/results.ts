import type { Implementation } from './implementation';
import type { Measurement } from './harness';
import type { Scenario } from './scenario';
import { median, p90 } from './stats';

/** One implementation's figures in one scenario. */
export interface Row {
  readonly impl: Implementation;
  /** Median ops/s (bytes for the memory scenario). */
  readonly value: number;
  /** The slow tail: 90th percentile of the time per op, as ops/s (absent for memory). */
  readonly p90?: number;
  /** eventwire only: the dispatcher tier measured. */
  readonly tier?: string;
}

/** One scenario's figures, with the best peer: the fastest, or for memory the leanest (or the scenario's baseline, where no peer takes part). */
export interface ScenarioResult {
  readonly name: string;
  readonly targets: boolean;
  readonly unit: 'ops/s' | 'bytes';
  readonly rows: readonly Row[];
  readonly bestPeer: Row | undefined;
}

export const MEMORY = 'memory per subscription (bytes)';

function withBest(name: string, targets: boolean, unit: 'ops/s' | 'bytes', rows: Row[], baseline?: string): ScenarioResult {
  const peers = rows.filter((row) => row.impl.role === 'peer');
  const better = (x: Row, y: Row): Row => ((unit === 'bytes' ? x.value <= y.value : x.value >= y.value) ? x : y);
  const best = peers.length > 0 ? peers.reduce(better) : rows.find((row) => row.impl.name === baseline);
  return { name, targets, unit, rows, bestPeer: best };
}

/** Groups measurements by scenario, in scenario and implementation order. */
export function summarize(
  scenarios: readonly Scenario[], impls: readonly Implementation[],
  measurements: readonly Measurement[], memory: ReadonlyMap<string, number>,
): ScenarioResult[] {
  const results = scenarios.map((scenario) => {
    const rows: Row[] = [];
    for (const impl of impls) {
      const m = measurements.find((x) => x.case.scenario === scenario.name && x.case.impl === impl);
      if (m !== undefined) rows.push({ impl, value: median(m.rates), p90: p90(m.rates), tier: m.case.tier?.() });
    }
    return withBest(scenario.name, scenario.targets, 'ops/s', rows, scenario.baseline);
  });
  const memoryRows = impls.filter((impl) => memory.has(impl.name)).map((impl) => ({ impl, value: memory.get(impl.name)! }));
  if (memoryRows.length > 0) results.push(withBest(MEMORY, false, 'bytes', memoryRows));
  return results;
}

/** The ratio of a row to the best peer of its scenario (for memory: bytes over the leanest peer's). */
export function ratio(result: ScenarioResult, row: Row): number | undefined {
  return result.bestPeer === undefined ? undefined : row.value / result.bestPeer.value;
}

/** Looks a row up by implementation name. */
export function rowOf(result: ScenarioResult | undefined, impl: string): Row | undefined {
  return result?.rows.find((row) => row.impl.name === impl);
}
