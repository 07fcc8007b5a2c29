import { expect } from 'chai';
import { Event } from '../lib';
import { noUnhandledRejection, recorder } from './helpers';

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('Event.fireAsync', () => {
  it('should run handlers concurrently and resolve when every promise has settled', async () => {
    const event = new Event<[number]>('e');
    const log: string[] = [];
    event.add(async (n) => { log.push(`a start ${n}`); await delay(10); log.push('a end'); });
    event.add(async (n) => { log.push(`b start ${n}`); await delay(1); log.push('b end'); });
    event.add((n) => { log.push(`sync ${n}`); });
    await event.fireAsync(1);
    expect(log).to.deep.equal(['a start 1', 'b start 1', 'sync 1', 'b end', 'a end']);
  });

  it('should run handlers one after another with async: serial', async () => {
    const event = new Event('e', { async: 'serial' });
    const log: string[] = [];
    event.add(async () => { log.push('a start'); await delay(5); log.push('a end'); });
    event.add(async () => { log.push('b start'); await delay(1); log.push('b end'); });
    await event.fireAsync();
    expect(log).to.deep.equal(['a start', 'a end', 'b start', 'b end']);
  });

  it("should report rejections and resolve under 'isolate'", async () => {
    const { failures, onError } = recorder();
    const event = new Event('e', { onError });
    let ran = false;
    event.add(async () => { throw new Error('rejected'); });
    event.add(() => { throw new Error('thrown'); });
    event.add(async () => { ran = true; });
    const unhandled = await noUnhandledRejection(() => event.fireAsync());
    expect(unhandled).to.deep.equal([]);
    expect(ran).to.equal(true);
    expect(failures.map((f) => [(f.error as Error).message, f.async])).to.have.deep.members([['rejected', true], ['thrown', false]]);
  });

  it("should reject with the first failure under 'throw' and report later ones", async () => {
    const { failures, onError } = recorder();
    const event = new Event('e', { errors: 'throw', onError });
    event.add(async () => { await delay(1); throw new Error('first'); });
    event.add(async () => { await delay(5); throw new Error('second'); });
    let thrown: unknown;
    const unhandled = await noUnhandledRejection(async () => {
      try { await event.fireAsync(); } catch (error) { thrown = error; }
    });
    expect(unhandled).to.deep.equal([]);
    expect((thrown as Error).message).to.equal('first');
    expect(failures.map((f) => (f.error as Error).message)).to.deep.equal(['second']);
  });

  it("should stop a serial fire at the first failure under 'throw'", async () => {
    const event = new Event('e', { errors: 'throw', async: 'serial' });
    let second = false;
    event.add(async () => { throw new Error('stop'); });
    event.add(async () => { second = true; });
    let thrown: unknown;
    try { await event.fireAsync(); } catch (error) { thrown = error; }
    expect((thrown as Error).message).to.equal('stop');
    expect(second).to.equal(false);
  });

  it("should reject with one AggregateError under 'collect'", async () => {
    const event = new Event('e', { errors: 'collect' });
    event.add(async () => { throw new Error('a'); });
    event.add(() => { throw new Error('b'); });
    event.add(async () => undefined);
    let thrown: unknown;
    try { await event.fireAsync(); } catch (error) { thrown = error; }
    expect(thrown).to.be.instanceOf(AggregateError);
    expect((thrown as AggregateError).errors.map((e: Error) => e.message)).to.have.members(['a', 'b']);
  });

  it('should honour once and removal during the fire', async () => {
    const event = new Event('e', { async: 'serial' });
    const calls: string[] = [];
    event.add(async () => { calls.push('once'); }, { once: true });
    event.add(async () => { calls.push('remover'); sub.unsubscribe(); });
    const sub = event.add(async () => { calls.push('removed'); });
    await event.fireAsync();
    await event.fireAsync();
    expect(calls).to.deep.equal(['once', 'remover', 'remover']);
  });
});
