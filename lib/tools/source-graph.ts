import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as TS from 'typescript';
import type { ClassShape } from './graph';

/**
 * Reads the wiring from TypeScript source code with the TypeScript compiler API, running
 * nothing: the `eventwire graph` command's way for .ts files. It reads the given files and the
 * project files they import (not packages), so an entry point draws the app. A class takes part when a
 * member has a `@publishes(...)` or `@subscribes(...)` decorator (found by the decorator's
 * name, aliases resolved); a source is found from its first argument: a class, an
 * `as`-cast class, or a lazy `() => Source` (an arrow or function returning a class).
 */

/** A class declared in source code. */
export interface SourceClass {
  readonly name: string;
  readonly abstract: boolean;
  readonly base: SourceClass | undefined;
  readonly published: readonly { readonly key: string; readonly name: string; readonly remote: boolean }[];
  readonly subscribed: readonly { readonly method: string; readonly source: SourceClass; readonly event: string }[];
}

/** What {@link readSources} found: the decorated classes, and what it could not read. */
export interface SourceReading {
  /** Classes with `@publishes` or `@subscribes` members, declared in the files or in the project files they import. */
  readonly classes: readonly SourceClass[];
  /** Subscriptions whose source class or event is not written literally: left out of the graph. */
  readonly skipped: readonly string[];
}

/** The shape of source classes for `declaredGraph`. */
export const sourceShape: ClassShape<SourceClass> = {
  name: (c) => c.name,
  published: (c) => c.published,
  subscribed: (c) => c.subscribed,
  extends: (c, base) => {
    for (let k: SourceClass | undefined = c; k !== undefined; k = k.base) if (k === base) return true;
    return false;
  },
  isAbstract: (c) => c.abstract,
};

/** Loads the `typescript` package: the project's own, else one next to eventwire. Undefined when none is installed. */
export function loadTypeScript(cwd: string): typeof TS | undefined {
  for (const from of [cwd, __dirname]) {
    try {
      // An optional peer dependency, loaded only for .ts files.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      return require(require.resolve('typescript', { paths: [from] })) as typeof TS;
    } catch { /* try the next place */ }
  }
  return undefined;
}

/** Reads `files` (absolute paths of TypeScript sources) with the project's tsconfig.json, if any. */
export function readSources(ts: typeof TS, files: readonly string[], cwd: string): SourceReading {
  let options: TS.CompilerOptions = { target: ts.ScriptTarget.ES2022, experimentalDecorators: true, noEmit: true };
  const configFile = ts.findConfigFile(cwd, (f) => ts.sys.fileExists(f));
  if (configFile !== undefined) {
    const config = ts.readConfigFile(configFile, (f) => ts.sys.readFile(f));
    if (config.error === undefined) {
      options = { ...ts.parseJsonConfigFileContent(config.config, ts.sys, path.dirname(configFile)).options, noEmit: true };
    }
  }
  // Declarations only, of the project's own files: no default library, no @types, and the
  // packages under node_modules read as empty, which keeps reading a large app fast.
  options = { ...options, noLib: true, types: [], skipLibCheck: true };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersion, ...rest) => /[\\/]node_modules[\\/]/.test(fileName)
    ? ts.createSourceFile(fileName, '', languageVersion)
    : getSourceFile(fileName, languageVersion, ...rest);
  const program = ts.createProgram({ rootNames: files, options, host });
  const checker = program.getTypeChecker();
  const models = new Map<TS.ClassDeclaration, SourceClass>();
  const skipped: string[] = [];

  const unwrap = (expression: TS.Expression): TS.Expression => {
    let e = expression;
    while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isNonNullExpression(e) ||
           ts.isTypeAssertionExpression(e) || ts.isSatisfiesExpression(e)) e = e.expression;
    return e;
  };
  const resolve = (node: TS.Node): TS.Symbol | undefined => {
    const symbol = checker.getSymbolAtLocation(node);
    return symbol !== undefined && (symbol.flags & ts.SymbolFlags.Alias) !== 0 ? checker.getAliasedSymbol(symbol) : symbol;
  };
  const classDeclaration = (symbol: TS.Symbol | undefined): TS.ClassDeclaration | undefined =>
    symbol?.declarations?.find((d): d is TS.ClassDeclaration => ts.isClassDeclaration(d));
  /** The class an expression names: `Source`, `ns.Source`, `Source as X`, `() => Source`, `function () { return Source; }`. */
  const classOf = (expression: TS.Expression): TS.ClassDeclaration | undefined => {
    const e = unwrap(expression);
    if (ts.isArrowFunction(e) || ts.isFunctionExpression(e)) {
      if (!ts.isBlock(e.body)) return classOf(e.body);
      const statements = e.body.statements;
      const last = statements[statements.length - 1];
      return last !== undefined && ts.isReturnStatement(last) && last.expression !== undefined ? classOf(last.expression) : undefined;
    }
    const symbol = resolve(e);
    const declaration = classDeclaration(symbol);
    if (declaration !== undefined) return declaration;
    // const Source = SomeClass;
    const variable = symbol?.declarations?.find((d): d is TS.VariableDeclaration => ts.isVariableDeclaration(d));
    return variable?.initializer !== undefined && variable.initializer !== e ? classOf(variable.initializer) : undefined;
  };
  const decorator = (member: TS.Node, name: string): TS.CallExpression | undefined => {
    const decorators = ts.canHaveDecorators(member) ? ts.getDecorators(member) ?? [] : [];
    for (const d of decorators) {
      if (!ts.isCallExpression(d.expression)) continue;
      const callee = d.expression.expression;
      const text = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined;
      if (text === undefined) continue;
      if ((resolve(callee)?.name ?? text) === name || text === name) return d.expression;
    }
    return undefined;
  };
  const literal = (e: TS.Expression | undefined): string | undefined => {
    const u = e === undefined ? undefined : unwrap(e);
    return u !== undefined && (ts.isStringLiteral(u) || ts.isNoSubstitutionTemplateLiteral(u)) ? u.text : undefined;
  };
  /** True for options written `{ remote: true }` (a value the source code does not show counts as false). */
  const remoteOption = (options: TS.Expression | undefined): boolean => {
    const o = options === undefined ? undefined : unwrap(options);
    return o !== undefined && ts.isObjectLiteralExpression(o) && o.properties.some((p) =>
      ts.isPropertyAssignment(p) && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) && p.name.text === 'remote' &&
      unwrap(p.initializer).kind === ts.SyntaxKind.TrueKeyword);
  };
  const memberName = (name: TS.PropertyName): string =>
    ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name) || ts.isPrivateIdentifier(name) ? name.text : name.getText();

  const model = (declaration: TS.ClassDeclaration): SourceClass => {
    let found = models.get(declaration);
    if (found !== undefined) return found;
    const published: { key: string; name: string; remote: boolean }[] = [];
    const subscribed: { method: string; source: SourceClass; event: string }[] = [];
    const abstract = (ts.getModifiers(declaration) ?? []).some((m) => m.kind === ts.SyntaxKind.AbstractKeyword);
    const name = declaration.name?.text ?? '(anonymous class)';
    const heritage = declaration.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0];
    const baseDeclaration = heritage === undefined ? undefined : classOf(heritage.expression);
    found = { name, abstract, base: undefined, published, subscribed };
    models.set(declaration, found);
    const base = baseDeclaration === undefined ? undefined : model(baseDeclaration);
    (found as { base: SourceClass | undefined }).base = base;
    const own: typeof published = [];
    const ownSubscribed: typeof subscribed = [];
    for (const member of declaration.members) {
      if (member.name === undefined) continue;
      const key = memberName(member.name);
      const publishes = ts.isPropertyDeclaration(member) ? decorator(member, 'publishes') : undefined;
      if (publishes !== undefined) own.push({ key, name: literal(publishes.arguments[0]) ?? key, remote: remoteOption(publishes.arguments[1]) });
      const subscribes = ts.isMethodDeclaration(member) ? decorator(member, 'subscribes') : undefined;
      if (subscribes === undefined) continue;
      const [sourceArgument, eventArgument] = subscribes.arguments;
      const sourceDeclaration = sourceArgument === undefined ? undefined : classOf(sourceArgument);
      const event = literal(eventArgument);
      if (sourceDeclaration === undefined || event === undefined) {
        skipped.push(`${name}.${key}: @${subscribes.getText().replace(/\s+/g, ' ')} names its source or event in a way the source code does not show ` +
          '(write the class, or () => Class, and the event as a string)');
        continue;
      }
      ownSubscribed.push({ method: key, source: model(sourceDeclaration), event });
    }
    // Ancestors first; a subclass redeclaring a key (event) or a method (subscription) replaces it.
    const inheritedPublished = base?.published.filter((e) => !own.some((o) => o.key === e.key)) ?? [];
    const inheritedSubscribed = base?.subscribed.filter((s) => !ownSubscribed.some((o) => o.method === s.method)) ?? [];
    published.push(...inheritedPublished, ...own);
    subscribed.push(...inheritedSubscribed, ...ownSubscribed);
    return found;
  };

  // The given files and the project files they import (an entry point draws the whole app);
  // packages under node_modules were read as empty.
  const classes: SourceClass[] = [];
  for (const sourceFile of program.getSourceFiles()) {
    if (sourceFile.isDeclarationFile || /[\\/]node_modules[\\/]/.test(sourceFile.fileName)) continue;
    for (const statement of sourceFile.statements) {
      if (!ts.isClassDeclaration(statement)) continue;
      const c = model(statement);
      if ((c.published.length > 0 || c.subscribed.length > 0) && !classes.includes(c)) classes.push(c);
    }
  }
  return { classes, skipped };
}

/** True when `file` exists and is a file. */
export function isFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}
