import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { ExitCode, main, usage } from '../lib/cli';
import { staticGraph, toMermaid, toText } from '../lib';
import { Billing, Checkout } from './fixtures/remote-shop';

const root = path.resolve(__dirname, '..');

/** Runs the command in this process; returns its exit code and output. */
async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; }, cwd: root });
  return { code, stdout, stderr };
}

describe('eventwire graph (the command)', function () {
  // Each TypeScript reading builds a compiler program: about a second, more on a busy machine.
  this.timeout(30_000);
  it('should print the static graph of a module\'s decorated classes as text by default', async () => {
    const { code, stdout, stderr } = await run('graph', 'spec/fixtures/engine-room.ts');
    expect({ code, stderr }).to.deep.equal({ code: ExitCode.ok, stderr: '' });
    expect(stdout).to.equal([
      'Engine.overheated',
      '  -> (no subscriber)',
      'Engine.started',
      '  -> Dashboard.showRpm',
      'TurboEngine.boosted',
      '  -> Dashboard.showBoost',
      'TurboEngine.overheated',
      '  -> (no subscriber)',
      'TurboEngine.started',
      '  -> Dashboard.showRpm',
      '! Mechanic.repair subscribes to Engine.stalled, which Engine does not publish (it publishes started, overheated)',
      '',
    ].join('\n'));
  });

  it('should mark events declared { remote: true } as the static graph of the loaded classes does, from the source alone', async () => {
    const { code, stdout, stderr } = await run('graph', 'spec/fixtures/remote-shop.ts');
    expect({ code, stderr }).to.deep.equal({ code: ExitCode.ok, stderr: '' });
    expect(stdout).to.equal([
      'Checkout.cartViewed', '  -> Billing.track',
      'Checkout.orderPlaced', '  -> Billing.charge (remote)',
      'Checkout.refunded', '  -> (no subscriber) (remote)',
      '',
    ].join('\n'));
    expect(stdout).to.equal(toText(staticGraph([Checkout, Billing])));
    expect((await run('graph', 'spec/fixtures/remote-shop.ts', '--format', 'mermaid')).stdout).to.equal(toMermaid(staticGraph([Checkout, Billing])));
  });

  it('should print Mermaid and DOT with --format, in either spelling', async () => {
    const mermaid = await run('graph', 'spec/fixtures/engine-room.ts', '--format', 'mermaid');
    expect(mermaid.code).to.equal(ExitCode.ok);
    expect(mermaid.stdout).to.match(/^flowchart LR\n/).and.contain('Engine -->|"started → showRpm"| Dashboard');
    const dot = await run('graph', '--format=dot', 'spec/fixtures/engine-room.ts');
    expect(dot.code).to.equal(ExitCode.ok);
    expect(dot.stdout).to.match(/^digraph eventwire \{\n/).and.contain('"Engine" -> "Dashboard" [label="started → showRpm"];');
  });

  it('should draw the classes of several modules together', async () => {
    const both = await run('graph', 'demo/shop.ts', 'spec/fixtures/engine-room.ts');
    expect(both.code).to.equal(ExitCode.ok);
    expect(both.stdout).to.contain('Checkout.orderPlaced\n').and.contain('Engine.started\n');
  });

  it('should print the help with -h or --help and exit 0', async () => {
    for (const flag of ['-h', '--help']) {
      expect(await run(flag)).to.deep.equal({ code: ExitCode.ok, stdout: usage, stderr: '' });
    }
    expect(usage).to.contain('Exit codes: 0 printed, 1 a file could not be read or loaded or has no decorated class, 2 bad usage.');
  });

  it('should exit 2 with the usage on a wrong command line, naming what is wrong', async () => {
    const cases: [string[], string][] = [
      [[], 'eventwire: a command is missing.'],
      [['draw', 'x.js'], 'eventwire: unknown command "draw": the only command is "graph".'],
      [['graph'], 'eventwire: graph needs the file to draw, e.g. "eventwire graph src/app.ts".'],
      [['graph', 'a.ts', 'b.js'], 'eventwire: give either TypeScript sources or compiled modules, not both: they cannot be drawn together.'],
      [['graph', 'x.js', '--format', 'svg'], 'eventwire: --format must be text, mermaid or dot, got "svg".'],
      [['graph', 'x.js', '--format'], 'eventwire: --format must be text, mermaid or dot, got nothing.'],
      [['graph', 'x.js', '--verbose'], 'eventwire: unknown option "--verbose".'],
    ];
    for (const [argv, message] of cases) {
      const { code, stdout, stderr } = await run(...argv);
      expect({ argv, code, stdout }).to.deep.equal({ argv, code: ExitCode.usage, stdout: '' });
      expect(stderr.split('\n')[0], argv.join(' ')).to.equal(message);
    }
  });

  it('should exit 1 and say how to fix it when the module cannot be found', async () => {
    const { code, stderr } = await run('graph', 'dist/nothing-here.js');
    expect(code).to.equal(ExitCode.failed);
    expect(stderr).to.equal(
      'eventwire: loading "dist/nothing-here.js" runs its top-level code (pass its TypeScript source to read it without running it).\n' +
      `eventwire: cannot find module "dist/nothing-here.js" (looked for ${path.join(root, 'dist/nothing-here.js')}, with .js and /index.js, ` +
      `and for a package of that name from ${root}). Pass the path of a compiled module, e.g. "eventwire graph dist/app.js".\n`);
  });

  it('should exit 1 when a TypeScript file is missing', async () => {
    const { code, stderr } = await run('graph', 'src/nothing-here.ts');
    expect(code).to.equal(ExitCode.failed);
    expect(stderr).to.equal(`eventwire: cannot find "src/nothing-here.ts" (looked for ${path.join(root, 'src/nothing-here.ts')}).\n`);
  });

  it('should read TypeScript sources without running them (a module that throws on load)', async () => {
    const { code, stdout } = await run('graph', 'spec/fixtures/abstract-base.ts');
    expect(code).to.equal(ExitCode.ok);
    expect(stdout).to.contain('PaymentService.paymentFailed\n');
    const thrown = await run('graph', 'spec/fixtures/throws-on-load.ts');
    expect(thrown.stderr).to.equal(
      'eventwire: read "spec/fixtures/throws-on-load.ts" and the files it imports, but found no class with @publishes or @subscribes.\n');
  });

  it('should draw an exported abstract base class once, through the class that extends it', async () => {
    const { code, stdout, stderr } = await run('graph', 'spec/fixtures/abstract-base.ts');
    expect(code).to.equal(ExitCode.ok);
    expect(stdout).to.equal([
      'PaymentService.charged',
      '  -> OrderDesk.ship',
      'PaymentService.paymentFailed',
      '  -> OrderDesk.cancel',
      '',
    ].join('\n'));
    expect(stderr).to.equal("eventwire: skipped OrderDesk.log: @subscribes(PaymentService, which) names its source or event in a way " +
      'the source code does not show (write the class, or () => Class, and the event as a string).\n');
  });

  it('should follow lazy sources across files that import each other', async () => {
    const { code, stdout, stderr } = await run('graph', 'spec/fixtures/cycle/order-service.ts', 'spec/fixtures/cycle/payment-service.ts');
    expect({ code, stderr }).to.deep.equal({ code: ExitCode.ok, stderr: '' });
    expect(stdout).to.equal([
      'OrderService.orderPlaced',
      '  -> PaymentService.charge',
      'PaymentService.paymentFailed',
      '  -> OrderService.onPaymentFailed',
      '',
    ].join('\n'));
    // One file alone: the source it imports is drawn too.
    expect((await run('graph', 'spec/fixtures/cycle/order-service.ts')).stdout).to.equal(stdout);
  });

  it('should exit 1 when neither the files nor what they import declare a decorated class', async () => {
    const { code, stderr } = await run('graph', 'spec/fixtures/no-wiring.ts', 'spec/fixtures/throws-on-load.ts');
    expect(code).to.equal(ExitCode.failed);
    expect(stderr).to.equal('eventwire: read "spec/fixtures/no-wiring.ts", "spec/fixtures/throws-on-load.ts" and the files they import, ' +
      'but found no class with @publishes or @subscribes.\n');
  });

  it('should draw an app from its entry point: the classes of the project files it imports, exported or not', async () => {
    const { code, stdout, stderr } = await run('graph', 'demo/billing.ts');
    expect({ code, stderr }).to.deep.equal({ code: ExitCode.ok, stderr: '' });
    expect(stdout).to.equal((await run('graph', 'demo/billing/orders.ts')).stdout).and.contain('Orders.orderPlaced\n  -> Payments.charge\n');
  });

  describe('built with npm run build (tsconfig.build.json)', function () {
    this.timeout(60_000);
    let dir = '';
    let cli = '';

    before(() => {
      // Inside the (git-ignored) build-check folder, so that dist/ finds reflect-metadata in node_modules.
      mkdirSync(path.join(root, 'build-check'), { recursive: true });
      dir = mkdtempSync(path.join(root, 'build-check', 'cli-'));
      const build = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', path.join(dir, 'dist')],
        { cwd: root, encoding: 'utf8' });
      expect(build.status, build.stdout + build.stderr).to.equal(0);
      cli = path.join(dir, 'dist', 'cli.js');
      // What a compiler emits for legacy decorators, written by hand: plain JavaScript, no TypeScript involved.
      const decorate = `
        class Engine {}
        publishes('started')(Engine.prototype, 'start');
        class Dashboard { onStarted(rpm) {} }
        subscribes(Engine, 'start')(Dashboard.prototype, 'onStarted', Object.getOwnPropertyDescriptor(Dashboard.prototype, 'onStarted'));`;
      writeFileSync(path.join(dir, 'app.js'),
        `const { publishes, subscribes } = require('./dist/index.js');${decorate}\nmodule.exports = { Engine, Dashboard };\n`);
      writeFileSync(path.join(dir, 'app.mjs'),
        `import { publishes, subscribes } from './dist/index.js';${decorate}\nexport { Engine, Dashboard };\n`);
      writeFileSync(path.join(dir, 'app.ts'), 'export class Engine { @publishes() started!: Event; }\n');
      writeFileSync(path.join(dir, 'throws.js'), "throw new Error('database unreachable');\n");
      // A module that starts a server when loaded, as an app's entry point does.
      writeFileSync(path.join(dir, 'server.js'),
        `require('node:http').createServer().listen(0);\nconst { publishes, subscribes } = require('./dist/index.js');${decorate}\nmodule.exports = { Engine, Dashboard };\n`);
    });

    after(() => rmSync(dir, { recursive: true, force: true }));

    const node = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { cwd: dir, encoding: 'utf8' });

    it('should start with a shebang, so npm can link it as the eventwire command', () => {
      expect(readFileSync(cli, 'utf8').split('\n')[0]).to.equal('#!/usr/bin/env node');
      const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { bin?: Record<string, string> };
      expect(pkg.bin).to.deep.equal({ eventwire: 'dist/cli.js' });
    });

    it('should draw a compiled CommonJS module, saying on stderr that loading runs it, and exit 0', () => {
      const result = node('graph', 'app.js');
      expect({ status: result.status, stderr: result.stderr }).to.deep.equal({
        status: 0, stderr: 'eventwire: loading "app.js" runs its top-level code (pass its TypeScript source to read it without running it).\n',
      });
      expect(result.stdout).to.equal('Engine.started\n  -> Dashboard.onStarted\n');
    });

    it('should exit after printing even when the loaded module started a server', () => {
      const result = spawnSync(process.execPath, [cli, 'graph', 'server.js'], { cwd: dir, encoding: 'utf8', timeout: 20_000 });
      expect({ status: result.status, signal: result.signal }).to.deep.equal({ status: 0, signal: null });
      expect(result.stdout).to.equal('Engine.started\n  -> Dashboard.onStarted\n');
    });

    it('should exit 1 with the module\'s own error when loading it throws', () => {
      const result = node('graph', 'throws.js');
      expect(result.status).to.equal(1);
      expect(result.stderr).to.contain(`eventwire: could not load "throws.js" (${path.join(dir, 'throws.js')}): Error: database unreachable. `)
        .and.contain('pass its TypeScript source instead (read without running it)');
    });

    it('should draw an ES module too', () => {
      const result = node('graph', 'app.mjs', '--format', 'mermaid');
      expect(result.status, result.stderr).to.equal(0);
      expect(result.stdout).to.contain('Engine -->|"started → onStarted"| Dashboard');
    });

    it('should read TypeScript source with the typescript package, running nothing', () => {
      const result = node('graph', 'app.ts');
      expect({ status: result.status, stderr: result.stderr }).to.deep.equal({ status: 0, stderr: '' });
      expect(result.stdout).to.equal('Engine.started\n  -> (no subscriber)\n');
    });

    it('should exit 2 on bad usage', () => {
      const result = node('graph');
      expect(result.status).to.equal(2);
      expect(result.stderr).to.contain('Usage: eventwire graph');
    });
  });
});
