import type { PublishedEvent, SubscribedEvent } from './metadata';

/**
 * @internal The seam between the wiring rule and a cross-process bridge. The wiring calls it
 * for events declared with `@publishes(name, { remote: true })` when its container has a
 * bridge; without one, remote events are wired locally like any other.
 *
 * - `forwarder` is called once per remote event the container creates; the handler it returns
 *   is added to that event, so every local fire is forwarded.
 * - `listen` is called when a subscriber of a remote event is adopted; the bridge delivers
 *   remote fires to the live objects `instances()` returns. Local connections to remote events
 *   are NOT made, so a process never handles its own event twice.
 */
export interface RemoteLink {
  forwarder(source: object, declared: PublishedEvent): (...args: unknown[]) => unknown;
  listen(subscriber: Function, subscription: SubscribedEvent, publisher: Function, declared: PublishedEvent, instances: () => object[]): void;
}
