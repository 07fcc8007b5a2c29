// Vitest's leg of the toolchain matrix: runs the sample app and writes what it printed to the
// file named by EVENTWIRE_TOOLCHAIN_OUT, which spec/toolchains/run.mjs compares.
import { writeFileSync } from 'node:fs';
import { expect, test } from 'vitest';

test('the sample app prints its wiring', async () => {
  const printed: string[] = [];
  const log = console.log;
  console.log = (line: string) => { printed.push(line); };
  try {
    await import('./app.js');
  } finally {
    console.log = log;
  }
  expect(printed.length).toBeGreaterThan(0);
  writeFileSync(process.env.EVENTWIRE_TOOLCHAIN_OUT ?? '/dev/stdout', printed.map((line) => `${line}\n`).join(''));
});
