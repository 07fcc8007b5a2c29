// Type tests for README.md's comparison table: Node's EventEmitter (with @types/node's event map),
// eventemitter3 and mitt check event names and payloads when given a typed event map.
// Every line under @ts-expect-error MUST fail to compile.
import { EventEmitter as NodeEmitter } from 'node:events';
import EventEmitter3 from 'eventemitter3';
import mitt from 'mitt';

const node = new NodeEmitter<{ started: [rpm: number] }>();
node.on('started', (rpm: number) => rpm);
// @ts-expect-error an event name that is not in the map
node.on('stared', (rpm: number) => rpm);
// @ts-expect-error a listener that does not accept the payload
node.on('started', (rpm: string) => rpm);

const ee3 = new EventEmitter3<{ started: (rpm: number) => void }>();
ee3.on('started', (rpm: number) => rpm);
// @ts-expect-error an event name that is not in the map
ee3.on('stared', (rpm: number) => rpm);
// @ts-expect-error a listener that does not accept the payload
ee3.on('started', (rpm: string) => rpm);

const bus = mitt<{ started: number }>();
bus.on('started', (rpm: number) => rpm);
// @ts-expect-error an event name that is not in the map
bus.on('stared', (rpm: number) => rpm);
// @ts-expect-error a handler that does not accept the payload
bus.on('started', (rpm: string) => rpm);

export {};
