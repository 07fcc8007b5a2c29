import { expect } from 'chai';
import { build, type Plugin } from 'esbuild';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import * as ts from 'typescript';
import * as eventwire from '../../lib';
import * as remote from '../../lib/remote';
import { Browser, describeBrowser } from './chromium';
import { fireEveryArity } from './firing';
import type { Outcome, Report } from './page';

/**
 * The main entry in a real browser: page.ts, bundled by esbuild as an app would bundle eventwire,
 * runs in headless Chromium under a Content-Security-Policy that forbids eval and `new Function`
 * (`script-src 'self'`, no 'unsafe-eval'), and posts what it saw back to this process.
 */

/** The page may take this long to report on a loaded machine (Chromium starts in 0.3 s when idle). */
const REPORT_TIMEOUT_MS = 60_000;

const CSP = "default-src 'self'; script-src 'self'";

/** legacy-app.ts as tsc compiles it (with decorator metadata, which esbuild does not emit). */
const legacyDecorators: Plugin = {
  name: 'legacy-decorators',
  setup(bundler) {
    bundler.onLoad({ filter: /[\\/]legacy-app\.ts$/ }, ({ path }) => ({
      contents: ts.transpileModule(readFileSync(path, 'utf8'), {
        fileName: path,
        compilerOptions: {
          target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, experimentalDecorators: true, emitDecoratorMetadata: true,
        },
      }).outputText,
      loader: 'js',
      resolveDir: dirname(path),
    }));
  },
};

async function bundle(): Promise<string> {
  const result = await build({
    entryPoints: [join(__dirname, 'page.ts')], bundle: true, write: false, format: 'iife', platform: 'browser', target: 'es2022',
    // Every other file, standard-app.ts included, with standard (TC39) decorators, lowered by esbuild.
    tsconfigRaw: { compilerOptions: { experimentalDecorators: false } },
    // eventwire's messages name classes: without keepNames, esbuild renames tsc's `let Alarm = class Alarm`
    // to `class Alarm2` (as an app's bundle would; minifiers drop names altogether).
    keepNames: true,
    plugins: [legacyDecorators], logLevel: 'error',
  });
  return result.outputFiles[0].text;
}

/** Serves the page and its script on a random loopback port; resolves `report` when the page posts. */
function serve(script: string, onReport: (body: string) => void): Promise<Server> {
  const page = '<!doctype html><meta charset="utf-8"><title>eventwire</title><script src="/page.js"></script>';
  const server = createServer((request, response) => {
    const send = (status: number, type: string, body: string): void => {
      response.writeHead(status, { 'content-type': `${type}; charset=utf-8`, 'content-security-policy': CSP, 'cache-control': 'no-store' });
      response.end(body);
    };
    if (request.method === 'GET' && request.url === '/') return send(200, 'text/html', page);
    if (request.method === 'GET' && request.url === '/page.js') return send(200, 'text/javascript', script);
    if (request.method === 'POST' && request.url === '/results') {
      let body = '';
      request.setEncoding('utf8');
      request.on('data', (chunk: string) => { body += chunk; });
      request.on('end', () => {
        send(204, 'text/plain', '');
        onReport(body);
      });
      return;
    }
    send(404, 'text/plain', 'not found');
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

describeBrowser('the main entry in headless Chromium, under a CSP that forbids eval', (command) => {
  let server: Server | undefined;
  let browser: Browser | undefined;
  let report: Report;

  before(async function () {
    this.timeout(REPORT_TIMEOUT_MS + 30_000);
    const script = await bundle();
    let received!: (body: string) => void;
    const posted = new Promise<string>((resolve) => { received = resolve; });
    server = await serve(script, (body) => received(body));
    const opened = Browser.open(command, `http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    browser = opened;
    let timer: NodeJS.Timeout | undefined;
    const body = await Promise.race([
      posted,
      opened.done.then(() => { throw new Error(`Chromium (${command}) exited before the page reported:\n${opened.log}`); }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`The page did not report within ${REPORT_TIMEOUT_MS} ms. Chromium's log:\n${opened.log}`)), REPORT_TIMEOUT_MS);
      }),
    ]).finally(() => clearTimeout(timer));
    const parsed = JSON.parse(body) as Report | { failed: string };
    if ('failed' in parsed) throw new Error(`The page failed: ${parsed.failed}`);
    report = parsed;
  });

  after(async () => {
    await browser?.close();
    await new Promise((resolve) => server === undefined ? resolve(undefined) : server.close(resolve));
  });

  /** The scenario's value; fails with the page's stack when the scenario threw. */
  function outcome(name: string): Outcome {
    const result = report.outcomes[name];
    expect(result, `scenario ${name}`).to.not.equal(undefined);
    if (result.thrown !== undefined) throw new Error(`In the page, scenario ${name} threw: ${result.thrown}`);
    return result;
  }

  it('should run where there is no process and the page\'s CSP refuses new Function', () => {
    expect(report.typeofProcess).to.equal('undefined');
    expect(report.codeGeneration).to.equal('EvalError');
  });

  it('should load every export of the main entry', () => {
    expect(outcome('exports').value).to.deep.equal(Object.keys(eventwire).sort());
  });

  it('should load every export of eventwire/remote', () => {
    expect(outcome('remoteExports').value).to.deep.equal(Object.keys(remote).sort()).and.to.include('remoteEvents');
  });

  it('should fire with 0 to 5 arguments and stay on the loop tier, the CSP having refused its one attempt to compile', () => {
    const { value, errors } = outcome('arities');
    expect(value).to.deep.equal({ calls: 6 * 3 * 100, last: ['5:0:1,2,3,4,5', '5:1:1,2,3,4,5', '5:2:1,2,3,4,5'], onLoop: [true, true, true, true, true, true] });
    expect(errors).to.deep.equal([]);
    // One violation in the whole run: eventwire stops trying once `new Function` has thrown.
    expect(report.violations).to.deep.equal(['script-src eval']);
  });

  it('control: on Node, where new Function works, the same check sees every event compile', () => {
    expect(fireEveryArity(eventwire.Event).onLoop).to.deep.equal([false, false, false, false, false, false]);
  });

  it('should call a once handler once', () => {
    expect(outcome('once').value).to.deep.equal({ heard: ['once front', 'always front', 'always back'], size: 1 });
  });

  it('should call handlers by priority, then in the order added', () => {
    expect(outcome('priorities').value).to.deep.equal(['high', 'default', 'low']);
  });

  it('should report a failing handler on console.error and go on with the next', () => {
    const { value, errors } = outcome('failingHandler');
    expect(value).to.deep.equal(['A-1']);
    expect(errors).to.have.length(1);
    expect(errors[0]).to.match(/^eventwire: handler audit of event "saved" threw\nError: disk full\n {4}at audit /);
  });

  it('should report an async handler\'s rejection on console.error, after the others ran', () => {
    const { value, errors } = outcome('rejectingHandler');
    expect(value).to.deep.equal(['a.txt']);
    expect(errors).to.have.length(1);
    expect(errors[0]).to.match(/^eventwire: handler sync of event "uploaded" rejected\nError: offline/);
  });

  it('should warn on console.warn when handlers pile up', () => {
    const { value, warnings } = outcome('handlerLeak');
    expect(value).to.equal(5);
    expect(warnings).to.deep.equal([
      'MaxHandlersExceededWarning [EVENTWIRE_MAX_HANDLERS]: Event "tick" has 4 strongly held handlers (limit 3): ' +
      'a possible leak. Unsubscribe handlers you no longer need, or raise maxHandlers (0 turns this off).',
    ]);
  });

  it('should build, wire, fire and dispose classes with legacy decorators and reflect-metadata, warning on console.warn of an unowned subscriber', () => {
    const { value, errors, warnings } = outcome('legacyDecorators');
    expect(value).to.deep.equal({ lines: ['display 21 °C', 'display 35 °C', 'alarm 35 °C', 'display disposed'], paramtypesAreLog: true });
    expect(errors).to.deep.equal([]);
    expect(warnings).to.have.length(1);
    expect(warnings[0]).to.match(/^UnownedSubscriberWarning \[EVENTWIRE_UNOWNED_SUBSCRIBER\]: Alarm is a transient subscriber built by the root container/);
  });

  it('should build, wire, fire and dispose classes with standard decorators lowered by esbuild (priority, once)', () => {
    const { value, errors, warnings } = outcome('standardDecorators');
    expect(value).to.deep.equal({ lines: ['booked A-1 40', 'receipt A-1', 'reversed A-1', 'accounting disposed'], afterDispose: 'DisposedError', standardMetadata: true,
    });
    expect(errors).to.deep.equal([]);
    expect(warnings).to.deep.equal([]);
  });

  it('should leave nothing uncaught in the page', () => {
    expect(report.uncaught).to.deep.equal([]);
  });
});
