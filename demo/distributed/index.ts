/**
 * `npm run demo:distributed`: one publisher and two subscriber processes (billing and shipping,
 * two services) over a local `redis-server` the demo starts, or over `REDIS_URL` when it is set.
 * Every order reaches both services once, though they run in other processes.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { hasRedisServer, startLocalRedis } from './local-redis';

const ORDERS = 5;

function start(file: string, args: string[], url: string, onLine: (line: string) => void): ChildProcess {
  const child = fork(join(__dirname, file), args, {
    execArgv: ['--import', 'tsx'],   // fast start; these files need no decorator metadata
    env: { ...process.env, REDIS_URL: url },
  });
  child.on('message', (line) => onLine(String(line)));
  return child;
}

function exited(child: ChildProcess): Promise<number | null> {
  return child.exitCode !== null ? Promise.resolve(child.exitCode) : new Promise((resolve) => child.once('exit', resolve));
}

async function main(): Promise<void> {
  let url = process.env.REDIS_URL || undefined;
  let stopRedis = async (): Promise<void> => undefined;
  if (url === undefined) {
    if (!hasRedisServer()) {
      console.error('demo:distributed needs Redis 6.2 or later, and redis-server is not installed. Install it ' +
        '(Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis), or set REDIS_URL=redis://host:port to use a running server.');
      process.exitCode = 1;
      return;
    }
    const redis = await startLocalRedis();
    url = redis.url;
    stopRedis = redis.stop;
    console.log(`started redis-server at ${url}`);
  }
  const received = { billing: 0, shipping: 0 };
  let allDone = (): void => undefined;
  const done = new Promise<void>((resolve) => { allDone = resolve; });
  const subscribers = (['billing', 'shipping'] as const).map((service) => {
    let ready = (): void => undefined;
    const isReady = new Promise<void>((resolve) => { ready = resolve; });
    const child = start('subscriber.ts', [service], url!, (line) => {
      if (line === 'ready') return ready();
      console.log(line);
      received[service]++;
      if (received.billing === ORDERS && received.shipping === ORDERS) allDone();
    });
    return { child, isReady };
  });
  try {
    await Promise.all(subscribers.map((s) => s.isReady));
    console.log('billing and shipping are listening; starting the checkout process');
    const publisher = start('publisher.ts', [], url, () => undefined);
    if (await exited(publisher) !== 0) throw new Error('the publisher failed');
    const timeout = setTimeout(() => allDone(), 20_000);
    await done;
    clearTimeout(timeout);
    if (received.billing !== ORDERS || received.shipping !== ORDERS) {
      throw new Error(`expected ${ORDERS} orders in each service, got billing ${received.billing}, shipping ${received.shipping}`);
    }
    console.log(`each of the ${ORDERS} orders reached billing and shipping once, across processes`);
  } finally {
    for (const { child } of subscribers) if (child.connected) child.send('stop');
    await Promise.all(subscribers.map((s) => exited(s.child)));
    await stopRedis();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
