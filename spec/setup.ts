// Loaded by mocha before any spec (see .mocharc.json).
//
// Coverage (c8) counts what runs in this process only. Child processes that specs start (the
// demo, the CLI, tsx, broker fixtures) compile lib/ their own way, and merging their raw V8
// coverage into ours scrambles the figures. Node has already read NODE_V8_COVERAGE for this
// process, so removing it here only keeps it from the children.
delete process.env.NODE_V8_COVERAGE;

// EVENTWIRE_IOREDIS=ioredis6 runs every spec on ioredis 6 (see spec/redis/ioredis-module.ts).
import './redis/ioredis-module';

// Many specs define subscriber classes they never build, or get transient subscribers from a root
// container: Node would print a SubscriberNotBuiltWarning or UnownedSubscriberWarning for each,
// thousands of lines of stderr. Node's printer is wrapped to skip these two codes only; every other
// warning is printed, and listeners the specs add (warningsDuring in spec/helpers.ts) still see all.
export const QUIET_WARNING_CODES: ReadonlySet<string> = new Set(['EVENTWIRE_SUBSCRIBER_NOT_BUILT', 'EVENTWIRE_UNOWNED_SUBSCRIBER']);
for (const printer of process.listeners('warning')) {
  process.off('warning', printer);
  process.on('warning', function quietPrinter(warning: Error) {
    if (!QUIET_WARNING_CODES.has((warning as { code?: string }).code ?? '')) printer.call(process, warning);
  });
}
