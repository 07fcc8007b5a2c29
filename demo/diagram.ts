/**
 * Demo 3: the order service's wiring diagram, drawn from the decorators alone (nothing is
 * constructed). The same as `eventwire graph demo/shop.ts`; `--format mermaid` or
 * `--format dot` give a picture.
 */
import { staticGraph, toText } from '../lib';
import * as shop from './shop';

/** Prints the static wiring diagram of demo/shop.ts. */
export function runDiagram(): void {
  const graph = staticGraph(Object.values(shop) as Function[]);
  console.log('The wiring declared in demo/shop.ts (who publishes what, who reacts):');
  for (const line of toText(graph).trimEnd().split('\n')) console.log(`  ${line}`);
  console.log('As a picture: node -r ts-node/register lib/cli.ts graph demo/shop.ts --format mermaid (or dot)');
}

if (require.main === module) runDiagram();
