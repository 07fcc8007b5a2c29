// Type tests for the diagram renderers and the trace logger.
// Every line under @ts-expect-error MUST fail to compile; `npm test` runs `tsc --noEmit` over them.
import { Container, staticGraph, toDot, toMermaid, toText, traceFromEnv, traceLogger, type StaticGraph, type TraceHook } from '../../lib';

const live = new Container().graph();
const declared: StaticGraph = staticGraph([class {}]);
toMermaid(live);
toDot(declared);
const text: string = toText(live);
void text;
// @ts-expect-error a graph has nodes and edges
toMermaid({ nodes: [] });
// @ts-expect-error staticGraph takes classes
staticGraph([{}]);

const hook: TraceHook = traceLogger({ write: (line: string) => void line, dispatches: false, deadEvents: true });
new Container({ trace: hook });
new Container({ trace: traceFromEnv() });
// @ts-expect-error write receives a line of text
traceLogger({ write: (line: number) => void line });
// @ts-expect-error the environment maps names to strings
traceFromEnv({ EVENTWIRE_TRACE: 1 });

export {};
