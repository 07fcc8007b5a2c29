import { expect } from 'chai';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { main } from '../lib/cli';

const root = path.resolve(__dirname, '..');

/** Runs a command in the repository; resolves with its exit code and output. */
function run(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, env: { ...process.env, EVENTWIRE_TRACE: '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    child.on('error', reject);
    // npm's own warnings about the local npm configuration are not the demo's output.
    child.on('close', (code) => resolve({ code, stdout, stderr: stderr.replace(/^npm warn .*\n/gim, '') }));
  });
}

/** `npm run demo`, exactly as README.md tells a newcomer to run it. */
const npmRunDemo = (env?: NodeJS.ProcessEnv) => run('npm', ['run', '--silent', 'demo'], env);

/** Runs one demo file on its own, the way demo/index.ts's comment says. */
const demoFile = (file: string) => run(process.execPath, ['--expose-gc', '-r', 'ts-node/register', path.join('demo', file)]);

/** What `npm run demo` prints: the essay, the order service, the diagram. */
const expected = [
    "== 1. The essay's example: one handler, two events, and which one fired ==",
    "-- by hand, as in the essay --",
    "example handler fired ('started',)",
    "example handler fired ('stopped', 'optional extra arg')",
    "-- wired by a container from @publishes / @subscribes --",
    "example handler fired ('started',)",
    "example handler fired ('stopped', 'optional extra arg')",
    "",
    "== 2. An order service bootstrapped by the container ==",
    "1. Wiring does not depend on construction order",
    "  built Mailer, Audit, Checkout, Inventory, Purchasing (in that order); the live wiring:",
    "    Checkout.orderPlaced",
    "      -> Audit.record",
    "      -> Inventory.reserve",
    "      -> Mailer.sendConfirmation",
    "    Inventory.lowStock",
    "      -> Purchasing.reorder",
    "2. An async subscriber awaited with fireAsync",
    "  [Checkout]     order A-1001: 2 x mug for Ada@Example.com",
    "  [Audit]        recorded A-1001 for ada@example.com",
    "  [Inventory]    reserved 2 x mug, 4 left",
    "  [Mailer]       confirmation of A-1001 sent to Ada@Example.com",
    "  placeOrder resolved after the confirmation was sent",
    "3. A faulty subscriber is isolated and reported; the others still run",
    "  [Checkout]     order A-1002: 2 x mug (guest)",
    "  ! Audit.record failed on \"orderPlaced\": TypeError: Cannot read properties of undefined (reading 'toLowerCase') (reported; the other handlers ran)",
    "  [Inventory]    reserved 2 x mug, 2 left",
    "  [Purchasing]   mug is low (2 left): reordering 10",
    "4. A subscriber per screen lives in a scope: closing the screen unwires it",
    "  orderPlaced has 4 handlers with the watcher",
    "  [Checkout]     order A-1003: 1 x tea for grace@example.com",
    "  [Audit]        recorded A-1003 for grace@example.com",
    "  [Inventory]    reserved 1 x tea, 39 left",
    "  [OrderWatcher] new order on screen: A-1003",
    "  [Mailer]       confirmation of A-1003 sent to grace@example.com",
    "  screen closed: orderPlaced has 3 handlers",
    "  [Checkout]     order A-1004: 1 x tea for linus@example.com",
    "  [Audit]        recorded A-1004 for linus@example.com",
    "  [Inventory]    reserved 1 x tea, 38 left",
    "  [Mailer]       confirmation of A-1004 sent to linus@example.com",
    "5. dispose() at shutdown",
    "  [Mailer]       mail server connection closed",
    "  disposed: orderPlaced has 0 handlers",
    "",
    "== 3. The wiring diagram ==",
    "The wiring declared in demo/shop.ts (who publishes what, who reacts):",
    "  Checkout.orderPlaced",
    "    -> Audit.record",
    "    -> Inventory.reserve",
    "    -> Mailer.sendConfirmation",
    "    -> OrderWatcher.show",
    "  Inventory.lowStock",
    "    -> Purchasing.reorder",
    "  Purchasing.reorderSent",
    "    -> (no subscriber)",
    "As a picture: node -r ts-node/register lib/cli.ts graph demo/shop.ts --format mermaid (or dot)",
    "",
    "== 4. Two services in two files, subscribing to each other ==",
    "  [Payments] open, limit 100 (fired in its constructor)",
    "  [Orders]   heard that payments opened (limit 100): fired before the container wired Payments, replayed",
    "  [Orders]   order B-1: 40",
    "  [Payments] charged B-1: 40",
    "  [Orders]   B-1 paid",
    "  [Orders]   order B-2: 250",
    "  [Payments] refused B-2: 250 is over the limit of 100",
    "  [Orders]   B-2 cancelled: over the limit",
    "  The wiring declared in demo/billing/ (eventwire graph demo/billing/orders.ts prints the same):",
    "    Orders.orderPlaced",
    "      -> Payments.charge",
    "    Payments.opened",
    "      -> Orders.onPaymentsOpened",
    "    Payments.paymentFailed",
    "      -> Orders.cancel",
    "    Payments.paymentSucceeded",
    "      -> Orders.markPaid",
];

describe('npm run demo', function () {
  this.timeout(60_000);

  it('should print the essay example, the order service story and the wiring diagram, and exit 0', async () => {
    const { code, stdout, stderr } = await npmRunDemo();
    expect(stderr).to.equal('');
    expect(stdout.split('\n')).to.deep.equal([...expected, '']);
    expect(code).to.equal(0);
  });

  it('should print the essay\'s own two lines, including the optional extra arg, by hand and through the container', () => {
    const essay = ["example handler fired ('started',)", "example handler fired ('stopped', 'optional extra arg')"];
    expect(expected.slice(1, 7)).to.deep.equal(['-- by hand, as in the essay --', ...essay, '-- wired by a container from @publishes / @subscribes --', ...essay]);
  });

  it('should run each demo file on its own, printing its part of the whole', async () => {
    const parts = await Promise.all(['essay.ts', 'order-service.ts', 'diagram.ts', 'billing.ts'].map(demoFile));
    const sections = expected.join('\n').split(/^== \d\. .* ==\n/m).slice(1).map((section) => section.trimEnd());
    expect(parts.map((p) => p.stdout.trimEnd())).to.deep.equal(sections);
    expect(parts.map((p) => p.code)).to.deep.equal([0, 0, 0, 0]);
  });

  it('should trace every dispatch on stderr with EVENTWIRE_TRACE=1, flagging the dead event', async () => {
    const { code, stdout, stderr } = await npmRunDemo({ EVENTWIRE_TRACE: '1' });
    expect(code).to.equal(0);
    expect(stdout.split('\n')).to.deep.equal([...expected, '']);
    // Durations vary; everything else is exact, the failed guest order included.
    const lines = stderr.trimEnd().split('\n').map((line) => line.replace(/\d+\.\d{3} ms/, 'T ms'));
    expect(lines).to.deep.equal([
      '[eventwire] Machine.started fire: 1 handler, T ms, 0 failed',
      '[eventwire] Machine.stopped fire: 1 handler, T ms, 0 failed',
      '[eventwire] Checkout.orderPlaced fireAsync: 3 handlers, T ms, 0 failed',
      '[eventwire] Purchasing.reorderSent fire: 0 handlers, T ms, 0 failed (dead event)',
      '[eventwire] Inventory.lowStock fire: 1 handler, T ms, 0 failed',
      '[eventwire] Checkout.orderPlaced fireAsync: 3 handlers, T ms, 1 failed',
      '[eventwire] Checkout.orderPlaced fireAsync: 4 handlers, T ms, 0 failed',
      '[eventwire] Checkout.orderPlaced fireAsync: 3 handlers, T ms, 0 failed',
      // Payments.opened fired in the constructor, before the container (and its trace) took it over.
      '[eventwire] Payments.paymentSucceeded fire: 1 handler, T ms, 0 failed',
      '[eventwire] Orders.orderPlaced fire: 1 handler, T ms, 0 failed',
      '[eventwire] Payments.paymentFailed fire: 1 handler, T ms, 0 failed',
      '[eventwire] Orders.orderPlaced fire: 1 handler, T ms, 0 failed',
    ]);
  });

  it('should print the billing wiring as eventwire graph reads it from demo/billing/orders.ts', async () => {
    let printed = '';
    const code = await main(['graph', 'demo/billing/orders.ts'], { stdout: (t) => { printed += t; }, stderr: (t) => { printed += t; }, cwd: root });
    expect(code).to.equal(0);
    const section = expected.slice(expected.findIndex((line) => line.startsWith('  The wiring declared in demo/billing/')) + 1);
    expect(section.map((line) => line.slice(4))).to.deep.equal(printed.trimEnd().split('\n'));
  });

  it('should trace only the dead event with EVENTWIRE_TRACE=dead', async () => {
    const { stderr } = await npmRunDemo({ EVENTWIRE_TRACE: 'dead' });
    expect(stderr.replace(/\d+\.\d{3} ms/, 'T ms')).to.equal('[eventwire] Purchasing.reorderSent fire: 0 handlers, T ms, 0 failed (dead event)\n');
  });
});
