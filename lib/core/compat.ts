// The global types that eventwire's declarations name, for projects compiled without @types/node
// and without the DOM or esnext.disposable libraries. Each declaration merges with the library's
// own where that is present (as @types/node's compatibility/disposable.d.ts does).

declare global {
  interface SymbolConstructor {
    readonly dispose: unique symbol;
    readonly asyncDispose: unique symbol;
  }

  interface Disposable {
    [Symbol.dispose](): void;
  }

  interface AsyncDisposable {
    [Symbol.asyncDispose](): PromiseLike<void>;
  }

  interface AbortSignal {
    readonly aborted: boolean;
  }
}

export {};
