/**
 * The handle returned by `Event.add()`: one handler's registration on one event.
 *
 * Unsubscribing is idempotent. It is also `Disposable`, so a registration can be
 * scoped with `using sub = event.add(...)`.
 */
export interface Subscription extends Disposable {
  /** True until the handler is removed (by `unsubscribe`, `once`, its signal, quarantine, or garbage collection of its target). */
  readonly active: boolean;
  /** Removes the handler. Calling it again does nothing. */
  unsubscribe(): void;
}

/** A subscription that was never active, returned when an already aborted signal is passed. */
export const inactiveSubscription: Subscription = Object.freeze({
  active: false,
  unsubscribe(): void { /* nothing to remove */ },
  [Symbol.dispose](): void { /* nothing to remove */ },
});
