// Type tests: every line under @ts-expect-error MUST fail to compile; `npm test` runs `tsc --noEmit` over them.
import { Container, Event, InjectionToken, injectable, publishes, subscribes, type EventInfo } from '../../lib';

class Engine {
  @publishes('started') started!: Event<[rpm: number]>;
  @publishes() stopped!: Event;
  notAnEvent = 42;
}

export class Fine {
  @subscribes(Engine, 'started') onStarted(rpm: number): void { void rpm; }
  @subscribes(Engine, 'started') ignoresPayload(): void { /* fewer parameters are fine */ }
  @subscribes(Engine, 'stopped') onStopped(): void { /* no payload */ }
  @subscribes(Engine, 'started', { info: true }) withInfo(info: EventInfo<[number]>, rpm: number): void { void info; void rpm; }
  @subscribes(Engine, 'started', { filter: (engine, rpm) => engine instanceof Engine && rpm > 0 }) filtered(rpm: number): void { void rpm; }
}

export class Wrong {
  // @ts-expect-error 'stared' is not an event property of Engine
  @subscribes(Engine, 'stared') typo(): void { /* never */ }
  // @ts-expect-error notAnEvent is a property of Engine, but not an Event
  @subscribes(Engine, 'notAnEvent') notEvent(): void { /* never */ }
  // @ts-expect-error the handler does not accept the payload (number)
  @subscribes(Engine, 'started') wrongType(rpm: string): void { void rpm; }
  // @ts-expect-error the handler wants more than the event gives
  @subscribes(Engine, 'stopped') tooMany(reason: string): void { void reason; }
  // @ts-expect-error with { info: true } the first parameter is the EventInfo
  @subscribes(Engine, 'started', { info: true }) infoMissing(rpm: number): void { void rpm; }
  // @ts-expect-error a filter sees the payload with its type
  @subscribes(Engine, 'started', { filter: (_engine: Engine, rpm: string) => rpm === '' }) badFilter(): void { /* never */ }
}

export class Lazy {
  @subscribes(() => Engine, 'started') onStarted(rpm: number): void { void rpm; }
  @subscribes(() => Engine, 'stopped') onStopped(): void { /* no payload */ }
  @subscribes(() => Engine, 'started', { info: true }) withInfo(info: EventInfo<[number]>, rpm: number): void { void info; void rpm; }
  @subscribes(() => Engine, 'started', { filter: (engine, rpm) => engine instanceof Engine && rpm > 0 }) filtered(rpm: number): void { void rpm; }
  @subscribes(() => AbstractEngine, 'started') fromAbstract(rpm: number): void { void rpm; }
}

abstract class AbstractEngine { @publishes() started!: Event<[rpm: number]>; }

export class WrongLazy {
  // @ts-expect-error 'stared' is not an event property of Engine (lazy form)
  @subscribes(() => Engine, 'stared') typo(): void { /* never */ }
  // @ts-expect-error notAnEvent is not an Event (lazy form)
  @subscribes(() => Engine, 'notAnEvent') notEvent(): void { /* never */ }
  // @ts-expect-error the handler does not accept the payload (lazy form)
  @subscribes(() => Engine, 'started') wrongType(rpm: string): void { void rpm; }
  // @ts-expect-error with { info: true } the first parameter is the EventInfo (lazy form)
  @subscribes(() => Engine, 'started', { info: true }) infoMissing(rpm: number): void { void rpm; }
  // @ts-expect-error the lazy function must return the class, not an instance
  @subscribes(() => new Engine(), 'started') instance(rpm: number): void { void rpm; }
}

const app = new Container();
const engine: Engine = app.get(Engine);
void engine;
const PORT = new InjectionToken<number>('port');
const port: number = app.get(PORT);
void port;
// @ts-expect-error get() of a typed token returns its type
const wrongPort: string = app.get(PORT);
void wrongPort;
// @ts-expect-error a value provider must match the token's type
app.register(PORT, { useValue: 'eighty' });

// The three scopes, and nothing else.
@injectable({ scope: 'scoped' }) class PerRequest { readonly id = 1; }
app.register(PerRequest, { useClass: PerRequest, scope: 'scoped' });
// @ts-expect-error 'request' is not a scope: 'singleton', 'scoped' or 'transient'
@injectable({ scope: 'request' }) class Misnamed { readonly id = 1; }
void Misnamed;
// @ts-expect-error 'request' is not a scope
app.register('request', { useClass: PerRequest, scope: 'request' });
