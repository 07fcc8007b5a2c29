// Type tests of @injectable({ deps }), checked under legacy (tsconfig.json) AND standard decorators
// (tsconfig.standard.json): every line under @ts-expect-error MUST fail to compile.
import { InjectionToken, injectable } from '../../lib';

class Logger { log(line: string): void { void line; } }
class FileLogger extends Logger { path = '/tmp/log'; }
interface Config { readonly port: number }
const CONFIG = new InjectionToken<Config>('config');
const NAME = new InjectionToken<string>('name');

@injectable({ deps: [Logger, CONFIG] })
export class Fine {
  constructor(readonly log: Logger, readonly config: Config) {}
}

@injectable({ deps: [FileLogger] })
export class Subclass {
  constructor(readonly log: Logger) {} // a subclass's instance is a Logger
}

@injectable({ deps: ['logger', CONFIG] })
export class StringToken {
  constructor(readonly log: Logger, readonly config: Config) {} // string and symbol tokens carry no type
}

@injectable({ scope: 'transient', deps: [] })
export class NoParameters {}

@injectable()
export class WithoutDeps {
  constructor(readonly log: Logger) {} // legacy decorators with emitDecoratorMetadata only
}

// @ts-expect-error the dependencies are in the wrong order
@injectable({ deps: [CONFIG, Logger] })
export class WrongOrder {
  constructor(readonly log: Logger, readonly config: Config) {}
}

// @ts-expect-error a string token where the constructor wants a Config
@injectable({ deps: [Logger, NAME] })
export class WrongType {
  constructor(readonly log: Logger, readonly config: Config) {}
}

// @ts-expect-error one dependency missing
@injectable({ deps: [Logger] })
export class TooFew {
  constructor(readonly log: Logger, readonly config: Config) {}
}

// @ts-expect-error one dependency too many
@injectable({ deps: [Logger, CONFIG] })
export class TooMany {
  constructor(readonly log: Logger) {}
}

// @ts-expect-error a scope that does not exist
@injectable({ scope: 'request', deps: [] })
export class BadScope {}
