import type { HandlerList } from './handler-list';

// The lifetime of events that hold weak records (issue 5). A weak record's state is itself
// the `WeakRef` to its target (see `RecordState`); nothing is kept per target object.

/**
 * When an event is collected while the targets of its weak records live on, marks its
 * records inactive, so whoever still holds one (a container's bookkeeping) can let it go,
 * and detaches its long-lived abort signals.
 */
const lists = new FinalizationRegistry<HandlerList>((list) => list.clear());

/** Starts tracking an event's lifetime, once it has a weak record or a signal. */
export function trackOwner(owner: object, list: HandlerList): void {
  lists.register(owner, list);
}
