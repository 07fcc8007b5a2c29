import type { CarrierInfo } from './extension';
import { publishedEvents } from './metadata';
import { forwardedVia, type Connection } from './wiring';

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
   * publisher may be in another process (its objects are then not counted). A FORWARDING edge
   * has `'*'` as its `subscriber` and `method`: the publisher's fires leave
   * the process through the extension, to whatever subscribes where they go (its `connections`
   * count the publisher's objects). Every remote event a live object publishes has one, with or
   * without a subscriber in this process.
   */
  readonly kind?: string;
  /**
   * The group of a carried edge: for `'remote'`, the consumer group (`billing/Mailer.onOrderPlaced`),
   * or, on a forwarding edge, the namespace the events are published to (`shop`).
   */
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

/** The `subscriber` and `method` of a forwarding edge (see {@link WiringEdge.kind}): whoever subscribes where the fires go. */
export const FORWARDED = '*';

/** @internal Aggregates live objects, their forwarded events and connections by class. */
export function buildGraph(objects: readonly object[], connections: readonly Connection[]): WiringGraph {
  const instances = new Map<string, number>();
  // One edge per distinct (publisher, event, subscriber, method, carrier): its text is its key.
  const edges = new Map<string, WiringEdge & { connections: number }>();
  const add = (publisher: string, event: string, subscriber: string, method: string, via: CarrierInfo | undefined): void => {
    const edge = { publisher, event, subscriber, method, connections: 1, ...(via === undefined ? {} : { kind: via.kind, group: via.group }) };
    const key = JSON.stringify(edge);
    const seen = edges.get(key);
    if (seen !== undefined) seen.connections++;
    else edges.set(key, edge);
  };
  for (const object of objects) {
    const name = object.constructor.name;
    instances.set(name, (instances.get(name) ?? 0) + 1);
    for (const declared of publishedEvents(object.constructor)) {
      const via = forwardedVia((object as Record<string | symbol, unknown>)[declared.key]);
      if (via !== undefined) add(name, declared.name, FORWARDED, FORWARDED, via);
    }
  }
  for (const c of connections) add(c.publisher.name, c.event, c.subscriber.name, c.method, c.via);
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
