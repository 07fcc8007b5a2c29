import { expect } from 'chai';
import { Container, Event, injectable, publishes, subscribes } from '../lib';
import { setCompileThreshold } from '../lib/core/loop';
import { noUnhandledRejection, recorder, tick } from './helpers';

for (const { tier, threshold } of [{ tier: 'the generic loop', threshold: Infinity }, { tier: 'compiled dispatchers', threshold: 1 }]) {
  describe(`error policy (fired through ${tier})`, () => {
    before(() => setCompileThreshold(threshold));
    after(() => setCompileThreshold(64));

    function failing(message: string): () => never {
      return function bad() { throw new Error(message); };
    }

    describe("'isolate' (default)", () => {
      it('should run every handler and report each failure with its context', () => {
        const source = { id: 'engine' };
        const { failures, onError } = recorder();
        const event = new Event<[number]>('started', { source, onError });
        const calls: string[] = [];
        event.add(failing('one'));
        event.add(() => { calls.push('after one'); });
        event.add(failing('two'));
        event.add(() => { calls.push('last'); });
        event.fire(1);
        expect(calls).to.deep.equal(['after one', 'last']);
        expect(failures.map((f) => [(f.error as Error).message, f.handler, f.eventName, f.source, f.async, f.quarantined]))
          .to.deep.equal([['one', 'bad', 'started', source, false, false], ['two', 'bad', 'started', source, false, false]]);
      });

      it('should name a method handler as Class.method', () => {
        class Dashboard { onStarted(): void { throw new Error('x'); } }
        const { failures, onError } = recorder();
        const event = new Event('started', { onError });
        const dashboard = new Dashboard();
        event.add(Dashboard.prototype.onStarted, { target: dashboard });
        event.fire();
        expect(failures[0].handler).to.equal('Dashboard.onStarted');
      });

      it('should report a promise rejected after fire() returned, with no unhandled rejection', async () => {
        const { failures, onError } = recorder();
        const event = new Event('e', { onError });
        event.add(async () => { throw new Error('late'); });
        const unhandled = await noUnhandledRejection(async () => { event.fire(); });
        expect(unhandled).to.deep.equal([]);
        expect(failures.map((f) => [(f.error as Error).message, f.async])).to.deep.equal([['late', true]]);
      });

      it('should fall back to the default reporter when onError itself throws', () => {
        const event = new Event('e', { onError: () => { throw new Error('reporter broke'); } });
        event.add(failing('handler broke'));
        const write = process.stderr.write;
        let out = '';
        process.stderr.write = ((chunk: string) => { out += chunk; return true; }) as typeof write;
        try {
          expect(() => event.fire()).not.to.throw();
        } finally {
          process.stderr.write = write;
        }
        expect(out).to.contain('handler broke').and.to.contain('reporter broke');
      });
    });

    describe("'throw'", () => {
      it('should stop at the first failure and throw it as it was thrown', () => {
        const event = new Event('e', { errors: 'throw' });
        const calls: string[] = [];
        const error = new Error('first');
        event.add(() => { calls.push('a'); });
        event.add(() => { throw error; });
        event.add(() => { calls.push('c'); });
        expect(() => event.fire()).to.throw(error);
        expect(calls).to.deep.equal(['a']);
      });
    });

    describe("'collect'", () => {
      it('should run every handler, then throw one AggregateError of all failures', () => {
        const event = new Event('saved', { errors: 'collect' });
        const calls: string[] = [];
        event.add(failing('one'));
        event.add(() => { calls.push('b'); });
        event.add(failing('two'));
        let thrown: unknown;
        try { event.fire(); } catch (error) { thrown = error; }
        expect(calls).to.deep.equal(['b']);
        expect(thrown).to.be.instanceOf(AggregateError);
        expect((thrown as AggregateError).message).to.equal('2 handler(s) of event "saved" failed');
        expect((thrown as AggregateError).errors.map((e: Error) => e.message)).to.deep.equal(['one', 'two']);
      });
    });

    describe('quarantine', () => {
      it('should remove a handler after N consecutive failures and report that once', () => {
        const { failures, onError } = recorder();
        const event = new Event('e', { onError, quarantine: 3 });
        let calls = 0;
        const sub = event.add(() => { calls++; throw new Error('always'); });
        for (let i = 0; i < 5; i++) event.fire();
        expect(calls).to.equal(3);
        expect(sub.active).to.equal(false);
        expect(failures.map((f) => f.quarantined)).to.deep.equal([false, false, true]);
      });

      it('should reset the count after a success', () => {
        const { onError } = recorder();
        const event = new Event<[boolean]>('e', { onError, quarantine: 2 });
        const sub = event.add((fail) => { if (fail) throw new Error('sometimes'); });
        event.fire(true);
        event.fire(false);
        event.fire(true);
        expect(sub.active).to.equal(true);
        event.fire(true);
        expect(sub.active).to.equal(false);
      });

      it('should reset the count when a call succeeds after the same handler failed in a nested fire', () => {
        const { failures, onError } = recorder();
        const event = new Event<[depth: number, fail: boolean]>('e', { onError, quarantine: 2 });
        let calls = 0;
        // Before the handler: keeps the handler set and the compiled tier from changing.
        event.add(() => undefined);
        const sub = event.add((depth, fail) => {
          calls++;
          if (depth === 0 && !fail) event.fire(1, true);   // fails inside, then this outer call succeeds
          if (fail) throw new Error('nested');
        });
        event.fire(0, false);
        event.fire(0, false);
        event.fire(0, false);
        expect(sub.active).to.equal(true, 'each outer success reset the count');
        event.fire(0, true);
        expect(sub.active).to.equal(true);
        expect(calls).to.equal(7);
        expect(failures.map((f) => f.quarantined)).to.deep.equal([false, false, false, false]);
      });

      it('should count rejected promises too', async () => {
        const { failures, onError } = recorder();
        const event = new Event('e', { onError, quarantine: 2 });
        const sub = event.add(async () => { throw new Error('async'); });
        event.fire();
        await tick();
        event.fire();
        await tick();
        expect(sub.active).to.equal(false);
        expect(failures.map((f) => f.quarantined)).to.deep.equal([false, true]);
      });

      it('should name a method Class.method in a rejection that arrives after quarantine removed it', async () => {
        const { failures, onError } = recorder();
        @injectable() class Src { @publishes() declare readonly ping: Event<[n: number]>; }
        @injectable() class Flaky {
          @subscribes(Src, 'ping') async work(n: number): Promise<void> { await tick(); throw new Error(`fail ${n}`); }
        }
        // Container-built: held strongly, and a removed strong record lets go of its target.
        const app = new Container({ onError, quarantine: 1 });
        app.get(Flaky);
        const src = app.get(Src);
        src.ping.fire(1);
        src.ping.fire(2);   // called before the first rejection removed the handler
        await tick();
        await tick();
        expect(failures.map((f) => [(f.error as Error).message, f.handler, f.quarantined]))
          .to.deep.equal([['fail 1', 'Flaky.work', true], ['fail 2', 'Flaky.work', false]]);
        app.dispose();
      });
    });
  });
}
