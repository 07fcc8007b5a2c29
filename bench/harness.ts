import type { Case } from './scenario';
import { fullGc } from './gc';
import { shuffle } from './stats';

/** How long and how often to measure. */
export interface HarnessOptions {
  /** Target duration of one sample (one batched loop), in milliseconds. */
  readonly sampleMs: number;
  /** Measured rounds; each round takes one sample of every case, in a shuffled order. */
  readonly rounds: number;
  /** Rounds run and thrown away after the warm-up. */
  readonly discard: number;
  /** Progress, on stderr. */
  readonly log: (line: string) => void;
}

/** The samples of one case. */
export interface Measurement {
  readonly case: Case;
  /** Operations per sample, fixed after calibration. */
  readonly n: number;
  /** Operations per second, one per measured round. */
  readonly rates: number[];
}

/** Times `n` operations of a case with one clock read on each side, then checks the counters exactly. */
async function sample(c: Case, n: number): Promise<number> {
  const before = c.tally.total();
  const started = process.hrtime.bigint();
  const pending = c.run(n);
  if (pending !== undefined) await pending;
  const ns = Number(process.hrtime.bigint() - started);
  const want = (before + Math.imul(n, c.perOp)) | 0;
  const total = c.tally.total();
  if (total !== want) {
    throw new Error(`${c.scenario} / ${c.impl.name}: the counters moved by ${total - before} in ${n} operations, expected ${want - before}: some handler was skipped, repeated or given wrong arguments.`);
  }
  c.check();
  return Math.max(ns, 1);
}

/**
 * Warms a case up and finds the operations per sample that take about `targetNs`. The
 * estimate is redone after the code has been optimised, so early interpreter speed does
 * not shrink the batch. Far more than eventwire's 64 fires to compile are run here.
 */
async function calibrate(c: Case, targetNs: number): Promise<number> {
  let n = 1;
  for (;;) {
    const ns = await sample(c, n);
    if (ns >= targetNs / 10 || n >= 1e9) {
      n = Math.max(1, Math.round((n * targetNs) / ns));
      break;
    }
    n *= ns < targetNs / 1000 ? 100 : 10;
  }
  for (let pass = 0; pass < 3; pass++) {
    const times = [await sample(c, n), await sample(c, n), await sample(c, n)].sort((x, y) => x - y);
    n = Math.max(1, Math.round((n * targetNs) / times[1]));
  }
  return n;
}

/**
 * Measures every case in one process: warm-up and calibration of each, `discard` rounds
 * thrown away, then `rounds` rounds in which every case is sampled once, in a new random
 * order each round, so drift (heat, other processes, GC) spreads over all of them.
 */
export async function measure(cases: readonly Case[], options: HarnessOptions): Promise<Measurement[]> {
  const targetNs = options.sampleMs * 1e6;
  const measurements: Measurement[] = [];
  for (const c of cases) {
    measurements.push({ case: c, n: await calibrate(c, targetNs), rates: [] });
  }
  options.log(`warm-up done: ${cases.length} cases calibrated to ~${options.sampleMs} ms per sample`);
  const total = options.discard + options.rounds;
  for (let round = 0; round < total; round++) {
    fullGc();
    for (const m of shuffle([...measurements])) {
      const ns = await sample(m.case, m.n);
      if (round >= options.discard) m.rates.push((m.n * 1e9) / ns);
    }
    if ((round + 1) % 5 === 0 || round + 1 === total) options.log(`round ${round + 1}/${total}${round < options.discard ? ' (discarded)' : ''}`);
  }
  return measurements;
}
