/**
 * How eventwire names values in its messages (errors, warnings, failure reports): the class of
 * an object, and a short description of any value. Used by every layer; imports nothing.
 */

/** The class name of an object, for messages. */
export function className(value: object): string {
  const ctor = typeof value === 'function' ? value : (value as { constructor?: unknown }).constructor;
  return typeof ctor === 'function' && ctor.name ? ctor.name : 'Object';
}

/** A short, never-throwing description of any value, for messages. */
export function safeString(value: unknown): string {
  try {
    if (typeof value === 'string') return JSON.stringify(value);
    if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`;
    if (value !== null && typeof value === 'object') return `[object ${className(value)}]`;
    return String(value);   // a symbol too: `String(Symbol('x'))` is "Symbol(x)"
  } catch {
    return '(unprintable value)';
  }
}

/** `Event "name" of Class` (without ` of Class` when the event has no source), for messages. */
export function describeEvent(name: string, source: object | undefined): string {
  return `Event "${name}"${source ? ` of ${className(source)}` : ''}`;
}
