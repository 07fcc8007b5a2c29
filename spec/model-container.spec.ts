import { expect } from 'chai';
import * as fc from 'fast-check';
import { Container, DisposedError, Event, injectable, publishes, subscribes, type WiringGraph } from '../lib';
import { collectUntil } from './helpers';

/**
 * Model-based test of the container's wiring rule (lib/wiring/wiring.ts): random orders of building
 * (`get`), adopting (`wire`), releasing and dropping sources and subscribers (singletons and
 * transients, subclasses, child containers, disposal), checked after every step against a
 * model of the rule: a `@subscribes(Source, 'e')` method of every live subscriber is
 * connected to event 'e' of every live `Source` (or subclass) object, whichever came first,
 * within one container or a line of parents and children, never across siblings.
 *
 * Objects the test drops and nothing else holds may be collected at any moment, so between
 * collections their connections may or may not be there; at a `gc` step (and at the end of
 * every run) they MUST be collected, and the wiring must then match the model exactly.
 *
 * Runs: EVENTWIRE_RUNS / 10 (default 60); each run forces a few full collections.
 */
const RUNS = process.env.EVENTWIRE_RUNS === undefined ? 60 : Math.ceil(Number(process.env.EVENTWIRE_RUNS) / 10);
const SEED = process.env.EVENTWIRE_SEED === undefined ? undefined : Number(process.env.EVENTWIRE_SEED);
const MAX_CONTAINERS = 5;

// ---------------------------------------------------------------------------------------------
// The classes

/** What handlers heard during the current fire: `${subscriber id}.${method}<-${payload}`. */
const heard: string[] = [];
let lastId = 0;

abstract class Thing {
  readonly id = ++lastId;
  protected hear(method: string, from: number): void {
    heard.push(`${this.id}.${method}<-${from}`);
  }
}

@injectable({ scope: 'transient' })
class Src extends Thing {
  @publishes() ping!: Event<[from: number]>;
}

@injectable({ scope: 'transient' })
class LoudSrc extends Src {
  @publishes() shout!: Event<[from: number]>;
}

@injectable()
class SoleSrc extends Src {}

@injectable({ scope: 'transient' })
class Ear extends Thing {
  @subscribes(Src, 'ping') onPing(from: number): void { this.hear('onPing', from); }
}

@injectable({ scope: 'transient' })
class BigEar extends Ear {
  override onPing(from: number): void { this.hear('onPing', from); }
  @subscribes(LoudSrc, 'shout') onShout(from: number): void { this.hear('onShout', from); }
}

@injectable()
class SoleEar extends Thing {
  @subscribes(Src, 'ping') onPing(from: number): void { this.hear('onPing', from); }
  @subscribes(LoudSrc, 'shout', { filter: (source, from) => source.id === from }) onShout(from: number): void { this.hear('onShout', from); }
}

@injectable({ scope: 'transient' })
class Peer extends Thing {
  @publishes() said!: Event<[from: number]>;
  @subscribes(Peer, 'said') onSaid(from: number): void { this.hear('onSaid', from); }
}

type KindName = 'Src' | 'LoudSrc' | 'SoleSrc' | 'Ear' | 'BigEar' | 'SoleEar' | 'Peer';

interface Kind {
  readonly cls: new () => Thing;
  readonly singleton: boolean;
  /** The class and its ancestors that take part in the wiring. */
  readonly is: readonly KindName[];
  readonly publishes: readonly string[];
  readonly subscribes: readonly { readonly source: KindName; readonly event: string; readonly method: string }[];
}

const KINDS: Record<KindName, Kind> = {
  Src: { cls: Src, singleton: false, is: ['Src'], publishes: ['ping'], subscribes: [] },
  LoudSrc: { cls: LoudSrc, singleton: false, is: ['LoudSrc', 'Src'], publishes: ['ping', 'shout'], subscribes: [] },
  SoleSrc: { cls: SoleSrc, singleton: true, is: ['SoleSrc', 'Src'], publishes: ['ping'], subscribes: [] },
  Ear: { cls: Ear, singleton: false, is: ['Ear'], publishes: [], subscribes: [{ source: 'Src', event: 'ping', method: 'onPing' }] },
  BigEar: {
    cls: BigEar, singleton: false, is: ['BigEar', 'Ear'], publishes: [],
    subscribes: [{ source: 'Src', event: 'ping', method: 'onPing' }, { source: 'LoudSrc', event: 'shout', method: 'onShout' }],
  },
  SoleEar: {
    cls: SoleEar, singleton: true, is: ['SoleEar'], publishes: [],
    subscribes: [{ source: 'Src', event: 'ping', method: 'onPing' }, { source: 'LoudSrc', event: 'shout', method: 'onShout' }],
  },
  Peer: { cls: Peer, singleton: false, is: ['Peer'], publishes: ['said'], subscribes: [{ source: 'Peer', event: 'said', method: 'onSaid' }] },
};
const KIND_NAMES = Object.keys(KINDS) as KindName[];

// ---------------------------------------------------------------------------------------------
// Scenarios

type Operation =
  | { readonly type: 'get'; readonly container: number; readonly kind: KindName }
  | { readonly type: 'wireNew'; readonly container: number; readonly kind: KindName }
  | { readonly type: 'wire'; readonly container: number; readonly object: number }
  | { readonly type: 'release'; readonly object: number }
  | { readonly type: 'drop'; readonly object: number }
  | { readonly type: 'fire'; readonly object: number; readonly event: number }
  | { readonly type: 'child'; readonly container: number }
  | { readonly type: 'dispose'; readonly container: number }
  | { readonly type: 'gc' };

const containerArb = fc.nat({ max: MAX_CONTAINERS - 1 });
const objectArb = fc.nat({ max: 40 });
const kindArb = fc.constantFrom(...KIND_NAMES);
const operationArb: fc.Arbitrary<Operation> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ type: fc.constant('get' as const), container: containerArb, kind: kindArb }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('wireNew' as const), container: containerArb, kind: kindArb }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('wire' as const), container: containerArb, object: objectArb }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('release' as const), object: objectArb }) },
  { weight: 4, arbitrary: fc.record({ type: fc.constant('drop' as const), object: objectArb }) },
  { weight: 6, arbitrary: fc.record({ type: fc.constant('fire' as const), object: objectArb, event: fc.nat({ max: 1 }) }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('child' as const), container: containerArb }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('dispose' as const), container: containerArb }) },
  { weight: 1, arbitrary: fc.constant({ type: 'gc' as const }) },
);
const scenarioArb = fc.array(operationArb, { minLength: 1, maxLength: 30, size: 'medium' });

// ---------------------------------------------------------------------------------------------
// The model

interface ModelContainer {
  readonly parent: number | undefined;
  disposed: boolean;
}

interface ModelObject {
  readonly kind: KindName;
  /** The container whose wiring holds it, if any. */
  owner: number | undefined;
  /** The test holds it. */
  held: boolean;
  /** Collected (known to be gone). */
  gone: boolean;
  /** Its events were created (it was adopted once). */
  hasEvents: boolean;
  /** A singleton the root container holds (until it is disposed). */
  rootHeld: boolean;
  /** The child container that built it (a transient) and owns it until it is disposed. */
  scopeHeld: number | undefined;
  /** Its events were disposed with its container (and not created anew since): firing one throws. */
  retired?: boolean;
}

/** What an operation returned, as both sides see it. */
type Outcome = string;

class Model {
  readonly containers: ModelContainer[] = [{ parent: undefined, disposed: false }];
  readonly objects: ModelObject[] = [];
  /** The singleton of each class, once built. */
  private readonly singletons = new Map<KindName, number>();

  /** Objects the test holds, by index: what operations may touch. */
  heldObjects(): number[] {
    return this.objects.flatMap((o, i) => (o.held ? [i] : []));
  }

  /**
   * Kept alive by the test, by the root container (singletons, until it is disposed) or by
   * the child container that built it (transients, until it is disposed).
   */
  retained(o: ModelObject): boolean {
    return o.held || o.rootHeld || (o.scopeHeld !== undefined && !this.containers[o.scopeHeld].disposed);
  }

  /** May be collected at any moment. */
  limbo(o: ModelObject): boolean {
    return !o.gone && !this.retained(o);
  }

  /** In one line of parents and children (never siblings or cousins). */
  private related(a: number, b: number): boolean {
    return this.isUnder(a, b) || this.isUnder(b, a);
  }

  /** Every connection the wiring rule asks for, with `certain` false when an end may be collected. */
  connections(): { source: number; subscriber: number; event: string; method: string; certain: boolean }[] {
    const out: { source: number; subscriber: number; event: string; method: string; certain: boolean }[] = [];
    this.objects.forEach((a, ai) => {
      if (a.gone || a.owner === undefined) return;
      this.objects.forEach((b, bi) => {
        if (b.gone || b.owner === undefined || !this.related(a.owner!, b.owner)) return;
        for (const s of KINDS[b.kind].subscribes) {
          if (KINDS[a.kind].is.includes(s.source)) {
            out.push({ source: ai, subscriber: bi, event: s.event, method: s.method, certain: !this.limbo(a) && !this.limbo(b) });
          }
        }
      });
    });
    return out;
  }

  apply(op: Operation): Outcome {
    switch (op.type) {
      case 'get': {
        const c = op.container % this.containers.length;
        if (this.containers[c].disposed) return 'DisposedError';
        if (KINDS[op.kind].singleton) {
          const existing = this.singletons.get(op.kind);
          if (existing !== undefined) {
            this.objects[existing].held = true;
            return `object #${existing}`;
          }
          this.singletons.set(op.kind, this.objects.length);
          return this.add(op.kind, 0, true);   // unregistered singletons live in the root container
        }
        return this.add(op.kind, c, false, c === 0 ? undefined : c);
      }
      case 'wireNew': {
        const c = op.container % this.containers.length;
        if (this.containers[c].disposed) {
          this.objects.push({ kind: op.kind, owner: undefined, held: true, gone: false, hasEvents: false, rootHeld: false, scopeHeld: undefined });
          return 'DisposedError';
        }
        return this.add(op.kind, c, false);
      }
      case 'wire': {
        const i = this.pick(op.object);
        if (i === undefined) return 'skipped';
        const c = op.container % this.containers.length;
        const o = this.objects[i];
        if (this.containers[c].disposed) return 'DisposedError';
        if (o.owner === c) return 'ok';
        if (o.owner !== undefined) return 'WiringError';   // an object belongs to one container
        o.owner = c;
        o.hasEvents = true;
        o.retired = false;   // a retired event is replaced by a new one
        return 'ok';
      }
      case 'release': {
        const i = this.pick(op.object);
        if (i === undefined) return 'skipped';
        this.objects[i].owner = undefined;
        return 'ok';
      }
      case 'drop': {
        const i = this.pick(op.object);
        if (i === undefined) return 'skipped';
        this.objects[i].held = false;
        return 'ok';
      }
      case 'fire':
        return 'checked apart';
      case 'child': {
        const c = op.container % this.containers.length;
        if (this.containers[c].disposed) return 'DisposedError';
        if (this.containers.length >= MAX_CONTAINERS) return 'skipped';
        this.containers.push({ parent: c, disposed: false });
        return 'ok';
      }
      case 'dispose': {
        const c = op.container % this.containers.length;
        if (this.containers[c].disposed) return 'ok';
        // Disposes its children first, then unwires everything it holds.
        const disposed = new Set<number>();
        for (let i = 0; i < this.containers.length; i++) if (this.isUnder(i, c)) disposed.add(i);
        for (const i of disposed) this.containers[i].disposed = true;
        for (const o of this.objects) {
          if (o.owner === undefined || !disposed.has(o.owner)) continue;
          o.owner = undefined;
          o.retired = true;   // the container disposes the events it created
        }
        if (c === 0) {
          this.singletons.clear();
          for (const o of this.objects) o.rootHeld = false;
        }
        return 'ok';
      }
      case 'gc':
        return 'ok';
    }
  }

  /** After a forced collection: everything that could go is gone. */
  collect(): void {
    for (const o of this.objects) if (this.limbo(o)) o.gone = true;
  }

  /** The held object an operation names, if any. */
  pick(n: number): number | undefined {
    const held = this.heldObjects();
    return held.length === 0 ? undefined : held[n % held.length];
  }

  /** Container `i` is `c` or one of its descendants. */
  private isUnder(i: number, c: number): boolean {
    for (let x: number | undefined = i; x !== undefined; x = this.containers[x].parent) if (x === c) return true;
    return false;
  }

  private add(kind: KindName, owner: number, rootHeld: boolean, scopeHeld?: number): Outcome {
    this.objects.push({ kind, owner, held: true, gone: false, hasEvents: true, rootHeld, scopeHeld });
    return `object #${this.objects.length - 1}`;
  }
}

// ---------------------------------------------------------------------------------------------
// The real containers, driven in lockstep with the model. Every touch of a real object happens
// in a synchronous function, so no stack slot of the async test loop keeps a dropped one alive.

interface RealObject {
  readonly ref: WeakRef<Thing>;
  strong: Thing | undefined;
}

class Real {
  readonly containers: Container[] = [new Container()];
  readonly objects: RealObject[] = [];

  apply(op: Operation, model: Model, picked: number | undefined): Outcome {
    try {
      return this.applyOrThrow(op, model, picked);
    } catch (error) {
      return error instanceof Error ? error.name : String(error);
    }
  }

  private applyOrThrow(op: Operation, model: Model, picked: number | undefined): Outcome {
    switch (op.type) {
      case 'get': {
        const object = this.containers[op.container % this.containers.length].get(KINDS[op.kind].cls);
        return this.remember(object);
      }
      case 'wireNew': {
        const object = new KINDS[op.kind].cls();
        this.remember(object);
        this.containers[op.container % this.containers.length].wire(object);
        return `object #${this.objects.length - 1}`;
      }
      case 'wire':
        if (picked === undefined) return 'skipped';
        this.containers[op.container % this.containers.length].wire(this.objects[picked].strong!);
        return 'ok';
      case 'release': {
        if (picked === undefined) return 'skipped';
        // Released through the container that owns it (the root when none does).
        const owner = model.objects[picked].owner ?? 0;
        this.containers[owner].release(this.objects[picked].strong!);
        return 'ok';
      }
      case 'drop':
        if (picked === undefined) return 'skipped';
        this.objects[picked].strong = undefined;
        return 'ok';
      case 'fire':
        return 'checked apart';
      case 'child': {
        const parent = this.containers[op.container % this.containers.length];
        if (!parent.isDisposed && this.containers.length >= MAX_CONTAINERS) return 'skipped';
        this.containers.push(parent.createChild());   // throws DisposedError when the parent is disposed
        return 'ok';
      }
      case 'dispose':
        this.containers[op.container % this.containers.length].dispose();
        return 'ok';
      case 'gc':
        return 'ok';
    }
  }

  /** Fires one event of a held source with its id; returns what was heard. */
  fire(index: number, key: string): string[] {
    const source = this.objects[index].strong as unknown as Thing & Record<string, Event<[number]>>;
    heard.length = 0;
    try {
      source[key].fire(source.id);
    } catch (error) {
      if (error instanceof DisposedError) return ['DisposedError'];
      throw error;
    }
    const out = heard.slice().sort();
    heard.length = 0;
    return out;
  }

  id(index: number): number | undefined {
    return this.objects[index].ref.deref()?.id;
  }

  allGone(indices: readonly number[]): boolean {
    return indices.every((i) => this.objects[i].ref.deref() === undefined);
  }

  graph(): WiringGraph {
    return this.containers[0].graph();
  }

  private remember(object: Thing): Outcome {
    const known = this.objects.findIndex((o) => o.ref.deref() === object);
    if (known >= 0) {
      this.objects[known].strong = object;
      return `object #${known}`;
    }
    this.objects.push({ ref: new WeakRef(object), strong: object });
    return `object #${this.objects.length - 1}`;
  }
}

// ---------------------------------------------------------------------------------------------
// Checks

function edgeKey(publisher: string, event: string, subscriber: string, method: string): string {
  return `${publisher}.${event} -> ${subscriber}.${method}`;
}

/** The graph's edges and nodes lie between what is certain and what may still be there. */
function checkGraph(model: Model, real: Real, exact: boolean): string | undefined {
  if (model.containers[0].disposed) return undefined;
  const graph = real.graph();
  const bounds = new Map<string, { min: number; max: number }>();
  const bound = (key: string, certain: boolean): void => {
    const b = bounds.get(key) ?? { min: 0, max: 0 };
    b.max++;
    if (certain) b.min++;
    bounds.set(key, b);
  };
  for (const c of model.connections()) {
    bound(edgeKey(model.objects[c.source].kind, c.event, model.objects[c.subscriber].kind, c.method), c.certain || exact);
  }
  for (const o of model.objects) if (!o.gone && o.owner !== undefined) bound(`node ${o.kind}`, !model.limbo(o) || exact);
  const actual = new Map<string, number>();
  for (const e of graph.edges) actual.set(edgeKey(e.publisher, e.event, e.subscriber, e.method), e.connections);
  for (const n of graph.nodes) actual.set(`node ${n.name}`, n.instances);
  for (const key of new Set([...bounds.keys(), ...actual.keys()])) {
    const { min, max } = bounds.get(key) ?? { min: 0, max: 0 };
    const n = actual.get(key) ?? 0;
    if (n < min || n > max) {
      return `${key}: the graph has ${n}, the wiring rule says ${min === max ? min : `${min} to ${max}`}`;
    }
  }
  return undefined;
}

/** Fires an event of a held source and compares who heard it with the connections the rule asks for. */
function checkFire(model: Model, real: Real, op: Extract<Operation, { type: 'fire' }>): string | undefined {
  const index = model.pick(op.object);
  if (index === undefined || !model.objects[index].hasEvents) return undefined;
  const source = model.objects[index];
  const events = KINDS[source.kind].publishes;
  if (events.length === 0) return undefined;
  const event = events[op.event % events.length];
  if (source.retired === true) {
    const got = real.fire(index, event);
    return got.length === 1 && got[0] === 'DisposedError' ? undefined : `${source.kind} #${index}.${event} fired after its container was disposed: heard ${JSON.stringify(got)}, not a DisposedError`;
  }
  const sourceId = real.id(index)!;
  const required = new Set<string>();
  const optional = new Set<string>();
  for (const c of model.connections()) {
    if (c.source !== index || c.event !== event) continue;
    const line = `${real.id(c.subscriber)}.${c.method}<-${sourceId}`;
    if (c.certain) required.add(line);
    else if (real.id(c.subscriber) !== undefined) optional.add(line);
  }
  const got = real.fire(index, event);
  const missing = [...required].filter((line) => !got.includes(line));
  const extra = got.filter((line) => !required.has(line) && !optional.has(line));
  const twice = got.filter((line, i) => got.indexOf(line) !== i);
  if (missing.length + extra.length + twice.length === 0) return undefined;
  return `${source.kind} #${index}.${event} fired: missing ${JSON.stringify(missing)}, unexpected ${JSON.stringify(extra)}, ` +
    `twice ${JSON.stringify(twice)}`;
}

/** Forces collection of everything that may go, then requires the exact wiring. */
async function checkpoint(model: Model, real: Real): Promise<string | undefined> {
  const limbo = model.objects.flatMap((o, i) => (model.limbo(o) ? [i] : []));
  if (!(await collectUntil(() => real.allGone(limbo), 10))) {
    const kept = limbo.filter((i) => real.objects[i].ref.deref() !== undefined).map((i) => `${model.objects[i].kind} #${i}`);
    return `dropped objects were not collected (something still holds them): ${kept.join(', ')}`;
  }
  model.collect();
  const lost = model.objects.flatMap((o, i) => (!o.gone && real.objects[i].ref.deref() === undefined ? [`${o.kind} #${i}`] : []));
  if (lost.length > 0) return `objects still held by the test or the root container were collected: ${lost.join(', ')}`;
  let problem: string | undefined;
  await collectUntil(() => (problem = checkGraph(model, real, true)) === undefined, 5);
  return problem;
}

async function run(scenario: readonly Operation[]): Promise<void> {
  const model = new Model();
  const real = new Real();
  const fail = (step: number, problem: string): never => {
    throw new Error(`after operation #${step} (${JSON.stringify(scenario[step])}): ${problem}`);
  };
  try {
    for (let step = 0; step < scenario.length; step++) {
      const op = scenario[step];
      if (op.type === 'fire') {
        const problem = checkFire(model, real, op);
        if (problem !== undefined) fail(step, problem);
        continue;
      }
      const picked = 'object' in op ? model.pick(op.object) : undefined;
      const expected = model.apply(op);
      const actual = real.apply(op, model, picked);
      if (actual !== expected) fail(step, `returned ${actual}, the model says ${expected}`);
      const problem = op.type === 'gc' ? await checkpoint(model, real) : checkGraph(model, real, false);
      if (problem !== undefined) fail(step, problem);
    }
    const problem = await checkpoint(model, real);
    if (problem !== undefined) fail(scenario.length - 1, `at the end: ${problem}`);
  } finally {
    if (!real.containers[0].isDisposed) real.containers[0].dispose();
  }
}

describe('model-based: Container wiring against the wiring rule', () => {
  it(`should keep live connections equal to the rule over ${RUNS} random histories of get, wire, release, drop, children and dispose`, async function () {
    this.timeout(Math.max(60_000, RUNS * 1_000));
    await fc.assert(fc.asyncProperty(scenarioArb, run), { numRuns: RUNS, seed: SEED });
  });

  it('should describe the model classes as the decorators declare them', () => {
    // Guards the model itself: a subscription it does not know of would go unchecked.
    const app = new Container();
    for (const name of KIND_NAMES) app.get(KINDS[name].cls);
    const edges = app.graph().edges.map((e) => edgeKey(e.publisher, e.event, e.subscriber, e.method)).sort();
    const expected = KIND_NAMES.filter((n) => KINDS[n].publishes.length > 0).flatMap((p) =>
      KIND_NAMES.flatMap((s) => KINDS[s].subscribes.filter((x) => KINDS[p].is.includes(x.source)).map((x) => edgeKey(p, x.event, s, x.method)))).sort();
    expect(edges).to.deep.equal(expected);
    app.dispose();
  });
});
