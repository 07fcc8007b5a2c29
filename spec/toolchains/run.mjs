// The toolchain matrix (`npm run test:toolchains`, run once by .ci/run): the same decorated
// sample app (spec/toolchains/app.ts) compiled and run by tsc (legacy and standard decorators),
// tsx (esbuild, standard), SWC (legacy and standard), Vitest 4 (Oxc, legacy) and Vitest 4 with
// unplugin-swc (standard, the README's config). Every leg must
// print exactly the lines of spec/toolchains/expected.txt. Exits non-zero if one differs.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');
const here = path.join(root, 'spec/toolchains');
const out = path.join(root, 'build-check/toolchains');
const bin = (name) => path.join(root, 'node_modules/.bin', name);
const expected = readFileSync(path.join(here, 'expected.txt'), 'utf8');
const run = (file, args, env = {}) => execFileSync(file, args, { cwd: root, encoding: 'utf8', env: { ...process.env, ...env } });

/** Compiles app.ts and lib/ with SWC into `dir`, as `swc` would, and returns the app's output file. */
function swcCompile(dir, transform) {
  const swc = createRequire(import.meta.url)('@swc/core');
  const files = ['spec/toolchains/app.ts', ...readdirSync(path.join(root, 'lib'), { recursive: true })
    .filter((f) => f.endsWith('.ts')).map((f) => path.join('lib', f))];
  for (const file of files) {
    const { code } = swc.transformFileSync(path.join(root, file), {
      jsc: { target: 'es2022', parser: { syntax: 'typescript', decorators: true }, transform },
      module: { type: 'commonjs' },
    });
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file).replace(/\.ts$/, '.js'), code);
  }
  return path.join(dir, 'spec/toolchains/app.js');
}

const legs = {
  'tsc, legacy decorators': () => {
    run(bin('tsc'), ['-p', 'spec/toolchains/tsconfig.legacy.json']);
    return run('node', [path.join(out, 'tsc-legacy/spec/toolchains/app.js')]);
  },
  'tsc, standard decorators': () => {
    run(bin('tsc'), ['-p', 'spec/toolchains/tsconfig.standard.json']);
    return run('node', [path.join(out, 'tsc-standard/spec/toolchains/app.js')]);
  },
  'tsx (esbuild), standard decorators': () => run(bin('tsx'), ['--tsconfig', 'spec/toolchains/tsconfig.standard.json', 'spec/toolchains/app.ts']),
  'SWC, legacy decorators': () => run('node', [swcCompile(path.join(out, 'swc-legacy'), { legacyDecorator: true, decoratorMetadata: true })]),
  'SWC, standard decorators': () => run('node', [swcCompile(path.join(out, 'swc-standard'), { decoratorVersion: '2022-03' })]),
  'Vitest 4 (Oxc), legacy decorators': () => {
    const file = path.join(out, 'vitest.out');
    run(bin('vitest'), ['run', '--config', 'spec/toolchains/vitest.config.mts', '--reporter', 'dot'], { EVENTWIRE_TOOLCHAIN_OUT: file });
    return readFileSync(file, 'utf8');
  },
  'Vitest 4 (unplugin-swc), standard decorators': () => {
    const file = path.join(out, 'vitest-standard.out');
    run(bin('vitest'), ['run', '--config', 'spec/toolchains/vitest.standard.config.mts', '--reporter', 'dot'], { EVENTWIRE_TOOLCHAIN_OUT: file });
    return readFileSync(file, 'utf8');
  },
};

const only = process.argv.slice(2);
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
let failed = 0;
for (const [name, leg] of Object.entries(legs)) {
  if (only.length > 0 && !only.some((word) => name.toLowerCase().includes(word.toLowerCase()))) continue;
  const started = Date.now();
  let printed;
  try {
    printed = leg();
  } catch (error) {
    printed = `(failed) ${error.message}\n${error.stdout ?? ''}${error.stderr ?? ''}`;
  }
  const ok = printed === expected;
  if (!ok) failed++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  if (!ok) console.log(`  expected:\n${expected}  printed:\n${printed}`);
}
process.exitCode = failed === 0 ? 0 : 1;
