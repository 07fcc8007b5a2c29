// Vitest 4 leg of the toolchain matrix with standard decorators: the config the README gives
// ("Decorator modes"), as Oxc leaves standard decorators as written. SWC (through unplugin-swc)
// compiles the TypeScript instead and lowers them. Two additions here only: this repository's
// tsconfig.json enables legacy decorators, which unplugin-swc would read (tsconfigFile: false),
// and so the target it would read from a standard project's tsconfig.json is given here.
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [swc.vite({
    tsconfigFile: false,
    jsc: { target: 'es2022', parser: { syntax: 'typescript', decorators: true }, transform: { decoratorVersion: '2022-03' } },
  })],
  test: { include: ['spec/toolchains/app.vitest.ts'], root: '.', watch: false },
});
