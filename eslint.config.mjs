// Lint gate of `npm test`: ESLint's and typescript-eslint's recommended rules over every
// TypeScript file (lib, spec, demo, bench, scripts), with the exceptions below, each for a reason.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'build-check/**'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    rules: {
      // `Function` is how eventwire names "any class" (abstract ones included) in metadata,
      // wiring and graphs; nothing calls a value typed `Function`.
      '@typescript-eslint/no-unsafe-function-type': 'off',
      // `Event<any>` and `(...args: any[]) => unknown` are needed where an event of any payload
      // is handled (an `Event<A>` is not assignable to `Event<unknown[]>`).
      '@typescript-eslint/no-explicit-any': 'off',
      // Names starting with `_` are deliberately unused (rest-destructuring to drop a key).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Plain Node scripts (TypeScript files get their globals from @types/node).
    files: ['**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
  {
    files: ['spec/**/*.ts', 'demo/**/*.ts'],
    rules: {
      // `x = undefined` drops the last reference to an object so the garbage collector can take it.
      'no-useless-assignment': 'off',
    },
  },
);
