// The ESM build: lib/index.ts, lib/remote/index.ts and lib/redis/index.ts bundled by esbuild into dist/esm/*.mjs, with
// shared code split into chunks so that a bundler can tree-shake what an app does not import.
// Its types re-export the CommonJS build's declarations: one set of types for both builds.
// Run after `tsc -p tsconfig.build.json` (see `npm run build`).
import { build } from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';

await build({
  entryPoints: { index: 'lib/index.ts', 'remote/index': 'lib/remote/index.ts', 'redis/index': 'lib/redis/index.ts' },
  outdir: 'dist/esm',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  external: ['reflect-metadata', 'ioredis', 'node:*'],
  chunkNames: 'chunks/[name]-[hash]',
  legalComments: 'none',
  logLevel: 'warning',
  // lib/core/compat.ts holds declarations only: nothing to keep in the bundle.
  logOverride: { 'ignored-bare-import': 'silent' },
});

mkdirSync('dist/esm/remote', { recursive: true });
mkdirSync('dist/esm/redis', { recursive: true });
writeFileSync('dist/esm/index.d.mts', "export * from '../index.js';\n");
writeFileSync('dist/esm/remote/index.d.mts', "export * from '../../remote/index.js';\n");
writeFileSync('dist/esm/redis/index.d.mts', "export * from '../../redis/index.js';\n");
