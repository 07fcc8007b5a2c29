import { EventwireError } from '../core/errors';

/**
 * Errors of the cross-process bridge and its transports. Each says what went wrong and how to
 * fix it; recognise them with `EventwireError.is(error)` and their `code`.
 */

/**
 * A remote event could not be handed to the transport: its bounded publish buffer is full
 * (usually because the broker is down), the bridge or transport is closed, or the broker
 * refused the write. Thrown synchronously by `fire()` under the `'throw'` policy, otherwise
 * reported to `onError`: a remote event is never dropped without a trace.
 */
export class PublishError extends EventwireError {
  readonly code: string = 'EVENTWIRE_PUBLISH';
}

/** The transport already holds its maximum of publishes the broker has not confirmed. */
export class PublishBufferFullError extends PublishError {
  override readonly code = 'EVENTWIRE_PUBLISH_BUFFER_FULL';
}

/** The encoded payload is larger than the transport accepts (`maxPayloadBytes`). */
export class PayloadTooLargeError extends PublishError {
  override readonly code = 'EVENTWIRE_PAYLOAD_TOO_LARGE';
}

/** The bridge or transport was closed: it publishes and delivers nothing any more. */
export class TransportClosedError extends EventwireError {
  readonly code = 'EVENTWIRE_TRANSPORT_CLOSED';
}

/**
 * A message that can never be handled: it does not decode, its payload fails validation, or it
 * is not an eventwire envelope. Transports dead-letter it at once, without retrying.
 */
export class PoisonMessageError extends EventwireError {
  readonly code = 'EVENTWIRE_POISON_MESSAGE';

  /** True when `error` is a poison-message error, even from another copy of the package. */
  static isPoison(error: unknown): error is PoisonMessageError {
    return error instanceof PoisonMessageError ||
      (error instanceof Error && (error as { code?: unknown }).code === 'EVENTWIRE_POISON_MESSAGE');
  }
}

/**
 * A remote event arrived for a subscriber class with no live object in this process (it was
 * released, garbage-collected, or its container disposed without `disposeAsync()`). The message
 * stays pending for another process of the service, and this process's consumer pauses until
 * an object of the class is wired again. Never retried here, never dead-lettered.
 */
export class NoSubscriberError extends EventwireError {
  readonly code = 'EVENTWIRE_NO_SUBSCRIBER';

  /** True when `error` is a no-subscriber error, even from another copy of the package. */
  static isNoSubscriber(error: unknown): error is NoSubscriberError {
    return error instanceof NoSubscriberError ||
      (error instanceof Error && (error as { code?: unknown }).code === 'EVENTWIRE_NO_SUBSCRIBER');
  }
}

/** A message exhausted its delivery attempts or could not be handled, and was moved to the dead-letter stream. */
export class DeadLetterError extends EventwireError {
  readonly code = 'EVENTWIRE_DEAD_LETTER';
}

/** The connection to the broker failed or a broker command failed in the background. */
export class BrokerError extends EventwireError {
  readonly code = 'EVENTWIRE_BROKER';
}
