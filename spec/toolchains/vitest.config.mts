// Vitest 4 (Vite 8, Oxc) leg of the toolchain matrix: legacy decorators, as the root
// tsconfig.json sets them, with the decorator metadata that Oxc emits from it.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: { include: ['spec/toolchains/app.vitest.ts'], root: '.', watch: false },
});
