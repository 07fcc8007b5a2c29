// Type tests for projects compiled with exactOptionalPropertyTypes (which `tsc --init` turns on):
// an optional option accepts a value typed `T | undefined`, as absent. Lines marked to fail MUST
// fail to compile. spec/exact-optional.spec.ts compiles this file with exactOptionalPropertyTypes
// (and `npm run typecheck` without it, in both decorator modes).
import {
  Container, Event, injectable, publishes, subscribes,
  type AddOptions, type ContainerOptions, type ErrorMode, type ErrorReporter, type EventOptions, type FireAsyncOptions,
  type InjectableOptions, type PublishOptions, type ScopeOptions, type SubscribeOptions, type TraceHook,
} from '../../../lib';

declare const maybeMode: ErrorMode | undefined;
declare const maybeNumber: number | undefined;
declare const maybeReporter: ErrorReporter | undefined;
declare const maybeTrace: TraceHook | undefined;
declare const maybeFlag: boolean | undefined;

const options: ContainerOptions = {
  errors: maybeMode, onError: maybeReporter, quarantine: maybeNumber, trace: maybeTrace,
  maxWeakHandlers: maybeNumber, providers: undefined, extensions: undefined,
};
new Container(options);
new Container({ errors: maybeMode, quarantine: maybeNumber });
const scope: ScopeOptions = { providers: undefined };
new Container().createChild(scope);

const publish: PublishOptions = {
  errors: maybeMode, onError: maybeReporter, quarantine: maybeNumber, maxHandlers: maybeNumber, maxWeakHandlers: maybeNumber,
  replay: maybeNumber, async: undefined, timeoutMs: maybeNumber, remote: maybeFlag,
};
const subscribe: SubscribeOptions = { once: maybeFlag, priority: maybeNumber, info: maybeFlag, filter: undefined };
const injectableOptions: InjectableOptions = { scope: undefined, deps: undefined };

@injectable(injectableOptions) class Source { @publishes('tick', publish) readonly tick!: Event<[n: number]>; }
@injectable() class Sink {
  @subscribes(Source, 'tick', { once: maybeFlag, priority: maybeNumber, filter: undefined }) onTick(n: number): void { void n; }
}
void Sink;
void subscribe;

declare const maybeSignal: AbortSignal | undefined;
const eventOptions: EventOptions = {
  errors: maybeMode, onError: maybeReporter, quarantine: maybeNumber, source: undefined, maxHandlers: maybeNumber,
  maxWeakHandlers: maybeNumber, replay: maybeNumber, async: undefined, trace: maybeTrace, timeoutMs: maybeNumber,
};
const ticks = new Event<[n: number]>('tick', eventOptions);
new Event('tick', { replay: maybeNumber, timeoutMs: maybeNumber });
const addOptions: AddOptions = { once: maybeFlag, signal: maybeSignal, priority: maybeNumber };
ticks.add((n) => { void n; }, addOptions);
ticks.add((n) => { void n; }, { once: maybeFlag, priority: maybeNumber });
const fireOptions: FireAsyncOptions = { signal: maybeSignal, timeoutMs: maybeNumber };
void ticks.fireAsyncWith(fireOptions, 1);

// @ts-expect-error still checked: not a number
new Event('tick', { replay: 'all' });
// @ts-expect-error still checked: not an error mode
new Container({ errors: 'ignore' });
// @ts-expect-error still checked: not a number
new Container({ quarantine: 'twice' });
