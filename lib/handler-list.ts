import type { Subscription } from './subscription';

/**
 * The registrations of one event, kept apart from the `Event` object on purpose: a
 * registration reaches its list but never the event or its source, so the
 * `FinalizationRegistry` entry of a weakly held handler cannot keep a dropped source alive.
 *
 * `records` is copy-on-write: a fire iterates the array it started with, so adding or
 * removing during a fire takes effect from the next fire (a removed record is skipped
 * through its `live` flag).
 */
export class HandlerList {
  records: HandlerRecord[] = [];
  /** Weak records marked dead by the garbage collector and not yet compacted away. */
  dead = 0;
  /** How many records hold their target weakly. */
  weak = 0;
  /** The job (see `currentJob`) in which weak targets were last dereferenced into `held`. */
  heldJob = 0;
  /** Bumped on every change, so compiled dispatchers know when they are stale. */
  version = 0;
  disposed = false;
  /** True once the event owning this list is tracked for collection (see `trackOwner`). */
  ownerTracked = false;
  private compactScheduled = false;

  insert(record: HandlerRecord): void {
    const old = this.records;
    let at = old.length;
    while (at > 0 && old[at - 1].priority < record.priority) at--;
    if (at === old.length) {
      // Appending in place is safe: every fire iterates only the length it started with.
      old.push(record);
    } else {
      const next = old.slice(0, at);
      next.push(record);
      for (let i = at; i < old.length; i++) next.push(old[i]);
      this.records = next;
    }
    if (record.weak !== undefined) {
      this.weak++;
      if (this.heldJob === currentJob()) record.held = record.weak.deref();
    }
    this.version++;
  }

  /** Removes a live record; returns false if it was not live. */
  remove(record: HandlerRecord): boolean {
    if (!record.live) return false;
    record.live = false;
    const old = this.records;
    const at = old.lastIndexOf(record);
    const next = old.slice(0, at);
    for (let i = at + 1; i < old.length; i++) next.push(old[i]);
    this.records = next;
    this.forget(record);
    this.version++;
    return true;
  }

  clear(): void {
    const old = this.records;
    this.records = [];
    for (const record of old) {
      if (!record.live) continue;
      record.live = false;
      this.forget(record);
    }
    this.dead = 0;
    this.version++;
  }

  /** Marks a weak record whose target was collected; compacts once, soon after. */
  markDead(record: HandlerRecord): void {
    if (!record.live) return;
    record.live = false;
    this.forget(record);
    this.dead++;
    this.version++;
    if (!this.compactScheduled) {
      this.compactScheduled = true;
      queueMicrotask(() => this.compact());
    }
  }

  get size(): number {
    return this.records.length - this.dead;
  }

  /**
   * Dereferences every weak target once for the current job (see `currentJob`), and marks
   * the records whose target is gone dead (which bumps the version), so compiled
   * dispatchers need not test each `held`.
   */
  holdTargets(): void {
    const records = this.records;
    for (let i = 0; i < records.length; i++) {
      const record = records[i];
      if (record.weak === undefined || !record.live) continue;
      const target = record.weak.deref();
      record.held = target;
      if (target === undefined) this.markDead(record);
    }
    this.heldJob = currentJob();
    keepUntilJobEnds(this);
  }

  releaseTargets(): void {
    const records = this.records;
    for (let i = 0; i < records.length; i++) records[i].held = undefined;
  }

  private compact(): void {
    this.compactScheduled = false;
    if (this.dead === 0) return;
    this.records = this.records.filter((r) => r.live);
    this.dead = 0;
    this.version++;
  }

  private forget(record: HandlerRecord): void {
    record.held = undefined;
    if (record.weak !== undefined) {
      this.weak--;
      record.weak.records.delete(record);
    }
    record.detach?.();
  }
}

let registrations = 0;

/** One handler's registration. It is the `Subscription` handed to the user. */
export class HandlerRecord implements Subscription {
  live = true;
  /** Strong reference to the weak target, only for the duration of the current job. */
  held: object | undefined = undefined;
  /** Consecutive failures, for quarantine. */
  failures = 0;
  /** Undoes side registrations (an AbortSignal listener), if any. */
  detach: (() => void) | undefined = undefined;
  /** Registration order, for `remove(fn)`: the records array is in priority order. */
  readonly seq = ++registrations;

  constructor(
    readonly list: HandlerList,
    readonly fn: (...args: any[]) => unknown,
    readonly weak: WeakTarget | undefined,
    readonly once: boolean,
    readonly priority: number,
    readonly info: boolean,
  ) {}

  get active(): boolean {
    return this.live;
  }

  unsubscribe(): void {
    this.list.remove(this);
  }

  [Symbol.dispose](): void {
    this.list.remove(this);
  }
}

// ---------------------------------------------------------------------------
// Weak targets
//
// WeakRef.deref() costs 15-22 ns and keeps its target alive until the current job
// ends anyway. So a fire dereferences each weak target once per job into
// `record.held`, and a microtask clears every `held` when the job ends: within one job
// the weak path reads a plain field, and no strong reference outlives the job.

let job = 1;
let endScheduled = false;
const kept: HandlerList[] = [];

/** A number that changes whenever a job (a macrotask and its microtasks) has ended. */
export function currentJob(): number {
  return job;
}

/** A settled promise: `then` on it queues a plain V8 microtask (Node's `queueMicrotask` also creates an async resource, about 10x dearer). */
const settled = Promise.resolve();

function keepUntilJobEnds(list: HandlerList): void {
  kept.push(list);
  if (!endScheduled) {
    endScheduled = true;
    void settled.then(endJob);
  }
}

function endJob(): void {
  endScheduled = false;
  job++;
  for (let i = 0; i < kept.length; i++) kept[i].releaseTargets();
  kept.length = 0;
}

/**
 * The weak side of every registration on one target: one `WeakRef` and one finalization
 * entry per target object, however many handlers it has. (Registering each record with an
 * unregister token instead leaks about 25 bytes per registration in V8 11, even after the
 * target is collected.)
 */
export class WeakTarget {
  readonly records = new Set<HandlerRecord>();
  private readonly ref: WeakRef<object>;

  constructor(target: object) {
    this.ref = new WeakRef(target);
  }

  deref(): object | undefined {
    return this.ref.deref();
  }
}

const weakTargets = new WeakMap<object, WeakTarget>();

/** Marks the records of a collected target dead. The callback only marks. */
const targets = new FinalizationRegistry<WeakTarget>((weak) => {
  for (const record of weak.records) record.list.markDead(record);
  weak.records.clear();
});

/**
 * When an event is collected while the targets of its weak records live on, forgets those
 * records, so the targets do not keep them, and marks them inactive, so whoever still holds
 * one (a container's bookkeeping) can let it go.
 */
const lists = new FinalizationRegistry<HandlerList>((list) => {
  for (const record of list.records) {
    record.live = false;
    record.weak?.records.delete(record);
  }
});

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
