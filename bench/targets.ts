import { MEMORY, rowOf, type ScenarioResult } from './results';
import { CONTAINER, JOB_PER_FIRE, WIRED } from './scenarios';

/** One line per target of issue 5, met or missed, with the figures. */
export function targets(results: readonly ScenarioResult[]): string {
  const lines: string[] = [];
  const verdict = (ok: boolean): string => (ok ? 'met   ' : 'MISSED');
  const x = (value: number): string => `${value.toFixed(2)}x`;
  for (const result of results.filter((r) => r.targets)) {
    const ew = rowOf(result, 'eventwire');
    const tseep = rowOf(result, 'tseep');
    const nano = rowOf(result, 'nanoevents');
    if (ew !== undefined && tseep !== undefined && nano !== undefined) {
      const vsTseep = ew.value / tseep.value;
      const vsNano = ew.value / nano.value;
      lines.push(`${verdict(vsTseep >= 1 && vsNano >= 1)} ${result.name}: eventwire ${x(vsTseep)} tseep, ${x(vsNano)} nanoevents (need >= 1.00x both)`);
    }
    const weak = rowOf(result, 'eventwire-weak');
    const node = rowOf(result, 'node:events');
    if (ew !== undefined && weak !== undefined && node !== undefined) {
      const vsStrong = weak.value / ew.value;
      lines.push(`${verdict(vsStrong >= 0.8 && weak.value > node.value)} ${result.name}: eventwire-weak ${x(vsStrong)} strong (need >= 0.80x), ${x(weak.value / node.value)} node:events (need > 1x)`);
    }
  }
  const memory = results.find((r) => r.name === MEMORY);
  const ew = rowOf(memory, 'eventwire');
  const ee3 = rowOf(memory, 'eventemitter3');
  if (memory !== undefined && ew !== undefined && ee3 !== undefined) {
    lines.push(`${verdict(ew.value <= ee3.value)} memory: eventwire ${ew.value.toFixed(1)} B per subscription, eventemitter3 ${ee3.value.toFixed(1)} B (need <=)`);
  }
  lines.push('n/a    tracing off: not measured; without a trace hook `fire` IS the dispatcher (lib/core/event.ts), no wrapper, no branch.');
  const container = results.find((r) => r.name === CONTAINER);
  const get = rowOf(container, 'eventwire');
  const manual = rowOf(container, 'direct');
  if (get !== undefined && manual !== undefined) {
    const slower = manual.value / get.value;
    lines.push(`${verdict(slower <= 3)} container get within 3x of new + manual add: eventwire (get + release) ${x(slower)} the time of direct (new + 3 weak adds + 3 unsubscribes) (need <= 3.00x)`);
  }
  const wired = results.find((r) => r.name === WIRED);
  const byContainer = rowOf(wired, 'eventwire');
  const byHand = rowOf(wired, 'direct');
  if (byContainer !== undefined && byHand !== undefined) {
    const r = byContainer.value / byHand.value;
    lines.push(`${verdict(r >= 0.9)} container-wired singletons, one job per fire: ${x(r)} of the same count of handlers added by hand (need >= 0.90x)`);
  }
  const jobs = results.find((r) => r.name === JOB_PER_FIRE);
  const strong = rowOf(jobs, 'eventwire');
  const weakJobs = rowOf(jobs, 'eventwire-weak');
  if (strong !== undefined && weakJobs !== undefined) {
    const r = weakJobs.value / strong.value;
    lines.push(`${verdict(r >= 0.5)} weakly held methods, one job per fire: ${x(r)} strong (need >= 0.50x)`);
  }
  return lines.join('\n');
}
