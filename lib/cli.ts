#!/usr/bin/env node
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { declaredGraph, staticGraph, toDot, toMermaid, toText, type StaticGraph } from './tools/graph';
import { publishedEvents, subscribedEvents } from './wiring/metadata';
import { isFile, loadTypeScript, readSources, sourceShape } from './tools/source-graph';

/**
 * The `eventwire` command: `eventwire graph <file>... [--format text|mermaid|dot]` prints the
 * wiring that the decorated classes exported by each file declare. TypeScript sources are
 * read with the TypeScript compiler API (`typescript`, an optional peer dependency), running
 * nothing; compiled JavaScript modules are loaded, which RUNS their top-level code.
 */

/** Exit codes of the command. */
export const ExitCode = {
  /** The graph was printed. */
  ok: 0,
  /** A module could not be loaded, or holds no decorated class. */
  failed: 1,
  /** The command line is wrong. */
  usage: 2,
} as const;

/** How {@link main} talks to the world; tests pass their own. */
export interface CommandIO {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Module paths are relative to this directory. */
  readonly cwd: string;
}

/** The help text. */
export const usage = `Usage: eventwire graph <file>... [--format text|mermaid|dot]

Prints the wiring declared by the @publishes / @subscribes classes of the files:
who publishes which event, which methods handle it, subscriptions to events nobody
publishes, and events nobody subscribes to. Nothing is constructed.

  <file>           a TypeScript source (e.g. src/main.ts): read with the TypeScript compiler
                   API (the typescript package), without running it, with the project files
                   it imports: the classes declared there are drawn. Or a compiled module
                   (e.g. dist/app.js) or a package name: LOADED, which runs its top-level code,
                   and its exported classes are drawn.
  --format text    indented text for terminals (default)
  --format mermaid a Mermaid flowchart, for Markdown
  --format dot     Graphviz DOT: eventwire graph src/app.ts --format dot | dot -Tsvg > wiring.svg
  -h, --help       this help

Exit codes: 0 printed, 1 a file could not be read or loaded or has no decorated class, 2 bad usage.
`;

const renderers = { text: toText, mermaid: toMermaid, dot: toDot } as const;
type Format = keyof typeof renderers;

/**
 * Runs the command with `argv` (the arguments after `eventwire`). Resolves to the exit code;
 * never throws for bad input.
 */
export async function main(argv: readonly string[], io: CommandIO = processIO()): Promise<number> {
  const fail = (code: number, message: string): number => {
    io.stderr(`eventwire: ${message}\n`);
    return code;
  };
  if (argv.includes('-h') || argv.includes('--help')) {
    io.stdout(usage);
    return ExitCode.ok;
  }
  const [command, ...rest] = argv;
  if (command === undefined) return fail(ExitCode.usage, `a command is missing.\n\n${usage}`);
  if (command !== 'graph') return fail(ExitCode.usage, `unknown command "${command}": the only command is "graph".\n\n${usage}`);

  let format: Format = 'text';
  const modules: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (arg === '--format' || arg.startsWith('--format=')) {
      const value = arg === '--format' ? rest[++i] : arg.slice('--format='.length);
      if (value === undefined || !Object.hasOwn(renderers, value)) {
        return fail(ExitCode.usage, `--format must be text, mermaid or dot, got ${value === undefined ? 'nothing' : `"${value}"`}.`);
      }
      format = value as Format;
    } else if (arg.startsWith('-') && arg.length > 1) {
      return fail(ExitCode.usage, `unknown option "${arg}".\n\n${usage}`);
    } else {
      modules.push(arg);
    }
  }
  if (modules.length === 0) return fail(ExitCode.usage, `graph needs the file to draw, e.g. "eventwire graph src/app.ts".\n\n${usage}`);

  const sources = modules.filter((m) => TYPESCRIPT.test(m));
  if (sources.length > 0 && sources.length < modules.length) {
    return fail(ExitCode.usage, 'give either TypeScript sources or compiled modules, not both: they cannot be drawn together.');
  }
  let graph: StaticGraph;
  if (sources.length > 0) {
    const read = readTypeScript(sources, io);
    if (typeof read === 'string') return fail(ExitCode.failed, read);
    graph = read;
  } else {
    const classes: Function[] = [];
    for (const specifier of modules) {
      io.stderr(`eventwire: loading "${specifier}" runs its top-level code (pass its TypeScript source to read it without running it).\n`);
      const loaded = await load(specifier, io.cwd);
      if ('error' in loaded) return fail(ExitCode.failed, loaded.error);
      const found = decoratedClasses(loaded.exports);
      if (found.length === 0) return fail(ExitCode.failed, noClassMessage(specifier, loaded.exports));
      classes.push(...found);
    }
    graph = staticGraph(classes);
  }
  io.stdout(renderers[format](graph));
  return ExitCode.ok;
}

const TYPESCRIPT = /\.[cm]?tsx?$/;

/** The graph of TypeScript sources, read without running them; or what went wrong. */
function readTypeScript(sources: readonly string[], io: CommandIO): StaticGraph | string {
  const files = sources.map((f) => path.resolve(io.cwd, f));
  const missing = sources.find((_, i) => !isFile(files[i]));
  if (missing !== undefined) return `cannot find "${missing}" (looked for ${path.resolve(io.cwd, missing)}).`;
  const ts = loadTypeScript(io.cwd);
  if (ts === undefined) {
    return 'reading TypeScript sources needs the typescript package (an optional peer dependency of eventwire): ' +
      'npm install --save-dev typescript. Or pass the compiled module (e.g. dist/app.js), which is loaded and run.';
  }
  const reading = readSources(ts, files, io.cwd);
  for (const note of reading.skipped) io.stderr(`eventwire: skipped ${note}.\n`);
  if (reading.classes.length === 0) {
    return `read ${sources.map((f) => `"${f}"`).join(', ')} and the files ${sources.length > 1 ? 'they import' : 'it imports'}, ` +
      'but found no class with @publishes or @subscribes.';
  }
  return declaredGraph(reading.classes, sourceShape);
}

/** Loads a module with `require`, or with `import()` when it is an ES module. */
async function load(specifier: string, cwd: string): Promise<{ exports: unknown } | { error: string }> {
  let file: string;
  try {
    file = require.resolve(path.resolve(cwd, specifier));
  } catch {
    try {
      file = require.resolve(specifier, { paths: [cwd] });
    } catch {
      return {
        error: `cannot find module "${specifier}" (looked for ${path.resolve(cwd, specifier)}, with .js and /index.js, ` +
          `and for a package of that name from ${cwd}). Pass the path of a compiled module, e.g. "eventwire graph dist/app.js".`,
      };
    }
  }
  try {
    // The user's module is loaded as Node would load it: require() is the point here.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return { exports: require(file) };
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ERR_REQUIRE_ESM') {
      try {
        return { exports: await import(pathToFileURL(file).href) };
      } catch (esmError) {
        return { error: loadFailure(specifier, file, esmError) };
      }
    }
    return { error: loadFailure(specifier, file, error) };
  }
}

function loadFailure(specifier: string, file: string, error: unknown): string {
  const reason = error instanceof Error ? `${error.name}: ${error.message.split('\n')[0]}` : String(error);
  return `could not load "${specifier}" (${file}): ${reason}. Loading runs the module's top-level code: ` +
    'pass its TypeScript source instead (read without running it), or a module that declares classes without starting the app.';
}

/** The exported classes that declare events or subscriptions, in export order. */
function decoratedClasses(exports: unknown): Function[] {
  const found: Function[] = [];
  const consider = (value: unknown): void => {
    if (typeof value === 'function' && !found.includes(value) &&
        (publishedEvents(value).length > 0 || subscribedEvents(value).length > 0)) found.push(value);
  };
  consider(exports);
  if (exports !== null && (typeof exports === 'object' || typeof exports === 'function')) {
    for (const value of Object.values(exports)) consider(value);
    const fallback = (exports as { default?: unknown }).default;
    if (fallback !== null && typeof fallback === 'object') for (const value of Object.values(fallback)) consider(value);
  }
  return found;
}

function noClassMessage(specifier: string, exports: unknown): string {
  const names = exports !== null && typeof exports === 'object' ? Object.keys(exports).filter((k) => k !== '__esModule') : [];
  const what = names.length > 0 ? `its exports (${names.join(', ')}) include` : 'it exports';
  return `"${specifier}" loaded, but ${what} no class with @publishes or @subscribes. Export the decorated classes from it. ` +
    'If they are exported and decorated, the module loads another copy of eventwire than this command: ' +
    'run the project\'s own (npx eventwire graph ...).';
}

function processIO(): CommandIO {
  return {
    stdout: (text) => { process.stdout.write(text); },
    stderr: (text) => { process.stderr.write(text); },
    cwd: process.cwd(),
  };
}

if (require.main === module) {
  // Exit once the output is written: a loaded module may have started a server or a timer.
  void main(process.argv.slice(2)).then((code) => { process.stdout.write('', () => process.exit(code)); });
}
