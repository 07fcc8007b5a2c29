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
  private compactScheduled = false;

  insert(record: HandlerRecord): void {
    const old = this.records;
    let at = old.length;
    while (at > 0 && old[at - 1].priority < record.priority) at--;
    const next = old.slice(0, at);
    next.push(record);
    for (let i = at; i < old.length; i++) next.push(old[i]);
    this.records = next;
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
    this.records = this.records.filter((r) => r !== record);
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

  /** Dereferences every weak target once for the current job (see `currentJob`). */
  holdTargets(): void {
    const records = this.records;
    for (let i = 0; i < records.length; i++) {
      const record = records[i];
      if (record.weak !== undefined) record.held = record.weak.deref();
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
      targets.unregister(record);
    }
    record.detach?.();
  }
}

/** One handler's registration. It is the `Subscription` handed to the user. */
export class HandlerRecord implements Subscription {
  live = true;
  /** Strong reference to the weak target, only for the duration of the current job. */
  held: object | undefined = undefined;
  /** Consecutive failures, for quarantine. */
  failures = 0;
  /** Undoes side registrations (an AbortSignal listener), if any. */
  detach: (() => void) | undefined = undefined;

  constructor(
    readonly list: HandlerList,
    readonly fn: (...args: any[]) => unknown,
    readonly weak: WeakRef<object> | undefined,
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

function keepUntilJobEnds(list: HandlerList): void {
  kept.push(list);
  if (!endScheduled) {
    endScheduled = true;
    queueMicrotask(endJob);
  }
}

function endJob(): void {
  endScheduled = false;
  job++;
  for (let i = 0; i < kept.length; i++) kept[i].releaseTargets();
  kept.length = 0;
}

/** Marks a weak record dead when its target is collected. The callback only marks. */
const targets = new FinalizationRegistry<HandlerRecord>((record) => record.list.markDead(record));

/**
 * When an event is collected while the targets of its weak records live on, unregisters
 * those records, so the registry does not keep them, and marks them inactive, so whoever
 * still holds one (a container's bookkeeping) can let it go.
 */
const lists = new FinalizationRegistry<HandlerList>((list) => {
  for (const record of list.records) {
    record.live = false;
    if (record.weak !== undefined) targets.unregister(record);
  }
});

/** Starts tracking a weak record's target. */
export function trackTarget(target: object, record: HandlerRecord): void {
  targets.register(target, record, record);
}

/** Starts tracking an event's lifetime, once it has a weak record. */
export function trackOwner(owner: object, list: HandlerList): void {
  lists.register(owner, list);
}
