// Coverage gate for `npm test`, run after `c8 mocha` has recorded what ran.
//
// The core (everything but lib/redis) is gated on every machine. The Redis transport is exercised
// only by the broker suite, which runs where a redis-server is found (as spec/redis/helpers.ts
// decides) and is skipped elsewhere with its own loud message; its code is gated only when it ran,
// so that `npm test` passes on a fresh machine and still fails when the broker suite loses coverage.
import { spawnSync } from 'node:child_process';

const LINES = '95';
const c8 = (...args) => spawnSync('npx', ['c8', 'check-coverage', '--lines', LINES, ...args], { stdio: 'inherit' }).status;

let failed = c8('--exclude', 'lib/redis/**') !== 0;
const redisServer = process.env.EVENTWIRE_REDIS_SERVER || 'redis-server';
if (spawnSync(redisServer, ['--version']).status === 0) {
  failed = c8('--include', 'lib/redis/**/*.ts') !== 0 || failed;
  console.log(`coverage gate: core and lib/redis at >= ${LINES}% lines${failed ? ': FAILED' : ''}`);
} else {
  console.log(`coverage gate: core at >= ${LINES}% lines${failed ? ': FAILED' : ''}; lib/redis not gated (the broker suite was skipped: no redis-server)`);
}
process.exit(failed ? 1 : 0);
