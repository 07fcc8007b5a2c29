// Loaded by mocha before any spec (see .mocharc.json).
//
// Coverage (c8) counts what runs in this process only. Child processes that specs start (the
// demo, the CLI, tsx, broker fixtures) compile lib/ their own way, and merging their raw V8
// coverage into ours scrambles the figures. Node has already read NODE_V8_COVERAGE for this
// process, so removing it here only keeps it from the children.
delete process.env.NODE_V8_COVERAGE;

// EVENTWIRE_IOREDIS=ioredis6 runs every spec on ioredis 6 (see spec/redis/ioredis-module.ts).
import './redis/ioredis-module';
