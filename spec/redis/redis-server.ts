import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A throwaway `redis-server` for tests and benchmarks: a random free loopback port, its own
 * temporary directory, `--appendonly yes --appendfsync always` so that a `kill -9` loses nothing
 * the server acknowledged. It can be killed and restarted on the same port and directory.
 */

/** The `redis-server` executable (`$EVENTWIRE_REDIS_SERVER`, else the one on PATH), or undefined. */
export function findRedisServer(): string | undefined {
  if (found === undefined) {
    const command = process.env.EVENTWIRE_REDIS_SERVER || 'redis-server';
    found = { command: spawnSync(command, ['--version']).status === 0 ? command : undefined };
  }
  return found.command;
}

let found: { command: string | undefined } | undefined;

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** A running (or killed) local redis-server. */
export class RedisServer {
  private child: ChildProcess | undefined;

  private constructor(private readonly command: string, readonly port: number, readonly dir: string, private readonly fsync: 'always' | 'everysec') {}

  /**
   * Starts a server on a free loopback port; retries with another port if it was taken meanwhile.
   * `fsync` is its `--appendfsync`: `'always'` (default) loses nothing on `kill -9`.
   */
  static async start(fsync: 'always' | 'everysec' = 'always', command = findRedisServer()): Promise<RedisServer> {
    if (command === undefined) throw new Error('redis-server is not installed (apt-get install redis-server), or set EVENTWIRE_REDIS_SERVER.');
    let lastError: unknown;
    for (let attempt = 0; attempt < 5; attempt++) {
      const server = new RedisServer(command, await freePort(), mkdtempSync(join(tmpdir(), 'eventwire-redis-')), fsync);
      try {
        await server.launch();
        return server;
      } catch (error) {
        lastError = error;
        rmSync(server.dir, { recursive: true, force: true });
      }
    }
    throw lastError;
  }

  /** `redis://127.0.0.1:<port>`. */
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** True while the server process runs. */
  get running(): boolean {
    return this.child !== undefined;
  }

  /** `kill -9`: the server dies without a chance to save or close connections. */
  async kill9(): Promise<void> {
    await this.terminate('SIGKILL');
  }

  /** Starts the server again, on the same port and directory (its AOF is replayed). */
  async restart(): Promise<void> {
    if (this.child !== undefined) throw new Error('restart(): the server is still running; kill9() or stop() it first.');
    await this.launch();
  }

  /** Stops the server and removes its directory. */
  async stop(): Promise<void> {
    await this.terminate('SIGTERM');
    rmSync(this.dir, { recursive: true, force: true });
  }

  private launch(): Promise<void> {
    const child = spawn(this.command, [
      '--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir,
      '--appendonly', 'yes', '--appendfsync', this.fsync, '--save', '', '--daemonize', 'no', '--logfile', '',
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(child);
    this.child = child;
    let output = '';
    return new Promise((resolve, reject) => {
      const onData = (chunk: Buffer): void => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) {
          child.stdout!.off('data', onData);
          child.stdout!.resume();
          resolve();
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', (chunk: Buffer) => { output += chunk.toString(); });
      child.once('exit', (code, signal) => {
        live.delete(child);
        if (this.child === child) this.child = undefined;
        reject(new Error(`redis-server on port ${this.port} exited (${signal ?? code}) before it was ready:\n${output}`));
      });
      child.once('error', reject);
    });
  }

  private async terminate(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (child === undefined) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    await exited;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
