// The toolchain matrix's sample app: the same source is compiled and run by every toolchain
// (spec/toolchains.spec.ts), under legacy and standard decorators, and must print the same lines.
import { Container, Event, InjectionToken, injectable, publishes, subscribes } from '../../lib';

interface Config { readonly greeting: string }
const CONFIG = new InjectionToken<Config>('config');

@injectable()
class Logger {
  readonly lines: string[] = [];
  log(line: string): void {
    this.lines.push(line);
    console.log(line);
  }
}

@injectable({ deps: [Logger, CONFIG] })
class Engine {
  @publishes() readonly started!: Event<[rpm: number]>;
  constructor(readonly logger: Logger, readonly config: Config) {
    logger.log(`engine built: ${config.greeting}`);
  }
}

@injectable({ deps: [Logger] })
class Dashboard {
  constructor(private readonly logger: Logger) {}
  @subscribes(Engine, 'started') onStarted(rpm: number): void {
    this.logger.log(`dashboard saw started(${rpm})`);
  }
  @subscribes(Engine, 'started', { info: true }) onInfo(info: { name: string }, rpm: number): void {
    this.logger.log(`dashboard saw ${info.name} with info (${rpm})`);
  }
}

const app = new Container().register(CONFIG, { useValue: { greeting: 'hello' } });
const dashboard = app.get(Dashboard);
const engine = app.get(Engine);
engine.started.fire(900);
console.log(`same logger: ${app.get(Logger) === engine.logger}, wired: ${app.graph().edges.length} edge(s)`);
void dashboard;
app.dispose();
