import { expect } from 'chai';
import { EventEmitter as NodeEmitter } from 'node:events';
import EventEmitter3 from 'eventemitter3';
import mitt from 'mitt';
import { collectUntil } from './helpers';

/**
 * The claims README.md's comparison table makes about Node's EventEmitter, eventemitter3 and
 * mitt, checked against the installed packages (the type-level ones are in
 * spec/types/comparison.types.ts). eventwire's own column is what the rest of spec/ tests.
 */

/** What each peer looks like for these checks: subscribe, unsubscribe, emit. */
interface Peer {
  readonly name: string;
  make(): {
    on(event: string, handler: (...args: any[]) => unknown): void;
    /** Removes every handler of `event`. */
    offAll(event: string): void;
    emit(event: string, payload?: unknown): unknown;
  };
}

const peers: Peer[] = [
  {
    name: 'Node EventEmitter',
    make: () => {
      const bus = new NodeEmitter();
      return { on: (e, h) => bus.on(e, h), offAll: (e) => bus.removeAllListeners(e), emit: (e, p) => bus.emit(e, p) };
    },
  },
  {
    name: 'eventemitter3',
    make: () => {
      const bus = new EventEmitter3();
      return { on: (e, h) => bus.on(e, h), offAll: (e) => bus.removeAllListeners(e), emit: (e, p) => bus.emit(e, p) };
    },
  },
  {
    name: 'mitt',
    make: () => {
      const bus = mitt<Record<string, unknown>>();
      return { on: (e, h) => bus.on(e, h), offAll: (e) => bus.off(e), emit: (e, p) => bus.emit(e, p) };
    },
  },
];

class Subscriber {
  calls = 0;
  onEvent(): void { this.calls++; }
}

/** Collects process warnings while `fn` runs. */
async function warningsDuring(fn: () => void): Promise<string[]> {
  const seen: string[] = [];
  const listener = (warning: Error): void => { seen.push(warning.name); };
  // Node's own listener prints warnings to stderr: set it aside while counting.
  const printers = process.listeners('warning');
  process.removeAllListeners('warning');
  process.on('warning', listener);
  try {
    fn();
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off('warning', listener);
    for (const printer of printers) process.on('warning', printer);
  }
  return seen;
}

describe('the comparison table in README.md', () => {
  for (const peer of peers) {
    describe(peer.name, () => {
      it('should throw a handler\'s error from emit() and not call the handlers after it', () => {
        const bus = peer.make();
        let later = 0;
        bus.on('e', () => { throw new Error('bad subscriber'); });
        bus.on('e', () => { later++; });
        expect(() => bus.emit('e')).to.throw('bad subscriber');
        expect(later).to.equal(0);
      });

      it('should not wait for async handlers: emit() returns no promise, before they finish', async () => {
        const bus = peer.make();
        let finished = false;
        bus.on('e', async () => { await new Promise((resolve) => setTimeout(resolve, 5)); finished = true; });
        const result = bus.emit('e');
        expect(result).to.not.be.instanceOf(Promise);
        expect(finished).to.equal(false);
        await new Promise((resolve) => setTimeout(resolve, 20));
        expect(finished).to.equal(true);
      });

      it('should hold a subscribed object until its handler is removed', async () => {
        const bus = peer.make();
        const ref = ((): WeakRef<Subscriber> => {
          const subscriber = new Subscriber();
          bus.on('e', subscriber.onEvent.bind(subscriber));   // the usual way to subscribe a method
          return new WeakRef(subscriber);
        })();
        expect(await collectUntil(() => ref.deref() === undefined, 5)).to.equal(false, 'collected while subscribed');
        bus.emit('e');
        expect(ref.deref()!.calls).to.equal(1);
        bus.offAll('e');
        expect(await collectUntil(() => ref.deref() === undefined)).to.equal(true, 'not collected after its handler was removed');
      });
    });
  }

  it('Node EventEmitter should warn past 10 listeners; eventemitter3 and mitt should never warn', async () => {
    const counts: Record<string, string[]> = {};
    for (const peer of peers) {
      const bus = peer.make();
      counts[peer.name] = await warningsDuring(() => {
        for (let i = 0; i < 200; i++) bus.on('e', () => {});
      });
    }
    expect(counts).to.deep.equal({
      'Node EventEmitter': ['MaxListenersExceededWarning'],
      eventemitter3: [],
      mitt: [],
    });
    expect(NodeEmitter.defaultMaxListeners).to.equal(10);
  });

  it('only mitt should have a catch-all listener (\'*\')', () => {
    const heard: string[] = [];
    for (const peer of peers) {
      const bus = peer.make();
      bus.on('*', () => { heard.push(peer.name); });
      bus.emit('orderPlaced', {});
    }
    expect(heard).to.deep.equal(['mitt']);
  });
});
