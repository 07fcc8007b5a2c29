import { expect } from 'chai';
import { join } from 'node:path';
import * as ts from 'typescript';
import { Container, Event, injectable, publishes, subscribes } from '../lib';

/**
 * Trial finding 9: under exactOptionalPropertyTypes (which `tsc --init` turns on), an option
 * typed `T | undefined` must be accepted by every optional option of the public option types,
 * and an undefined option must behave as an absent one.
 */
describe('options under exactOptionalPropertyTypes', () => {
  it('should compile spec/types/exact with the flag on, and its failing lines fail', function () {
    this.timeout(60_000);
    const dir = join(__dirname, 'types', 'exact');
    const config = ts.getParsedCommandLineOfConfigFile(join(dir, 'tsconfig.json'), undefined, {
      ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n')); },
    })!;
    expect(config.options.exactOptionalPropertyTypes).to.equal(true);
    const program = ts.createProgram(config.fileNames, config.options);
    const files = program.getSourceFiles().filter((f) => f.fileName.startsWith(dir.replace(/\\/g, '/')));
    expect(files.map((f) => f.fileName.slice(dir.length + 1))).to.deep.equal(['options.types.ts']);
    const problems = files.flatMap((f) => [...program.getSyntacticDiagnostics(f), ...program.getSemanticDiagnostics(f)])
      .map((d) => `${d.file?.fileName}:${d.file?.getLineAndCharacterOfPosition(d.start ?? 0).line}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
    expect(problems).to.deep.equal([]);
    // The flag bites: the same assignment to a type without `| undefined` is refused.
    const probe = ts.createSourceFile(join(dir, 'probe.ts'), 'declare const n: number | undefined;\nconst o: { a?: number } = { a: n };\nvoid o;\n', ts.ScriptTarget.ES2022);
    const host = ts.createCompilerHost(config.options);
    const getSourceFile = host.getSourceFile.bind(host);
    host.getSourceFile = (name, ...rest) => (name === probe.fileName ? probe : getSourceFile(name, ...rest));
    const probed = ts.createProgram([probe.fileName], config.options, host);
    expect(probed.getSemanticDiagnostics(probed.getSourceFile(probe.fileName)).map((d) => d.code)).to.deep.equal([2375]);
  });

  it('should treat an option given as undefined as absent: the container\'s, or the default', () => {
    @injectable() class Source {
      @publishes('tick', { errors: undefined, quarantine: undefined, replay: undefined, maxHandlers: undefined }) declare readonly tick: Event<[n: number]>;
    }
    @injectable() class Failing {
      @subscribes(Source, 'tick', { once: undefined, priority: undefined, info: undefined, filter: undefined }) onTick(): void { throw new Error('boom'); }
    }
    const app = new Container({ errors: 'collect', onError: undefined, quarantine: undefined, trace: undefined, maxWeakHandlers: undefined, providers: undefined, extensions: undefined });
    app.get(Failing);
    expect(() => app.get(Source).tick.fire(1)).to.throw(AggregateError);   // the container's 'collect', not 'isolate'
    const child = app.createChild({ providers: undefined });
    expect(child.isDisposed).to.equal(false);
    @injectable({ scope: undefined, deps: undefined }) class Plain { readonly ok = true; }
    expect(new Container({ errors: undefined }).get(Plain).ok).to.equal(true);
  });
});
