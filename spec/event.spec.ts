import { expect } from 'chai';
import { Event, DisposedError, InvalidArgumentError, type EventInfo } from '../lib';
import { setCompileThreshold } from '../lib/core/loop';
import { setCodegen } from '../lib/core/dispatch';
import { captureStderr, recorder } from './helpers';

/** Every behaviour is checked on both dispatch tiers: the generic loop and compiled code. */
const tiers = [
  { tier: 'the generic loop', threshold: Infinity },
  { tier: 'compiled dispatchers', threshold: 1 },
];

for (const { tier, threshold } of tiers) {
  describe(`${Event.name} (fired through ${tier})`, () => {
    before(() => setCompileThreshold(threshold));
    after(() => setCompileThreshold(64));

    /** Fires twice first so the compiled tier is really in use when it is the one tested. */
    function warm<A extends unknown[]>(event: Event<A>, ...args: A): void {
      event.fire(...args);
      event.fire(...args);
    }

    describe('the essay example', () => {
      it('should tell one handler which of two events fired, with the extra argument', () => {
        class ExampleObject {
          readonly start = new Event<[extra?: string]>('started', { source: this });
          readonly stop = new Event<[extra?: string]>('stopped', { source: this });
        }
        const lines: string[] = [];
        const exampleHandler = (info: EventInfo<[extra?: string]>, ...args: [extra?: string]): void => {
          lines.push(`example handler fired ${JSON.stringify([info.name, ...args])}`);
        };
        const fred = new ExampleObject();
        fred.start.add(exampleHandler, { info: true });
        fred.stop.add(exampleHandler, { info: true });
        fred.start.fire();
        fred.stop.fire('optional extra arg');
        expect(lines).to.deep.equal([
          'example handler fired ["started"]',
          'example handler fired ["stopped","optional extra arg"]',
        ]);
      });
    });

    describe('fire', () => {
      it('should call every handler synchronously, in the order added, with the typed args', () => {
        const event = new Event<[number, string]>('e');
        const calls: string[] = [];
        event.add((n, s) => { calls.push(`a${n}${s}`); });
        event.add((n, s) => { calls.push(`b${n}${s}`); });
        warm(event, 0, '');
        calls.length = 0;
        event.fire(1, 'x');
        expect(calls).to.deep.equal(['a1x', 'b1x']);
      });

      it('should run higher priorities first and keep the order added among equals', () => {
        const event = new Event('e');
        const calls: string[] = [];
        event.add(() => { calls.push('low'); }, { priority: -1 });
        event.add(() => { calls.push('first0'); });
        event.add(() => { calls.push('high'); }, { priority: 10 });
        event.add(() => { calls.push('second0'); });
        event.fire();
        expect(calls).to.deep.equal(['high', 'first0', 'second0', 'low']);
      });

      it('should pass exactly the arguments given, however many', () => {
        const event = new Event<unknown[]>('e');
        const seen: unknown[][] = [];
        event.add((...args) => { seen.push(args); });
        event.add(function (this: unknown, ...args) { seen.push([this, ...args]); });
        warm(event);
        seen.length = 0;
        event.fire();
        event.fire(1);
        event.fire(1, 2, 3, 4, 5);
        expect(seen).to.deep.equal([[], [undefined], [1], [undefined, 1], [1, 2, 3, 4, 5], [undefined, 1, 2, 3, 4, 5]]);
      });

      it('should do nothing when there is no handler', () => {
        const event = new Event<[number]>('e');
        expect(() => event.fire(1)).not.to.throw();
      });

      it('should call the same handler twice when it was added twice', () => {
        const event = new Event('e');
        let calls = 0;
        const handler = (): void => { calls++; };
        event.add(handler);
        event.add(handler);
        event.fire();
        expect(calls).to.equal(2);
        expect(event.size).to.equal(2);
      });

      it('should work when detached from the event', () => {
        const event = new Event<[number]>('e');
        let got = 0;
        event.add((n) => { got = n; });
        const fire = event.fire;
        fire(5);
        expect(got).to.equal(5);
      });
    });

    describe('changes during a fire', () => {
      it('should call a handler added during a fire from the next fire on', () => {
        const event = new Event('e');
        const calls: string[] = [];
        event.add(() => {
          calls.push('a');
          if (calls.length === 1) event.add(() => { calls.push('late'); });
        });
        event.fire();
        expect(calls).to.deep.equal(['a']);
        event.fire();
        expect(calls).to.deep.equal(['a', 'a', 'late']);
      });

      it('should not call a handler removed during the fire before its turn', () => {
        const event = new Event('e');
        const calls: string[] = [];
        let removeB = false;
        event.add(() => { calls.push('a'); if (removeB) sub.unsubscribe(); });
        const sub = event.add(() => { calls.push('b'); });
        event.add(() => { calls.push('c'); });
        warm(event);
        calls.length = 0;
        removeB = true;
        event.fire();
        expect(calls).to.deep.equal(['a', 'c']);
        expect(sub.active).to.equal(false);
      });

      it('should still finish the current fire when a handler clears the event', () => {
        const event = new Event('e');
        const calls: string[] = [];
        event.add(() => { calls.push('a'); event.clear(); });
        event.add(() => { calls.push('b'); });
        event.fire();
        expect(calls).to.deep.equal(['a']);
        expect(event.size).to.equal(0);
      });

      it('should deliver a nested fire at once, depth-first, then finish the outer fire', () => {
        const event = new Event<[number]>('e');
        const calls: string[] = [];
        event.add((depth) => {
          calls.push(`a${depth}`);
          if (depth === 0) event.fire(1);
        });
        event.add((depth) => { calls.push(`b${depth}`); });
        event.fire(0);
        expect(calls).to.deep.equal(['a0', 'a1', 'b1', 'b0']);
      });
    });

    describe('add options', () => {
      it('should call a once handler only once, even when it fires the event again', () => {
        const event = new Event('e');
        let calls = 0;
        const sub = event.add(() => { calls++; event.fire(); }, { once: true });
        event.fire();
        event.fire();
        expect(calls).to.equal(1);
        expect(sub.active).to.equal(false);
        expect(event.size).to.equal(0);
      });

      it('should keep each once handler its own: removing one leaves the others, on this event and on another', () => {
        // Once handlers without other options share one state per event (handler-list.ts).
        const event = new Event<[number]>('e');
        const other = new Event<[number]>('other');
        const seen: string[] = [];
        const first = event.add((n) => { seen.push(`first ${n}`); }, { once: true });
        const second = event.add((n) => { seen.push(`second ${n}`); }, { once: true });
        const elsewhere = other.add((n) => { seen.push(`elsewhere ${n}`); }, { once: true });
        first.unsubscribe();
        expect([first.active, second.active, elsewhere.active]).to.deep.equal([false, true, true]);
        event.fire(1);
        event.fire(2);
        expect([second.active, elsewhere.active]).to.deep.equal([false, true]);
        other.fire(3);
        other.fire(4);
        expect(seen).to.deep.equal(['second 1', 'elsewhere 3']);
        expect([event.size, other.size, elsewhere.active]).to.deep.equal([0, 0, false]);
      });

      it('should count the failures of a failing once handler toward nothing: it was removed before its call', () => {
        const failures: boolean[] = [];
        const event = new Event('e', { quarantine: 1, onError: (f) => { failures.push(f.quarantined); } });
        const once = event.add(() => { throw new Error('boom'); }, { once: true });
        const kept = event.add(() => undefined, { once: true });
        event.fire();
        expect(failures).to.deep.equal([false]);
        expect([once.active, kept.active, event.size]).to.deep.equal([false, false, 0]);
        const again = event.add(() => undefined, { once: true });
        expect(again.active).to.equal(true);
        event.fire();
        expect(again.active).to.equal(false);
      });

      it('should remove the handler when its signal aborts, and detach from the signal when unsubscribed', () => {
        const event = new Event('e');
        const controller = new AbortController();
        let calls = 0;
        const sub = event.add(() => { calls++; }, { signal: controller.signal });
        event.fire();
        controller.abort();
        event.fire();
        expect(calls).to.equal(1);
        expect(sub.active).to.equal(false);

        const other = new AbortController();
        let removals = 0;
        const signal = other.signal;
        const removeEventListener = signal.removeEventListener.bind(signal);
        signal.removeEventListener = ((...args: Parameters<typeof removeEventListener>) => {
          removals++;
          removeEventListener(...args);
        }) as typeof signal.removeEventListener;
        event.add(() => undefined, { signal }).unsubscribe();
        expect(removals).to.equal(1);
      });

      it('should add nothing when the signal is already aborted', () => {
        const event = new Event('e');
        const sub = event.add(() => undefined, { signal: AbortSignal.abort() });
        expect(sub.active).to.equal(false);
        expect(event.size).to.equal(0);
      });

      it('should pass the event info first to a handler that asks for it', () => {
        const source = { kind: 'engine' };
        const event = new Event<[number]>('started', { source });
        let seen: EventInfo<[number]> | undefined;
        let payload = 0;
        event.add((info, rpm) => { seen = info; payload = rpm; }, { info: true });
        event.fire(900);
        expect(seen).to.include({ name: 'started', source, event });
        expect(payload).to.equal(900);
      });

      it('should reject bad options with a message naming the event', () => {
        const event = new Event('started');
        expect(() => event.add(42 as never)).to.throw(InvalidArgumentError, 'Event "started": add() expects a function, got 42');
        expect(() => event.add(() => 1, { priority: Number.NaN })).to.throw(InvalidArgumentError, 'priority must be a finite number');
        expect(() => event.add(() => 1, { signal: {} as AbortSignal })).to.throw(InvalidArgumentError, 'signal must be an AbortSignal');
        expect(() => new Event('e', { quarantine: 0 })).to.throw(InvalidArgumentError, 'quarantine must be a whole number');
        expect(() => new Event('e', { errors: 'ignore' as never })).to.throw(InvalidArgumentError, "errors must be 'isolate', 'throw' or 'collect'");
      });
    });

    describe('subscriptions', () => {
      it('should unsubscribe once and ignore later calls', () => {
        const event = new Event('e');
        let calls = 0;
        const sub = event.add(() => { calls++; });
        expect(sub.active).to.equal(true);
        sub.unsubscribe();
        sub.unsubscribe();
        event.fire();
        expect(calls).to.equal(0);
        expect(sub.active).to.equal(false);
      });

      it('should unsubscribe at the end of a using block', () => {
        const event = new Event('e');
        let calls = 0;
        {
          using sub = event.add(() => { calls++; });
          event.fire();
          expect(sub.active).to.equal(true);
        }
        event.fire();
        expect(calls).to.equal(1);
      });

      it('should remove the latest registration of a handler and tell whether it removed one', () => {
        const event = new Event('e');
        const handler = (): void => undefined;
        const first = event.add(handler);
        const second = event.add(handler);
        expect(event.remove(handler)).to.equal(true);
        expect([first.active, second.active]).to.deep.equal([true, false]);
        expect(event.remove(handler)).to.equal(true);
        expect(event.remove(handler)).to.equal(false);
        expect(event.size).to.equal(0);
      });

      it('should remove the latest registration whatever the priorities, before and after one is used', () => {
        const event = new Event('e');
        const handler = (): void => undefined;
        const plain = event.add(handler);
        const high = event.add(handler, { priority: 5 });
        const low = event.add(handler, { priority: -1 });
        const last = event.add(handler);
        expect(event.remove(handler)).to.equal(true);
        expect([plain.active, high.active, low.active, last.active]).to.deep.equal([true, true, true, false]);
        expect(event.remove(handler)).to.equal(true);
        expect([plain.active, high.active, low.active]).to.deep.equal([true, true, false]);
        high.unsubscribe();
        expect(event.remove(handler)).to.equal(true);
        expect([plain.active, event.size]).to.deep.equal([false, 0]);
        expect(event.remove(handler)).to.equal(false);
      });

      it('should remove a method for one target only', () => {
        class Counter { calls = 0; hit(): void { this.calls++; } }
        const event = new Event('e');
        const a = new Counter();
        const b = new Counter();
        event.add(Counter.prototype.hit, { target: a });
        event.add(Counter.prototype.hit, { target: b });
        expect(event.remove(Counter.prototype.hit, a)).to.equal(true);
        event.fire();
        expect([a.calls, b.calls]).to.deep.equal([0, 1]);
      });

      it('should clear every handler, and refuse new ones once disposed', () => {
        const event = new Event('e');
        const sub = event.add(() => undefined);
        event.clear();
        expect(event.size).to.equal(0);
        expect(sub.active).to.equal(false);
        event.add(() => undefined);
        event.dispose();
        expect(event.size).to.equal(0);
        expect(event.isDisposed).to.equal(true);
        expect(() => event.fire()).not.to.throw();
        expect(() => event.add(() => undefined)).to.throw(DisposedError, 'Event "e": add() was called after the event was disposed');
      });
    });

    describe('methods of objects', () => {
      it('should call a method with this set to its target', () => {
        class Gauge { value = 0; set(v: number): void { this.value = v; } }
        const gauge = new Gauge();
        const event = new Event<[number]>('e');
        event.add(Gauge.prototype.set, { target: gauge });
        warm(event, 1);
        event.fire(7);
        expect(gauge.value).to.equal(7);
      });
    });

    describe('replay', () => {
      it('should hand the last N payloads to a handler added later, then live ones', () => {
        const event = new Event<[number]>('price', { replay: 2 });
        event.fire(1);
        event.fire(2);
        event.fire(3);
        const seen: number[] = [];
        event.add((n) => { seen.push(n); });
        event.fire(4);
        expect(seen).to.deep.equal([2, 3, 4]);
      });

      it('should replay only once to a once handler', () => {
        const event = new Event<[number]>('price', { replay: 3 });
        event.fire(1);
        event.fire(2);
        const seen: number[] = [];
        event.add((n) => { seen.push(n); }, { once: true });
        event.fire(3);
        expect(seen).to.deep.equal([1]);
      });
    });

    describe('trace', () => {
      it('should describe each dispatch to the trace hook', () => {
        const source = { id: 1 };
        const records: { name: string; handlers: number; failures: number; source: unknown }[] = [];
        const { onError } = recorder();
        const event = new Event<[number]>('tick', {
          source, onError, trace: ({ name, handlers, failures, durationMs, source: from }) => {
            expect(durationMs).to.be.a('number').and.to.be.at.least(0);
            records.push({ name, handlers, failures, source: from });
          },
        });
        event.add(() => undefined);
        event.add(() => { throw new Error('bad'); });
        event.fire(1);
        expect(records).to.deep.equal([{ name: 'tick', handlers: 2, failures: 1, source }]);
      });

      it('should count sync and async failures of fireAsync', async () => {
        const seen: [number, number, boolean][] = [];
        const { onError } = recorder();
        const event = new Event<[number]>('tick', { onError, trace: ({ handlers, failures, async }) => { seen.push([handlers, failures, async]); } });
        event.add(() => { throw new Error('sync'); });
        event.add(async () => { throw new Error('async'); });
        event.add(() => undefined);
        await event.fireAsync(1);
        expect(seen).to.deep.equal([[3, 2, true]]);
      });
    });

    describe('leak warning', () => {
      it('should warn once, naming the event, past maxHandlers strongly held handlers', async () => {
        const warnings: Error[] = [];
        const listener = (warning: Error): void => { warnings.push(warning); };
        process.on('warning', listener);
        try {
          const event = new Event('crowded', { maxHandlers: 2 });
          for (let i = 0; i < 5; i++) event.add(() => undefined);
          await new Promise((resolve) => setImmediate(resolve));
        } finally {
          process.off('warning', listener);
        }
        expect(warnings).to.have.length(1);
        expect(warnings[0].name).to.equal('MaxHandlersExceededWarning');
        expect(warnings[0].message).to.contain('Event "crowded" has 3 strongly held handlers (limit 2)');
      });
    });
  });
}

describe('code generation', () => {
  afterEach(() => { setCodegen(true); setCompileThreshold(64); });

  it('should switch to a compiled dispatcher once the handler set is stable, and back after a change', () => {
    setCompileThreshold(3);
    const event = new Event<[number]>('e');
    let total = 0;
    event.add((n) => { total += n; });
    const loop = event.fire;
    for (let i = 0; i < 3; i++) event.fire(1);
    expect(event.fire).not.to.equal(loop);
    event.add((n) => { total += 10 * n; });
    event.fire(1);
    expect(event.fire).to.equal(loop);
    expect(total).to.equal(3 + 11);
  });

  it('should keep the generic loop where code generation is forbidden', () => {
    setCodegen(false);
    setCompileThreshold(1);
    const event = new Event<[number]>('e');
    let total = 0;
    event.add((n) => { total += n; });
    const loop = event.fire;
    event.fire(2);
    event.fire(3);
    expect(event.fire).to.equal(loop);
    expect(total).to.equal(5);
  });
});

describe('default reporter', () => {
  it('should write one line naming the handler, event and source, then the stack', () => {
    class Engine { readonly started = new Event<[number]>('started', { source: this }); }
    const engine = new Engine();
    engine.started.add(function onStarted() { throw new Error('boom'); });
    const out = captureStderr(() => engine.started.fire(1));
    const [first, second] = out.split('\n');
    expect(first).to.equal('eventwire: handler onStarted of event "started" of Engine threw');
    expect(second).to.equal('Error: boom');
  });
});
