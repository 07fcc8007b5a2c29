/**
 * Runs the broker specs on another ioredis: with `EVENTWIRE_IOREDIS=ioredis6` (an npm alias
 * devDependency, `"ioredis6": "npm:ioredis@^6"`), every `require('ioredis')` of this process,
 * lib/redis included, loads that module instead, as if the user had installed it as `ioredis`.
 * Loaded first by spec/setup.ts, by the fixture processes and by the remote benchmark.
 */
import Module from 'node:module';

const alias = process.env.EVENTWIRE_IOREDIS;
if (alias !== undefined && alias !== '' && alias !== 'ioredis') {
  type Resolve = (request: string, ...rest: unknown[]) => string;
  const loader = Module as unknown as { _resolveFilename: Resolve };
  const resolve = loader._resolveFilename;
  loader._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]): string {
    const target = request === 'ioredis' || request.startsWith('ioredis/') ? alias + request.slice('ioredis'.length) : request;
    return resolve.call(this, target, ...rest);
  };
}

/** The version of the ioredis this process loads for `require('ioredis')`. */
export function ioredisVersion(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('ioredis/package.json') as { version: string }).version;
}
