import { countingHandlers } from '../handlers';
import { argList, type Implementation } from '../implementation';

/** The handlers in an array, called in a loop: what any emitter must do at least. */
export const plainLoop: Implementation = {
  name: 'plain-loop',
  role: 'reference',
  subscribing: { create: () => [], add: (e, handler) => { (e as unknown[]).push(handler); } },
  code(op, shape) {
    const call = `e[j](${argList(shape)})`;
    switch (op) {
      case 'fire': return `for (let j = 0; j < e.length; j++) ${call};`;
      case 'fireAsync': return `const p = []; for (let j = 0; j < e.length; j++) p.push(${call}); await Promise.all(p);`;
      case 'addRemove': return 'e.push(h); e.splice(e.lastIndexOf(h), 1);';
      case 'onceFire': return `e.push(h); for (let j = 0; j < e.length; j++) ${call}; e.pop();`;
    }
  },
  setup(tally, shape) {
    const e = countingHandlers(tally, shape.handlers, shape.args, shape.async);
    const [h] = countingHandlers(tally, 1, shape.args, shape.async);
    return { bindings: { e, h }, fire: (a, b) => { for (const handler of e) handler(a, b); } };
  },
};

/** Unrolled direct calls of the handlers: the physical limit (V8 may inline every one). */
export const direct: Implementation = {
  name: 'direct',
  role: 'reference',
  subscribing: { create: () => [], add: (e, handler) => { (e as unknown[]).push(handler); } },
  code(op, shape) {
    const calls = Array.from({ length: shape.handlers }, (_, i) => `h${i}(${argList(shape)})`);
    switch (op) {
      case 'fire': return calls.length === 0 ? undefined : `${calls.join('; ')};`;
      case 'fireAsync': return `await Promise.all([${calls.join(', ')}]);`;
      case 'addRemove': return undefined;
      case 'onceFire': return [...calls, 'h(a)'].join('; ') + ';';
    }
  },
  setup(tally, shape) {
    const handlers = countingHandlers(tally, shape.handlers, shape.args, shape.async);
    const [h] = countingHandlers(tally, 1, shape.args, shape.async);
    const bindings: Record<string, unknown> = { h };
    handlers.forEach((handler, i) => { bindings[`h${i}`] = handler; });
    return { bindings, fire: (a, b) => { for (const handler of handlers) handler(a, b); } };
  },
};
