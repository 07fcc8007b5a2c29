import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A headless Chromium for the browser suite, found like the broker suite finds redis-server:
 * `$EVENTWIRE_CHROMIUM` when set, else `chromium-headless-shell` or `chromium` on PATH.
 */

/** The Chromium executable, or undefined when there is none. */
export function findChromium(): string | undefined {
  if (found === undefined) {
    const set = process.env.EVENTWIRE_CHROMIUM;
    const candidates = set ? [set] : ['chromium-headless-shell', 'chromium'];
    found = { command: candidates.find((command) => spawnSync(command, ['--version'], { timeout: 30_000, stdio: 'ignore' }).status === 0) };
  }
  return found.command;
}

let found: { command: string | undefined } | undefined;

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) killGroup(child);
});

/** A Chromium showing one page, in its own process group and its own temporary profile. */
export class Browser {
  private output = '';
  private readonly exited: Promise<void>;

  private constructor(private readonly child: ChildProcess, private readonly profile: string) {
    live.add(child);
    const keep = (chunk: Buffer): void => { this.output = (this.output + chunk.toString()).slice(-20_000); };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    this.exited = new Promise((resolve) => child.once('exit', () => { live.delete(child); resolve(); }));
  }

  /** Opens `url` in a new headless Chromium (`command`, found by {@link findChromium}). */
  static open(command: string, url: string): Browser {
    const profile = mkdtempSync(join(tmpdir(), 'eventwire-chromium-'));
    const child = spawn(command, [
      '--headless', '--user-data-dir=' + profile, '--no-first-run', '--no-default-browser-check', '--disable-extensions',
      '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--mute-audio',
      // The page is our own, served on loopback; containers and root (as in CI) have no usable sandbox.
      '--no-sandbox',
      // Console messages and uncaught errors go to stderr, for the failure message when the page never reports.
      '--enable-logging=stderr', '--v=0',
      url,
    ], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });   // detached: its own process group, killed as one
    return new Browser(child, profile);
  }

  /** True once the browser process has exited. */
  get done(): Promise<void> {
    return this.exited;
  }

  /** The last lines Chromium wrote (its console and errors with --enable-logging). */
  get log(): string {
    return this.output.split('\n').filter((line) => !/dbus|bluez|vaapi|sandbox_linux/.test(line)).slice(-40).join('\n');
  }

  /** Kills the browser and every process it started, then removes its profile. */
  async close(): Promise<void> {
    killGroup(this.child);
    await this.exited;
    rmSync(this.profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  }
}

/** SIGKILL to the whole group: the executable may be a wrapper script whose Chromium would outlive it. */
function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // The group is gone already.
  }
}

let announced = false;

/**
 * `describe` for suites that need a headless Chromium. Without one, the suite is skipped with one
 * clear line, or fails when `EVENTWIRE_REQUIRE_BROWSER=1` (as in CI).
 */
export function describeBrowser(title: string, body: (command: string) => void): void {
  const command = findChromium();
  if (command !== undefined) {
    describe(title, () => body(command));
    return;
  }
  if (process.env.EVENTWIRE_REQUIRE_BROWSER === '1') {
    describe(title, () => {
      it('needs a headless Chromium', () => {
        throw new Error('EVENTWIRE_REQUIRE_BROWSER=1 but no chromium-headless-shell or chromium was found on PATH: ' +
          'install it (apt-get install chromium-headless-shell) or set EVENTWIRE_CHROMIUM.');
      });
    });
    return;
  }
  if (!announced) {
    announced = true;
    process.stdout.write(
      'eventwire: browser suite SKIPPED (no chromium-headless-shell or chromium on PATH): install it (apt-get install chromium-headless-shell) ' +
      'or set EVENTWIRE_CHROMIUM=/path/to/chromium to run it; EVENTWIRE_REQUIRE_BROWSER=1 makes this a failure.\n');
  }
  describe.skip(title, () => body(''));
}
