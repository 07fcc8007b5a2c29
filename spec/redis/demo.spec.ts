import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect } from 'chai';
import { childEnv, describeBroker } from './helpers';

const root = resolve(__dirname, '..', '..');

/** Runs demo/distributed/index.ts as `npm run demo:distributed` does; resolves with its exit code and output. */
function runDemo(env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, reject) => {
    const demoEnv = childEnv(env);
    delete demoEnv.REDIS_URL;   // the demo starts its own redis-server
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', join('demo', 'distributed', 'index.ts')], { cwd: root, env: demoEnv });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    child.on('error', reject);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

describe('npm run demo:distributed without redis-server', () => {
  it('should say that redis-server is missing and how to get it, and fail', async function () {
    this.timeout(30_000);
    const bin = mkdtempSync(join(tmpdir(), 'eventwire-path-'));
    try {
      symlinkSync(process.execPath, join(bin, 'node'));
      const { code, stdout, stderr } = await runDemo({ PATH: bin });
      expect(code).to.equal(1);
      expect(stdout).to.equal('');
      expect(stderr).to.match(/redis-server is not installed.*apt-get install redis-server.*REDIS_URL/);
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });
});

describeBroker('npm run demo:distributed', () => {
  it('should deliver every order from the publisher process to both subscriber processes once', async () => {
    const { code, stdout, stderr } = await runDemo();
    expect(stderr).to.equal('');
    expect(code).to.equal(0);
    const lines = stdout.split('\n');
    for (let id = 1; id <= 5; id++) {
      expect(lines.filter((l) => l.startsWith('[billing ') && l.includes(`order #${id}:`)), `billing #${id}`).to.have.length(1);
      expect(lines.filter((l) => l.startsWith('[shipping') && l.includes(`order #${id}`)), `shipping #${id}`).to.have.length(1);
    }
    expect(stdout).to.include('each of the 5 orders reached billing and shipping once, across processes');
  });
});
