import { EventEmitter as NodeEmitter } from 'node:events';
import EventEmitter3 from 'eventemitter3';
import { EventEmitter as Tseep } from 'tseep';
import mitt from 'mitt';
import { createNanoEvents } from 'nanoevents';   // ESM-only: loaded with require(), Node >= 20.19
import Emittery from 'emittery';                  // ESM-only, async `emit`
import { fullGc } from '../gc';
import { countingHandlers, countingPayloadHandlers, type Tally } from '../handlers';
import { argList, type Fixture, type Implementation, type Op, type Shape } from '../implementation';
import { A, B } from '../scenario';

/** The usual code of an emitter with `on`/`off`/`once`/`emit(name, ...args)`. */
function nodeStyleCode(op: Op, shape: Shape): string | undefined {
  switch (op) {
    case 'fire': return `e.emit('x', ${argList(shape)});`;
    case 'fireAsync': return undefined;
    case 'addRemove': return "e.on('x', h); e.off('x', h);";
    case 'onceFire': return "e.once('x', h); e.emit('x', a);";
  }
}

interface NodeStyle {
  on(name: 'x', handler: (...args: number[]) => unknown): unknown;
  emit(name: 'x', ...args: number[]): unknown;
}

/** Subscribes the shape's handlers and one more (`h`) to an emitter with `on(name, fn)`. */
function nodeStyleSetup(e: NodeStyle, tally: Tally, shape: Shape): Fixture {
  for (const handler of countingHandlers(tally, shape.handlers, shape.args, shape.async)) e.on('x', handler);
  const [h] = countingHandlers(tally, 1, shape.args, shape.async);
  return { bindings: { e, h }, fire: (a, b) => { if (shape.args === 2) e.emit('x', a, b); else e.emit('x', a); } };
}

export const nodeEvents: Implementation = {
  name: 'node:events',
  role: 'peer',
  code: nodeStyleCode,
  subscribing: {
    create: () => new NodeEmitter().setMaxListeners(0),
    add: (e, handler) => { (e as NodeEmitter).on('x', handler); },
  },
  setup(tally, shape) {
    const e = new NodeEmitter();
    e.setMaxListeners(0);
    return nodeStyleSetup(e, tally, shape);
  },
};

export const eventemitter3: Implementation = {
  name: 'eventemitter3',
  role: 'peer',
  code: nodeStyleCode,
  subscribing: { create: () => new EventEmitter3(), add: (e, handler) => { (e as EventEmitter3).on('x', handler); } },
  setup: (tally, shape) => nodeStyleSetup(new EventEmitter3(), tally, shape),
};

export const tseep: Implementation = {
  name: 'tseep',
  role: 'peer',
  code: nodeStyleCode,
  subscribing: { create: () => new Tseep(), add: (e, handler) => { (e as Tseep).on('x', handler); } },
  setup(tally, shape) {
    // tseep builds a listener set's dispatcher with `eval` of a source that depends only on the
    // set's size and arity, and V8's eval cache hands the SAME feedback to every emitter whose
    // dispatcher is built from that source until the next full GC: such emitters share call
    // sites, megamorphic once they have seen several handlers (about 3x slower here). A full GC
    // before and after building this emitter's dispatcher gives it call sites of its own, as
    // the figures assume; `sameShapeEmitters` measures the shared case instead.
    const alone = shape.sameShapeEmitters === undefined;
    if (alone) fullGc();
    const fixture = nodeStyleSetup(new Tseep(), tally, shape);
    if (alone) {
      fixture.fire(A, B);   // builds the dispatcher
      fullGc();
    }
    return fixture;
  },
};

/** mitt passes one payload: two arguments travel as an object, as a mitt user would write. No `once`: the handler unsubscribes itself. */
export const mittPeer: Implementation = {
  name: 'mitt',
  role: 'peer',
  code(op, shape) {
    switch (op) {
      case 'fire': return shape.args === 2 ? "e.emit('x', { a, b });" : "e.emit('x', a);";
      case 'fireAsync': return undefined;
      case 'addRemove': return "e.on('x', h); e.off('x', h);";
      case 'onceFire': return "const w = (v) => { e.off('x', w); h(v); }; e.on('x', w); e.emit('x', a);";
    }
  },
  subscribing: {
    create: () => mitt<Record<'x', number>>(),
    add: (e, handler) => { (e as ReturnType<typeof mitt<Record<'x', number>>>).on('x', handler); },
  },
  setup(tally, shape) {
    const e = mitt<Record<'x', unknown>>();
    const handlers = shape.args === 2 ? countingPayloadHandlers(tally, shape.handlers) : countingHandlers(tally, shape.handlers);
    for (const handler of handlers) e.on('x', handler as (payload: unknown) => void);
    const [h] = countingHandlers(tally, 1);
    return { bindings: { e, h }, fire: (a, b) => e.emit('x', shape.args === 2 ? { a, b } : a) };
  },
};

/** nanoevents: `on` returns the unbind function. No `once`: the handler unbinds itself. */
export const nanoevents: Implementation = {
  name: 'nanoevents',
  role: 'peer',
  code(op, shape) {
    switch (op) {
      case 'fire': return `e.emit('x', ${argList(shape)});`;
      case 'fireAsync': return undefined;
      case 'addRemove': return "e.on('x', h)();";
      case 'onceFire': return "const unbind = e.on('x', (v) => { unbind(); h(v); }); e.emit('x', a);";
    }
  },
  subscribing: {
    create: () => createNanoEvents<{ x: (a: number) => void }>(),
    add: (e, handler) => { (e as ReturnType<typeof createNanoEvents<{ x: (a: number) => void }>>).on('x', handler); },
  },
  setup(tally, shape) {
    const e = createNanoEvents<{ x: (...args: number[]) => void }>();
    for (const handler of countingHandlers(tally, shape.handlers, shape.args)) e.on('x', handler);
    const [h] = countingHandlers(tally, 1, shape.args);
    return { bindings: { e, h }, fire: (a, b) => { if (shape.args === 2) e.emit('x', a, b); else e.emit('x', a); } };
  },
};

/** emittery: async only (its `emit` returns a promise), one payload. */
export const emittery: Implementation = {
  name: 'emittery',
  role: 'peer',
  code: (op, shape) => (op === 'fireAsync' && shape.args === 1 ? "await e.emit('x', a);" : undefined),
  subscribing: { create: () => new Emittery<{ x: number }>(), add: (e, handler) => { (e as Emittery<{ x: number }>).on('x', handler); } },
  setup(tally, shape) {
    const e = new Emittery<{ x: number }>();
    for (const handler of countingHandlers(tally, shape.handlers, 1, true)) e.on('x', handler as (a: number) => Promise<void>);
    const [h] = countingHandlers(tally, 1, 1, true);
    return { bindings: { e, h }, fire: (a) => { void e.emit('x', a); } };
  },
};
