/**
 * What eventwire needs from its host, with fallbacks where there is no Node `process` (browsers,
 * workers, edge runtimes): the only module of the core that may touch `process`.
 */

interface NodeProcess {
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly stderr?: { write(text: string): unknown };
  emitWarning?(message: string, options: { type: string; code: string }): void;
}

function host(): NodeProcess | undefined {
  const candidate = (globalThis as { process?: NodeProcess }).process;
  return typeof candidate === 'object' && candidate !== null ? candidate : undefined;
}

/** The environment variables (`process.env`), or none. */
export function environment(): Readonly<Record<string, string | undefined>> {
  return host()?.env ?? {};
}

/** Writes `text` to stderr, or to `console.error` (without the final newline) where there is no stderr. */
export function writeError(text: string): void {
  const stderr = host()?.stderr;
  if (stderr !== undefined) stderr.write(text);
  else console.error(text.endsWith('\n') ? text.slice(0, -1) : text);
}

/**
 * `process.emitWarning(message, { type, code })` where there is a `process` (observable with
 * `process.on('warning')` and its `code`), `console.warn` elsewhere.
 */
export function emitWarning(message: string, type: string, code: string): void {
  const node = host();
  if (typeof node?.emitWarning === 'function') node.emitWarning(message, { type, code });
  else console.warn(`${type} [${code}]: ${message}`);
}
