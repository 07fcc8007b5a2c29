import type { Connection } from './wiring';

/**
 * The live wiring as data: what `container.graph()` returns. The renderers and the static graph
 * (what the decorators declare, nothing constructed) are in lib/tools/graph.ts.
 */

/** One arrow: a subscriber class's method on a publisher class's event. */
export interface GraphEdge {
  readonly publisher: string;
  readonly event: string;
  readonly subscriber: string;
  readonly method: string;
}

/** One edge of the live wiring: a subscriber class's method on a publisher class's event. */
export interface WiringEdge extends GraphEdge {
  /** Live connections (publisher objects x subscriber objects) behind this edge. */
  readonly connections: number;
  /**
   * Set on an edge that a container extension carries: `'remote'` for `remoteEvents()`, whose
   * publisher may be in another process (its objects are then not counted).
   */
  readonly kind?: string;
  /** The group of a carried edge: for `'remote'`, the consumer group (`billing/Mailer.onOrderPlaced`). */
  readonly group?: string;
}

/** A class taking part in the wiring. */
export interface WiringNode {
  readonly name: string;
  /** Live objects of the class. */
  readonly instances: number;
}

/** The wiring as data: what `container.graph()` returns, and what the diagram renderers draw. */
export interface WiringGraph {
  readonly nodes: readonly WiringNode[];
  readonly edges: readonly WiringEdge[];
}

/** @internal Aggregates live objects and connections by class. */
export function buildGraph(objects: readonly object[], connections: readonly Connection[]): WiringGraph {
  const instances = new Map<string, number>();
  for (const object of objects) {
    const name = object.constructor.name;
    instances.set(name, (instances.get(name) ?? 0) + 1);
  }
  // One edge per distinct (publisher, event, subscriber, method, carrier): its text is its key.
  const edges = new Map<string, WiringEdge & { connections: number }>();
  for (const c of connections) {
    const edge = {
      publisher: c.publisher.name, event: c.event, subscriber: c.subscriber.name, method: c.method, connections: 1,
      ...(c.via === undefined ? {} : { kind: c.via.kind, group: c.via.group }),
    };
    const key = JSON.stringify(edge);
    const seen = edges.get(key);
    if (seen !== undefined) seen.connections++;
    else edges.set(key, edge);
  }
  return {
    nodes: [...instances].map(([name, count]) => ({ name, instances: count })).sort((a, b) => a.name.localeCompare(b.name)),
    edges: [...edges.values()].sort(byEdge),
  };
}

/** Orders edges by publisher, event, subscriber, method. */
export function byEdge(a: GraphEdge, b: GraphEdge): number {
  return a.publisher.localeCompare(b.publisher) || a.event.localeCompare(b.event) ||
    a.subscriber.localeCompare(b.subscriber) || a.method.localeCompare(b.method);
}
