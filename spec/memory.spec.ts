import { expect } from 'chai';
import { Event } from '../lib';
import { setCompileThreshold } from '../lib/event';
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
