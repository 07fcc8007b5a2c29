// Type tests: every line under @ts-expect-error MUST fail to compile; `npm test` runs `tsc --noEmit` over them.
import { Event, type EventInfo } from '../../lib';

const started = new Event<[rpm: number]>('started');
started.add((rpm: number) => rpm * 2);
started.add((info: EventInfo<[number]>, rpm: number) => `${info.name} ${rpm}`, { info: true });
started.fire(900);

// @ts-expect-error a handler whose parameter does not accept the payload
started.add((rpm: string) => rpm.length);
// @ts-expect-error fire with the wrong type
started.fire('900');
// @ts-expect-error fire with a missing argument
started.fire();
// @ts-expect-error fire with an extra argument
started.fire(900, 1);
// @ts-expect-error an info handler added without { info: true }
started.add((info: EventInfo<[number]>, rpm: number) => rpm);

class Gauge { value = 0; set(v: number): void { this.value = v; } }
started.add(Gauge.prototype.set, { target: new Gauge() });
class Other { name = ''; rename(n: string): void { this.name = n; } }
// @ts-expect-error a method whose parameter does not accept the payload
started.add(Other.prototype.rename, { target: new Other() });
function setGauge(this: Gauge, v: number): void { this.value = v; }
started.add(setGauge, { target: new Gauge() });
// @ts-expect-error a function whose declared `this` is not the target's class
started.add(setGauge, { target: new Other() });

const none = new Event('tick');
none.fire();
// @ts-expect-error an event with no payload takes no arguments
none.fire(1);

export {};
