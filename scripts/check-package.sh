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
echo "check-package: $tarball installs, type-checks and runs in a fresh TypeScript project; eventwire graph reads its source"
