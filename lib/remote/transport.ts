/**
 * The broker-agnostic contract between the bridge (lib/remote/bridge.ts) and a transport
 * (`eventwire/redis`, or your own). Nothing here depends on a broker client.
 */

/**
 * One remote event as it travels between processes.
 *
 * `id` is the idempotency key: consumers deduplicate on it, so a publish or a delivery that is
 * repeated (a reconnect that resends, a consumer that crashed after its handler succeeded) has
 * its effect once per subscriber class.
 */
export interface Envelope<P = unknown[]> {
  /** A random UUID, set once when the event is fired. */
  readonly id: string;
  /** The event's declared name (`@publishes(name)`). Remote names are global within a namespace. */
  readonly name: string;
  /** The namespace of the publishing container: consumers only see their own namespace. */
  readonly namespace: string;
  /** The payload's schema version (1 unless configured with the `versions` option). */
  readonly version: number;
  /** When the event was fired, as an ISO 8601 string. */
  readonly occurredAt: string;
  /** Free-form string headers; `content-type` names the codec. */
  readonly headers: Readonly<Record<string, string>>;
  /** The event's arguments (decoded), or their encoded text on the wire. */
  readonly payload: P;
}

/** An envelope whose payload the codec has encoded: what transports store and carry. */
export type EncodedEnvelope = Envelope<string>;

/**
 * Turns payloads (the event's argument list) into text and back. Both ends of an event MUST
 * use codecs with the same `contentType`; a message with another content type is dead-lettered.
 *
 * @example
 * import superjson from 'superjson';
 * const superjsonCodec: Codec = {
 *   contentType: 'application/vnd.superjson+json',
 *   encode: (payload) => superjson.stringify(payload),
 *   decode: (text) => superjson.parse(text),
 * };
 */
export interface Codec {
  /** Written to the `content-type` header and checked on delivery. */
  readonly contentType: string;
  /** Encodes the argument list. May throw: the fire then fails synchronously. */
  encode(payload: readonly unknown[]): string;
  /** Decodes what `encode` produced. A throw dead-letters the message. */
  decode(text: string): unknown;
}

/**
 * The default codec: `JSON`. It loses `Date` (becomes a string), `Map`/`Set` (become `{}`),
 * `undefined` (becomes `null`) and cannot encode `BigInt`: plug a richer codec for those.
 */
export const jsonCodec: Codec = Object.freeze({
  contentType: 'application/json',
  encode: (payload: readonly unknown[]): string => JSON.stringify(payload),
  decode: (text: string): unknown => JSON.parse(text),
});

/**
 * Checks a payload before it is published and after it is decoded. Return `false` or throw to
 * reject it: on publish the fire fails synchronously; on delivery the message is dead-lettered
 * (never retried). Any other return value accepts it.
 */
export type PayloadValidator = (envelope: Envelope<unknown[]>) => unknown;

/** What a transport tells the handler about one delivery. */
export interface Delivery {
  /** 1 on the first delivery of this message to this consumer group, then 2, 3... */
  readonly attempt: number;
  /** The attempt after which a failing message is dead-lettered. */
  readonly maxAttempts: number;
  /** Aborted when the consumer is closing: stop waiting (not handling) and throw. */
  readonly signal: AbortSignal;
}

/** One consumer group's subscription to one event of one namespace. */
export interface TransportSubscription {
  /** The namespace whose events to read. */
  readonly namespace: string;
  /** The event's name. */
  readonly event: string;
  /** The consumer group: every group gets a copy of each event; its consumers share the work. */
  readonly group: string;
  /**
   * Handles one message. Resolving acknowledges it. Rejecting retries it (up to the transport's
   * attempt limit, then dead-letters it), except that a {@link PoisonMessageError} is
   * dead-lettered at once, and a `NoSubscriberError` or a rejection after `delivery.signal`
   * aborted leaves the message pending for another consumer, without counting an attempt.
   */
  readonly handle: (envelope: EncodedEnvelope, delivery: Delivery) => Promise<void>;
}

/** A running subscription of a transport. */
export interface Consumer {
  /** Resolves once the consumer group exists and reading has started. */
  readonly ready: Promise<void>;
  /** Stops taking new messages (handlers in flight go on) until `resume()`. */
  pause(): void;
  /** Takes messages again after `pause()`. */
  resume(): void;
  /** Stops reading, waits for the handlers in flight and acknowledges them. Idempotent. */
  close(): Promise<void>;
}

/**
 * A claim on one envelope id, held while a handler runs. The store keeps it alive until it is
 * finished or abandoned; if its holder dies, it lapses after the store's lease.
 */
export interface IdempotencyClaim {
  /** Marks the id handled: later claims of it answer `'done'`. */
  finish(): Promise<void>;
  /** Gives the id back after a failure, so that a retry can claim it. */
  abandon(): Promise<void>;
}

/**
 * Remembers which envelope ids each consumer group has handled, so that duplicates have their
 * effect once. A transport may offer a shared one (the Redis transport stores ids in Redis);
 * otherwise the bridge keeps one in memory, which catches duplicates within one process only.
 */
export interface IdempotencyStore {
  /**
   * Claims `id` within `scope` (a namespace and consumer group): a claim when nobody handled it,
   * `'done'` when it was handled, `'busy'` while another holder's claim is live.
   */
  claim(scope: string, id: string): Promise<IdempotencyClaim | 'done' | 'busy'>;
}

/**
 * Carries encoded envelopes through a broker. Implement it to add a broker; the bridge does the
 * rest (envelopes, codec, validation, deduplication, delivery to objects).
 *
 * Contract:
 * - `publish` MUST NOT wait for the broker before returning. It returns a promise that settles
 *   when the broker has stored the message, and it THROWS SYNCHRONOUSLY (never rejects) when
 *   the message cannot even be buffered (buffer full, transport closed), so that `fire()`
 *   can report it at once. It SHOULD bound how long that promise stays pending, and withdraw a
 *   message it has not sent by then, so that a caller told it failed can retry it without
 *   duplicating it (the Redis transport: `publishTimeoutMs`).
 * - A consumer acknowledges a message only after `handle` resolved; it redelivers messages
 *   whose consumer died; it dead-letters poison messages and messages that failed too often.
 */
export interface Transport {
  /** Short description for messages, such as `redis://127.0.0.1:6379`. */
  readonly description: string;
  /** Hands one envelope to the broker. See the contract above. */
  publish(envelope: EncodedEnvelope): Promise<void>;
  /** Starts delivering one event of one namespace to one consumer group. */
  subscribe(subscription: TransportSubscription): Consumer;
  /**
   * The caller gave up waiting for the publish that returned `published` (a bounded
   * `fireAsyncWith()`): withdraw it if it was not sent to the broker yet (it then rejects with a
   * `PublishError` saying it was withdrawn, and is never sent) and return true; return false when
   * it cannot be withdrawn any more (sent: it may be stored) or is unknown. Optional: without it,
   * the publish goes on, and its outcome is reported to `onError`.
   */
  withdraw?(published: Promise<void>): boolean;
  /** A store shared by every consumer of the broker, if the transport has one. */
  readonly idempotency?: IdempotencyStore;
  /**
   * Closes consumers (draining their handlers), waits a bounded time for unconfirmed publishes,
   * fails the rest with an error, and closes connections. Idempotent.
   */
  close(): Promise<void>;
}
