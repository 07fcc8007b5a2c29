import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { Container, type ContainerOptions, type HandlerFailure } from '../../lib';
import { remoteEvents, type RemoteOptions } from '../../lib/remote';
import { RedisTransport, type RedisTransportOptions } from '../../lib/redis';
import { findRedisServer, type RedisServer } from './redis-server';
import type { FixtureConfig, FixtureMessage, Order } from './fixtures/shop';

/** A container in the test process with its own transport; close it with `disposeAsync()`. */
export function node(
  server: RedisServer, namespace: string, options: RedisTransportOptions = {}, containerOptions: ContainerOptions & Omit<RemoteOptions, 'transport'> = {},
): {
  app: Container; transport: RedisTransport; failures: unknown[];
} {
  const failures: unknown[] = [];
  const transport = new RedisTransport({
    connection: server.url, blockMs: 200, claimIdleMs: 1000, retryDelayMs: 10,
    onError: (error) => failures.push(error), ...options,
  });
  const { codec, validate, versions, service, ...ownOptions } = containerOptions;
  const app = new Container({
    extensions: [remoteEvents({ transport, namespace, codec, validate, versions, service })],
    onError: (failure: HandlerFailure) => failures.push(failure.error), ...ownOptions,
  });
  return { app, transport, failures };
}

/** `count` orders with ids `<prefix>-<i>`. */
export function orders(prefix: string, count: number): Order[] {
  return Array.from({ length: count }, (_, i) => ({ id: `${prefix}-${i}`, total: i }));
}

let announced = false;

/**
 * `describe` for suites that need a real `redis-server`. Without one, the suite is skipped with
 * one clear line, or fails when `EVENTWIRE_REQUIRE_BROKER=1` (as in CI).
 */
export function describeBroker(title: string, body: () => void): void {
  if (findRedisServer() !== undefined) {
    describe(title, function () {
      this.timeout(30_000);
      body();
    });
    return;
  }
  if (process.env.EVENTWIRE_REQUIRE_BROKER === '1') {
    describe(title, () => {
      it('needs redis-server', () => {
        throw new Error('EVENTWIRE_REQUIRE_BROKER=1 but redis-server was not found on PATH: install it (apt-get install redis-server) or set EVENTWIRE_REDIS_SERVER.');
      });
    });
    return;
  }
  if (!announced) {
    announced = true;
    process.stdout.write(
      'eventwire: broker suite SKIPPED (redis-server not found on PATH): install redis-server (apt-get install redis-server) ' +
      'or set EVENTWIRE_REDIS_SERVER=/path/to/redis-server to run it; EVENTWIRE_REQUIRE_BROKER=1 makes this a failure.\n');
  }
  describe.skip(title, body);
}

/** Polls `condition` until it holds; fails with `what` and the last state after `timeoutMs`. */
export async function eventually(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 15_000, state?: () => unknown): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for: ${what}${state ? `\nstate: ${JSON.stringify(state())}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A plain ioredis client for inspecting the broker from a test; close it with `quit()`. */
export function inspect(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null });
}

/**
 * True once `group` has been handed every entry of `stream` and acknowledged them all: no
 * delivery to it is left, so counting what its handlers did is final.
 */
export async function drained(redis: Redis, stream: string, group: string): Promise<boolean> {
  const groups = await redis.xinfo('GROUPS', stream) as unknown[][];
  const info = groups.find((g) => g[g.indexOf('name') + 1] === group);
  if (info === undefined) return false;
  const [last] = await redis.xrevrange(stream, '+', '-', 'COUNT', 1);
  return info[info.indexOf('last-delivered-id') + 1] === last?.[0] && Number(info[info.indexOf('pending') + 1]) === 0;
}

/** Waits until every group in `groups` has {@link drained} `stream`. */
export async function waitDrained(url: string, stream: string, ...groups: string[]): Promise<void> {
  const redis = inspect(url);
  try {
    await eventually(`${groups.join(', ')} to have every entry of ${stream} delivered and acknowledged`,
      async () => (await Promise.all(groups.map((g) => drained(redis, stream, g)))).every(Boolean));
  } finally {
    await redis.quit();
  }
}

/** Entries of `stream` that `group` read but has not acknowledged. */
export async function pendingCount(redis: Redis, stream: string, group: string): Promise<number> {
  const [count] = await redis.xpending(stream, group) as [number, ...unknown[]];
  return Number(count);
}

/** Counts of each value. */
export function tally(values: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return counts;
}

const fixture = join(__dirname, 'fixtures', 'service.ts');

/**
 * The environment of a child process: this one's plus `extra`, with coverage off. Children
 * compile the lib files differently (tsx), and c8 merges their coverage with this process's
 * into nonsense; the in-process specs measure coverage. (Node copies `NODE_V8_COVERAGE` into
 * a child's environment unless it is set there, hence the empty string.)
 */
export function childEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...process.env, ...extra, NODE_V8_COVERAGE: '' };
}

/** A subscriber service (spec/redis/fixtures/service.ts) running in its own OS process. */
export class ServiceProcess {
  readonly messages: FixtureMessage[] = [];
  readonly pid: number;
  private readonly child: ChildProcess;
  private stderr = '';
  private exited: Promise<void>;
  private hasExited = false;
  /** The exit code once the process has exited (null when killed by a signal). */
  exitCode: number | null | undefined;

  private constructor(config: FixtureConfig) {
    this.child = fork(fixture, [], {
      execArgv: ['--import', 'tsx'],   // esbuild: starts in a third of ts-node's time; fixtures need no decorator metadata
      env: childEnv({ EVENTWIRE_FIXTURE: JSON.stringify(config) }),
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    this.pid = this.child.pid!;
    this.child.stderr!.on('data', (chunk: Buffer) => { this.stderr += chunk.toString(); });
    this.child.on('message', (message) => this.messages.push(message as FixtureMessage));
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => {
      this.exitCode = code;
      this.hasExited = true;
      running.delete(this);
      resolve();
    }));
    running.add(this);
  }

  /** Starts a service process and waits until it reads its stream. */
  static async start(config: FixtureConfig): Promise<ServiceProcess> {
    const service = new ServiceProcess(config);
    await eventually(`service ${config.service} (pid ${service.pid}) to be ready`,
      () => {
        if (service.hasExited) throw new Error(`service ${config.service} exited before it was ready:\n${service.stderr}`);
        return service.messages.some((m) => m.type === 'ready');
      }, 20_000);
    return service;
  }

  /** Ids of the orders this process handled (completed), in order. */
  get handled(): string[] {
    return this.messages.flatMap((m) => (m.type === 'handled' ? [m.id] : []));
  }

  /** Ids of the orders whose handler started here. */
  get started(): string[] {
    return this.messages.flatMap((m) => (m.type === 'started' ? [m.id] : []));
  }

  /** Failures the process reported (handler failures and transport problems). */
  get failures(): string[] {
    return this.messages.flatMap((m) => (m.type === 'failure' ? [m.text] : []));
  }

  /** Resolves once every message the process sent before now has arrived (IPC keeps order). */
  async flush(): Promise<void> {
    const pongs = (): number => this.messages.filter((m) => m.type === 'pong').length;
    const before = pongs();
    this.child.send('ping');
    await eventually(`pid ${this.pid} to answer a ping`, () => pongs() > before);
  }

  /** `kill -9`. */
  async kill9(): Promise<void> {
    if (!this.hasExited) this.child.kill('SIGKILL');
    await this.exited;
  }

  /** Sends SIGTERM (the fixture closes its container as docs/remote.md recommends) and waits for the exit; its code. */
  async terminate(): Promise<number | null | undefined> {
    if (!this.hasExited) this.child.kill('SIGTERM');
    await this.exited;
    return this.exitCode;
  }

  /** Asks for a clean shutdown and waits until the process exits by itself. */
  async stop(): Promise<void> {
    if (this.hasExited) return;
    this.child.send('stop');
    let forced = false;
    const timer = setTimeout(() => {
      forced = true;
      this.child.kill('SIGKILL');
    }, 15_000);
    await this.exited;
    clearTimeout(timer);
    if (forced || !this.messages.some((m) => m.type === 'stopped')) {
      throw new Error(`service pid ${this.pid} did not ${forced ? 'exit by itself within 15 s after disposeAsync()' : 'stop cleanly'}:\n${this.stderr}`);
    }
  }
}

const running = new Set<ServiceProcess>();

/** Kills every service process still running (for `after` hooks). */
export async function killServices(): Promise<void> {
  await Promise.all([...running].map((s) => s.kill9()));
}
