import { publishedEvents, subscribedEvents } from '../wiring/metadata';
import { byEdge, FORWARDED, type GraphEdge, type WiringEdge, type WiringGraph, type WiringNode } from '../wiring/graph';

export type { GraphEdge, WiringEdge, WiringGraph, WiringNode } from '../wiring/graph';

/**
 * The wiring as data, and three ways to draw it: Mermaid (renders as a picture on code
 * hosts), Graphviz DOT, and an indented text form for terminals. Two graphs share the
 * renderers: the live one of `container.graph()` (objects that exist now) and the static one
 * of {@link staticGraph} (what the decorators declare, nothing constructed).
 */

/** A class of a {@link StaticGraph}. */
export interface StaticNode {
  readonly name: string;
  /** The declared names of the events it publishes, its ancestors' included. */
  readonly publishes: readonly string[];
}

/** A `@subscribes` whose source class does not publish the event: the container would refuse it. */
export interface UnpublishedSubscription {
  readonly subscriber: string;
  readonly method: string;
  readonly source: string;
  /** The event as written in `@subscribes`. */
  readonly event: string;
  /** What the source class does publish. */
  readonly published: readonly string[];
}

/**
 * An event a class publishes that no class of the set subscribes to. A remote one may have its
 * subscribers in other processes.
 */
export interface UnsubscribedEvent {
  readonly publisher: string;
  readonly event: string;
  /** `'remote'` for an event declared `@publishes(name, { remote: true })`. */
  readonly kind?: 'remote';
}

/** One arrow of a {@link StaticGraph}: a subscriber class's method on a publisher class's event. */
export interface StaticEdge extends GraphEdge {
  /**
   * `'remote'` for an event declared `@publishes(name, { remote: true })`: in a container with
   * `remoteEvents()` it travels through the broker, to a consumer group per subscriber method.
   */
  readonly kind?: 'remote';
}

/** The wiring that decorators declare for a set of classes, with what looks wrong in it. */
export interface StaticGraph {
  readonly nodes: readonly StaticNode[];
  readonly edges: readonly StaticEdge[];
  /** Subscriptions to events their source class does not publish. */
  readonly unpublished: readonly UnpublishedSubscription[];
  /** Published events that no class of the set subscribes to. */
  readonly unsubscribed: readonly UnsubscribedEvent[];
}


/**
 * @internal What a static graph needs to know of a class: read from the decorators' metadata
 * ({@link staticGraph}), or from TypeScript source code (the `eventwire graph` command).
 */
export interface ClassShape<N> {
  /** The class's name. */
  name(node: N): string;
  /**
   * The events it publishes, its ancestors' included (a subclass redeclaring a key wins);
   * `remote` when declared `{ remote: true }`.
   */
  published(node: N): readonly { readonly key: string | symbol; readonly name: string; readonly remote?: boolean }[];
  /** Its subscriptions, its ancestors' included. */
  subscribed(node: N): readonly { readonly method: string | symbol; readonly source: N; readonly event: string | symbol }[];
  /** True when `node` is `base` or a subclass of it. */
  extends(node: N, base: N): boolean;
  /** True for a class declared `abstract` (known from source code only). */
  isAbstract(node: N): boolean;
}

const metadataShape: ClassShape<Function> = {
  name: (ctor) => ctor.name,
  published: (ctor) => publishedEvents(ctor).map(({ key, name, options }) => ({ key, name, remote: options.remote === true })),
  subscribed: subscribedEvents,
  extends: extendsClass,
  isAbstract: () => false,
};

/**
 * The wiring declared by the decorators of `classes`, read from metadata alone: nothing is
 * constructed. An edge goes from every class of the set that is (or extends) a
 * subscription's source; a source class outside the set is added when nothing in the set
 * extends it. Classes with no `@publishes` or `@subscribes` are left out. A lazy source
 * (`@subscribes(() => Source, key)`) is resolved.
 *
 * @param classes The classes to draw, e.g. every export of a module.
 * @example
 * console.log(toMermaid(staticGraph([Checkout, Inventory, Mailer])));
 */
export function staticGraph(classes: Iterable<Function>): StaticGraph {
  return declaredGraph([...classes].filter((c) => typeof c === 'function'), metadataShape);
}

/**
 * @internal The static graph of `classes` described by `shape`. An abstract class that a
 * class of the set extends is drawn through its subclasses only (they inherit its events and
 * subscriptions), so each edge is drawn once.
 */
export function declaredGraph<N>(classes: Iterable<N>, shape: ClassShape<N>): StaticGraph {
  const findEvent = (node: N, key: string | symbol) => {
    const published = shape.published(node);
    return published.find((e) => e.key === key) ?? published.find((e) => e.name === key);
  };
  let set: N[] = [];
  const add = (node: N): void => {
    if (!set.includes(node) && (shape.published(node).length > 0 || shape.subscribed(node).length > 0)) set.push(node);
  };
  for (const node of classes) add(node);
  const given = [...set];
  for (const node of given) {
    for (const { source } of shape.subscribed(node)) {
      if (!given.some((c) => shape.extends(c, source))) add(source);
    }
  }
  set = set.filter((node) => !shape.isAbstract(node) || !set.some((other) => other !== node && shape.extends(other, node)));
  const name = displayNames(set, shape.name);

  const edges = new Map<string, StaticEdge>();
  const unpublished: UnpublishedSubscription[] = [];
  const heard = new Set<string>();
  for (const subscriber of set) {
    for (const { source, event, method } of shape.subscribed(subscriber)) {
      if (findEvent(source, event) === undefined) {
        unpublished.push({
          subscriber: name(subscriber), method: String(method), source: name(source), event: String(event),
          published: shape.published(source).map((e) => e.name),
        });
        continue;
      }
      for (const publisher of set) {
        if (!shape.extends(publisher, source)) continue;
        const declared = findEvent(publisher, event)!;
        heard.add(`${name(publisher)}\0${String(declared.key)}`);
        const edge = { publisher: name(publisher), event: declared.name, subscriber: name(subscriber), method: String(method) };
        edges.set(Object.values(edge).join('\0'), declared.remote === true ? { ...edge, kind: 'remote' } : edge);
      }
    }
  }
  const unsubscribed: UnsubscribedEvent[] = [];
  for (const publisher of set) {
    for (const declared of shape.published(publisher)) {
      if (heard.has(`${name(publisher)}\0${String(declared.key)}`)) continue;
      unsubscribed.push({ publisher: name(publisher), event: declared.name, ...(declared.remote === true ? { kind: 'remote' as const } : {}) });
    }
  }
  return {
    nodes: set.map((c) => ({ name: name(c), publishes: shape.published(c).map((e) => e.name) })).sort((a, b) => a.name.localeCompare(b.name)),
    edges: [...edges.values()].sort(byEdge),
    unpublished: unpublished.sort((a, b) => a.subscriber.localeCompare(b.subscriber) || a.method.localeCompare(b.method)),
    unsubscribed: unsubscribed.sort((a, b) => a.publisher.localeCompare(b.publisher) || a.event.localeCompare(b.event)),
  };
}

/** A graph any renderer draws: the live one of `container.graph()` or a static one. */
export type AnyGraph = WiringGraph | StaticGraph;

const NOBODY = '(no subscriber)';
/** Where a forwarding edge (subscriber `'*'`) points: the fires leave the process. */
const ELSEWHERE = '(forwarded)';

/**
 * The graph as a Mermaid flowchart (a ```mermaid block renders as a picture on GitHub and
 * GitLab). Classes are nodes; each arrow is labelled `event → method`. Live counts above 1
 * are shown as `×n`. A connection a container extension carries (a remote event) is a dashed
 * arrow marked with its kind and group: `(remote: Billing.onOrderPlaced)`, and an event whose
 * fires leave the process (forwarded by a container extension) a dashed arrow to "forwarded",
 * marked with where they go: `(remote: shop)`; in a static graph,
 * an event declared `{ remote: true }` is marked `(remote)`. An event nobody
 * subscribes to is a dashed arrow to "no subscriber"; a subscription to an event its source
 * does not publish is a dashed arrow marked "not published".
 */
export function toMermaid(graph: AnyGraph): string {
  const ids = new NodeIds((name) => {
    const id = name.replace(/[^A-Za-z0-9_]/g, '_');
    return /^[A-Za-z]/.test(id) && !MERMAID_KEYWORDS.has(id.toLowerCase()) ? id : `n_${id}`;
  });
  const lines = ['flowchart LR'];
  for (const node of graph.nodes) lines.push(`  ${ids.of(node.name)}["${mermaidText(node.name + times(instancesOf(node)))}"]`);
  for (const edge of graph.edges) {
    if (isForwarding(edge) && !ids.has(ELSEWHERE)) lines.push(`  ${ids.of(ELSEWHERE)}(("${mermaidText('forwarded')}"))`);
    const label = `${edge.event}${isForwarding(edge) ? '' : ` → ${edge.method}`}${times(connectionsOf(edge))}${carried(edge)}`;
    lines.push(`  ${ids.of(edge.publisher)} ${kindOf(edge) === undefined ? '-->' : '-.->'}|"${mermaidText(label)}"| ${ids.of(target(edge))}`);
  }
  if ('unpublished' in graph) {
    for (const s of graph.unpublished) {
      lines.push(`  ${ids.of(s.source)} -.->|"${mermaidText(`${s.event} (not published) → ${s.method}`)}"| ${ids.of(s.subscriber)}`);
    }
    if (graph.unsubscribed.length > 0) {
      const nobody = ids.of(NOBODY);
      lines.push(`  ${nobody}(("${mermaidText('no subscriber')}"))`);
      for (const e of graph.unsubscribed) lines.push(`  ${ids.of(e.publisher)} -.->|"${mermaidText(e.event + carried(e))}"| ${nobody}`);
    }
  }
  return lines.join('\n') + '\n';
}

/**
 * The graph in Graphviz DOT (`eventwire graph app.js --format dot | dot -Tsvg > wiring.svg`).
 * Same content as {@link toMermaid}; carried (remote) connections and problems are dashed, and
 * red for unpublished events.
 */
export function toDot(graph: AnyGraph): string {
  const q = (text: string): string => `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
  const lines = [
    'digraph eventwire {',
    '  rankdir=LR;',
    '  node [shape=box, fontname="Helvetica"];',
    '  edge [fontname="Helvetica", fontsize=10];',
  ];
  for (const node of graph.nodes) {
    const count = instancesOf(node);
    lines.push(`  ${q(node.name)}${count > 1 ? ` [label=${q(node.name + times(count))}]` : ''};`);
  }
  if (graph.edges.some(isForwarding)) lines.push(`  ${q(ELSEWHERE)} [shape=plaintext, fontcolor=gray40];`);
  for (const edge of graph.edges) {
    const label = q(`${edge.event}${isForwarding(edge) ? '' : ` → ${edge.method}`}${times(connectionsOf(edge))}${carried(edge)}`);
    lines.push(`  ${q(edge.publisher)} -> ${q(target(edge))} [label=${label}${kindOf(edge) === undefined ? '' : ', style=dashed'}];`);
  }
  if ('unpublished' in graph) {
    for (const s of graph.unpublished) {
      lines.push(`  ${q(s.source)} -> ${q(s.subscriber)} [label=${q(`${s.event} (not published) → ${s.method}`)}, style=dashed, color=red, fontcolor=red];`);
    }
    if (graph.unsubscribed.length > 0) {
      lines.push(`  ${q(NOBODY)} [shape=plaintext, fontcolor=gray40];`);
      for (const e of graph.unsubscribed) lines.push(`  ${q(e.publisher)} -> ${q(NOBODY)} [label=${q(e.event + carried(e))}, style=dashed, color=gray40];`);
    }
  }
  lines.push('}');
  return lines.join('\n') + '\n';
}

/**
 * The graph as indented text for terminals: each `Publisher.event` followed by the
 * `Subscriber.method`s it reaches (a remote one marked `(remote: <consumer group>)`, or
 * `(remote)` in a static graph; `(forwarded) (remote: <namespace>)` when its fires leave the
 * process), then
 * classes with no connection and the problems found.
 *
 * @example
 * Checkout.orderPlaced
 *   -> Inventory.reserve
 *   -> Mailer.sendConfirmation
 * Purchasing.reorderSent
 *   -> (no subscriber)
 */
export function toText(graph: AnyGraph): string {
  const groups = new Map<string, string[]>();
  const group = (publisher: string, event: string): string[] => {
    const key = `${publisher}.${event}`;
    let list = groups.get(key);
    if (list === undefined) groups.set(key, list = []);
    return list;
  };
  for (const edge of graph.edges) {
    group(edge.publisher, edge.event).push(`${isForwarding(edge) ? ELSEWHERE : `${edge.subscriber}.${edge.method}`}${times(connectionsOf(edge), ' x')}${carried(edge)}`);
  }
  const problems: string[] = [];
  if ('unpublished' in graph) {
    for (const e of graph.unsubscribed) group(e.publisher, e.event).push(NOBODY + carried(e));
    for (const s of graph.unpublished) {
      const published = s.published.length > 0 ? `it publishes ${s.published.join(', ')}` : 'it publishes no event';
      problems.push(`! ${s.subscriber}.${s.method} subscribes to ${s.source}.${s.event}, which ${s.source} does not publish (${published})`);
    }
  }
  const lines: string[] = [];
  for (const key of [...groups.keys()].sort((a, b) => a.localeCompare(b))) {
    lines.push(key);
    for (const target of groups.get(key)!) lines.push(`  -> ${target}`);
  }
  const connected = new Set<string>();
  for (const edge of graph.edges) connected.add(edge.publisher).add(edge.subscriber);   // '*' of a forwarding edge: no class has that name
  if ('unpublished' in graph) {
    for (const e of graph.unsubscribed) connected.add(e.publisher);
    for (const s of graph.unpublished) connected.add(s.subscriber).add(s.source);
  }
  for (const node of graph.nodes) {
    if (!connected.has(node.name)) lines.push(`${node.name}${times(instancesOf(node), ' x')} (no connection)`);
  }
  lines.push(...problems);
  if (lines.length === 0) lines.push('(no wired class)');
  return lines.join('\n') + '\n';
}


/** True when `ctor` is `base` or a subclass of it. */
function extendsClass(ctor: Function, base: Function): boolean {
  return ctor === base || (typeof base.prototype === 'object' && base.prototype !== null &&
    Object.prototype.isPrototypeOf.call(base.prototype, ctor.prototype));
}

/** Class names, with ` (2)`, ` (3)` added to distinct classes that share a name. */
function displayNames<N>(classes: readonly N[], nameOf: (node: N) => string): (node: N) => string {
  const names = new Map<N, string>();
  const taken = new Map<string, number>();
  const of = (node: N): string => {
    let name = names.get(node);
    if (name === undefined) {
      const base = nameOf(node) || '(anonymous class)';
      const n = (taken.get(base) ?? 0) + 1;
      taken.set(base, n);
      names.set(node, name = n === 1 ? base : `${base} (${n})`);
    }
    return name;
  };
  for (const node of classes) of(node);
  return of;
}

function instancesOf(node: WiringNode | StaticNode): number {
  return 'instances' in node ? node.instances : 1;
}

function connectionsOf(edge: GraphEdge): number {
  return 'connections' in edge ? (edge as WiringEdge).connections : 1;
}

/** A forwarding edge of a live graph (see `WiringEdge.kind`): the publisher's fires leave the process. */
function isForwarding(edge: GraphEdge): boolean {
  return edge.subscriber === FORWARDED && kindOf(edge) !== undefined;
}

/** The node an edge points to: its subscriber, or {@link ELSEWHERE} for a forwarding edge. */
function target(edge: GraphEdge): string {
  return isForwarding(edge) ? ELSEWHERE : edge.subscriber;
}

function kindOf(edge: GraphEdge): string | undefined {
  return (edge as WiringEdge | StaticEdge).kind;
}

/**
 * ` (remote: billing/Mailer.onOrderPlaced)` for an edge an extension carries, ` (remote)` for
 * an edge or unsubscribed event of a static graph declared remote, else nothing.
 */
function carried(edge: GraphEdge | UnsubscribedEvent): string {
  const { kind, group } = edge as Partial<WiringEdge>;
  return kind === undefined ? '' : ` (${kind}${group === undefined ? '' : `: ${group}`})`;
}

function times(count: number, sign = ' ×'): string {
  return count > 1 ? `${sign}${count}` : '';
}

const MERMAID_KEYWORDS = new Set(['end', 'graph', 'flowchart', 'subgraph', 'style', 'class', 'classdef', 'click', 'linkstyle', 'direction', 'default']);

function mermaidText(text: string): string {
  return text.replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;');
}

/** Stable, unique Mermaid ids for node names. */
class NodeIds {
  private readonly ids = new Map<string, string>();
  private readonly used = new Set<string>();

  constructor(private readonly make: (name: string) => string) {}

  has(name: string): boolean {
    return this.ids.has(name);
  }

  of(name: string): string {
    let id = this.ids.get(name);
    if (id === undefined) {
      const base = name === NOBODY ? 'no_subscriber' : name === ELSEWHERE ? 'forwarded' : this.make(name);
      id = base;
      for (let n = 2; this.used.has(id); n++) id = `${base}_${n}`;
      this.used.add(id);
      this.ids.set(name, id);
    }
    return id;
  }
}
