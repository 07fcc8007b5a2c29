import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * The layout of lib/ is its architecture (README, "Architecture"): each folder is a layer, and a
 * file imports only from its own folder and the layers below it, with no import cycle.
 */
const LIB = join(__dirname, '..', 'lib');

/** Lower layers first; a layer may import from those listed before it. */
const LAYERS: Record<string, readonly string[]> = {
  core: [],
  wiring: ['core'],
  tools: ['core', 'wiring'],
  remote: ['core', 'wiring'],
  redis: ['core', 'wiring', 'remote'],
  '.': ['core', 'wiring', 'tools'],   // the entry points: lib/index.ts, lib/cli.ts (lib/remote/index.ts and lib/redis/index.ts are their layers' own)
};

/** Imports that go up, each to be removed: none since the remote bridge became a container extension. */
const KNOWN_EXCEPTIONS = new Set<string>();

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : []);
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const match of text.matchAll(/^(?:import|export)\b[^'"]*?from\s+'(\.[^']+)'|^import\s+'(\.[^']+)'/gm)) {
    const specifier = match[1] ?? match[2];
    const target = resolve(dirname(file), specifier);
    const candidates = [`${target}.ts`, join(target, 'index.ts')];
    const hit = candidates.find((c) => files.includes(c));
    if (hit === undefined) throw new Error(`${relative(LIB, file)} imports ${specifier}, which is not a file of lib/`);
    found.push(hit);
  }
  return found;
}

const files = sources(LIB);
const layerOf = (file: string): string => {
  const path = relative(LIB, file).split('/');
  return path.length === 1 ? '.' : path[0];
};

describe('the layers of lib/', () => {
  it('should have every file in a known layer', () => {
    expect([...new Set(files.map(layerOf))].sort()).to.deep.equal(Object.keys(LAYERS).sort());
  });

  it('should import only from the same folder or a layer below', () => {
    const upward: string[] = [];
    for (const file of files) {
      for (const target of importsOf(file)) {
        const from = layerOf(file);
        const to = layerOf(target);
        const edge = `${relative(LIB, file)} -> ${relative(LIB, target)}`;
        if (from !== to && !LAYERS[from].includes(to) && !KNOWN_EXCEPTIONS.has(edge)) upward.push(edge);
      }
    }
    expect(upward).to.deep.equal([]);
  });

  it('should keep the wiring free of remote/: the bridge plugs in through the container extension point', () => {
    const wiring = files.filter((file) => layerOf(file) === 'wiring');
    expect(wiring.flatMap((file) => importsOf(file).filter((target) => layerOf(target) === 'remote'))).to.deep.equal([]);
  });

  it('should take className and safeString from core/describe.ts, not from the error policy', () => {
    const through = files.filter((file) =>
      /import\s*\{[^}]*\b(className|safeString)\b[^}]*\}\s*from\s*'[^']*error-policy'/.test(readFileSync(file, 'utf8')));
    expect(through.map((file) => relative(LIB, file))).to.deep.equal([]);
  });

  it('should keep the known exceptions real, so that the list shrinks when one is removed', () => {
    for (const edge of KNOWN_EXCEPTIONS) {
      const [from, to] = edge.split(' -> ').map((p) => join(LIB, p));
      expect(importsOf(from), edge).to.include(to);
    }
  });

  it('should have no import cycle between folders', () => {
    const edges = new Map<string, Set<string>>();
    for (const file of files) {
      for (const target of importsOf(file)) {
        const from = layerOf(file);
        const to = layerOf(target);
        const edge = `${relative(LIB, file)} -> ${relative(LIB, target)}`;
        if (from !== to && !KNOWN_EXCEPTIONS.has(edge)) {
          if (!edges.has(from)) edges.set(from, new Set());
          edges.get(from)!.add(to);
        }
      }
    }
    const reaches = (from: string, to: string, seen = new Set<string>()): boolean =>
      [...(edges.get(from) ?? [])].some((next) => next === to || (!seen.has(next) && (seen.add(next), reaches(next, to, seen))));
    for (const layer of Object.keys(LAYERS)) expect(reaches(layer, layer), `a cycle through ${layer}/`).to.equal(false);
  });

  it('should be drawn in the README as it is: every layer, and an arrow for each layer it may import', () => {
    const readme = readFileSync(join(LIB, '..', 'README.md'), 'utf8');
    const picture = /## Architecture[\s\S]*?```mermaid\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(picture, 'the Architecture section has a Mermaid picture').to.be.a('string');
    const ids: Record<string, string> = { core: 'core', wiring: 'wiring', tools: 'tools', remote: 'remote', redis: 'redis', '.': 'entries' };
    const arrows = new Set<string>();
    for (const line of picture!.split('\n')) {
      const m = /^\s*(\w+)\[.*\]\s*-->\s*([\w &]+)$/.exec(line);
      if (m !== null) for (const to of m[2].split('&')) arrows.add(`${m[1]} -> ${to.trim()}`);
    }
    // Each layer's nearest allowed layers are drawn; the rest follow transitively.
    const drawn = (from: string, to: string, seen = new Set<string>()): boolean =>
      arrows.has(`${from} -> ${to}`) ||
      [...arrows].filter((a) => a.startsWith(`${from} -> `)).map((a) => a.split(' -> ')[1])
        .some((next) => !seen.has(next) && (seen.add(next), drawn(next, to, seen)));
    for (const [layer, below] of Object.entries(LAYERS)) {
      expect(picture).to.contain(`${ids[layer]}[`);
      for (const to of below) expect(drawn(ids[layer], ids[to]), `${layer} -> ${to}`).to.equal(true);
    }
  });
});
