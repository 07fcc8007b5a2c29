// Runs in the page, before eventwire is loaded (page.ts imports it first): records what reaches
// the console, the Content-Security-Policy violations and anything uncaught.

/** The bits of the DOM this file uses (the specs compile without the DOM library). */
interface Page {
  addEventListener(type: string, listener: (event: any) => void): void;
  document: { addEventListener(type: string, listener: (event: any) => void): void };
}

/** What the page saw, in order. */
export const seen = {
  /** `console.error` calls, their arguments joined by spaces. */
  errors: [] as string[],
  /** `console.warn` calls. */
  warnings: [] as string[],
  /** `securitypolicyviolation` events: `directive blockedURI`. */
  violations: [] as string[],
  /** Uncaught errors and unhandled rejections. */
  uncaught: [] as string[],
};

for (const level of ['error', 'warn'] as const) {
  const original = console[level].bind(console);
  const into = level === 'error' ? seen.errors : seen.warnings;
  console[level] = (...args: unknown[]): void => {
    into.push(args.map(String).join(' '));
    original(...args);
  };
}

const page = globalThis as unknown as Page;
page.document.addEventListener('securitypolicyviolation', (event: { effectiveDirective: string; blockedURI: string }) => {
  seen.violations.push(`${event.effectiveDirective} ${event.blockedURI}`);
});
page.addEventListener('error', (event: { message: string }) => { seen.uncaught.push(event.message); });
page.addEventListener('unhandledrejection', (event: { reason: unknown }) => { seen.uncaught.push(`unhandled rejection: ${String(event.reason)}`); });
