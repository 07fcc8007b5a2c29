import type { Subscription } from './subscription';

/**
 * The registrations of one event, kept apart from the `Event` object on purpose: a
 * registration reaches its list but never the event or its source, so neither a record
 * kept by someone else nor the `FinalizationRegistry` entry that holds the list until its
 * event is collected (see `trackOwner`) can keep a dropped event or source alive.
 *
 * `records` is append-only in place and otherwise copy-on-write: a fire iterates the array
 * it started with, up to the length it started with, so adding or removing during a fire
 * takes effect from the next fire (a removed record is skipped because it is no longer
 * live, see {@link HandlerRecord}; it stays in place as a tombstone until `compact`).
 */
export class HandlerList {
  records: HandlerRecord[] = [];
  /** Tombstones in `records`: records removed, or marked dead by the collector, not yet compacted away. */
  dead = 0;
  /** How many records hold their target weakly. */
  weak = 0;
  /** Bumped on every change, so compiled dispatchers know when they are stale. */
  version = 0;
  disposed = false;
  /** True once the event owning this list is tracked for collection (see `trackOwner`). */
  ownerTracked = false;
  /**
   * The live records in registration order, for `remove(fn)`; kept only once a record
   * with a priority other than 0 was added. Until then `records` itself is in
   * registration order (every insert appends).
   */
  order: HandlerRecord[] | undefined = undefined;
  private compactScheduled = false;
  /**
   * `insert` sweeps (see `sweep`) when `weak` reaches this: twice the weak records found
   * live by the last sweep, at least SWEEP_AT, so sweeping costs O(1) per weak `add`.
   */
  private sweepAt = SWEEP_AT;
  /**
   * The state shared by the records added with `{ once: true }` and no other option: made
   * once per list, never changed (a record removed leaves it for `DEAD`, as a plain one
   * does), so such a record costs no state of its own.
   */
  private onceState: RecordState | undefined = undefined;

  /** The shared state of plain `once` records (see `onceState`). */
  once(): RecordState {
    return this.onceState ??= new RecordState(this, LIVE | ONCE, undefined, undefined);
  }

  /** True if `s` is the state shared by plain `once` records of this list. */
  sharesOnce(s: HandlerList | RecordState): boolean {
    return s === this.onceState && s !== undefined;
  }

  insert(record: HandlerRecord): void {
    const old = this.records;
    const state = record.s;
    if (this.order === undefined && (state === this || (state as RecordState).extra === undefined)) {
      // Every priority is 0 (none other was ever used): append, in place. Safe during a
      // fire, which iterates only the length it started with.
      old.push(record);
    } else {
      const priority = priorityOf(record);
      if (priority !== 0 && this.order === undefined) this.order = old.filter(isLive);
      this.order?.push(record);
      let at = old.length;
      while (at > 0 && priorityOf(old[at - 1]) < priority) at--;
      if (at === old.length) {
        // Appending in place is safe: every fire iterates only the length it started with.
        old.push(record);
      } else {
        const next = old.slice();
        next.splice(at, 0, record);
        this.records = next;
      }
    }
    this.version++;
    if (state !== this && ((state as RecordState).flags & WEAK) !== 0 && ++this.weak >= this.sweepAt) this.sweep();
  }

  /**
   * Removes a live record; returns false if it was not live. The record stays in `records`
   * as a tombstone (no longer live, so every fire skips it) until enough of them pile up to
   * be worth one copy (`compact`): removing does not copy the array, and an `add` + `remove`
   * pair costs two small writes.
   */
  remove(record: HandlerRecord): boolean {
    if (!this.drop(record)) return false;
    const dead = this.dead;
    if (dead >= COMPACT_AT && dead * 2 >= this.records.length) this.compact();
    return true;
  }

  /**
   * Removes every record. Also what happens once the event owning this list was collected
   * (see `trackOwner`): whoever still holds a record (a container's bookkeeping) finds it
   * inactive and can let it go, and long-lived abort signals let go of theirs.
   */
  clear(): void {
    const old = this.records;
    this.records = [];
    this.order = undefined;
    for (const record of old) this.drop(record);
    this.dead = 0;
    this.version++;
  }

  /** Marks a weak record whose target was collected; compacts once, soon after. */
  markDead(record: HandlerRecord): void {
    if (!this.drop(record) || this.compactScheduled) return;
    this.compactScheduled = true;
    queueMicrotask(() => {
      this.compactScheduled = false;
      this.compact();
    });
  }

  /** Records live or not yet found dead (a collected weak target is found by a fire or a `sweep`). */
  get size(): number {
    return this.records.length - this.dead;
  }

  /**
   * Finds the weak records whose target was collected, marks them dead and compacts. Nothing
   * tells a list when a target is collected (a FinalizationRegistry cell per target cost
   * about 72 bytes, a WeakMap entry to share it 32 more): a fire finds the dead records it
   * meets, and this finds the rest, called by `insert` every time the weak records doubled
   * (so a quiet event's dead records stay fewer than its live ones, plus SWEEP_AT), by
   * `Event.size` and by `Subscription.active`. Dereferencing keeps the live targets until
   * the current job ends, as a fire does.
   */
  sweep(): void {
    if (this.weak > 0) {
      const records = this.records;
      for (let i = 0; i < records.length; i++) {
        if (isCollected(records[i].s)) this.drop(records[i]);
      }
      this.compact();
    }
    this.sweepAt = Math.max(SWEEP_AT, this.weak * 2);
  }

  /**
   * Counts a failure of `record` toward quarantine and returns the consecutive failures
   * (0 when the record is no longer live). A plain record gets its state here; that bumps
   * the version, so a compiled dispatcher built while it was plain is rebuilt.
   */
  countFailure(record: HandlerRecord): number {
    let s = record.s;
    if (s === this || this.sharesOnce(s)) {
      // A plain record, or a plain once record, gets a state of its own.
      s = record.s = new RecordState(this, s === this ? LIVE : LIVE | ONCE, undefined, undefined);
      this.version++;
    }
    const state = s as RecordState;
    if ((state.flags & LIVE) === 0) return 0;
    state.flags += FAILURE;
    return Math.floor(state.flags / FAILURE);
  }

  /**
   * Drops the tombstones: a new array (a fire under way keeps iterating the one it started
   * with), the same live records in the same order. The handler set does not change, so
   * the version does not either.
   */
  compact(): void {
    if (this.dead === 0) return;
    const old = this.records;
    const next: HandlerRecord[] = [];
    for (let i = 0; i < old.length; i++) if (isLive(old[i])) next.push(old[i]);
    this.records = next;
    this.dead = 0;
  }

  /**
   * Makes a live record of this list not live (a tombstone in `records`, counted in `dead`),
   * undoing its side registrations; returns false if it was not live.
   */
  private drop(record: HandlerRecord): boolean {
    if (!kill(record, this)) return false;
    this.dead++;
    this.version++;
    const order = this.order;
    if (order !== undefined) {
      const at = order.lastIndexOf(record);
      if (at >= 0) order.splice(at, 1);
    }
    const s = record.s;
    if (s === DEAD) return true;
    const state = s as RecordState;
    if ((state.flags & WEAK) !== 0) this.weak--;
    const extra = state.extra;
    if (extra?.detach !== undefined) {
      const detach = extra.detach;
      extra.detach = undefined;
      detach();
    }
    return true;
  }
}

/** Tombstones are compacted once there are at least this many and they are half of `records`. */
const COMPACT_AT = 8;
/** The fewest weak records at which `insert` sweeps (see `HandlerList.sweep`). */
const SWEEP_AT = 32;

// ---------------------------------------------------------------------------
// Records
//
// Most subscriptions are plain: a strongly held function, no options. Their record has two
// fields, `s` (the list) and `fn`, about as small as an emitter's listener entry. Anything
// else (a weak target, once, info, a priority, a signal, a failure count for quarantine)
// lives in a `RecordState` that `s` points to instead; the rarest (priority, signal) in a
// `RecordExtra` beyond it. A plain record that is removed gets the shared, never live
// `DEAD` state, so `s === list` means "plain and live".

/**
 * The values of `RecordState.flags`. Importers copy them into constants of their own
 * (`const { LIVE } = Flags`): an imported binding compiled to CommonJS reads a property of
 * this module's exports object at every use, which costs the dispatch loop about 1 ns each.
 */
export const Flags = {
  /** The record is registered. */
  LIVE: 1,
  /** Remove the record just before its first call. */
  ONCE: 2,
  /** The handler receives the event's `EventInfo` first. */
  INFO: 4,
  /** The target is held weakly: the state is the `WeakRef` to it. */
  WEAK: 8,
  /** The bits of `LIVE`, `ONCE`, `INFO` and `WEAK`. */
  FLAG_BITS: 15,
  /**
   * Consecutive failures (for quarantine only) are counted in multiples of this, above the
   * flag bits. Counted with `+` and `Math.floor`, never shifts, so the count stays exact
   * past 32 bits (`&` with the flag bits keeps working: it takes the low 32 bits).
   */
  FAILURE: 16,
} as const;
const { LIVE, ONCE, WEAK, FLAG_BITS, FAILURE } = Flags;

/** What the `WeakRef` of a state without a weak target points to (never read). */
const NO_TARGET = Object.freeze({});

/**
 * What a registration that is not plain carries. It is itself the `WeakRef` to a weakly held
 * target (flag `WEAK`; without one it points to a constant), so a weak registration is a
 * record, this state and a slot: no `WeakRef`, WeakMap entry or FinalizationRegistry cell of
 * its own (see `HandlerList.sweep`). Every state has the one shape, so the readers of a
 * state stay monomorphic.
 */
export class RecordState extends WeakRef<object> {
  /**
   * The target (`this`) of the handler: a strongly held one for good while the record is
   * live; a weak one only from a fire until the next clearing (see `hold`).
   */
  held: object | undefined;
  /** `LIVE`, `ONCE`, `INFO`, `WEAK` (see {@link Flags}), plus `FAILURE` per consecutive failure. */
  flags: number;

  constructor(
    readonly list: HandlerList,
    flags: number,
    /** The weakly held target (its `this`), if any: sets `WEAK`. */
    weak: object | undefined,
    /** A priority other than 0, or an abort signal. */
    readonly extra: RecordExtra | undefined,
    /** A target held strongly, if any (never together with `weak`). */
    strong?: object,
  ) {
    super(weak ?? NO_TARGET);
    this.held = strong;
    this.flags = weak === undefined ? flags : flags | WEAK;
  }
}

/** The rarely used part of a registration. */
export class RecordExtra {
  /** Undoes side registrations (an AbortSignal listener), if any. */
  detach: (() => void) | undefined = undefined;

  constructor(readonly priority: number) {}
}

/** The state of every removed plain record: never live, belongs to no list. */
const DEAD = new RecordState(new HandlerList(), 0, undefined, undefined);

/** One handler's registration. It is the `Subscription` handed to the user. */
export class HandlerRecord implements Subscription {
  constructor(
    /** The list while the record is plain and live; otherwise its {@link RecordState} (`DEAD` once a plain record is removed). */
    public s: HandlerList | RecordState,
    readonly fn: (...args: any[]) => unknown,
  ) {}

  get active(): boolean {
    // A collected weak target is found here if no fire or sweep has found it yet.
    const s = this.s;
    if (isCollected(s)) (s as RecordState).list.markDead(this);
    return isLive(this);
  }

  unsubscribe(): void {
    listOf(this).remove(this);
  }

  [Symbol.dispose](): void {
    this.unsubscribe();
  }
}

/** True for the state of a live record whose weakly held target was collected (not held by a fire). */
function isCollected(s: HandlerList | RecordState): boolean {
  // A list (a plain record) has no `flags`: `undefined & LIVE` is 0.
  const state = s as RecordState;
  return (state.flags & (LIVE | WEAK)) === (LIVE | WEAK) && state.held === undefined && state.deref() === undefined;
}

/** True while `record` is registered. */
export function isLive(record: HandlerRecord): boolean {
  const s = record.s;
  return s instanceof HandlerList || (s.flags & LIVE) !== 0;
}

/** The record's state, or undefined for a plain (live) record. */
export function stateOf(record: HandlerRecord): RecordState | undefined {
  const s = record.s;
  return s instanceof HandlerList ? undefined : s;
}

/** The list `record` belongs to (a list that holds nothing, once a plain record was removed). */
export function listOf(record: HandlerRecord): HandlerList {
  const s = record.s;
  return s instanceof HandlerList ? s : s.list;
}

/** The target (`this`) of `record`, held strongly or weakly; undefined if none or collected. */
export function targetOf(record: HandlerRecord): object | undefined {
  const state = stateOf(record);
  return state === undefined ? undefined : (state.flags & WEAK) !== 0 ? state.deref() : state.held;
}

/** The weak reference to the target of `record` (its state), if it holds one weakly. */
export function weakOf(record: HandlerRecord): WeakRef<object> | undefined {
  const state = stateOf(record);
  return state !== undefined && (state.flags & WEAK) !== 0 ? state : undefined;
}

function priorityOf(record: HandlerRecord): number {
  return stateOf(record)?.extra?.priority ?? 0;
}

/** Has the flag (`ONCE`, `INFO`). */
export function hasFlag(record: HandlerRecord, flag: number): boolean {
  const state = stateOf(record);
  return state !== undefined && (state.flags & flag) !== 0;
}

/** Resets the consecutive failures of `record` after a success. */
export function resetFailures(record: HandlerRecord): void {
  const state = stateOf(record);
  if (state !== undefined && state.flags >= FAILURE) state.flags &= FLAG_BITS;
}

/** Makes a live record of `list` not live; false if it was not live. */
function kill(record: HandlerRecord, list: HandlerList): boolean {
  const s = record.s;
  if (s === list || list.sharesOnce(s)) {
    record.s = DEAD;
    return true;
  }
  // Without an `instanceof`: a list (a plain record of another list) has no `flags`, and
  // `undefined & LIVE` is 0; the shared once state of another list belongs to that list.
  const state = s as RecordState;
  if ((state.flags & LIVE) === 0 || state.list !== list) return false;
  state.flags -= LIVE;
  // A strongly held target is let go with its record (a weak one's `held` clears itself).
  if ((state.flags & WEAK) === 0) state.held = undefined;
  return true;
}
