import { listOf, type HandlerList, type HandlerRecord } from './handler-list';

// Weak targets: one weak reference and one finalization entry per target object (issue 5),
// and the tracking of events that hold weak records (so that their targets let go of them).

/**
 * The weak side of every registration on one target: one weak reference and one
 * finalization entry per target object, however many handlers it has. (Registering each
 * record with an unregister token instead leaks about 25 bytes per registration in V8 11,
 * even after the target is collected.) It is itself the `WeakRef`, and it keeps a single
 * record without an array.
 */
export class WeakTarget extends WeakRef<object> {
  /** The records on this target: none, one, or several. */
  records: HandlerRecord | HandlerRecord[] | undefined = undefined;

  add(record: HandlerRecord): void {
    const records = this.records;
    if (records === undefined) this.records = record;
    else if (Array.isArray(records)) records.push(record);
    else this.records = [records, record];
  }

  delete(record: HandlerRecord): void {
    const records = this.records;
    if (records === record) {
      this.records = undefined;
    } else if (Array.isArray(records)) {
      const at = records.indexOf(record);
      if (at >= 0) records.splice(at, 1);
      if (records.length === 1) this.records = records[0];
      else if (records.length === 0) this.records = undefined;
    }
  }

  /** Takes every record off the target. */
  take(): HandlerRecord[] {
    const records = this.records;
    this.records = undefined;
    return records === undefined ? [] : Array.isArray(records) ? records : [records];
  }
}

const weakTargets = new WeakMap<object, WeakTarget>();

/** Marks the records of a collected target dead. The callback only marks. */
const targets = new FinalizationRegistry<WeakTarget>((weak) => {
  for (const record of weak.take()) listOf(record).markDead(record);
});

/**
 * When an event is collected while the targets of its weak records live on, forgets those
 * records, so the targets do not keep them, and marks them inactive, so whoever still holds
 * one (a container's bookkeeping) can let it go.
 */
const lists = new FinalizationRegistry<HandlerList>((list) => list.abandon());

/** The weak side of `target`, created on first use. */
export function weakTarget(target: object): WeakTarget {
  let weak = weakTargets.get(target);
  if (weak === undefined) {
    weak = new WeakTarget(target);
    weakTargets.set(target, weak);
    targets.register(target, weak);
  }
  return weak;
}

/** Starts tracking an event's lifetime, once it has a weak record. */
export function trackOwner(owner: object, list: HandlerList): void {
  lists.register(owner, list);
}
