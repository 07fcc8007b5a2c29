/**
 * Demo 1: the essay's example (../shared/seed/event-driven-programming-in-python.txt), written
 * with eventwire. The Python original:
 *
 *     fred = ExampleObject()
 *     fred.start.add(example_handler)
 *     fred.stop.add(example_handler)
 *     fred.start()
 *     fred.stop('optional extra arg')
 *
 * prints
 *
 *     example handler fired ('started',)
 *     example handler fired ('stopped', 'optional extra arg')
 *
 * The event's name is the essay's "metadata": here a handler asks for it with `{ info: true }`
 * and receives an `EventInfo` before the payload, so one handler serves both events.
 */
import { Container, Event, publishes, subscribes, type EventInfo } from '../lib';

/** Prints a Python tuple, as the essay's `print "example handler fired", args` does. */
function pythonTuple(values: readonly unknown[]): string {
  const items = values.map((v) => (typeof v === 'string' ? `'${v}'` : String(v)));
  return items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`;
}

/** Reacts to any event: learns which one fired from `info.name`. */
function exampleHandler(info: EventInfo<any>, ...args: unknown[]): void {
  console.log('example handler fired', pythonTuple([info.name, ...args]));
}

/** Publishes start and stop events, as in the essay: each object owns its events. */
class ExampleObject {
  readonly start = new Event('started');
  readonly stop = new Event<[extra?: string]>('stopped');
}

/** The same publisher, with events declared by decorators and created by the container. */
export class Machine {
  @publishes('started') start!: Event;
  @publishes('stopped') stop!: Event<[extra?: string]>;
}

/** The same handler as a method, wired by the container to both events of every Machine. */
export class Printer {
  @subscribes(Machine, 'start', { info: true })
  @subscribes(Machine, 'stop', { info: true })
  exampleHandler(info: EventInfo<any>, ...args: unknown[]): void {
    exampleHandler(info, ...args);
  }
}

/** Runs the essay's example twice: by hand, then wired by a container. */
export function runEssay(): void {
  console.log('-- by hand, as in the essay --');
  const fred = new ExampleObject();
  fred.start.add(exampleHandler, { info: true });
  fred.stop.add(exampleHandler, { info: true });
  fred.start.fire();
  fred.stop.fire('optional extra arg');

  console.log('-- wired by a container from @publishes / @subscribes --');
  using app = new Container();
  app.get(Printer);
  const machine = app.get(Machine);
  machine.start.fire();
  machine.stop.fire('optional extra arg');
}

if (require.main === module) runEssay();
