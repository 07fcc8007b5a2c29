import { expect } from 'chai';
import { Container, Event, InvalidArgumentError, publishes, subscribes, traceFromEnv, traceLogger, type TraceRecord } from '../lib';
import { captureStderr } from './helpers';

/** A trace record as an event would pass it. */
function record(fields: Partial<TraceRecord> = {}): TraceRecord {
  const event = new Event('orderPlaced');
  return { event, name: event.name, source: undefined, handlers: 3, durationMs: 0.0521, failures: 0, async: false, ...fields };
}

class Checkout {
  @publishes() orderPlaced!: Event<[id: string]>;
}

describe(traceLogger.name, () => {
  it('should write one line per dispatch: source class, event, kind, handler count, duration, failures', () => {
    const lines: string[] = [];
    const trace = traceLogger({ write: (line) => lines.push(line) });
    trace(record({ source: new Checkout() }));
    trace(record({ source: new Checkout(), handlers: 1, durationMs: 20.4127, failures: 1, async: true }));
    expect(lines).to.deep.equal([
      '[eventwire] Checkout.orderPlaced fire: 3 handlers, 0.052 ms, 0 failed',
      '[eventwire] Checkout.orderPlaced fireAsync: 1 handler, 20.413 ms, 1 failed',
    ]);
  });

  it('should name an event without a source by its name alone', () => {
    const lines: string[] = [];
    traceLogger({ write: (line) => lines.push(line) })(record());
    expect(lines).to.deep.equal(['[eventwire] orderPlaced fire: 3 handlers, 0.052 ms, 0 failed']);
  });

  it('should mark a fire that reached no handler as a dead event, unless told not to', () => {
    const lines: string[] = [];
    traceLogger({ write: (line) => lines.push(line) })(record({ handlers: 0 }));
    traceLogger({ write: (line) => lines.push(line), deadEvents: false })(record({ handlers: 0 }));
    expect(lines).to.deep.equal([
      '[eventwire] orderPlaced fire: 0 handlers, 0.052 ms, 0 failed (dead event)',
      '[eventwire] orderPlaced fire: 0 handlers, 0.052 ms, 0 failed',
    ]);
  });

  it('should log only dead events with dispatches: false', () => {
    const lines: string[] = [];
    const trace = traceLogger({ write: (line) => lines.push(line), dispatches: false });
    trace(record({ handlers: 2 }));
    trace(record({ handlers: 0 }));
    expect(lines).to.deep.equal(['[eventwire] orderPlaced fire: 0 handlers, 0.052 ms, 0 failed (dead event)']);
  });

  it('should write to stderr by default', () => {
    const out = captureStderr(() => traceLogger()(record()));
    expect(out).to.equal('[eventwire] orderPlaced fire: 3 handlers, 0.052 ms, 0 failed\n');
  });

  it('should refuse options that make no sense, saying why', () => {
    expect(() => traceLogger({ write: 'stderr' as never })).to.throw(InvalidArgumentError, 'traceLogger(): write must be a function, got "stderr"');
    expect(() => traceLogger({ dispatches: false, deadEvents: false })).to.throw(InvalidArgumentError, 'would log nothing');
  });

  it('should trace every dispatch of a container\'s events, sync and async, with failures counted', async () => {
    class Shop {
      @subscribes(Checkout, 'orderPlaced') onOrder(id: string): void {
        if (id === 'bad') throw new Error('boom');
      }
    }
    const lines: string[] = [];
    using app = new Container({ trace: traceLogger({ write: (line) => lines.push(line) }), onError: () => {} });
    const checkout = app.get(Checkout);
    checkout.orderPlaced.fire('A-1');          // no handler yet: dead
    app.get(Shop);
    checkout.orderPlaced.fire('bad');
    await checkout.orderPlaced.fireAsync('A-2');
    expect(lines.map((line) => line.replace(/\d+\.\d{3} ms/, 'T ms'))).to.deep.equal([
      '[eventwire] Checkout.orderPlaced fire: 0 handlers, T ms, 0 failed (dead event)',
      '[eventwire] Checkout.orderPlaced fire: 1 handler, T ms, 1 failed',
      '[eventwire] Checkout.orderPlaced fireAsync: 1 handler, T ms, 0 failed',
    ]);
  });
});

describe(traceFromEnv.name, () => {
  it('should return no hook (so no cost) when EVENTWIRE_TRACE is unset, empty or off', () => {
    for (const value of [undefined, '', '0', 'false', 'off', 'no', ' OFF ']) {
      expect(traceFromEnv({ EVENTWIRE_TRACE: value }), `EVENTWIRE_TRACE=${String(value)}`).to.equal(undefined);
    }
  });

  it('should log every dispatch for EVENTWIRE_TRACE=1 or any other value', () => {
    for (const value of ['1', 'true', 'yes', 'all']) {
      const trace = traceFromEnv({ EVENTWIRE_TRACE: value })!;
      expect(captureStderr(() => trace(record()))).to.equal('[eventwire] orderPlaced fire: 3 handlers, 0.052 ms, 0 failed\n');
    }
  });

  it('should log only dead events for EVENTWIRE_TRACE=dead', () => {
    const trace = traceFromEnv({ EVENTWIRE_TRACE: 'dead' })!;
    expect(captureStderr(() => trace(record()))).to.equal('');
    expect(captureStderr(() => trace(record({ handlers: 0 })))).to.contain('(dead event)');
  });

  it('should read process.env by default', () => {
    const saved = process.env.EVENTWIRE_TRACE;
    try {
      process.env.EVENTWIRE_TRACE = '1';
      expect(traceFromEnv()).to.be.a('function');
      delete process.env.EVENTWIRE_TRACE;
      expect(traceFromEnv()).to.equal(undefined);
    } finally {
      if (saved === undefined) delete process.env.EVENTWIRE_TRACE;
      else process.env.EVENTWIRE_TRACE = saved;
    }
  });
});
