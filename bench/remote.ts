/**
 * `npm run bench:remote`: events per second through the Redis Streams transport, end to end
 * (fire in one container, XADD, XREADGROUP, handler, deduplication, XACK in another), at
 * `maxInFlight` 1 and 64. Uses `REDIS_URL`, or starts a local redis-server with its AOF on and
 * `--appendfsync everysec` (Redis's advice for production). Flags: `--quick`, `--json`,
 * `--fsync-always` (every write on disk before its reply, as in the tests: then the disk's
 * fsync latency, not eventwire, sets the pace). `EVENTWIRE_IOREDIS=ioredis6` measures ioredis 6.
 */
import 'reflect-metadata';
import { ioredisVersion } from '../spec/redis/ioredis-module';   // first: EVENTWIRE_IOREDIS=ioredis6 benchmarks ioredis 6
import { Container, Event, injectable, publishes, subscribes } from '../lib';
import { remoteEvents } from '../lib/remote';
import { RedisTransport } from '../lib/redis';
import { findRedisServer, RedisServer } from '../spec/redis/redis-server';

@injectable()
class Ticker {
  @publishes('tick', { remote: true }) tick!: Event<[n: number]>;
}

let received = 0;

@injectable()
class Sink {
  @subscribes(Ticker, 'tick') onTick(): void {
    received++;
  }
}

/** Events per second for `count` events at `maxInFlight`. */
async function measure(url: string, maxInFlight: number, count: number): Promise<number> {
  const namespace = `bench-${maxInFlight}-${process.hrtime.bigint()}`;
  const transport = new RedisTransport({ connection: url, maxInFlight, blockMs: 1000 });
  const consumer = new Container({ extensions: [remoteEvents({ transport, namespace })] });
  const publisher = new Container({ extensions: [remoteEvents({ transport: new RedisTransport({ connection: url }), namespace })] });
  consumer.get(Sink);
  const ticker = publisher.get(Ticker);
  received = 0;
  await transport.ready();   // the consumer group exists: no event is published before it
  const started = performance.now();
  for (let sent = 0; sent < count;) {
    const batch: Promise<void>[] = [];
    for (let i = 0; i < 500 && sent < count; i++, sent++) batch.push(ticker.tick.fireAsync(sent));
    await Promise.all(batch);   // each resolves once Redis stored the event
  }
  while (received < count) await new Promise((resolve) => setTimeout(resolve, 1));
  const seconds = (performance.now() - started) / 1000;
  await Promise.all([consumer.disposeAsync(), publisher.disposeAsync()]);
  return count / seconds;
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const json = process.argv.includes('--json');
  const fsync = process.argv.includes('--fsync-always') ? 'always' : 'everysec';
  let url = process.env.REDIS_URL;
  let server: RedisServer | undefined;
  if (url === undefined) {
    if (findRedisServer() === undefined) {
      console.error('bench:remote needs redis-server (apt-get install redis-server) or REDIS_URL=redis://host:port.');
      process.exitCode = 1;
      return;
    }
    server = await RedisServer.start(fsync);
    url = server.url;
  }
  try {
    const count = (quick ? 2_000 : 20_000) / (fsync === 'always' ? 10 : 1);
    await measure(url, 64, 1_000);   // warm-up
    const rows: { maxInFlight: number; eventsPerSecond: number }[] = [];
    for (const maxInFlight of [1, 64]) rows.push({ maxInFlight, eventsPerSecond: Math.round(await measure(url, maxInFlight, count)) });
    if (json) {
      console.log(JSON.stringify({ scenario: 'remote: fire -> Redis Streams -> handler', ioredis: ioredisVersion(), broker: url, fsync: server ? fsync : undefined, count, rows }));
      return;
    }
    console.log(`remote: fire -> Redis Streams -> handler on ioredis ${ioredisVersion()}, ${count} events, end to end${server ? `, local redis-server with --appendfsync ${fsync}` : ''}`);
    for (const row of rows) console.log(`  maxInFlight ${String(row.maxInFlight).padEnd(3)} ${String(row.eventsPerSecond).padStart(8)} events/s`);
  } finally {
    await server?.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
