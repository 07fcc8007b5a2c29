import { Container, Event, injectable, publishes, subscribes } from '../lib/index';
import { countingHandlers, Tally, type Counter } from './handlers';
import type { Implementation } from './implementation';
import { compileLoop } from './loop';
import { A, type Case, type Scenario } from './scenario';

/**
 * The container's cost of wiring: `get` of a transient class with three `@subscribes`
 * methods, its source (a singleton publishing the three events) already built, next to
 * what that wiring amounts to by hand: `new` plus three weak `add`s. Both undo what they
 * did in the same operation (`release`, or three `unsubscribe`s), so nothing accumulates
 * from one operation or sample to the next and both sides pay for the undoing.
 *
 * Nothing is fired in the timed loop; after every sample `check` makes one more object each
 * way, fires the three events (exactly three calls of `A`, counted in the tally), undoes it,
 * fires again (no call: nothing was left subscribed) and checks that the events are empty.
 */

/** The source and the subscriber class of one case, with a counter of its own. */
function classes(counter: Counter): { Source: new () => SourceShape; Widget: new () => object } {
  @injectable()
  class Source {
    @publishes() a!: Event<[number]>;
    @publishes() b!: Event<[number]>;
    @publishes() c!: Event<[number]>;
  }
  @injectable({ scope: 'transient' })
  class Widget {
    @subscribes(Source, 'a') onA(n: number): void { counter.c = (counter.c + n) | 0; }
    @subscribes(Source, 'b') onB(n: number): void { counter.c = (counter.c + n) | 0; }
    @subscribes(Source, 'c') onC(n: number): void { counter.c = (counter.c + n) | 0; }
  }
  return { Source, Widget };
}

interface SourceShape {
  a: Event<[number]>;
  b: Event<[number]>;
  c: Event<[number]>;
}

interface WidgetShape {
  onA(n: number): void;
  onB(n: number): void;
  onC(n: number): void;
}

function fail(scenario: string, impl: string, what: string): never {
  throw new Error(`${scenario} / ${impl}: ${what}`);
}

/**
 * A case timing `code` (one wired object made and unwired per operation); `wireOnce` does
 * the same outside timing for `check`, and returns how to unwire.
 */
function wiringCase(
  scenario: string, impl: Implementation, tally: Tally, source: SourceShape,
  code: string, bindings: Record<string, unknown>, wireOnce: () => () => void,
): Case {
  const fireAll = (): void => { source.a.fire(A); source.b.fire(A); source.c.fire(A); };
  const check = (): void => {
    const sizes = (): number[] => [source.a.size, source.b.size, source.c.size];
    if (sizes().some((n) => n !== 0)) fail(scenario, impl.name, `handlers left on the source after the sample: ${sizes().join(', ')}`);
    const before = tally.total();
    const unwire = wireOnce();
    fireAll();
    if (tally.total() !== ((before + 3 * A) | 0)) fail(scenario, impl.name, `one wired object got ${tally.total() - before}, expected ${3 * A}`);
    unwire();
    fireAll();
    if (tally.total() !== ((before + 3 * A) | 0)) fail(scenario, impl.name, 'a handler was still called after unwiring');
    if (sizes().some((n) => n !== 0)) fail(scenario, impl.name, `handlers left on the source: ${sizes().join(', ')}`);
  };
  return { scenario, impl, run: compileLoop(code, bindings), tally, perOp: 0, check };
}

/** `container.get` of the transient subscriber, then `container.release` of it. */
function containerCase(scenario: string, impl: Implementation): Case {
  const tally = new Tally();
  const { Source, Widget } = classes(tally.counter());
  // A transient of the root container, released at once: no warning about unowned subscribers.
  const app = new Container({ maxWeakHandlers: 0 });
  const source = app.get(Source);
  return wiringCase(scenario, impl, tally, source, 'const w = app.get(W); app.release(w);', { app, W: Widget }, () => {
    const w = app.get(Widget);
    return () => app.release(w);
  });
}

/** `new` of the same class, its three methods added with `{ target }` by hand, then unsubscribed. */
function manualCase(scenario: string, impl: Implementation): Case {
  const tally = new Tally();
  const { Widget } = classes(tally.counter());
  const source: SourceShape = { a: new Event('a'), b: new Event('b'), c: new Event('c') };
  const { onA, onB, onC } = Widget.prototype as WidgetShape;
  const code = [
    'const w = new W();',
    'const s0 = ea.add(ma, { target: w }), s1 = eb.add(mb, { target: w }), s2 = ec.add(mc, { target: w });',
    's0.unsubscribe(); s1.unsubscribe(); s2.unsubscribe();',
  ].join(' ');
  const bindings = { W: Widget, ea: source.a, eb: source.b, ec: source.c, ma: onA, mb: onB, mc: onC };
  return wiringCase(scenario, impl, tally, source, code, bindings, () => {
    const w = new Widget();
    const subs = [source.a.add(onA, { target: w }), source.b.add(onB, { target: w }), source.c.add(onC, { target: w })];
    return () => { for (const sub of subs) sub.unsubscribe(); };
  });
}

/**
 * The container scenario: `eventwire` is the container, `direct` the same wiring by hand.
 * No peer has a container: the ratios of this row are to `direct` (its `baseline`).
 */
export function containerScenario(name: string): Scenario {
  return {
    name,
    targets: false,
    baseline: 'direct',
    build(impl) {
      if (impl.name === 'eventwire') return containerCase(name, impl);
      if (impl.name === 'direct') return manualCase(name, impl);
      return undefined;
    },
  };
}

/** `count` distinct singleton classes whose `@subscribes` method `onFire` adds `n` to the instance's own counter, tracked by `tally`. */
function singletonSubscribers(tally: Tally, source: Function, count: number): Function[] {
  const list: Function[] = [];
  for (let i = 0; i < count; i++) {
    // Distinct sources, so each handler has its own place in V8's feedback (see handlers.ts).
    const Subscriber = new Function('tally', `return class WiredSubscriber${i} {
      constructor() { this.c = 0; tally.track(this); }
      onFire(a) { this.c = (this.c + a) | 0; }
    };`)(tally) as new () => Counter;
    injectable()(Subscriber);
    const descriptor = Object.getOwnPropertyDescriptor(Subscriber.prototype, 'onFire')!;
    (subscribes as unknown as (s: Function, e: string) => (p: object, k: string, d: PropertyDescriptor) => void)(source, 'fire')(Subscriber.prototype, 'onFire', descriptor);
    list.push(Subscriber);
  }
  return list;
}

/**
 * What the container's strong wiring costs at fire time, in the normal shape of an app (each
 * fire in a job of its own): `eventwire` is an event whose three subscribers are singletons
 * wired by a container; `direct` is the same event with three plain handlers added by hand
 * (`eventwire`'s own strong case). Both fire once and await per operation.
 */
export function wiredSingletonsScenario(name: string): Scenario {
  return {
    name,
    targets: false,
    baseline: 'direct',
    build(impl) {
      if (impl.name !== 'eventwire' && impl.name !== 'direct') return undefined;
      const tally = new Tally();
      let event: Event<[number]>;
      if (impl.name === 'eventwire') {
        @injectable() class Source { @publishes() fire!: Event<[number]>; }
        const app = new Container();
        for (const Subscriber of singletonSubscribers(tally, Source, 3)) app.get(Subscriber as new () => object);
        event = app.get(Source).fire;
        const weak = event._list.weak;
        if (weak !== 0) fail(name, impl.name, `${weak} of the container's singleton handlers are held weakly`);
      } else {
        event = new Event<[number]>('fire');
        for (const handler of countingHandlers(tally, 3)) event.add(handler);
      }
      event.fire(A);
      const initial = event.fire;
      return {
        scenario: name, impl, tally, perOp: 3 * A,
        run: compileLoop('e.fire(a); await undefined;', { e: event, a: A }, true),
        check: () => undefined,
        tier: () => (event.fire === initial ? 'loop' : 'compiled'),
      };
    },
  };
}
