import type { Implementation, Op, Shape } from './implementation';
import { opScenario, type Case } from './scenario';

/**
 * Pre-warms the shared dispatch code of every implementation the way a real app does:
 * many emitters, each with its own distinct handlers, handler sets of many sizes, one and
 * two arguments, churn and once. Without this V8 specialises a shared `fire`/`emit` to the
 * benchmark's few handlers (inlining them into it), and the figures lie: the issue saw one
 * naive `fire` run at 442M/s or 165M/s depending on this alone.
 *
 * Every emitter and handler made here is new and distinct from the benchmark's own.
 */
const SIZES = [1, 2, 3, 4, 5, 6, 8, 10, 12, 16, 30];
const OPS: readonly Op[] = ['fire', 'addRemove', 'onceFire'];

function warmCases(impl: Implementation): Case[] {
  const cases: Case[] = [];
  const add = (op: Op, shape: Shape): void => {
    // `sameShapeEmitters: 0`: made one after another like an app's emitters, not each on its own.
    const c = opScenario(`pre-warm ${op}`, op, { ...shape, sameShapeEmitters: 0 }).build(impl);
    if (c !== undefined) cases.push(c);
  };
  for (const handlers of SIZES) {
    for (const args of [1, 2] as const) {
      for (const op of OPS) {
        if (op === 'fire' || args === 1) add(op, { handlers: op === 'onceFire' ? handlers - 1 : handlers, args });
      }
    }
    add('fire', { handlers, args: 1, quarantine: 2 });
    add('fireAsync', { handlers, args: 1, async: true });
  }
  return cases;
}

/** Runs every pre-warm case `passes` times, implementations and cases interleaved. */
export async function prewarm(impls: readonly Implementation[], passes: number, perPass: number): Promise<void> {
  const cases = impls.flatMap(warmCases);
  for (let pass = 0; pass < passes; pass++) {
    for (const c of cases) {
      const n = c.scenario.endsWith('fireAsync') ? Math.ceil(perPass / 10) : perPass;
      const before = c.tally.total();
      const pending = c.run(n);
      if (pending !== undefined) await pending;
      if (c.tally.total() !== ((before + Math.imul(n, c.perOp)) | 0)) throw new Error(`${c.scenario} / ${c.impl.name}: wrong count`);
      c.check();
    }
  }
}
