import { expect } from 'chai';
import { Container, Event, injectable, publishes, subscribes } from '../lib';
import { collectUntil } from './helpers';

/**
 * Scopes within ONE job: a disposed child scope, and what it built, can be collected at once,
 * before the job (the macrotask and its microtasks) ends. V8 keeps the target of every WeakRef
 * created or dereferenced in a job alive until the job ends, so nothing per scope or per owned
 * object may go through a WeakRef: a batch loop of `using scope = app.createChild()` that never
 * yields to the event loop must run in flat memory.
 */

const gc = (): void => (globalThis as unknown as { gc: () => void }).gc();
const KB = 1024;
const MB = 1024 * KB;
/** Heap allowed to remain at the end of the job after the loop: a leak of 2.5 KB per scope is 25 times this over 40,000. */
const MARGIN = 4 * MB;
const ROUNDS = 40_000;

@injectable() class Hub { @publishes() tick!: Event<[n: number]>; }

@injectable({ scope: 'scoped' }) class RequestState {
  total = 0;
  @publishes() done!: Event<[total: number]>;
  @subscribes(Hub, 'tick') onTick(n: number): void { this.total += n; }
}

@injectable({ scope: 'transient' }) class Watcher {
  seen = 0;
  @subscribes(RequestState, 'done') onDone(): void { this.seen++; }
  @subscribes(Hub, 'tick') onTick(): void { this.seen++; }
}

/** Heap used after a full collection, in the same job. */
function heapNow(): number {
  gc();
  return process.memoryUsage().heapUsed;
}

describe('scope memory within one job', () => {
  it(`should let ${ROUNDS} disposed empty child scopes be collected before the job ends`, function () {
    this.timeout(60_000);
    const app = new Container();
    for (let i = 0; i < 1_000; i++) app.createChild().dispose();
    const before = heapNow();
    for (let i = 0; i < ROUNDS; i++) {
      const scope = app.createChild();
      scope.dispose();
    }
    const after = heapNow();   // still the same job: no timer turn since the loop
    expect(after - before).to.be.below(MARGIN,
      `heap grew by ${((after - before) / MB).toFixed(1)} MB over ${ROUNDS} disposed scopes in one job (${((after - before) / ROUNDS).toFixed(0)} bytes each)`);
    app.dispose();
  });

  it(`should let ${ROUNDS} disposed child scopes with scoped and transient subscribers be collected before the job ends`, function () {
    this.timeout(60_000);
    const app = new Container();
    const hub = app.get(Hub);
    let seen = 0;
    const round = (i: number): void => {
      using scope = app.createChild();
      const state = scope.get(RequestState);
      const watcher = scope.get(Watcher);
      hub.tick.fire(i % 7);
      state.done.fire(state.total);
      seen += watcher.seen;
    };
    for (let i = 0; i < 1_000; i++) round(i);
    const before = heapNow();
    for (let i = 0; i < ROUNDS; i++) round(i);
    const after = heapNow();
    expect(seen).to.equal((ROUNDS + 1_000) * 2);
    expect(hub.tick.size).to.equal(0);
    expect(after - before).to.be.below(MARGIN,
      `heap grew by ${((after - before) / MB).toFixed(1)} MB over ${ROUNDS} disposed scopes in one job (${((after - before) / ROUNDS).toFixed(0)} bytes each)`);
    app.dispose();
  });

  it('should let disposed scopes be collected across awaits that resolve through microtasks only', async function () {
    this.timeout(60_000);
    const app = new Container();
    const hub = app.get(Hub);
    const before = heapNow();
    // No timer turn between here and the measurement: one job of microtasks.
    for (let i = 0; i < ROUNDS; i++) {
      const scope = app.createChild();
      scope.get(RequestState);
      await Promise.resolve();
      hub.tick.fire(1);
      scope.dispose();
    }
    const after = heapNow();
    expect(hub.tick.size).to.equal(0);
    expect(after - before).to.be.below(MARGIN,
      `heap grew by ${((after - before) / MB).toFixed(1)} MB over ${ROUNDS} disposed scopes in one job`);
    app.dispose();
  });

  it('should still forget a child scope dropped without dispose(), and still dispose live children with the parent', async () => {
    const app = new Container();
    const hub = app.get(Hub);
    const kept = app.createChild();
    kept.get(RequestState);
    let dropped: WeakRef<Container> | undefined;
    (() => {
      const child = app.createChild();
      child.get(Hub);
      dropped = new WeakRef(child);
    })();
    expect(await collectUntil(() => dropped!.deref() === undefined)).to.equal(true, 'a dropped child scope was not collected');
    expect(app.graph().nodes.map((n) => n.name)).to.include('RequestState');
    app.dispose();
    expect(kept.isDisposed).to.equal(true);
    expect(hub.tick.size).to.equal(0);
  });

  it('should let a disposed scope that the user still holds drop what it built', async () => {
    const app = new Container();
    const hub = app.get(Hub);
    const scope = app.createChild();
    let built: WeakRef<object> | undefined;
    (() => { built = new WeakRef(scope.get(RequestState)); })();
    hub.tick.fire(1);
    scope.dispose();
    expect(await collectUntil(() => built!.deref() === undefined)).to.equal(true, 'a disposed scope kept what it built');
    expect(scope.isDisposed).to.equal(true);
    app.dispose();
  });
});
