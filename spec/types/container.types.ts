// Type tests: every line under @ts-expect-error MUST fail to compile; `npm test` runs `tsc --noEmit` over them.
import { Container, Event, InjectionToken, injectable, type ProviderDefinition } from '../../lib';
import { remoteEvents, type Transport } from '../../lib/remote';

@injectable() class Logger { info(line: string): void { void line; } }
@injectable() class Orders { constructor(readonly log: Logger) {} }
@injectable() class Payments { constructor(readonly log: Logger, readonly orders: Orders) {} }
abstract class Repository { abstract save(): void; }
const LIMIT = new InjectionToken<number>('limit');

// A plain array of classes with different constructors, no cast.
const services = [Logger, Orders, Payments];
new Container({ providers: services });
new Container({ providers: [...services, { provide: LIMIT, useValue: 100 }] }).start();
new Container({ providers: [{ provide: Repository, useClass: class extends Repository { save(): void {} } }] });
new Container({ providers: [{ provide: 'clock', useFactory: (c: Container) => c.get(Logger) }] });
new Container().createChild({ providers: [Orders, { provide: Logger, useValue: new Logger() }] });
const list: ProviderDefinition[] = [];
list.push(Logger, { provide: LIMIT, useValue: 1 });

// @ts-expect-error an abstract class cannot be built: provide it with useClass
new Container({ providers: [Repository] });
// @ts-expect-error a provider object needs `provide`
new Container({ providers: [{ useValue: 1 }] });
// @ts-expect-error a provider object needs one of useClass, useValue, useFactory
new Container({ providers: [{ provide: LIMIT }] });
// @ts-expect-error not a class
new Container({ providers: ['Logger'] });

// The container injects itself: get(Container) is typed.
const self: Container = new Container().get(Container);
void self;

// fireAsyncWith keeps the payload typed.
const placed = new Event<[id: string, total: number]>('placed');
void placed.fireAsyncWith({ timeoutMs: 100 }, 'o1', 5);
void placed.fireAsyncWith({ signal: new AbortController().signal }, 'o1', 5);
// @ts-expect-error the payload is checked
void placed.fireAsyncWith({ timeoutMs: 100 }, 'o1');
// @ts-expect-error the options come first
void placed.fireAsyncWith('o1', 5);

// Remote events are a plugin: the container has no transport option; remoteEvents() needs one.
declare const transport: Transport;
new Container({ extensions: [remoteEvents({ transport, namespace: 'shop' })] });
new Container({ extensions: [{ objectAdopted: (object: object) => { void object; } }] });
// @ts-expect-error transport moved to remoteEvents() of eventwire/remote
new Container({ transport });
// @ts-expect-error remoteEvents() needs a transport
remoteEvents({ namespace: 'shop' });
// @ts-expect-error a hook is a function
new Container({ extensions: [{ close: 'now' }] });
// A check sees the pending subscription, and cannot connect it (that is subscriberAdopted's).
new Container({ extensions: [{ checkSubscriber: ({ subscriber, subscription, declared }) => { void [subscriber, subscription.method, declared.name]; } }] });
// @ts-expect-error checkSubscriber gets no connect()
new Container({ extensions: [{ checkSubscriber: ({ connect }) => { void connect; } }] });
