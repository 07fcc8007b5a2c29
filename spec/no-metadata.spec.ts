import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

describe('a build with no decorator metadata (tsx / esbuild)', () => {
  it('should wire events, inject with @inject, and explain what is missing otherwise', function () {
    this.timeout(30_000);
    const root = join(__dirname, '..');
    // Without NODE_V8_COVERAGE: tsx compiles lib/ differently, which would scramble c8's figures.
    const { NODE_V8_COVERAGE: _coverage, ...env } = process.env;
    const out = execFileSync(process.execPath, ['--import', 'tsx', join(__dirname, 'fixtures', 'no-metadata.ts')], {
      cwd: root, encoding: 'utf8', env,
    });
    const lines = out.trim().split('\n');
    expect(lines[0]).to.equal('metadata emitted: false');
    expect(lines[1]).to.equal('wired: rpm 900');
    expect(lines[2]).to.contain("error: No type information for parameter #0 of Unnamed's constructor");
    expect(lines[2]).to.contain('@inject(token)');
  });
});
