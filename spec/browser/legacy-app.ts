// A small app with LEGACY decorators (experimentalDecorators + emitDecoratorMetadata), as tsc
// compiles it: the browser spec transpiles this file with TypeScript before esbuild bundles it
// (esbuild emits no decorator metadata). Constructor dependencies come from design:paramtypes.
import { Container, Event, injectable, publishes, subscribes } from '../../lib';

@injectable()
export class Thermometer {
  @publishes() declare readonly measured: Event<[celsius: number]>;
}

@injectable()
export class Log {
  readonly lines: string[] = [];
}

@injectable()
export class Display {
  constructor(private readonly log: Log) {}   // resolved from reflect-metadata's design:paramtypes

  @subscribes(Thermometer, 'measured')
  show(celsius: number): void { this.log.lines.push(`display ${celsius} °C`); }

  dispose(): void { this.log.lines.push('display disposed'); }
}

@injectable({ scope: 'transient' })
export class Alarm {
  constructor(private readonly log: Log) {}

  @subscribes(Thermometer, 'measured', { filter: (_thermometer, celsius) => celsius > 30 })
  ring(celsius: number): void { this.log.lines.push(`alarm ${celsius} °C`); }
}

/** Builds, wires, fires, disposes; returns what happened, with the dependency types reflect-metadata recorded. */
export function runLegacyApp(): { lines: string[]; paramtypesAreLog: boolean } {
  const app = new Container({ providers: [Display] }).start();
  const log = app.get(Log);
  app.get(Alarm);   // a transient subscriber of the root container: nothing owns it (a warning says so)
  const thermometer = app.get(Thermometer);
  thermometer.measured.fire(21);
  thermometer.measured.fire(35);
  app.dispose();
  const paramtypes = (Reflect as unknown as { getMetadata(key: string, target: object): Function[] | undefined })
    .getMetadata('design:paramtypes', Display) ?? [];
  // Compared by identity: a bundler may rename classes.
  return { lines: log.lines, paramtypesAreLog: paramtypes.length === 1 && paramtypes[0] === Log };
}
