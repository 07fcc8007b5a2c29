import { MEMORY, rowOf, type ScenarioResult } from './results';
import { ADD_REMOVE, CONTAINER, JOB_PER_FIRE, LOOP_TIER, ONCE_FIRE, WIRED } from './scenarios';

/** One line per target of issues 5, 10 and 15, met or missed, with the figures. */
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
  lines.push(...issue15(results, verdict, x));
  return lines.join('\n');
}

/** Issue 15: the churn paths, the loop tier, memory per subscription, the container; every fire row still >= tseep. */
function issue15(results: readonly ScenarioResult[], verdict: (ok: boolean) => string, x: (value: number) => string): string[] {
  const lines: string[] = [];
  const find = (name: string): ScenarioResult | undefined => results.find((r) => r.name === name);
  const once = find(ONCE_FIRE);
  const onceEw = rowOf(once, 'eventwire');
  const onceEe3 = rowOf(once, 'eventemitter3');
  const onceTseep = rowOf(once, 'tseep');
  if (onceEw !== undefined && onceEe3 !== undefined && onceTseep !== undefined) {
    const vsEe3 = onceEw.value / onceEe3.value;
    const vsTseep = onceEw.value / onceTseep.value;
    lines.push(`${verdict(vsEe3 >= 1 && vsTseep >= 0.5)} issue 15, once + fire: eventwire ${x(vsEe3)} eventemitter3 (need >= 1.00x), ${x(vsTseep)} tseep (need >= 0.50x)`);
  }
  const churn = find(ADD_REMOVE);
  const churnEw = rowOf(churn, 'eventwire');
  if (churn?.bestPeer !== undefined && churnEw !== undefined) {
    const r = churnEw.value / churn.bestPeer.value;
    lines.push(`${verdict(r >= 0.9)} issue 15, add + remove: eventwire ${x(r)} ${churn.bestPeer.impl.name}, the best peer (need >= 0.90x)`);
  }
  const loop = find(LOOP_TIER);
  const loopEw = rowOf(loop, 'eventwire');
  const loopNano = rowOf(loop, 'nanoevents');
  if (loopEw !== undefined && loopNano !== undefined) {
    const r = loopEw.value / loopNano.value;
    lines.push(`${verdict(r >= 1)} issue 15, loop tier (no codegen): eventwire ${x(r)} nanoevents (need >= 1.00x)`);
  }
  const memory = find(MEMORY);
  const strong = rowOf(memory, 'eventwire');
  const weak = rowOf(memory, 'eventwire-weak');
  if (strong !== undefined && weak !== undefined) {
    lines.push(`${verdict(strong.value <= 50 && weak.value <= 120)} issue 15, memory per subscription: strong ${strong.value.toFixed(1)} B (need <= 50 B), weak ${weak.value.toFixed(1)} B (need <= 120 B)`);
  }
  const container = find(CONTAINER);
  const get = rowOf(container, 'eventwire');
  const manual = rowOf(container, 'direct');
  if (get !== undefined && manual !== undefined) {
    const slower = manual.value / get.value;
    lines.push(`${verdict(slower <= 2)} issue 15, container get + release: ${x(slower)} the time of direct (need <= 2.00x)`);
  }
  // Every fire row of the compiled tier (the loop tier has its own target above).
  const fires = results.filter((r) => r.name.startsWith('fire, ') && r.name !== LOOP_TIER);
  const ratios = fires.flatMap((r) => {
    const ew = rowOf(r, 'eventwire');
    const tseep = rowOf(r, 'tseep');
    return ew === undefined || tseep === undefined ? [] : [{ name: r.name, r: ew.value / tseep.value }];
  });
  if (ratios.length > 0) {
    const low = ratios.reduce((a, b) => (b.r < a.r ? b : a));
    const below = ratios.filter((e) => e.r < 1).map((e) => `${e.name} ${x(e.r)}`);
    lines.push(`${verdict(below.length === 0)} issue 15, every fire row >= 1.00x tseep: lowest ${x(low.r)} (${low.name})${below.length > 0 ? `; below: ${below.join(', ')}` : ''}`);
  }
  return lines;
}
