#!/usr/bin/env bash
# Checks the product as a user gets it: the npm pack tarball, installed into a fresh TypeScript
# project, type-checks and runs a decorated app, and the tarball holds only what a user needs.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cd "$root"
tarball=$(npm pack --silent --pack-destination "$work" | tail -n 1)
unexpected=$(tar -tzf "$work/$tarball" | grep -vE '^package/(package\.json|README\.md|LICENSE|docs/[a-z-]+\.md|dist/.*\.(js|mjs|d\.ts|d\.mts))$' || true)
if [ -n "$unexpected" ]; then
  echo "check-package: unexpected files in the tarball:"; echo "$unexpected"; exit 1
fi

mkdir "$work/app" && cd "$work/app"
npm init -y >/dev/null
npm install --silent --no-audit --no-fund "$work/$tarball" "typescript@$(node -p "require('$root/node_modules/typescript/package.json').version")" "@types/node@20" >/dev/null
cat > tsconfig.json <<'JSON'
{ "compilerOptions": { "target": "es2022", "module": "node20", "strict": true, "types": ["node"],
  "experimentalDecorators": true, "emitDecoratorMetadata": true, "rootDir": "src", "outDir": "out" } }
JSON
mkdir src
cat > src/app.ts <<'TS'
import { Container, Event, injectable, publishes, subscribes } from 'eventwire';
@injectable() class Logger { readonly lines: string[] = []; log(line: string): void { this.lines.push(line); } }
@injectable() class Engine { @publishes('started') started!: Event<[rpm: number]>; }
@injectable() class Dashboard {
  constructor(readonly logger: Logger) {}
  @subscribes(Engine, 'started') onStarted(rpm: number): void { this.logger.log(`rpm ${rpm}`); }
}
const app = new Container();
app.get(Dashboard);
app.get(Engine).started.fire(900);
console.log(app.get(Logger).lines.join(','));
TS
cat > src/remote.ts <<'TS'
import { Container, Event, injectable, publishes } from 'eventwire';
import { jsonCodec, remoteEvents, type EncodedEnvelope, type Transport } from 'eventwire/remote';
@injectable() class Checkout { @publishes('orderPlaced', { remote: true }) orderPlaced!: Event<[id: string]>; }
const published: EncodedEnvelope[] = [];
const transport: Transport = {
  description: 'memory',
  publish: async (envelope) => { published.push(envelope); },
  subscribe: () => ({ ready: Promise.resolve(), pause() {}, resume() {}, close: async () => {} }),
  close: async () => {},
};
const app = new Container({ extensions: [remoteEvents({ transport, namespace: 'shop', codec: jsonCodec })] });
app.get(Checkout).orderPlaced.fire('A-1');
console.log(`${published[0].namespace} ${published[0].name} ${published[0].payload}`);
TS
npx tsc -p .
out=$(node out/app.js)
[ "$out" = "rpm 900" ] || { echo "check-package: the installed package printed '$out', expected 'rpm 900'"; exit 1; }
out=$(node out/remote.js)
[ "$out" = 'shop orderPlaced ["A-1"]' ] || { echo "check-package: eventwire/remote (CommonJS) printed '$out', expected 'shop orderPlaced [\"A-1\"]'"; exit 1; }
# The eventwire command reads the TypeScript source with the project's typescript (an optional peer), running nothing.
graph=$(npx --no-install eventwire graph src/app.ts)
[ "$graph" = "$(printf 'Engine.started\n  -> Dashboard.onStarted')" ] || { echo "check-package: eventwire graph src/app.ts printed '$graph'"; exit 1; }

# The same app as ESM ("type": "module"), through the package's `import` condition.
mkdir esm && cd esm
echo '{ "type": "module" }' > package.json
sed 's/"rootDir": "src"/"rootDir": "."/' ../tsconfig.json > tsconfig.json
cp ../src/app.ts app.ts
cp ../src/remote.ts remote.ts
npx tsc -p .
out=$(node out/app.js)
[ "$out" = "rpm 900" ] || { echo "check-package: the ESM build printed '$out', expected 'rpm 900'"; exit 1; }
out=$(node out/remote.js)
[ "$out" = 'shop orderPlaced ["A-1"]' ] || { echo "check-package: eventwire/remote (ESM) printed '$out', expected 'shop orderPlaced [\"A-1\"]'"; exit 1; }
# One metadata store for both builds: a class decorated through the ESM build is wired by the CommonJS container.
cat > mixed.mjs <<'JS'
import { Event, publishes, subscribes } from 'eventwire';
import { createRequire } from 'node:module';
const { Container } = createRequire(import.meta.url)('eventwire');
class Engine {}
publishes('started')(Engine.prototype, 'started');
class Dashboard { onStarted(rpm) { console.log(`rpm ${rpm}`); } }
subscribes(Engine, 'started')(Dashboard.prototype, 'onStarted', Object.getOwnPropertyDescriptor(Dashboard.prototype, 'onStarted'));
const app = new Container();
app.get(Dashboard);
app.get(Engine).started.fire(900);
void Event;
JS
out=$(node mixed.mjs)
[ "$out" = "rpm 900" ] || { echo "check-package: ESM decorators with the CommonJS container printed '$out', expected 'rpm 900'"; exit 1; }
cd ..

# The declarations compile without @types/node and without the DOM library: a project of its own,
# where only the tarball (and what it depends on) is installed.
mkdir "$work/bare" && cd "$work/bare"
npm init -y >/dev/null
npm install --silent --no-audit --no-fund "$work/$tarball" >/dev/null
cat > tsconfig.json <<'JSON'
{ "compilerOptions": { "target": "es2022", "lib": ["es2022"], "module": "node20", "strict": true, "types": [],
  "experimentalDecorators": true, "noEmit": true, "skipLibCheck": false }, "files": ["use.ts"] }
JSON
cat > use.ts <<'TS'
import { Container, Event, type Subscription } from 'eventwire';
import { remoteEvents, type Transport } from 'eventwire/remote';
const ticks = new Event<[n: number]>('ticks');
const subscription: Subscription = ticks.add((n) => n + 1);
subscription.unsubscribe();
export const app = new Container();
export const remote = (transport: Transport): Container => new Container({ extensions: [remoteEvents({ transport })] });
TS
"$root/node_modules/.bin/tsc" -p .

# Types and exports as every resolution mode sees them, and the package's metadata.
"$root/node_modules/.bin/attw" "$work/$tarball"
(cd "$root" && node_modules/.bin/publint --strict)

# A new TypeScript 6 project as `npx tsc --init` makes it (standard decorators), with the two changes
# the README's "Decorator modes" names (target, types), runs the README's 30-second example as written.
mkdir "$work/new" && cd "$work/new"
npm init -y >/dev/null
npm pkg set type=module
npm install --silent --no-audit --no-fund "$work/$tarball" "typescript@$(node -p "require('$root/node_modules/typescript/package.json').version")" "@types/node@20" >/dev/null
npx tsc --init >/dev/null
grep -q '"experimentalDecorators": true' tsconfig.json && { echo "check-package: tsc --init now enables legacy decorators"; exit 1; }
sed -i -e 's/"target": "esnext"/"target": "es2022"/' -e 's/"types": \[\]/"types": ["node"]/' tsconfig.json
grep -q '"target": "es2022"' tsconfig.json && grep -q '"types": \["node"\]' tsconfig.json || { echo "check-package: tsc --init's tsconfig.json changed shape:"; cat tsconfig.json; exit 1; }
awk '/^## In 30 seconds/ { section = 1 } section && /^```ts$/ { code = 1; next } code && /^```$/ { exit } code { print }' "$root/README.md" > example.ts
npx tsc -p .
out=$(node example.js)
[ "$out" = "order A-1 confirmed: 42 EUR" ] || { echo "check-package: the 30-second example printed '$out' in a tsc --init project"; exit 1; }

echo "check-package: $tarball installs, type-checks and runs in a fresh TypeScript project as CommonJS and as ESM (eventwire and eventwire/remote) (legacy decorators; eventwire graph reads its source), in a tsc --init one (standard), and without @types/node; its types pass attw and publint"
