import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runStandard } from './helpers';
import * as eventwire from '../lib';
import {
  Container, Event, EventwireError, InjectionToken, inject, injectable, publishes, subscribes,
  type ContainerExtension, type ExtensionHost,
} from '../lib';
import { remoteEvents, type Transport } from '../lib/remote';

/**
 * docs/errors.md lists every bad input with the exact error class and message. This spec
 * reads that table and checks every row against what the code really throws, so the two
 * cannot drift: a new row needs a trigger here, and a changed message fails until the
 * table says the same.
 */

interface Row {
  readonly id: string;
  readonly category: string;
  readonly errorClass: string;
  readonly message: string;
}

/** The categories of bad input the table must cover (issue 6). */
const REQUIRED_CATEGORIES = [
  'wrong decorator target', 'unknown event', 'missing type metadata', 'interface parameter', 'unknown token',
  'circular dependency', 'constructor that throws', 'use after dispose', 'non-function handler',
  'handler added to a disposed event', 'invalid option value',
];

function parseTable(markdown: string): Row[] {
  const rows: Row[] = [];
  for (const line of markdown.split('\n')) {
    if (!line.startsWith('| `')) continue;
    const cells = line.slice(1, line.lastIndexOf('|')).split(/(?<!\\)\|/).map((cell) => cell.trim());
    if (cells.length !== 5) throw new Error(`docs/errors.md: a row must have 5 cells, got ${cells.length}: ${line}`);
    const code = (cell: string): string => {
      const match = /^`(.*)`$/.exec(cell);
      if (match === null) throw new Error(`docs/errors.md: expected a code span, got ${cell} in: ${line}`);
      return match[1].replace(/\\\|/g, '|');
    };
    rows.push({ id: code(cells[0]), category: cells[1], errorClass: code(cells[3]), message: code(cells[4]) });
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------
// One trigger per row of the table, by id. Each must throw.

@injectable() class Engine { @publishes() started!: Event<[rpm: number]>; }
@injectable() class Silent { readonly quiet = true; }
interface Store { save(): void }

/** A transport that carries nothing, for the options of remoteEvents(). */
function fakeTransport(): Transport {
  return {
    description: 'fake://nowhere',
    publish: async () => undefined,
    subscribe: () => ({ ready: Promise.resolve(), pause: () => undefined, resume: () => undefined, close: async () => undefined }),
    close: async () => undefined,
  };
}

/** Defines the classes of `body` compiled with standard decorators, `Engine` among them. */
function standard(body: string): unknown {
  return runStandard(
    "import { Event, inject, injectable, publishes, subscribes } from '../lib';\n" +
    `class Engine { @publishes() started!: Event<[rpm: number]>; }\nvoid Engine;\n${body}`);
}

const triggers: Record<string, () => unknown> = {
  // wrong decorator target
  'publishes-on-method': () => {
    class Motor { @publishes() start(): void { /* a method */ } }
    return Motor;
  },
  'publishes-on-static': () => {
    class Motor { @publishes() static started: Event; }
    return Motor;
  },
  'publishes-empty-name': () => {
    class Motor { @publishes('') started!: Event; }
    return Motor;
  },
  'subscribes-on-property': () => {
    class Dashboard { @(subscribes(Engine, 'started') as unknown as PropertyDecorator) onStarted = (): void => undefined; }
    return Dashboard;
  },
  'subscribes-on-static': () => {
    class Dashboard { @(subscribes(Engine, 'started') as unknown as MethodDecorator) static onStarted(): void { /* static */ } }
    return Dashboard;
  },
  'subscribes-undefined-source': () => {
    class Dashboard { @subscribes(undefined as unknown as typeof Engine, 'started') onStarted(): void { /* never */ } }
    return Dashboard;
  },
  'subscribes-bad-filter': () => {
    class Dashboard { @subscribes(Engine, 'started', { filter: 42 as never }) onStarted(): void { /* never */ } }
    return Dashboard;
  },
  'inject-on-method': () => {
    class Dashboard { show(@(inject('log') as unknown as ParameterDecorator) log: unknown): unknown { return log; } }
    return Dashboard;
  },
  'inject-undefined-token': () => {
    class Dashboard { constructor(@inject(undefined) readonly log: unknown) {} }
    return Dashboard;
  },
  'injectable-on-method': () => {
    class Motor { @(injectable() as unknown as MethodDecorator) start(): void { /* a method */ } }
    return Motor;
  },
  'injectable-deps-not-array': () => {
    @injectable({ deps: 'log' as never }) class Session {}
    return Session;
  },
  'injectable-deps-undefined': () => {
    @(injectable({ deps: [undefined as never] }) as ClassDecorator) class Reporter { constructor(readonly log: unknown) {} }
    return Reporter;
  },
  'injectable-deps-too-few': () => {
    @(injectable({ deps: [] }) as ClassDecorator) class Reporter { constructor(readonly log: unknown) {} }
    return Reporter;
  },
  // wrong decorator target, under standard decorators (a `tsc --init` project): the class is not defined yet
  'standard-publishes-on-method': () => standard('class Motor { @(publishes() as any) start() {} }'),
  'standard-publishes-on-static': () => standard('class Motor { @publishes() static started: Event; }'),
  'standard-publishes-on-private': () => standard('class Motor { @(publishes() as any) #started!: Event; }'),
  'standard-subscribes-on-field': () => standard('class Dashboard { @(subscribes(Engine, "started") as any) onStarted = () => {}; }'),
  'standard-subscribes-on-static': () => standard('class Dashboard { @(subscribes(Engine, "started") as any) static onStarted() {} }'),
  'standard-subscribes-on-private': () => standard('class Dashboard { @(subscribes(Engine, "started") as any) #onStarted() {} }'),
  'standard-injectable-on-method': () => standard('class Motor { @(injectable() as any) start() {} }'),
  'standard-inject-on-field': () => standard('class Dashboard { @(inject("log") as any) log: unknown; }'),
  'standard-no-metadata': () => {
    // A compiler passes context.metadata only if Symbol.metadata exists when the class is defined.
    const symbol = Object.getOwnPropertyDescriptor(Symbol, 'metadata')!;
    delete (Symbol as { metadata?: symbol }).metadata;
    try {
      return standard('class Motor { @publishes() started!: Event; }');
    } finally {
      Object.defineProperty(Symbol, 'metadata', symbol);
    }
  },
  'injectable-bad-scope': () => {
    @injectable({ scope: 'request' as never }) class Session {}
    return Session;
  },
  'publishes-assigned': () => {
    class Motor { @publishes() started = 'not an event' as unknown as Event; }
    return new Container().wire(new Motor());
  },
  'wire-frozen': () => new Container().wire(Object.freeze(new Engine())),
  'publishes-frozen-first-read': () => {
    class Bell { @publishes() declare readonly rang: Event; }
    return Object.freeze(new Bell()).rang;
  },
  'subscribes-lazy-undefined': () => {
    const late: { Engine?: typeof Engine } = {};
    class Dashboard { @subscribes(() => late.Engine!, 'started') onStarted(): void { /* never */ } }
    return new Container().wire(new Dashboard());
  },
  'wire-twice': () => {
    const engine = new Container().get(Engine);
    return new Container().wire(engine);
  },
  'release-foreign': () => {
    const engine = new Container().get(Engine);
    new Container().release(engine);
  },
  // unknown event
  'unknown-event': () => {
    @injectable() class Dashboard { @subscribes(Engine, 'stalled' as never) onStalled(): void { /* never */ } }
    return new Container().get(Dashboard);
  },
  'unknown-event-no-events': () => {
    @injectable() class Dashboard { @subscribes(Silent, 'started' as never) onStarted(): void { /* never */ } }
    return new Container().get(Dashboard);
  },
  // missing type metadata
  'missing-metadata': () => {
    class Logger { readonly lines: string[] = []; }
    class Reporter { constructor(readonly log: Logger) {} }
    return new Container().get(Reporter);
  },
  'missing-deps-standard': () => {
    const { Reporter } = standard(
      '@injectable() class Logger {}\n@injectable() export class Reporter { constructor(readonly log: Logger) {} }') as { Reporter: new (log: unknown) => unknown };
    return new Container().get(Reporter);
  },
  'undefined-parameter-type': () => {
    @injectable() class Reporter { constructor(readonly log: unknown) {} }
    // What an import cycle leaves behind: the compiler emitted a class that was still undefined.
    Reflect.defineMetadata('design:paramtypes', [undefined], Reporter);
    return new Container().get(Reporter);
  },
  // interface parameter
  'interface-parameter': () => {
    @injectable() class Repo { constructor(readonly store: Store) {} }
    return new Container().get(Repo);
  },
  'primitive-parameter': () => {
    @injectable() class Server { constructor(readonly port: number) {} }
    return new Container().get(Server);
  },
  // unknown token
  'unknown-token': () => new Container().get('apiKey'),
  'unknown-token-path': () => {
    @injectable() class Client { constructor(@inject(new InjectionToken<string>('apiKey')) readonly key: string) {} }
    @injectable() class App { constructor(readonly client: Client) {} }
    return new Container().get(App);
  },
  'invalid-token': () => new Container().get(undefined as never),
  // circular dependency
  'circular-dependency': () => {
    const PARSER = new InjectionToken<unknown>('Parser');
    @injectable() class Lexer { constructor(@inject(PARSER) readonly parser: unknown) {} }
    @injectable() class Parser { constructor(readonly lexer: Lexer) {} }
    return new Container().register(PARSER, { useClass: Parser }).get(PARSER);
  },
  // constructor that throws
  'constructor-throws': () => {
    @injectable() class Db { constructor() { throw new Error('no database'); } }
    @injectable() class Repo { constructor(readonly db: Db) {} }
    return new Container().get(Repo);
  },
  'constructor-fires-undefined-event': () => {
    @injectable() class Valve {
      @publishes() opened!: Event;
      constructor() { this.opened.fire(); }
    }
    return new Container().get(Valve);
  },
  'factory-throws': () => new Container().register('config', { useFactory: () => { throw new Error('no file'); } }).get('config'),
  // use after dispose
  'get-after-dispose': () => {
    const app = new Container();
    app.dispose();
    return app.get(Engine);
  },
  'wire-after-dispose': () => {
    const app = new Container();
    app.dispose();
    return app.wire(new Engine());
  },
  'register-after-dispose': () => {
    const app = new Container();
    app.dispose();
    return app.register('port', { useValue: 8080 });
  },
  'child-after-dispose': () => {
    const app = new Container();
    app.dispose();
    return app.createChild();
  },
  'fire-after-container-dispose': () => {
    const app = new Container();
    const engine = app.get(Engine);
    app.dispose();
    return engine.started.fire(900);
  },
  // overrides that cannot take effect
  'register-after-build': () => {
    const app = new Container();
    app.get(Engine);
    return app.register(Engine, { useValue: new Engine() });
  },
  'override-unreachable': () => {
    @injectable() class Logger { readonly real = true; }
    @injectable() class Service { constructor(readonly log: Logger) {} }
    return new Container().createChild().register(Logger, { useValue: { real: false } }).get(Service);
  },
  'providers-not-class': () => new Container({ providers: [42 as never] }),
  // non-function handler
  'non-function-handler': () => new Event('started').add(42 as never),
  // handler added to a disposed event
  'add-after-dispose': () => {
    const event = new Event('started');
    event.dispose();
    return event.add(() => undefined);
  },
  // invalid option values
  'priority-nan': () => new Event('started').add(() => undefined, { priority: Number.NaN }),
  'priority-infinite': () => new Event('started').add(() => undefined, { priority: Number.POSITIVE_INFINITY }),
  'priority-not-number': () => new Event('started').add(() => undefined, { priority: '1' as never }),
  'signal-not-abort-signal': () => new Event('started').add(() => undefined, { signal: {} as AbortSignal }),
  'target-not-object': () => new Event('started').add(() => undefined, { target: 42 as never }),
  'quarantine-zero': () => new Event('started', { quarantine: 0 }),
  'quarantine-negative': () => new Event('started', { quarantine: -1 }),
  'quarantine-fraction': () => new Event('started', { quarantine: 1.5 }),
  'errors-unknown': () => new Event('started', { errors: 'ignore' as never }),
  'on-error-not-function': () => new Event('started', { onError: 'log' as never }),
  'max-handlers-negative': () => new Event('started', { maxHandlers: -1 }),
  'max-weak-handlers-negative': () => new Event('started', { maxWeakHandlers: -1 }),
  'container-max-weak-handlers': () => new Container({ maxWeakHandlers: 1.5 }),
  'container-transport': () => new Container({ transport: fakeTransport() } as never),
  'container-extensions-not-array': () => new Container({ extensions: remoteEvents({ transport: fakeTransport() }) as never }),
  'container-extension-hook': () => new Container({ extensions: [{ objectAdopted: true } as never] }),
  'remote-transport': () => remoteEvents({ transport: { publish: () => undefined } as never }),
  'remote-namespace': () => remoteEvents({ transport: fakeTransport(), namespace: 'a b' }),
  'remote-service': () => remoteEvents({ transport: fakeTransport(), service: '' }),
  'remote-codec': () => remoteEvents({ transport: fakeTransport(), codec: { contentType: 'text/plain' } as never }),
  'remote-validate': () => remoteEvents({ transport: fakeTransport(), validate: 'zod' as never }),
  'remote-versions': () => remoteEvents({ transport: fakeTransport(), versions: { orderPlaced: 0 } }),
  'remote-twice': () => {
    const extension = remoteEvents({ transport: fakeTransport() });
    new Container({ extensions: [extension] });
    return new Container({ extensions: [extension] });
  },
  'remote-priority': () => {
    @injectable() class Checkout { @publishes('orderPlaced', { remote: true }) orderPlaced!: Event<[id: string]>; }
    @injectable() class Billing { @subscribes(Checkout, 'orderPlaced', { priority: 5 }) onOrderPlaced(): void { /* first */ } }
    return new Container({ extensions: [remoteEvents({ transport: fakeTransport() })] }).get(Billing);
  },
  'remote-group-clash': () => {
    @injectable() class Checkout { @publishes('orderPlaced', { remote: true }) orderPlaced!: Event<[id: string]>; }
    const audit = (): new () => object => {
      @injectable() class Audit { @subscribes(Checkout, 'orderPlaced') onOrderPlaced(): void { /* recorded */ } }
      return Audit;
    };
    const app = new Container({ extensions: [remoteEvents({ transport: fakeTransport() })] });
    app.get(audit());
    return app.get(audit());
  },
  'remote-anonymous-class': () => {
    @injectable() class Checkout { @publishes('orderPlaced', { remote: true }) orderPlaced!: Event<[id: string]>; }
    class Anonymous { @subscribes(Checkout, 'orderPlaced') onOrderPlaced(): void { /* recorded */ } }
    Object.defineProperty(Anonymous, 'name', { value: '' });   // as a class expression assigned to nothing
    return new Container({ extensions: [remoteEvents({ transport: fakeTransport() })] }).wire(new Anonymous());
  },
  'extension-hook-threw': () => {
    @injectable() class Checkout { @publishes('orderPlaced', { remote: true }) orderPlaced!: Event<[id: string]>; }
    @injectable() class Billing { @subscribes(Checkout, 'orderPlaced') onOrderPlaced(): void { /* never wired */ } }
    const transport = { ...fakeTransport(), subscribe: () => { throw new Error('connection refused'); } };
    return new Container({ extensions: [remoteEvents({ transport })] }).get(Billing);
  },
  'extension-forward-twice': () => {
    @injectable() class Checkout { @publishes('orderPlaced') orderPlaced!: Event<[id: string]>; }
    const forwarding = (name: string): ContainerExtension => {
      let host!: ExtensionHost;
      return { name, attach: (h) => { host = h; }, eventCreated: (event) => { host.forward(event, () => undefined); } };
    };
    return new Container({ extensions: [forwarding('busOne'), forwarding('busTwo')] }).get(Checkout);
  },
  // scoped object outside a scope
  'scoped-at-root': () => {
    @injectable({ scope: 'scoped' }) class Session { readonly id = 1; }
    return new Container().get(Session);
  },
  'scoped-in-singleton': () => {
    @injectable({ scope: 'scoped' }) class Session { readonly id = 1; }
    @injectable() class Cache { constructor(readonly session: Session) {} }
    return new Container().createChild().get(Cache);
  },
  'replay-negative': () => new Event('started', { replay: -1 }),
  'async-unknown': () => new Event('started', { async: 'parallel' as never }),
  'trace-not-function': () => new Event('started', { trace: true as never }),
  'timeout-not-positive': () => new Event('started', { timeoutMs: 0 }),
  'event-name-not-string': () => new Event(42 as never),
  'container-quarantine-zero': () => new Container({ quarantine: 0 }),
  'container-trace-not-function': () => new Container({ trace: 'yes' as never }),
  'provider-empty': () => new Container().register('port', {} as never),
  'provider-bad-scope': () => new Container().register('log', { useClass: Engine, scope: 'request' as never }),
  'wire-not-object': () => new Container().wire(42 as never),
};

// ---------------------------------------------------------------------------------------------

describe('bad input (docs/errors.md)', () => {
  const rows = parseTable(readFileSync(join(__dirname, '..', 'docs', 'errors.md'), 'utf8'));

  it('should have a table with a row for every trigger and a trigger for every row', () => {
    const ids = rows.map((r) => r.id);
    expect(ids.length).to.be.greaterThan(0);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i), 'duplicate ids').to.deep.equal([]);
    expect(ids.filter((id) => !(id in triggers)), 'rows without a trigger in spec/bad-input.spec.ts').to.deep.equal([]);
    expect(Object.keys(triggers).filter((id) => !ids.includes(id)), 'triggers without a row in docs/errors.md').to.deep.equal([]);
  });

  it('should cover every kind of bad input named in issue 6', () => {
    const categories = new Set(rows.map((r) => r.category));
    expect(REQUIRED_CATEGORIES.filter((c) => !categories.has(c))).to.deep.equal([]);
  });

  for (const row of rows) {
    it(`should throw ${row.errorClass} for ${row.id} (${row.category}), with the documented message`, () => {
      const trigger = triggers[row.id];
      if (trigger === undefined) return;   // reported by the first test
      let thrown: unknown;
      try {
        trigger();
      } catch (error) {
        thrown = error;
      }
      expect(thrown, 'nothing was thrown').to.be.instanceOf(Error);
      const error = thrown as Error;
      const exported = (eventwire as Record<string, unknown>)[row.errorClass];
      expect(exported, `${row.errorClass} is not exported by eventwire`).to.be.a('function');
      expect(error).to.be.instanceOf(exported as new () => Error);
      expect(error.constructor.name).to.equal(row.errorClass);
      expect(error.name).to.equal(row.errorClass);
      expect(EventwireError.is(error)).to.equal(true);
      expect(error.message).to.equal(row.message);
    });
  }

  it('should document the code of every error class the main entry exports', () => {
    const docs = readFileSync(join(__dirname, '..', 'docs', 'errors.md'), 'utf8');
    const codes = (Object.values(eventwire) as unknown[])
      .filter((value): value is new (message: string, extra?: unknown) => EventwireError =>
        typeof value === 'function' && value.prototype instanceof EventwireError)
      .map((ErrorClass) => `${ErrorClass.name}: ${new ErrorClass('', []).code}`);
    expect(codes.sort()).to.deep.equal([
      'DecoratorError: EVENTWIRE_DECORATOR', 'DisposedError: EVENTWIRE_DISPOSED', 'FireAbortedError: EVENTWIRE_FIRE_ABORTED',
      'InvalidArgumentError: EVENTWIRE_INVALID_ARGUMENT', 'OverrideError: EVENTWIRE_OVERRIDE', 'ResolutionError: EVENTWIRE_RESOLUTION',
      'WiringError: EVENTWIRE_WIRING',
    ]);
    expect(codes.map((c) => c.split(': ')[1]).filter((code) => !docs.includes(`\`${code}\``)), 'codes missing from docs/errors.md').to.deep.equal([]);
  });

  it('should keep what a failing constructor threw as the cause', () => {
    let error: unknown;
    try { triggers['constructor-throws'](); } catch (e) { error = e; }
    expect(((error as Error).cause as Error).message).to.equal('no database');
  });

  it('should accept negative priorities: they run after the default 0', () => {
    const event = new Event('started');
    const calls: string[] = [];
    event.add(() => { calls.push('late'); }, { priority: -5 });
    event.add(() => { calls.push('default'); });
    event.fire();
    expect(calls).to.deep.equal(['default', 'late']);
  });
});
