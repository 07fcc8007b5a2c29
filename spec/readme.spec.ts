import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { format } from 'node:util';
import * as ts from 'typescript';
import { runStandard } from './helpers';

/**
 * README.md is run, not just read: every ```ts block is type-checked with the README's own
 * tsconfig and run, and its `// prints: ...` comments are the output it must print (`…`
 * matches anything); the ```mermaid block must be what the graph command prints; every shell
 * command must name something that exists.
 */

const root = path.resolve(__dirname, '..');
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  name: string; bin?: Record<string, string>; scripts: Record<string, string>; devDependencies: Record<string, string>;
  repository: { url: string };
};

interface Block {
  readonly lang: string;
  readonly code: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
}

function codeBlocks(markdown: string): Block[] {
  const found: Block[] = [];
  const fence = /^```(\S*)\n([\s\S]*?)^```$/gm;
  for (let m = fence.exec(markdown); m !== null; m = fence.exec(markdown)) {
    found.push({ lang: m[1], code: m[2], line: markdown.slice(0, m.index).split('\n').length });
  }
  return found;
}

const blocks = codeBlocks(readme);
const tsBlocks = blocks.filter((b) => b.lang === 'ts');
/** Blocks that say they need legacy decorators; every other block runs under both kinds. */
const LEGACY_ONLY = '// legacy decorators only';
const standardBlocks = tsBlocks.filter((b) => !b.code.startsWith(LEGACY_ONLY));

/** The output a block promises, from its `// prints: ...` comments, in order. */
function promisedOutput(code: string): string[] {
  const out: string[] = [];
  for (const line of code.split('\n')) {
    const m = /\/\/ prints: ?(.*)$/.exec(line);
    if (m !== null) out.push(m[1].trimEnd());
  }
  return out;
}

function matches(actual: string, promised: string): boolean {
  const pattern = promised.split('…').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${pattern}$`).test(actual);
}

describe('README.md', function () {
  this.timeout(60_000);
  let dir = '';
  const files = new Map<Block, string>();

  before(() => {
    // Inside the git-ignored build-check folder, so that imports resolve to this repository.
    mkdirSync(path.join(root, 'build-check'), { recursive: true });
    dir = mkdtempSync(path.join(root, 'build-check', 'readme-'));
    const lib = path.relative(dir, path.join(root, 'lib')).split(path.sep).join('/');
    for (const block of tsBlocks) {
      const file = path.join(dir, `line-${block.line}.ts`);
      writeFileSync(file, block.code.replace(/from 'eventwire'/g, `from '${lib}'`).replace(/from 'eventwire\/(remote|redis)'/g, `from '${lib}/$1'`));
      files.set(block, file);
    }
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it('should start, for a package user, with Install, then the 30-second example', () => {
    const sections = [...readme.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
    expect(sections.slice(0, 2)).to.deep.equal(['Install', 'In 30 seconds']);
    expect(blocks[0]).to.include({ lang: 'sh', code: `npm install ${pkg.name}\n` });
  });

  it('should give the two commands a contributor needs first in "Working on eventwire", linked from the top', () => {
    const section = readme.slice(readme.indexOf('\n## Working on eventwire\n'));
    expect(readme.indexOf('\n## Working on eventwire\n'), 'the section').to.be.above(0);
    expect(readme.slice(0, readme.indexOf('\n## '))).to.contain('[Working on eventwire](#working-on-eventwire)');
    const first = codeBlocks(section)[0];
    expect(first.lang).to.equal('sh');
    expect(first.code).to.equal('npm install && npm run demo\nnpm test\n');
    expect(section.indexOf('```sh')).to.be.below(section.indexOf('\n## ', 1));
    expect(pkg.scripts.demo).to.equal('node --expose-gc -r ts-node/register demo/index.ts');
    expect(pkg.scripts.test).to.be.a('string');
  });

  it('should have only code blocks that a test checks (sh, ts, json, mermaid)', () => {
    expect(blocks.filter((b) => !['sh', 'ts', 'json', 'mermaid'].includes(b.lang)).map((b) => `line ${b.line}: ${b.lang || '(none)'}`)).to.deep.equal([]);
    expect(tsBlocks.length).to.be.greaterThan(5);
  });

  /** The README's tsconfig.json blocks: the standard-decorators one first, then the legacy one. */
  function tsconfigs(): { standard: ts.CompilerOptions; legacy: ts.CompilerOptions } {
    const json = blocks.filter((b) => b.lang === 'json');
    expect(json, 'two tsconfig blocks').to.have.length(2);
    const [standard, legacy] = json.map((block) => {
      const config = JSON.parse(block.code) as { compilerOptions: object };
      const { options, errors } = ts.convertCompilerOptionsFromJson(config.compilerOptions, root);
      expect(errors.map((e) => ts.flattenDiagnosticMessageText(e.messageText, '\n'))).to.deep.equal([]);
      return options;
    });
    return { standard, legacy };
  }

  /** The diagnostics of the README's blocks (eventwire's own sources are checked by its tsconfig). */
  function typeCheck(files: string[], options: ts.CompilerOptions): string {
    const program = ts.createProgram(files, { ...options, noEmit: true });
    const diagnostics = ts.getPreEmitDiagnostics(program).filter((d) => d.file === undefined || files.includes(path.resolve(d.file.fileName)));
    const text = ts.formatDiagnostics(diagnostics, {
      getCanonicalFileName: (f) => f, getCurrentDirectory: () => root, getNewLine: () => '\n',
    });
    return text.replace(/line-(\d+)\.ts\((\d+),/g, (_, block, line) => `README.md:${Number(block) + Number(line)} (`);
  }

  it('should type-check every TypeScript block with the legacy-decorators tsconfig.json the README shows', () => {
    const { legacy } = tsconfigs();
    expect(legacy).to.include({ experimentalDecorators: true, emitDecoratorMetadata: true, strict: true });
    expect(typeCheck([...files.values()], legacy)).to.equal('');
  });

  it('should type-check every block not marked legacy-only with the standard-decorators tsconfig.json (tsc --init\'s)', () => {
    const { standard } = tsconfigs();
    expect(standard.experimentalDecorators).to.equal(undefined);
    expect(standard).to.include({ strict: true, exactOptionalPropertyTypes: true, noUncheckedIndexedAccess: true, verbatimModuleSyntax: true });
    expect(standardBlocks.length).to.be.greaterThan(tsBlocks.length / 2);
    // The blocks are files of this CommonJS repository, where verbatimModuleSyntax would reject
    // their `import` lines: checked as CommonJS here. scripts/check-package.sh compiles the
    // 30-second example with this tsconfig exactly, in an ES-module project as a user makes it.
    const options = { ...standard, module: ts.ModuleKind.Node20, moduleResolution: ts.ModuleResolutionKind.Node16, verbatimModuleSyntax: false };
    expect(typeCheck(standardBlocks.map((b) => files.get(b)!), options)).to.equal('');
  });

  it('should show the compile-time checks with // @ts-expect-error (an unused one fails the type-check above)', () => {
    expect(tsBlocks.some((b) => b.code.includes('// @ts-expect-error'))).to.equal(true);
  });

  const runs = [
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    ...tsBlocks.map((block) => ({ block, mode: 'legacy decorators', load: (file: string): unknown => require(file) })),
    ...standardBlocks.map((block) => ({ block, mode: 'standard decorators', load: (file: string) => runStandard(readFileSync(file, 'utf8'), file) })),
  ];
  for (const { block, mode, load } of runs) {
    const promised = promisedOutput(block.code);
    it(`should run the example at line ${block.line} under ${mode} and print ${promised.length === 0 ? 'nothing on stderr' : `its ${promised.length} promised line(s)`}`, async () => {
      const printed: string[] = [];
      let stderr = '';
      const log = console.log;
      const write = process.stderr.write;
      console.log = (...args: unknown[]) => { printed.push(...format(...args).split('\n')); };
      process.stderr.write = ((chunk: string | Uint8Array) => { stderr += String(chunk); return true; }) as typeof process.stderr.write;
      try {
        load(files.get(block)!);
        // Async examples print later: wait for the promised lines, then a little for extra ones.
        for (let waited = 0; printed.length < promised.length && waited < 3000; waited += 10) {
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        await new Promise((resolve) => setTimeout(resolve, 30));
      } finally {
        console.log = log;
        process.stderr.write = write;
      }
      expect(stderr, 'stderr').to.equal('');
      expect(printed.length, `printed:\n${printed.join('\n')}`).to.equal(promised.length);
      printed.forEach((line, i) => expect(matches(line, promised[i]), `line ${i + 1}: "${line}" vs promised "${promised[i]}"`).to.equal(true));
    });
  }

  it('should show the demo app\'s diagram exactly as the graph command prints it', () => {
    // The other Mermaid block is the architecture picture, checked by spec/layers.spec.ts.
    const mermaid = blocks.filter((b) => b.lang === 'mermaid' && !b.code.includes('core/'));
    expect(mermaid).to.have.length(1);
    const command = 'node -r ts-node/register lib/cli.ts graph demo/shop.ts --format mermaid';
    expect(readme.replace(/\s+/g, ' ')).to.contain(`\`${command}\``);
    const [node, ...args] = command.split(' ');
    expect(node).to.equal('node');
    const result = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
    expect(result.stderr).to.equal('');
    expect(result.status).to.equal(0);
    expect(mermaid[0].code).to.equal(result.stdout);
  });

  it('should only show shell commands that exist (their behaviour is run by the demo and CLI specs)', () => {
    const checks: [RegExp, (m: RegExpExecArray) => void][] = [
      [/^npm install && npm run demo$/, () => expect(pkg.scripts).to.have.property('demo')],
      [/^npm test$/, () => expect(pkg.scripts).to.have.property('test')],
      [/^npm install (\S+)$/, (m) => expect(m[1]).to.equal(pkg.name)],
      // The Vitest 4 + standard decorators leg of `npm run test:toolchains` uses these very packages.
      [/^npm install -D unplugin-swc @swc\/core$/, () => expect(pkg.devDependencies).to.include.keys('unplugin-swc', '@swc/core')],
      [/^npm run (\S+)$/, (m) => expect(pkg.scripts).to.have.property(m[1])],
      [/^EVENTWIRE_TRACE=(1|dead) npm run demo$/, () => expect(pkg.scripts).to.have.property('demo')],
      [/^npx eventwire graph \S+\.(js|ts) --format (text|mermaid|dot)( \| dot -Tsvg > \S+\.svg)?$/, () => expect(pkg.bin).to.deep.equal({ eventwire: 'dist/cli.js' })],
    ];
    for (const block of blocks.filter((b) => b.lang === 'sh')) {
      for (const line of block.code.trimEnd().split('\n')) {
        const check = checks.map(([pattern, fn]) => ({ m: pattern.exec(line), fn })).find(({ m }) => m !== null);
        expect(check, `README line ${block.line}: no check for "${line}": add one here`).to.not.equal(undefined);
        check!.fn(check!.m!);
      }
    }
  });

  it('should have a Benchmarks section saying how to produce the figures', () => {
    const section = readme.slice(readme.indexOf('\n## Benchmarks\n'));
    expect(section).to.contain('npm run bench').and.contain('bench/README.md');
  });

  it('should link relatively only to files the package ships, and to the others by repository URL, all existing', () => {
    // The README is also the package's: a relative link must work in the tarball (see scripts/check-package.sh).
    const relative = [...readme.matchAll(/\]\(((?!https?:)[^)#]+)[^)]*\)/g)].map((m) => m[1]);
    expect(relative.length).to.be.greaterThan(0);
    expect(relative.filter((link) => !/^(docs\/[a-z-]+\.md|LICENSE)$/.test(link)), 'not in the package').to.deep.equal([]);
    expect(relative.filter((link) => !existsSync(path.join(root, link)))).to.deep.equal([]);
    const repository = pkg.repository.url.replace(/^git\+/, '').replace(/\.git$/, '');
    const absolute = [...readme.matchAll(new RegExp(`\\]\\(${repository.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/(?:blob|tree)/main/([^)#]+)`, 'g'))].map((m) => m[1]);
    expect(absolute.length).to.be.greaterThan(0);
    expect(absolute.filter((link) => !existsSync(path.join(root, link)))).to.deep.equal([]);
  });
});
