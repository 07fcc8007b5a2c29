/**
 * `npm run bench`: eventwire's `fire` against the fastest emitters, in one process.
 * Flags: `--json` (only the JSON object on stdout), `--quick` (a smoke run of a few
 * seconds), `--only <text>` (scenarios whose name contains the text), `--rounds <n>`.
 * See bench/README.md for the method.
 */
import * as os from 'node:os';
import { canCollect } from './gc';
import { measure } from './harness';
import { implementations } from './implementations/index';
import { memoryPerSubscription } from './memory';
import { prewarm } from './prewarm';
import { json, ratioMarkdown, table } from './report';
import { summarize } from './results';
import type { Case } from './scenario';
import { scenarios } from './scenarios';
import { targets } from './targets';

interface Settings {
  readonly json: boolean;
  readonly quick: boolean;
  readonly only: string | undefined;
  readonly rounds: number | undefined;
}

function parse(argv: readonly string[]): Settings {
  const valued = ['--only', '--rounds'];
  const value = (flag: string): string | undefined => (argv.includes(flag) ? argv[argv.indexOf(flag) + 1] : undefined);
  const known = new Set(['--json', '--quick', ...valued]);
  const unknown = argv.filter((arg, i) => !known.has(arg) && !valued.includes(argv[i - 1]));
  if (unknown.length > 0) throw new Error(`unknown argument(s): ${unknown.join(' ')} (use --json, --quick, --only <text>, --rounds <n>)`);
  const rounds = value('--rounds') === undefined ? undefined : Number(value('--rounds'));
  if (rounds !== undefined && !(Number.isInteger(rounds) && rounds > 0)) throw new Error('--rounds needs a whole number above 0');
  return { json: argv.includes('--json'), quick: argv.includes('--quick'), only: value('--only'), rounds };
}

async function main(): Promise<void> {
  const settings = parse(process.argv.slice(2));
  const started = Date.now();
  const log = (line: string): void => { process.stderr.write(`bench: ${((Date.now() - started) / 1000).toFixed(1)}s ${line}\n`); };
  const harness = settings.quick
    ? { sampleMs: 2, rounds: settings.rounds ?? 5, discard: 1, log }
    : { sampleMs: 10, rounds: settings.rounds ?? 30, discard: 3, log };
  const loadBefore = os.loadavg()[0];
  const selected = scenarios.filter((s) => settings.only === undefined || s.name.includes(settings.only));
  
  log('pre-warming the shared dispatch code of every implementation with many distinct handlers');
  await prewarm(implementations, settings.quick ? 2 : 4, settings.quick ? 300 : 1000);

  const cases: Case[] = [];
  for (const scenario of selected) {
    for (const impl of implementations) {
      const c = scenario.build(impl);
      if (c !== undefined) cases.push(c);
    }
  }
  log(`${selected.length} scenarios, ${cases.length} cases`);
  const measurements = await measure(cases, harness);

  let memory = new Map<string, number>();
  if (!canCollect) log('no global gc (run node with --expose-gc): memory per subscription skipped');
  else if (settings.only === undefined || 'memory'.includes(settings.only)) {
    log('memory per subscription');
    memory = await memoryPerSubscription(implementations, settings.quick ? 1 : 3);
  }
  const results = summarize(selected, implementations, measurements, memory);

  if (settings.json) {
    process.stdout.write(`${json(results)}\n`);
    return;
  }
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  console.log(`\neventwire bench: Node ${process.version}, V8 ${process.versions.v8}, ${os.cpus().length} x ${cpu}`);
  console.log(`load average ${loadBefore.toFixed(1)} at the start, ${os.loadavg()[0].toFixed(1)} at the end (above the core count, absolute figures drop; ratios hold better)`);
  console.log(`${harness.rounds} rounds of ~${harness.sampleMs} ms samples (after ${harness.discard} discarded), median and p90; * = best peer\n`);
  console.log(table(results));
  console.log('\nRatio to the best peer (fastest; for memory, leanest) per scenario:\n');
  console.log(ratioMarkdown(results, implementations));
  console.log('\nTargets (issues 5, 10 and 15):\n');
  console.log(targets(results));
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
