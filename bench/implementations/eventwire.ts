import { Event } from '../../lib/index';
import { setCodegen } from '../../lib/core/dispatch';
import { countingHandlers, subscriberClasses, type Tally } from '../handlers';
import { argList, type Fixture, type Implementation, type Op, type Shape } from '../implementation';
import { A, B } from '../scenario';

/** Event options of a case: no leak warning (the memory case adds thousands), the quarantine of the shape. */
function newEvent(shape: Shape): Event<number[]> {
  return new Event<number[]>('x', { maxHandlers: 0, ...(shape.quarantine === undefined ? {} : { quarantine: shape.quarantine }) });
}

/** Fires past the compile threshold with code generation off, so the event keeps the generic loop for good. */
function pinLoopTier(event: Event<number[]>, shape: Shape): void {
  setCodegen(false);
  try {
    for (let i = 0; i < 200; i++) {
      if (shape.args === 2) event.fire(A, B); else event.fire(A);
    }
  } finally {
    setCodegen(true);
  }
}

/** The fixture of an event; `tier()` tells whether the compiled dispatcher replaced the generic loop. */
function fixture(event: Event<number[]>, shape: Shape, extra: Record<string, unknown>, keep: object[]): Fixture {
  const initial = event.fire;
  if (shape.codegen === false && shape.handlers > 0) pinLoopTier(event, shape);
  return {
    bindings: { e: event, keep, ...extra },
    fire: (a, b) => { if (shape.args === 2) event.fire(a, b); else event.fire(a); },
    tier: () => (event.fire === initial ? 'loop' : 'compiled'),
  };
}

/** `add` and `addOnce` are the arguments of `e.add(...)` for a plain and a once subscription. */
function code(op: Op, shape: Shape, add: string, addOnce: string): string | undefined {
  switch (op) {
    case 'fire': return `e.fire(${argList(shape)});`;
    case 'fireAsync': return 'await e.fireAsync(a);';
    case 'addRemove': return `e.add(${add}).unsubscribe();`;
    case 'onceFire': return `e.add(${addOnce}); e.fire(a);`;
  }
}

/** eventwire with plain function handlers, held strongly, default error policy (`'isolate'`). */
export const eventwire: Implementation = {
  name: 'eventwire',
  role: 'subject',
  code: (op, shape) => code(op, shape, 'h', 'h, { once: true }'),
  subscribing: {
    create: () => new Event<[number]>('x', { maxHandlers: 0 }),
    add: (event, handler) => { (event as Event<[number]>).add(handler); },
  },
  setup(tally: Tally, shape: Shape): Fixture {
    const event = newEvent(shape);
    for (const handler of countingHandlers(tally, shape.handlers, shape.args, shape.async)) event.add(handler);
    const [h] = countingHandlers(tally, 1, shape.args, shape.async);
    return fixture(event, shape, { h }, []);
  },
};

/** eventwire with prototype methods added with `{ target }`: the targets are held weakly, the container's way. */
export const eventwireWeak: Implementation = {
  name: 'eventwire-weak',
  role: 'subject',
  subscribing: {
    create: () => new Event<[number]>('x', { maxHandlers: 0 }),
    add: (event, handler, target) => { (event as Event<[number]>).add(handler, { target }); },
  },
  code: (op, shape) => (op === 'fire' && shape.handlers === 0 ? undefined : code(op, shape, 'M, { target: t }', 'M, { target: t, once: true }')),
  setup(tally: Tally, shape: Shape): Fixture {
    const event = newEvent(shape);
    const keep: object[] = [];   // the app holds its subscribers; the event does not
    for (const Subscriber of subscriberClasses(shape.handlers, shape.args, shape.async)) {
      const target = new Subscriber(tally);
      keep.push(target);
      event.add(Subscriber.prototype.onFire, { target });
    }
    const [Extra] = subscriberClasses(1, shape.args, shape.async);
    const t = new Extra(tally);
    return fixture(event, shape, { M: Extra.prototype.onFire, t }, keep);
  },
};
