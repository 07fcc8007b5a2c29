import type { RecordState } from './handler-list';

// Holding weak targets for the current job (issue 10)
//
// WeakRef.deref() costs 15-22 ns and keeps its target alive until the current job ends
// anyway (V8 adds it to a strong set cleared after the job; during incremental marking the
// deref itself marks it). So a fire dereferences the weak target of each record once into
// the `held` field of its state, and a timer clears every `held` a moment later (the next
// turn of the event loop's timers phase): between two clearings the weak path reads a plain
// field, and no strong reference outlives the next macrotask boundary by more than about a
// millisecond. So a `held` that is set is always the live target; a dispatcher that finds it
// unset calls `hold`. A `held` is never cleared during a job.
//
// A record whose target is held STRONGLY (wired by a container that owns the target) has
// its target in `held` for good and no `weak`; `kill` clears it.

let endScheduled = false;
/** The states whose `held` is set, cleared by the timer. */
const kept: RecordState[] = [];
/**
 * Counts the clearings of every `held` (see `hold`): a dispatcher that held its targets in
 * the current epoch finds every `held` still set.
 */
export const jobs = { epoch: 0 };

function scheduleRelease(): void {
  if (!endScheduled) {
    endScheduled = true;
    // A timer, not a microtask: one clearing per timers phase instead of one per job. Unref'd
    // so that it never keeps a process alive.
    const timer = setTimeout(release, 0) as unknown as { unref?: () => void };
    if (typeof timer.unref === 'function') timer.unref();
  }
}

function release(): void {
  endScheduled = false;
  jobs.epoch++;
  for (let i = 0; i < kept.length; i++) kept[i].held = undefined;
  kept.length = 0;
}

/**
 * The weak target of a record's state, held strongly in its `held` until the timer clears
 * it; undefined once collected. Dispatchers call it when they find `held` unset.
 */
export function hold(state: RecordState): object | undefined {
  let target = state.held;
  if (target === undefined) {
    target = state.deref();
    if (target !== undefined) {
      state.held = target;
      kept.push(state);
      scheduleRelease();
    }
  }
  return target;
}
