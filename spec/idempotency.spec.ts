import { expect } from 'chai';
import { InvalidArgumentError } from '../lib';
import { MemoryIdempotencyStore } from '../lib/remote/idempotency';

describe(MemoryIdempotencyStore.name, () => {
  it('should answer done for an id already handled, and busy while it is being handled', async () => {
    const store = new MemoryIdempotencyStore();
    const claim = await store.claim('Billing.onOrder', 'id-1');
    expect(await store.claim('Billing.onOrder', 'id-1')).to.equal('busy');
    expect(await store.claim('Shipping.onOrder', 'id-1')).to.not.be.oneOf(['busy', 'done']);
    if (typeof claim === 'string') throw new Error(`expected a claim, got ${claim}`);
    await claim.finish();
    expect(await store.claim('Billing.onOrder', 'id-1')).to.equal('done');
  });

  it('should let an abandoned id be claimed again', async () => {
    const store = new MemoryIdempotencyStore();
    const claim = await store.claim('s', 'id');
    if (typeof claim === 'string') throw new Error(`expected a claim, got ${claim}`);
    await claim.abandon();
    expect(await store.claim('s', 'id')).to.not.be.oneOf(['busy', 'done']);
  });

  it('should forget the oldest handled ids past maxIds, never one still being handled', async () => {
    const store = new MemoryIdempotencyStore({ maxIds: 2 });
    const inFlight = await store.claim('s', 'slow');
    for (const id of ['a', 'b', 'c']) {
      const claim = await store.claim('s', id);
      if (typeof claim === 'string') throw new Error(`expected a claim, got ${claim}`);
      await claim.finish();
    }
    expect(await store.claim('s', 'slow')).to.equal('busy');
    expect(typeof inFlight).to.equal('object');
    expect(await store.claim('s', 'c')).to.equal('done');
    expect(await store.claim('s', 'a')).to.not.be.oneOf(['busy', 'done']);
  });

  it('should reject a maxIds that is not a whole number above 0', () => {
    for (const maxIds of [0, -5, Number.NaN, 1.5]) {
      expect(() => new MemoryIdempotencyStore({ maxIds })).to.throw(InvalidArgumentError, 'maxIds must be a whole number above 0');
    }
  });
});
