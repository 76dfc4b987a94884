// The few browser globals the tests' in-page functions use, typed here because the project's
// tsconfig is a Node one (no DOM lib: adding it clashes with @types/node's webcrypto). A
// function passed to page.evaluate starts with `const { document } = globalThis as unknown as
// PageGlobals;` — a type-only cast, so the page runs it against its own globals.
export interface PageElement {
  textContent: string | null;
  getAttribute(name: string): string | null;
}

export interface PageGlobals {
  document: {
    querySelector(selector: string): PageElement | null;
    querySelectorAll(selector: string): ArrayLike<PageElement> & Iterable<PageElement>;
    body: object;
  };
  MutationObserver: new (callback: () => void) => { observe(target: object, options: Record<string, boolean>): void; disconnect(): void };
  performance: { now(): number; timeOrigin: number; getEntriesByName(name: string): { startTime: number }[]; getEntriesByType(type: string): { name: string; startTime: number }[] };
}
