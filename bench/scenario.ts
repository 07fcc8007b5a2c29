import { Tally } from './handlers';
import type { Implementation, Op, Shape } from './implementation';
import { compileLoop, type Loop } from './loop';

/** The arguments of every fire: `a - b` is 4, so swapped arguments would show in the counters. */
export const A = 7;
export const B = 3;

/** One implementation in one scenario, ready to time. */
export interface Case {
  readonly scenario: string;
  readonly impl: Implementation;
  /** The timed loop of n operations. */
  readonly run: Loop;
  /** What the handlers add to; the total must grow by exactly `n * perOp` (32-bit) in a sample. */
  readonly tally: Tally;
  readonly perOp: number;
  /** Runs after every sample, outside timing; throws if the emitter is in the wrong state. */
  check(): void;
  /** eventwire only: the dispatcher tier that ran. */
  tier?(): string;
}

/** A row of the report: builds the case of each implementation that applies. */
export interface Scenario {
  readonly name: string;
  /** True where the issue's `fire` targets apply (eventwire >= tseep and nanoevents, weak >= 0.8x strong). */
  readonly targets: boolean;
  /** Where no peer takes part: the implementation the row's ratios are to (instead of the best peer). */
  readonly baseline?: string;
  build(impl: Implementation): Case | undefined;
}

/** Options of {@link opScenario}. */
export interface OpOptions {
  /** Counts toward the `fire` targets. Default false. */
  readonly targets?: boolean;
  /** Await between operations, so each one runs in a job of its own (weak targets are dereferenced again). */
  readonly jobPerOp?: boolean;
}

/** Handler calls per operation times what each call adds. */
function perOp(op: Op, shape: Shape): number {
  const perCall = shape.args === 2 ? A - B : A;
  switch (op) {
    case 'fire':
    case 'fireAsync': return shape.handlers * perCall;
    case 'onceFire': return (shape.handlers + 1) * perCall;
    case 'addRemove': return 0;
  }
}

function fail(scenario: string, impl: string, what: string): never {
  throw new Error(`${scenario} / ${impl}: ${what}`);
}

/** A scenario timing one op of every implementation that has it, on an emitter of the given shape. */
export function opScenario(name: string, op: Op, shape: Shape, options: OpOptions = {}): Scenario {
  return {
    name,
    targets: options.targets ?? false,
    build(impl) {
      const code = impl.code(op, shape);
      if (code === undefined) return undefined;
      for (let i = 0; i < (shape.sameShapeEmitters ?? 0); i++) {
        const sibling = impl.setup(new Tally(), shape);
        for (let j = 0; j < 2000; j++) sibling.fire(A, B);
      }
      const tally = new Tally();
      const fixture = impl.setup(tally, shape);
      fixture.fire(A, B);   // the first fire happens here, for every implementation alike
      const async = shape.async === true || options.jobPerOp === true;
      const run = compileLoop(options.jobPerOp ? `${code} await undefined;` : code, { ...fixture.bindings, a: A, b: B }, async);
      const check = (): void => {
        if (op !== 'addRemove' && op !== 'onceFire') return;
        // After churn or once + fire only the resident handlers remain.
        const before = tally.total();
        fixture.fire(A, B);
        const want = (before + perOp('fire', shape)) | 0;
        const total = tally.total();
        if (total !== want) fail(name, impl.name, `a fire after the sample added ${total - before}, expected ${want - before}`);
      };
      const tier = op === 'fire' || op === 'onceFire' ? fixture.tier : undefined;
      return { scenario: name, impl, run, tally, perOp: perOp(op, shape), check, tier };
    },
  };
}
