import { containerScenario, wiredSingletonsScenario } from './container';
import { opScenario, type Scenario } from './scenario';

/** The name of the container scenario, for its target (targets.ts). */
export const CONTAINER = 'container get, 3 subscriptions (vs new + 3 weak adds)';

/** The name of the container-wired singletons scenario, for its target (targets.ts). */
export const WIRED = 'container-wired singleton subscribers, one job per fire (vs 3 hand-added strong)';

/** The name of the one-job-per-fire scenario, for the weak handlers' target there (targets.ts). */
export const JOB_PER_FIRE = 'fire, 3 handlers, one job per fire';

/** The names of the scenarios of issue 15's targets (targets.ts). */
export const LOOP_TIER = 'fire, 3 handlers, loop tier (no codegen)';
export const ADD_REMOVE = 'add + remove (1 resident)';
export const ONCE_FIRE = 'once + fire';

/**
 * The scenarios, in report order. A scenario is one entry: add one here (`opScenario` for
 * one op of every implementation, or a `Scenario` of its own like `containerScenario`).
 */
export const scenarios: readonly Scenario[] = [
  opScenario('fire, 0 handlers', 'fire', { handlers: 0, args: 1 }, { targets: true }),
  opScenario('fire, 1 handler, 1 arg', 'fire', { handlers: 1, args: 1 }, { targets: true }),
  opScenario('fire, 3 handlers, 1 arg', 'fire', { handlers: 3, args: 1 }, { targets: true }),
  opScenario('fire, 3 handlers, 2 args', 'fire', { handlers: 3, args: 2 }, { targets: true }),
  opScenario('fire, 10 handlers, 1 arg', 'fire', { handlers: 10, args: 1 }, { targets: true }),
  opScenario('fire, 3 handlers, quarantine 3', 'fire', { handlers: 3, args: 1, quarantine: 3 }, { targets: true }),
  opScenario(LOOP_TIER, 'fire', { handlers: 3, args: 1, codegen: false }),
  opScenario('fire, 3 handlers, 1 arg, 8 more emitters alike', 'fire', { handlers: 3, args: 1, sameShapeEmitters: 8 }),
  opScenario(JOB_PER_FIRE, 'fire', { handlers: 3, args: 1 }, { jobPerOp: true }),
  wiredSingletonsScenario(WIRED),
  opScenario(ADD_REMOVE, 'addRemove', { handlers: 1, args: 1 }),
  opScenario(ONCE_FIRE, 'onceFire', { handlers: 0, args: 1 }),
  opScenario('fireAsync, 3 async handlers', 'fireAsync', { handlers: 3, args: 1, async: true }),
  containerScenario(CONTAINER),
];
