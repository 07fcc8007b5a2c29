import * as fc from 'fast-check';
import { Event, type ErrorMode, type HandlerFailure } from '../lib';
import { setCompileThreshold } from '../lib/core/loop';

/**
 * Errors never vanish: random mixes of handlers that succeed, throw (Errors and other values)
 * or return promises that reject at once or later, under every error policy, through `fire`
 * and `fireAsync` (concurrent and serial). Every failure must be seen exactly once: reported
 * to `onError`, thrown, or inside the one AggregateError; the process must see no
 * `unhandledRejection` and no `uncaughtException`; and the handlers that should run, ran.
 *
 * A quarantine notice (a report with `quarantined: true`) of a failure that was also thrown
 * or aggregated is the documented notice, not a second sighting; every other duplicate is.
 */
const RUNS = process.env.EVENTWIRE_RUNS === undefined ? 500 : Math.ceil(Number(process.env.EVENTWIRE_RUNS) / 2);
const SEED = process.env.EVENTWIRE_SEED === undefined ? undefined : Number(process.env.EVENTWIRE_SEED);

type Kind = 'ok' | 'okAsync' | 'throwError' | 'throwValue' | 'rejectNow' | 'rejectLater';
type Entry = 'fire' | 'fireAsync concurrent' | 'fireAsync serial';

interface Case {
  readonly errors: ErrorMode;
  readonly quarantine: number | undefined;
  readonly entry: Entry;
  readonly handlers: readonly Kind[];
  readonly fires: number;
}

const caseArb: fc.Arbitrary<Case> = fc.record({
  errors: fc.constantFrom<ErrorMode>('isolate', 'throw', 'collect'),
  quarantine: fc.constantFrom(undefined, 1, 2),
  entry: fc.constantFrom<Entry>('fire', 'fireAsync concurrent', 'fireAsync serial'),
  handlers: fc.array(fc.constantFrom<Kind>('ok', 'okAsync', 'throwError', 'throwValue', 'rejectNow', 'rejectLater'), { minLength: 1, maxLength: 8 }),
  fires: fc.integer({ min: 1, max: 3 }),
});

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const fails = (kind: Kind): boolean => kind !== 'ok' && kind !== 'okAsync';
const failsSynchronously = (kind: Kind): boolean => kind === 'throwError' || kind === 'throwValue';

/** A failure value that says who made it, Error or not. */
type Token = Error | { readonly token: string };
const label = (value: unknown): string =>
  value instanceof Error ? value.message : typeof value === 'object' && value !== null && 'token' in value ? String(value.token) : `foreign ${String(value)}`;

async function check(c: Case): Promise<void> {
  const reports: HandlerFailure[] = [];
  const thrown: unknown[] = [];
  const made: string[] = [];
  const ran: string[] = [];
  const pending: Promise<unknown>[] = [];
  const unhandled: unknown[] = [];
  const uncaught: unknown[] = [];
  const onUnhandled = (reason: unknown): void => { unhandled.push(reason); };
  const onUncaught = (error: unknown): void => { uncaught.push(error); };
  process.on('unhandledRejection', onUnhandled);
  process.on('uncaughtException', onUncaught);

  const event = new Event<[round: number]>('mixed', {
    errors: c.errors,
    quarantine: c.quarantine,
    async: c.entry === 'fireAsync serial' ? 'serial' : 'concurrent',
    onError: (failure) => { reports.push(failure); },
  });
  c.handlers.forEach((kind, i) => {
    event.add((round) => {
      ran.push(`h${i}@${round}`);
      const token = (): Token => {
        const name = `h${i}@${round}`;
        made.push(name);
        return kind === 'throwValue' ? { token: name } : new Error(name);
      };
      switch (kind) {
        case 'ok': return undefined;
        case 'okAsync': return track(turn());
        case 'throwError':
        case 'throwValue': throw token();
        case 'rejectNow': return track(Promise.reject(token()));
        case 'rejectLater': {
          const error = token();
          return track(new Promise((_, reject) => setImmediate(() => reject(error))));
        }
      }
    });
  });
  function track<T>(promise: Promise<T>): Promise<T> {
    pending.push(promise.catch(() => undefined));
    return promise;
  }

  // What should run: handlers in order, minus quarantined ones, up to the failure that stops a fire.
  const expectedRan: string[] = [];
  const streak = c.handlers.map(() => 0);
  const removed = c.handlers.map(() => false);
  try {
    for (let round = 0; round < c.fires; round++) {
      for (let i = 0; i < c.handlers.length; i++) {
        if (removed[i]) continue;
        expectedRan.push(`h${i}@${round}`);
        const kind = c.handlers[i];
        streak[i] = fails(kind) ? streak[i] + 1 : 0;
        if (c.quarantine !== undefined && streak[i] >= c.quarantine) removed[i] = true;
        const stops = c.errors === 'throw' && (failsSynchronously(kind) || (c.entry === 'fireAsync serial' && fails(kind)));
        if (stops) break;
      }

      try {
        if (c.entry === 'fire') event.fire(round);
        else await event.fireAsync(round);
      } catch (error) {
        if (error instanceof AggregateError && c.errors === 'collect') thrown.push(...(error.errors as unknown[]));
        else thrown.push(error);
      }
      await Promise.all(pending);
      await turn();
      await turn();
    }
  } finally {
    process.off('unhandledRejection', onUnhandled);
    process.off('uncaughtException', onUncaught);
  }

  const problems: string[] = [];
  if (unhandled.length > 0) problems.push(`unhandled rejections: ${unhandled.map(label).join(', ')}`);
  if (uncaught.length > 0) problems.push(`uncaught exceptions: ${uncaught.map(label).join(', ')}`);
  if (JSON.stringify(ran) !== JSON.stringify(expectedRan)) problems.push(`ran ${ran.join(' ')}; expected ${expectedRan.join(' ')}`);
  const thrownLabels = thrown.map(label);
  for (const name of made) {
    const t = thrownLabels.filter((l) => l === name).length;
    const notices = reports.filter((r) => label(r.error) === name && r.quarantined).length;
    const plain = reports.filter((r) => label(r.error) === name && !r.quarantined).length;
    const seen = t > 0 ? `thrown ${t}x, reported ${plain}x, quarantine notices ${notices}x` : `reported ${plain + notices}x`;
    const once = t > 0 ? t === 1 && plain === 0 && notices <= 1 : plain + notices === 1;
    if (!once) problems.push(`failure ${name} was ${seen}`);
  }
  for (const l of [...thrownLabels, ...reports.map((r) => label(r.error))]) {
    if (!made.includes(l)) problems.push(`seen a failure no handler made: ${l}`);
  }
  if (problems.length > 0) throw new Error(problems.join('\n'));
}

for (const { tier, threshold } of [{ tier: 'the generic loop', threshold: Infinity }, { tier: 'compiled dispatchers', threshold: 1 }]) {
  describe(`errors never vanish (fired through ${tier})`, () => {
    before(() => setCompileThreshold(threshold));
    after(() => setCompileThreshold(64));

    it(`should see every failure exactly once, with no unhandled rejection, over ${RUNS} random mixes of policies and handlers`, async function () {
      this.timeout(Math.max(60_000, RUNS * 200));
      await fc.assert(fc.asyncProperty(caseArb, check), { numRuns: RUNS, seed: SEED });
    });
  });
}
