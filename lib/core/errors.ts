/**
 * Base class of every error eventwire throws for bad input or misuse.
 *
 * Use {@link EventwireError.is} rather than `instanceof` when two copies of
 * the package may be loaded in one process.
 */
export abstract class EventwireError extends Error {
  /** A stable, machine-readable name for the kind of failure. */
  abstract readonly code: string;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }

  /** True when `error` is an eventwire error, even from another copy of the package. */
  static is(error: unknown): error is EventwireError {
    if (error instanceof EventwireError) return true;
    const code = error instanceof Error ? (error as { code?: unknown }).code : undefined;
    return typeof code === 'string' && code.startsWith('EVENTWIRE_');
  }
}

/** A value passed to eventwire has the wrong type or is out of range. */
export class InvalidArgumentError extends EventwireError {
  readonly code = 'EVENTWIRE_INVALID_ARGUMENT';
}

/** An event, subscription or container was used after `dispose()`. */
export class DisposedError extends EventwireError {
  readonly code = 'EVENTWIRE_DISPOSED';
}

/**
 * A decorator was put on the wrong kind of member, has a bad argument or option, or names an
 * event its source does not publish: the fix is in the class declaration.
 */
export class DecoratorError extends EventwireError {
  readonly code = 'EVENTWIRE_DECORATOR';
}

/**
 * The wiring cannot be done as asked, though every decorator is right: an object wired (or
 * released) by another container, an object frozen or sealed before its events could be
 * assigned, a remote subscription that cannot apply across processes (a `priority`, two classes
 * sharing one consumer group, an anonymous class), a container extension's hook that threw while
 * the object was adopted (`cause`). Thrown when the container adopts or releases the object (a
 * frozen object's lazy event: when it is first read), with nothing of it left wired.
 */
export class WiringError extends EventwireError {
  readonly code = 'EVENTWIRE_WIRING';
}

/** The container cannot resolve a dependency (unknown token, missing metadata, cycle, failing constructor). */
export class ResolutionError extends EventwireError {
  readonly code = 'EVENTWIRE_RESOLUTION';
  /** The chain of tokens being resolved, outermost first. */
  readonly path: readonly string[];

  constructor(message: string, path: readonly string[], options?: { cause?: unknown }) {
    super(message, options);
    this.path = path;
  }
}

/**
 * A registration that could not take effect: a token registered after its singleton was built,
 * or a child scope overriding a token that an ancestor's singleton depends on.
 */
export class OverrideError extends EventwireError {
  readonly code = 'EVENTWIRE_OVERRIDE';
}

/** A bounded `fireAsync` gave up (its `timeoutMs` elapsed or its signal aborted) before every handler settled. */
export class FireAbortedError extends EventwireError {
  readonly code = 'EVENTWIRE_FIRE_ABORTED';
  /** The handlers (`Class.method` or function name) whose promises had not settled. */
  readonly pending: readonly string[];

  constructor(message: string, pending: readonly string[], options?: { cause?: unknown }) {
    super(message, options);
    this.pending = pending;
  }
}
