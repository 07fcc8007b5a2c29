import Module from 'node:module';
import { dirname, join } from 'node:path';
import * as ts from 'typescript';
import type { HandlerFailure } from '../lib';

/** Runs the garbage collector until `done()` holds or the attempts run out; returns `done()`. */
export async function collectUntil(done: () => boolean, attempts = 20): Promise<boolean> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('Run the tests with node --expose-gc (see .mocharc.json).');
  for (let i = 0; i < attempts && !done(); i++) {
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return done();
}

/** A reporter that records failures, for `onError`. */
export function recorder(): { failures: HandlerFailure[]; onError: (failure: HandlerFailure) => void } {
  const failures: HandlerFailure[] = [];
  return { failures, onError: (failure) => { failures.push(failure); } };
}

/** Settles after pending promise callbacks and one macrotask. */
export function tick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Captures what is written to stderr while `fn` runs. */
export function captureStderr(fn: () => void): string {
  const capture = stderrCapture();
  try {
    fn();
  } finally {
    capture.stop();
  }
  return capture.text();
}

/** Captures what is written to stderr until `fn`'s warnings have been emitted (on the next tick). */
export async function stderrDuring(fn: () => void): Promise<string> {
  const capture = stderrCapture();
  try {
    fn();
    await tick();
  } finally {
    capture.stop();
  }
  return capture.text();
}

/** Diverts stderr into a string until `stop()`. */
function stderrCapture(): { text: () => string; stop: () => void } {
  const write = process.stderr.write;
  let out = '';
  process.stderr.write = ((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  }) as typeof process.stderr.write;
  return { text: () => out, stop: () => { process.stderr.write = write; } };
}

/**
 * The process warnings emitted while `fn` runs (they are emitted on the next tick), only those
 * with `code` when one is given.
 */
export async function warningsDuring(fn: () => unknown, code?: string): Promise<Error[]> {
  const seen: Error[] = [];
  const listener = (warning: Error): void => { seen.push(warning); };
  process.on('warning', listener);
  try {
    await fn();
    await tick();
  } finally {
    process.off('warning', listener);
  }
  return code === undefined ? seen : seen.filter((w) => (w as { code?: string }).code === code);
}

/** Fails the current test if the process sees an unhandled rejection while `fn` runs. */
export async function noUnhandledRejection(fn: () => Promise<void>): Promise<unknown[]> {
  const seen: unknown[] = [];
  const listener = (reason: unknown): void => { seen.push(reason); };
  process.on('unhandledRejection', listener);
  try {
    await fn();
    await tick();
    await tick();
  } finally {
    process.off('unhandledRejection', listener);
  }
  return seen;
}

/**
 * Compiles TypeScript `source` with STANDARD (TC39) decorators, as a project made by
 * `tsc --init` does (no experimentalDecorators), and runs it as the module `filename`
 * (relative imports resolve from there, `../lib` to the same modules the specs use).
 * Returns its exports. The specs themselves run under legacy decorators (tsconfig.json).
 */
export function runStandard(source: string, filename = join(__dirname, 'standard-snippet.ts')): Record<string, unknown> {
  const { outputText } = ts.transpileModule(source, {
    fileName: filename,
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, experimentalDecorators: false, esModuleInterop: true },
  });
  const loaded = new Module(filename, module) as Module & { _compile(code: string, file: string): void };
  loaded.filename = filename;
  loaded.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(dirname(filename));
  loaded._compile(outputText, filename);
  return loaded.exports as Record<string, unknown>;
}
