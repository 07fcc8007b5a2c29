// Size budgets, checked by `npm test`: what an app bundles (minified, then gzipped) when it
// imports a part of eventwire through the ESM entry, as a bundler tree-shakes it (package.json
// says "sideEffects": false). reflect-metadata, a dependency loaded only by the decorators'
// metadata store, is left out of the figures. `budget` fails the run: today's size and a little
// headroom (about 3 %, set after the size pass of issue 13), so that growth is a decision.
// `target` is where issue 13 wanted it: not met, and not reachable without dropping features
// (fireAsync, the compiled tier, trace, replay) or the messages' text: see issue 13's closing
// note of 2026-11-30. The remote bridge is not in the container's bundle: it is
// `eventwire/remote`, which an app imports only to carry events between processes.
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';

const budgets = [
  { what: 'Event alone', imports: 'Event', budget: 7_850, target: 4_096 },
  { what: 'Event + decorators + Container', imports: 'Event, publishes, subscribes, injectable, inject, Container', budget: 19_900, target: 12_288 },
];

// `--breakdown` also prints, per bundle, the minified bytes each source file puts in it.
const breakdown = process.argv.includes('--breakdown');

let failed = false;
for (const { what, imports, budget, target } of budgets) {
  const result = await build({
    stdin: { contents: `export { ${imports} } from './lib/index';`, resolveDir: process.cwd(), loader: 'ts' },
    bundle: true, minify: true, write: false, format: 'esm', platform: 'neutral', target: 'es2022',
    external: ['reflect-metadata', 'node:*'], metafile: breakdown, outfile: 'size.js',
    logLevel: 'error', logOverride: { 'ignored-bare-import': 'silent' },
  });
  const bytes = gzipSync(result.outputFiles[0].contents, { level: 9 }).length;
  const over = bytes > budget;
  failed ||= over;
  console.log(`size: ${what}: ${bytes} B min+gzip (budget ${budget} B, target ${target} B)${over ? ': OVER BUDGET' : ''}`);
  if (breakdown) {
    const inputs = Object.entries(result.metafile.outputs['size.js'].inputs).filter(([, input]) => input.bytesInOutput > 0);
    inputs.sort(([, a], [, b]) => b.bytesInOutput - a.bytesInOutput);
    for (const [file, input] of inputs) console.log(`  ${String(input.bytesInOutput).padStart(6)} B minified  ${file}`);
  }
}
process.exit(failed ? 1 : 0);
