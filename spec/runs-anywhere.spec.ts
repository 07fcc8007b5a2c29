import { expect } from 'chai';
import { buildSync } from 'esbuild';
import { join } from 'node:path';
import { createContext, runInContext } from 'node:vm';

/**
 * The core runs where there is no Node: bundled as a browser would get it and run in a context
 * that has no `process`, no `require`, and forbids code generation from strings (as a strict
 * Content-Security-Policy forbids `new Function`).
 */
function runBundled(exports: string | '*', script: string, entry = './lib/index'): { result: unknown; errors: string[]; warnings: string[] } {
  const bundle = buildSync({
    stdin: { contents: exports === '*' ? `export * from '${entry}';` : `export { ${exports} } from '${entry}';`, resolveDir: join(__dirname, '..'), loader: 'ts' },
    bundle: true, write: false, format: 'iife', globalName: 'eventwire', platform: 'browser', target: 'es2022',
    logLevel: 'error', logOverride: { 'ignored-bare-import': 'silent' },
  }).outputFiles[0].text;
  const errors: string[] = [];
  const warnings: string[] = [];
  const console = { log() {}, error: (text: string) => errors.push(text), warn: (text: string) => warnings.push(text) };
  const context = createContext({ console, queueMicrotask, setTimeout, clearTimeout }, { codeGeneration: { strings: false, wasm: false } });
  runInContext(bundle, context);
  return { result: runInContext(script, context), errors, warnings };
}

describe('the core without Node', () => {
  it('should load the whole main entry (every export) with no node: import and no process', () => {
    const { result } = runBundled('*', 'Object.keys(eventwire).length');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    expect(result).to.equal(Object.keys(require('../lib') as object).length).and.to.be.above(20);
  });

  it('should load eventwire/remote (every export) with no node: import and no process', () => {
    const { result } = runBundled('*', 'Object.keys(eventwire).sort().join()', './lib/remote/index');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    expect(result).to.equal(Object.keys(require('../lib/remote') as object).sort().join()).and.to.contain('remoteEvents');
  });

  it('should fire events with every argument count on the loop tier, where new Function is forbidden', () => {
    const { result } = runBundled('Event', `
      let codeGeneration = 'allowed';
      try { new Function('return 1'); } catch (error) { codeGeneration = error.name; }
      const seen = [];
      const events = [0, 1, 2, 3, 4, 5].map((n) => new eventwire.Event('e' + n));
      events.forEach((event, n) => {
        for (let h = 0; h < 3; h++) event.add((...args) => seen.push(n + ':' + h + ':' + args.join(',')));
        for (let round = 0; round < 20; round++) event.fire(...[1, 2, 3, 4, 5].slice(0, n));
      });
      ({ codeGeneration, typeofProcess: typeof process, count: seen.length, last: seen.slice(-3) });
    `);
    expect(result).to.deep.equal({
      codeGeneration: 'EvalError', typeofProcess: 'undefined', count: 6 * 3 * 20,
      last: ['5:0:1,2,3,4,5', '5:1:1,2,3,4,5', '5:2:1,2,3,4,5'],
    });
  });

  it('should report a failing handler on console.error and go on with the next', () => {
    const { result, errors } = runBundled('Event', `
      const saved = new eventwire.Event('saved');
      const after = [];
      saved.add(function audit() { throw new Error('disk full'); });
      saved.add((id) => after.push(id));
      saved.fire('A-1');
      after;
    `);
    expect(result).to.deep.equal(['A-1']);
    expect(errors).to.have.length(1);
    expect(errors[0]).to.match(/^eventwire: handler audit of event "saved" threw\nError: disk full/);
  });

  it('should warn on console.warn when handlers pile up', () => {
    const { result, warnings } = runBundled('Event', `
      const tick = new eventwire.Event('tick', { maxHandlers: 3 });
      for (let i = 0; i < 5; i++) tick.add(() => {});
      tick.size;
    `);
    expect(result).to.equal(5);
    expect(warnings).to.deep.equal([
      'MaxHandlersExceededWarning [EVENTWIRE_MAX_HANDLERS]: Event "tick" has 4 strongly held handlers (limit 3): ' +
      'a possible leak. Unsubscribe handlers you no longer need, or raise maxHandlers (0 turns this off).',
    ]);
  });

  it('should build and wire decorated classes with the container, and dispose them', () => {
    const { result, errors } = runBundled('Container, Event, injectable, publishes, subscribes', `
      const { Container, injectable, publishes, subscribes } = eventwire;
      const seen = [];
      class Engine {}
      publishes('started')(Engine.prototype, 'started');
      injectable()(Engine);
      class Dashboard {
        onStarted(rpm) { seen.push('rpm ' + rpm); }
        dispose() { seen.push('disposed'); }
      }
      subscribes(Engine, 'started')(Dashboard.prototype, 'onStarted', Object.getOwnPropertyDescriptor(Dashboard.prototype, 'onStarted'));
      injectable()(Dashboard);
      const app = new Container({ providers: [Engine, Dashboard] }).start();
      app.get(Engine).started.fire(900);
      app.dispose();
      seen;
    `);
    expect(errors).to.deep.equal([]);
    expect(result).to.deep.equal(['rpm 900', 'disposed']);
  });
});
