/**
 * The one place that reads stream command replies. Their shape depends on the client:
 * ioredis 5 (RESP2) nests `XREADGROUP` as `[[stream, entries]]`; ioredis 6 speaks RESP3 by
 * default, where the same reply is a map that arrives flat (`[stream, entries]`) through
 * `call()`, or as a plain object (`{ stream: entries }`) with `replyMapping: 'resp3'`. Entry
 * fields and the other stream replies keep their RESP2 shape in every mode, but are read here
 * too, defensively, so that no caller indexes a raw reply.
 */

/** One stream entry: its id and its fields as `[name, value, ...]`, or null when it was deleted. */
export type Entry = [id: string, fields: string[] | null];

/** What `XAUTOCLAIM` answered: the next cursor, the entries claimed, and ids no longer in the stream. */
export interface AutoClaim {
  readonly cursor: string;
  readonly entries: Entry[];
  readonly deleted: string[];
}

/** One row of the extended `XPENDING` form: who holds the message and how often it was delivered. */
export interface PendingRow {
  readonly id: string;
  readonly consumer: string;
  readonly idleMs: number;
  readonly deliveries: number;
}

/** The entries of every stream in an `XREADGROUP` / `XREAD` reply, whatever the client's protocol. */
export function readReply(reply: unknown): Entry[] {
  if (reply === null || reply === undefined) return [];
  const entries: Entry[] = [];
  for (const [, list] of streamsOf(reply)) entries.push(...entryList(list));
  return entries;
}

/** The parts of an `XAUTOCLAIM` reply. */
export function autoClaimReply(reply: unknown): AutoClaim {
  const [cursor, list, deleted] = asArray(reply, 'XAUTOCLAIM');
  return { cursor: String(cursor), entries: entryList(list), deleted: deleted === undefined || deleted === null ? [] : asArray(deleted, 'XAUTOCLAIM').map(String) };
}

/** The entries of an `XCLAIM` (or `XRANGE`) reply; ids only for `XCLAIM ... JUSTID`. */
export function entriesReply(reply: unknown): Entry[] {
  return entryList(reply);
}

/** The rows of an extended `XPENDING key group start end count [consumer]` reply. */
export function pendingReply(reply: unknown): PendingRow[] {
  return asArray(reply, 'XPENDING').map((row) => {
    const [id, consumer, idleMs, deliveries] = asArray(row, 'XPENDING');
    return { id: String(id), consumer: String(consumer), idleMs: Number(idleMs), deliveries: Number(deliveries) };
  });
}

/** `[stream, entries]` pairs of a read reply in any of its shapes. */
function streamsOf(reply: unknown): [string, unknown][] {
  if (reply instanceof Map) return [...reply.entries()].map(([key, value]) => [String(key), value]);
  if (!Array.isArray(reply)) {
    if (typeof reply === 'object') return Object.entries(reply as Record<string, unknown>);
    throw new TypeError(`unexpected XREADGROUP reply: ${typeof reply}`);
  }
  if (reply.length === 0) return [];
  // RESP2: [[stream, entries], ...]. RESP3 map, flattened: [stream, entries, stream, entries...].
  if (Array.isArray(reply[0])) return reply.map((pair) => [String((pair as unknown[])[0]), (pair as unknown[])[1]]);
  const pairs: [string, unknown][] = [];
  for (let i = 0; i + 1 < reply.length; i += 2) pairs.push([String(reply[i]), reply[i + 1]]);
  return pairs;
}

function entryList(list: unknown): Entry[] {
  if (list === null || list === undefined) return [];
  return asArray(list, 'stream').map((item): Entry => {
    if (!Array.isArray(item)) return [String(item), null];   // XCLAIM ... JUSTID
    const [id, fields] = item as unknown[];
    return [String(id), fieldList(fields)];
  });
}

function fieldList(fields: unknown): string[] | null {
  if (fields === null || fields === undefined) return null;
  if (Array.isArray(fields)) return fields.map(String);
  const pairs = fields instanceof Map ? [...fields.entries()] : Object.entries(fields as Record<string, unknown>);
  return pairs.flatMap(([name, value]) => [String(name), String(value)]);
}

function asArray(value: unknown, command: string): unknown[] {
  if (!Array.isArray(value)) throw new TypeError(`unexpected ${command} reply: ${value === null ? 'null' : typeof value}`);
  return value;
}
