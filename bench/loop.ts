/**
 * Timed loops compiled per case. Each loop gets its own source (a unique name and
 * sourceURL), so V8 gives it its own feedback: the call in the loop body sees only the
 * implementation under test and may be inlined, exactly as a call site in an app would be.
 * A loop shared by every case would turn that call megamorphic and add an indirect call
 * to every figure.
 */

/** n operations of one case; async loops await each operation. */
export type Loop = (n: number) => void | Promise<void>;

let compiled = 0;

/**
 * Compiles `for (let i = 0; i < n; i++) { body }` with `bindings` in scope by name.
 * With `async`, the loop is an async function (so `body` may use `await`).
 */
export function compileLoop(body: string, bindings: Record<string, unknown>, async = false): Loop {
  const names = Object.keys(bindings);
  const id = ++compiled;
  const source = [
    '"use strict";',
    `return ${async ? 'async ' : ''}function loop${id}(n) {`,
    '  for (let i = 0; i < n; i++) {',
    `    ${body}`,
    '  }',
    '};',
    `//# sourceURL=eventwire-bench-loop-${id}.js`,
  ].join('\n');
  const factory = new Function(...names, source) as (...values: unknown[]) => Loop;
  return factory(...names.map((name) => bindings[name]));
}
