import { join } from 'node:path';
import { expect } from 'chai';
import type { Redis, RedisOptions } from 'ioredis';
import { injectable, subscribes } from '../../lib';
import { deadLetterKey, RedisTransport, streamKey } from '../../lib/redis';
import { autoClaimReply, entriesReply, pendingReply, readReply } from '../../lib/redis/replies';
import { Shop, type Order } from './fixtures/shop';
import { ioredisVersion } from './ioredis-module';
import { describeBroker, eventually, inspect, node, pendingCount, waitDrained } from './helpers';
import { RedisServer } from './redis-server';

// Both majors, loaded by path so that EVENTWIRE_IOREDIS does not redirect them.
const root = join(__dirname, '..', '..', 'node_modules');
/* eslint-disable @typescript-eslint/no-require-imports */
const clients: { label: string; Redis: new (url: string, options: RedisOptions) => Redis; options: object }[] = [
  { label: 'ioredis 5 (RESP2)', Redis: (require(join(root, 'ioredis')) as { Redis: never }).Redis, options: {} },
  { label: 'ioredis 6, RESP3 (its default)', Redis: (require(join(root, 'ioredis6')) as { Redis: never }).Redis, options: {} },
  { label: "ioredis 6, RESP3 with replyMapping: 'resp3'", Redis: (require(join(root, 'ioredis6')) as { Redis: never }).Redis, options: { replyMapping: 'resp3' } },
  { label: 'ioredis 6, protocol: 2', Redis: (require(join(root, 'ioredis6')) as { Redis: never }).Redis, options: { protocol: 2 } },
];
/* eslint-enable @typescript-eslint/no-require-imports */

describe('Redis stream replies', () => {
  const entries = [['1-0', ['id', 'a']], ['2-0', null]];
  const expected = [['1-0', ['id', 'a']], ['2-0', null]];

  it('should read XREADGROUP in its RESP2 shape, its flattened RESP3 map and its RESP3 object, and a timeout', () => {
    expect(readReply([['s', entries]])).to.deep.equal(expected);
    expect(readReply(['s', entries])).to.deep.equal(expected);
    expect(readReply({ s: entries })).to.deep.equal(expected);
    expect(readReply(new Map([['s', entries]]))).to.deep.equal(expected);
    expect(readReply(null)).to.deep.equal([]);
    expect(readReply([])).to.deep.equal([]);
  });

  it('should read entry fields given as a map, and ids alone (JUSTID)', () => {
    expect(entriesReply([['1-0', { id: 'a', n: 1 }], ['2-0', new Map([['id', 'b']])]])).to.deep.equal([['1-0', ['id', 'a', 'n', '1']], ['2-0', ['id', 'b']]]);
    expect(entriesReply(['1-0', '2-0'])).to.deep.equal([['1-0', null], ['2-0', null]]);
  });

  it('should read XAUTOCLAIM with and without its list of deleted ids, and XPENDING rows', () => {
    expect(autoClaimReply(['0-0', entries, ['3-0']])).to.deep.equal({ cursor: '0-0', entries: expected, deleted: ['3-0'] });
    expect(autoClaimReply(['5-0', []])).to.deep.equal({ cursor: '5-0', entries: [], deleted: [] });
    expect(pendingReply([['1-0', 'c', '12', '3']])).to.deep.equal([{ id: '1-0', consumer: 'c', idleMs: 12, deliveries: 3 }]);
  });

  it('should refuse a reply of another shape, naming the command', () => {
    expect(() => readReply(7)).to.throw(TypeError, 'unexpected XREADGROUP reply: number');
    expect(() => autoClaimReply(null)).to.throw(TypeError, 'unexpected XAUTOCLAIM reply: null');
    expect(() => pendingReply('x')).to.throw(TypeError, 'unexpected XPENDING reply: string');
  });
});

describe('EVENTWIRE_IOREDIS', () => {
  it('should make lib/redis and the specs load the ioredis it names (ioredis 5 by default)', () => {
    expect(ioredisVersion()).to.match(process.env.EVENTWIRE_IOREDIS === 'ioredis6' ? /^6\./ : /^5\./);
  });
});

describeBroker('Redis transport on each ioredis and protocol', () => {
  let server: RedisServer;
  before(async () => { server = await RedisServer.start(); });
  after(async () => { await server?.stop(); });

  for (const [index, { label, Redis, options }] of clients.entries()) {
    it(`should deliver, retry, take over and dead-letter with ${label}`, async () => {
      const namespace = `protocol-${index}`;
      const stream = streamKey('eventwire', namespace, 'orderPlaced');
      const group = 'Ledger.onOrderPlaced';
      const handled: string[] = [];
      let flaky = 0;
      @injectable()
      class Ledger {
        @subscribes(Shop, 'orderPlaced') onOrderPlaced(order: Order): void {
          if (order.id === 'flaky' && flaky++ === 0) throw new Error('try again');
          if (order.id === 'broken') throw new Error('always fails');
          handled.push(order.id);
        }
      }
      const client = new Redis(server.url, options);
      const redis = inspect(server.url);
      const publisher = node(server, namespace, { connection: client });
      // A consumer that read one message and vanished: it must be taken over.
      await redis.xgroup('CREATE', stream, group, '$', 'MKSTREAM');
      await publisher.app.get(Shop).orderPlaced.fireAsync({ id: 'orphan', total: 1 });
      await redis.xreadgroup('GROUP', group, 'ghost', 'COUNT', 1, 'STREAMS', stream, '>');
      const { app, transport, failures } = node(server, namespace, { connection: client, claimIdleMs: 300, claimIntervalMs: 50, maxAttempts: 2 });
      try {
        expect(transport).to.be.instanceOf(RedisTransport);
        app.get(Ledger);
        await transport.ready();
        for (const id of ['plain', 'flaky', 'broken']) await publisher.app.get(Shop).orderPlaced.fireAsync({ id, total: 2 });
        await eventually('every order to be settled', async () =>
          handled.length === 3 && await redis.xlen(deadLetterKey(stream)) === 1, 10_000, () => handled);
        expect([...handled].sort()).to.deep.equal(['flaky', 'orphan', 'plain']);
        await waitDrained(server.url, stream, group);
        expect(await pendingCount(redis, stream, group)).to.equal(0);
        expect(failures.map(String)).to.include.members(['Error: try again', 'Error: always fails']);
        expect(failures.filter((f) => !/try again|always fails|Dead-lettered/.test(String(f))), 'nothing else went wrong').to.deep.equal([]);
      } finally {
        await Promise.all([app.disposeAsync(), publisher.app.disposeAsync()]);
        const consumers = await redis.xinfo('CONSUMERS', stream, group) as unknown[][];
        expect(consumers.map((c) => c[1]), 'the closed consumer left its group').to.deep.equal(['ghost']);
        client.disconnect();
        await redis.quit();
      }
    });
  }
});
