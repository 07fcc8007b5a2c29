// The browser suite's page script (bundled by esbuild, served under a CSP without 'unsafe-eval'):
// runs each scenario, then posts the results as JSON to /results.
import { seen } from './capture';   // first: it records the console before eventwire loads
import * as eventwire from '../../lib';
import { Event } from '../../lib';
import * as remote from '../../lib/remote';
import { fireEveryArity } from './firing';
import { runLegacyApp } from './legacy-app';
import { runStandardApp } from './standard-app';

/** One scenario's outcome: its value and what it wrote to the console, or what it threw. */
export interface Outcome {
  value?: unknown;
  thrown?: string;
  errors: string[];
  warnings: string[];
}

/** What the page posts. */
export interface Report {
  outcomes: Record<string, Outcome>;
  typeofProcess: string;
  codeGeneration: string;
  violations: string[];
  uncaught: string[];
}

const scenarios: Record<string, () => unknown> = {
  exports: () => Object.keys(eventwire).sort(),

  remoteExports: () => Object.keys(remote).sort(),

  arities: () => fireEveryArity(Event),

  once: () => {
    const opened = new Event<[door: string]>('opened');
    const heard: string[] = [];
    opened.add((door) => { heard.push(`once ${door}`); }, { once: true });
    opened.add((door) => { heard.push(`always ${door}`); });
    opened.fire('front');
    opened.fire('back');
    return { heard, size: opened.size };
  },

  priorities: () => {
    const ready = new Event('ready');
    const order: string[] = [];
    ready.add(() => { order.push('default'); });
    ready.add(() => { order.push('low'); }, { priority: -1 });
    ready.add(() => { order.push('high'); }, { priority: 10 });
    ready.fire();
    return order;
  },

  failingHandler: () => {
    const saved = new Event<[id: string]>('saved');
    const after: string[] = [];
    saved.add(function audit() { throw new Error('disk full'); });
    saved.add((id) => { after.push(id); });
    saved.fire('A-1');
    return after;
  },

  rejectingHandler: async () => {
    const uploaded = new Event<[file: string]>('uploaded');
    const after: string[] = [];
    uploaded.add(async function sync() { throw new Error('offline'); });
    uploaded.add((file) => { after.push(file); });
    uploaded.fire('a.txt');
    return after;
  },

  handlerLeak: () => {
    const tick = new Event('tick', { maxHandlers: 3 });
    for (let i = 0; i < 5; i++) tick.add(() => {});
    return tick.size;
  },

  legacyDecorators: () => runLegacyApp(),

  standardDecorators: () => runStandardApp(),
};

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  const outcomes: Record<string, Outcome> = {};
  for (const [name, scenario] of Object.entries(scenarios)) {
    const errors = seen.errors.length;
    const warnings = seen.warnings.length;
    const outcome: Outcome = { errors: [], warnings: [] };
    try {
      outcome.value = await scenario();
    } catch (error) {
      outcome.thrown = error instanceof Error ? `${error.stack}` : String(error);
    }
    await pause(0);   // rejections are reported after the fire
    outcome.errors = seen.errors.slice(errors);
    outcome.warnings = seen.warnings.slice(warnings);
    outcomes[name] = outcome;
  }
  await pause(50);   // securitypolicyviolation events are queued as tasks
  const violations = seen.violations.slice();   // eventwire's, before the probe below adds its own
  let codeGeneration = 'allowed';
  try {
    new Function('return 1');
  } catch (error) {
    codeGeneration = (error as Error).name;
  }
  const report: Report = {
    outcomes, typeofProcess: typeof (globalThis as { process?: unknown }).process, codeGeneration,
    violations, uncaught: seen.uncaught,
  };
  await fetch('/results', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(report) });
}

main().catch((error: unknown) => {
  void fetch('/results', { method: 'POST', body: JSON.stringify({ failed: error instanceof Error ? error.stack : String(error) }) });
});
