import { expect } from 'chai';
import { Event } from '../lib';
import { setCompileThreshold } from '../lib/core/loop';
import { collectUntil } from './helpers';

class Listener {
  calls = 0;
  onEvent(): void { this.calls++; }
}

for (const { tier, threshold } of [{ tier: 'the generic loop', threshold: Infinity }, { tier: 'compiled dispatchers', threshold: 1 }]) {
  describe(`weakly held handlers (fired through ${tier})`, () => {
    before(() => setCompileThreshold(threshold));
    after(() => setCompileThreshold(64));

    it('should let a target be collected, stop calling it and drop it from size', async () => {
      const event = new Event('e');
      let calls = 0;
      event.add(() => { calls++; });
      let listener: Listener | undefined = new Listener();
      const collected = new WeakRef(listener);
      event.add(Listener.prototype.onEvent, { target: listener });
      event.fire();
      expect(listener.calls).to.equal(1);
      listener = undefined;
      expect(await collectUntil(() => collected.deref() === undefined)).to.equal(true, 'the target was not collected');
      expect(await collectUntil(() => event.size === 1)).to.equal(true, 'size did not fall');
      event.fire();
      expect(calls).to.equal(2);
    });

    it('should not keep a dropped event alive through a living target', async () => {
      const listener = new Listener();
      let event: Event | undefined = new Event('e');
      event.add(Listener.prototype.onEvent, { target: listener });
      event.fire();
      const collected = new WeakRef(event);
      event = undefined;
      expect(await collectUntil(() => collected.deref() === undefined)).to.equal(true);
      expect(listener.calls).to.equal(1);
    });

    it('should collect 10,000 dropped targets and bring size back to 0', async () => {
      const event = new Event('e');
      for (let i = 0; i < 10_000; i++) event.add(Listener.prototype.onEvent, { target: new Listener() });
      event.fire();
      expect(await collectUntil(() => event.size === 0)).to.equal(true, `size stayed at ${event.size}`);
    });

    it('should drop every handler of a target with several, on several events, and keep the others until then', async () => {
      class Multi {
        calls: string[] = [];
        a(): void { this.calls.push('a'); }
        b(): void { this.calls.push('b'); }
        c(): void { this.calls.push('c'); }
      }
      const one = new Event('one');
      const two = new Event('two');
      let target: Multi | undefined = new Multi();
      const collected = new WeakRef(target);
      one.add(Multi.prototype.a, { target });
      const b = one.add(Multi.prototype.b, { target });
      two.add(Multi.prototype.c, { target });
      one.fire();
      two.fire();
      b.unsubscribe();
      one.fire();
      expect(target.calls).to.deep.equal(['a', 'b', 'c', 'a']);
      const second = new Multi();   // a target added later in the same job is held too
      one.add(Multi.prototype.b, { target: second });
      one.fire();
      expect(second.calls).to.deep.equal(['b']);
      target = undefined;
      expect(await collectUntil(() => collected.deref() === undefined)).to.equal(true, 'the target was not collected');
      expect(await collectUntil(() => one.size === 1 && two.size === 0)).to.equal(true, `sizes stayed at ${one.size}, ${two.size}`);
      one.fire();
      expect(second.calls).to.deep.equal(['b', 'b']);
    });

    it('should call a target shared by two events in the same job, and in later jobs', async () => {
      const listener = new Listener();
      const events = [new Event('one'), new Event('two')];
      for (const event of events) event.add(Listener.prototype.onEvent, { target: listener });
      for (let i = 0; i < 3; i++) {
        for (const event of events) event.fire();
        await new Promise((resolve) => setImmediate(resolve));
      }
      expect(listener.calls).to.equal(6);
    });

    for (const count of [2, 5]) {
      it(`should keep calling ${count} weak targets over many jobs, and drop a collected one`, async () => {
        const event = new Event('e');
        let strong = 0;
        event.add(() => { strong++; });
        const listeners: (Listener | undefined)[] = [];
        for (let i = 0; i < count; i++) listeners.push(new Listener());
        for (let i = 0; i < count; i++) event.add(Listener.prototype.onEvent, { target: listeners[i]! });
        for (let job = 0; job < 3; job++) {
          event.fire();
          event.fire();
          await new Promise((resolve) => setImmediate(resolve));
        }
        const calls = (): (number | undefined)[] => {
          const out: (number | undefined)[] = [];
          for (let i = 0; i < count; i++) out.push(listeners[i]?.calls);
          return out;
        };
        expect(calls()).to.deep.equal(new Array(count).fill(6));
        const collected = new WeakRef(listeners[0]!);
        listeners[0] = undefined;
        expect(await collectUntil(() => collected.deref() === undefined)).to.equal(true, 'the target was not collected');
        for (let job = 0; job < 2; job++) {
          event.fire();
          await new Promise((resolve) => setImmediate(resolve));
        }
        expect(calls()).to.deep.equal([undefined, ...new Array(count - 1).fill(8)]);
        expect([event.size, strong]).to.deep.equal([count, 8]);
      });
    }

    it('should keep calling a target that is still referenced', async () => {
      const event = new Event('e');
      const listener = new Listener();
      event.add(Listener.prototype.onEvent, { target: listener });
      await collectUntil(() => false, 3);
      event.fire();
      expect(listener.calls).to.equal(1);
      expect(event.size).to.equal(1);
    });
  });
}

describe('events and long-lived signals', () => {
  it('should let an event be collected while the AbortSignal of one of its handlers lives on', async () => {
    const controller = new AbortController();
    let event: Event<[number]> | undefined = new Event<[number]>('e');
    event.add(() => undefined, { signal: controller.signal });
    const collected = new WeakRef(event);
    event = undefined;
    expect(await collectUntil(() => collected.deref() === undefined)).to.equal(true, 'the signal kept the event alive');
    controller.abort();
  });

  it('should drop the handlers of a cleared event from its compiled dispatcher at once', async () => {
    setCompileThreshold(1);
    try {
      const event = new Event<[number]>('e');
      let handler: ((n: number) => void) | undefined = (n) => { void n; };
      const collected = new WeakRef(handler);
      event.add(handler);
      event.fire(1);
      event.fire(2);
      handler = undefined;
      event.clear();
      expect(await collectUntil(() => collected.deref() === undefined)).to.equal(true, 'the compiled dispatcher kept the handler');
    } finally {
      setCompileThreshold(64);
    }
  });
});

describe('collected weak targets on a quiet event (found without a finalizer)', () => {
  /** Adds `count` weak records whose targets are dropped at once; resolves once they are collected. */
  async function addDropped(event: Event, count: number): Promise<boolean> {
    let last: WeakRef<Listener> | undefined;
    for (let i = 0; i < count; i++) {
      const listener = new Listener();
      last = new WeakRef(listener);
      event.add(Listener.prototype.onEvent, { target: listener });
    }
    return collectUntil(() => last!.deref() === undefined);
  }

  it('should not let the records of collected targets pile up on an event that never fires', async () => {
    const event = new Event('quiet');
    const lengths: number[] = [];
    for (let round = 0; round < 10; round++) {
      expect(await addDropped(event, 200)).to.equal(true, 'a target was not collected');
      lengths.push(event._list.records.length);   // read without `size`, which sweeps
    }
    // Without sweeping it would be 2,000; each `add` sweeps once the weak records doubled.
    expect(Math.max(...lengths)).to.be.at.most(2 * 200 + 32, `records: ${lengths.join(', ')}`);
    expect(event.size).to.equal(0);
    expect(event._list.records.length).to.equal(0);
  });

  it('should report a subscription inactive once its target is collected, with no fire', async () => {
    const event = new Event('e');
    let listener: Listener | undefined = new Listener();
    const collected = new WeakRef(listener);
    const subscription = event.add(Listener.prototype.onEvent, { target: listener });
    expect(subscription.active).to.equal(true);
    listener = undefined;
    expect(await collectUntil(() => collected.deref() === undefined)).to.equal(true, 'the target was not collected');
    expect(subscription.active).to.equal(false);
    expect(event._list.weak).to.equal(0);
    expect(event.size).to.equal(0);
  });

  it('should not count collected targets toward maxWeakHandlers', async () => {
    const event = new Event('e', { maxWeakHandlers: 5 });
    const warnings: Error[] = [];
    const onWarning = (warning: Error): void => { warnings.push(warning); };
    process.on('warning', onWarning);
    try {
      expect(await addDropped(event, 5)).to.equal(true, 'a target was not collected');
      const kept = [new Listener(), new Listener(), new Listener()];
      for (const listener of kept) event.add(Listener.prototype.onEvent, { target: listener });
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.map((w) => w.name)).to.deep.equal([]);
      expect(event.size).to.equal(3);
      for (let i = 0; i < 3; i++) kept.push(new Listener());
      for (const listener of kept.slice(3)) event.add(Listener.prototype.onEvent, { target: listener });
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.map((w) => w.name)).to.deep.equal(['WeakHandlersWarning']);
      expect(warnings[0].message).to.match(/^Event "e" holds 6 handlers of weakly held subscribers \(limit 5\)/);
    } finally {
      process.off('warning', onWarning);
    }
  });
});
