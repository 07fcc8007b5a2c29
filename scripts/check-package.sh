#!/usr/bin/env bash
# Checks the product as a user gets it: the npm pack tarball, installed into a fresh TypeScript
# project, type-checks and runs a decorated app, and the tarball holds only what a user needs.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cd "$root"
tarball=$(npm pack --silent --pack-destination "$work" | tail -n 1)
unexpected=$(tar -tzf "$work/$tarball" | grep -vE '^package/(package\.json|README\.md|LICENSE|dist/.*\.(js|d\.ts))$' || true)
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
npx tsc -p .
out=$(node out/app.js)
[ "$out" = "rpm 900" ] || { echo "check-package: the installed package printed '$out', expected 'rpm 900'"; exit 1; }
# The eventwire command reads the TypeScript source with the project's typescript (an optional peer), running nothing.
graph=$(npx --no-install eventwire graph src/app.ts)
[ "$graph" = "$(printf 'Engine.started\n  -> Dashboard.onStarted')" ] || { echo "check-package: eventwire graph src/app.ts printed '$graph'"; exit 1; }

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
echo "check-package: $tarball installs, type-checks and runs in a fresh TypeScript project (legacy decorators; eventwire graph reads its source) and in a tsc --init one (standard)"
