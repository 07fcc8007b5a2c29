import type { EncodedEnvelope } from '../remote/transport';

/**
 * How envelopes are laid out in Redis: one stream per namespace and event,
 * `<prefix>:<namespace>:<event>`, one field per envelope member; its dead-letter stream is
 * `<stream>:dead-letter`.
 */

/** The stream of one event of one namespace. */
export function streamKey(prefix: string, namespace: string, event: string): string {
  return `${prefix}:${namespace}:${event}`;
}

/** The dead-letter stream of a stream. */
export function deadLetterKey(stream: string): string {
  return `${stream}:dead-letter`;
}

/** The stream entry fields of an envelope, as `XADD` takes them. */
export function toFields(envelope: EncodedEnvelope): string[] {
  return [
    'id', envelope.id,
    'name', envelope.name,
    'namespace', envelope.namespace,
    'version', String(envelope.version),
    'occurredAt', envelope.occurredAt,
    'headers', JSON.stringify(envelope.headers),
    'payload', envelope.payload,
  ];
}

/** The envelope in stream entry fields, or why they are not one. */
export function fromFields(fields: readonly string[] | null): EncodedEnvelope | string {
  if (fields === null) return 'the entry was deleted from the stream';
  const map = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) map.set(fields[i], fields[i + 1]);
  const missing = ['id', 'name', 'namespace', 'version', 'occurredAt', 'headers', 'payload'].filter((f) => !map.has(f));
  if (missing.length > 0) return `it is not an eventwire envelope (missing field(s): ${missing.join(', ')})`;
  const version = Number(map.get('version'));
  if (!Number.isInteger(version)) return `its version is not a whole number: ${JSON.stringify(map.get('version'))}`;
  let headers: unknown;
  try {
    headers = JSON.parse(map.get('headers')!);
  } catch {
    headers = undefined;
  }
  if (headers === null || typeof headers !== 'object' || Array.isArray(headers) ||
      !Object.values(headers).every((v) => typeof v === 'string')) {
    return 'its headers are not a JSON object of strings';
  }
  return {
    id: map.get('id')!,
    name: map.get('name')!,
    namespace: map.get('namespace')!,
    version,
    occurredAt: map.get('occurredAt')!,
    headers: headers as Record<string, string>,
    payload: map.get('payload')!,
  };
}
