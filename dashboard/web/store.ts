// A tiny observable value for app-wide state (current user, banner, last error, namespace):
// views subscribe with the useStore hook; no framework-wide state library needed.
import { useEffect, useState } from 'preact/hooks';

export class Store<T> {
  private subs = new Set<(v: T) => void>();
  constructor(private value: T) {}
  get(): T { return this.value; }
  set(v: T): void {
    if (Object.is(v, this.value)) return;
    this.value = v;
    for (const s of [...this.subs]) s(v);
  }
  subscribe(fn: (v: T) => void): () => void {
    this.subs.add(fn);
    return () => { this.subs.delete(fn); };
  }
}

export function useStore<T>(s: Store<T>): T {
  const [v, setV] = useState(s.get());
  useEffect(() => { setV(s.get()); return s.subscribe(setV); }, [s]);
  return v;
}

export interface User { username: string; groups?: string[] }

/** undefined = not known yet, null = logged out. */
export const user = new Store<User | null | undefined>(undefined);
/** Banner text when a watch stream reports the apiserver down or loses its connection. */
export const banner = new Store<string | null>(null);
/** The last failed action's Status message (shown as error-message). */
export const lastError = new Store<string | null>(null);
/** '' = all namespaces. */
export const namespace = new Store<string>(localStorage.getItem('tskube.namespace') ?? '');
namespace.subscribe((ns) => localStorage.setItem('tskube.namespace', ns));

export function showError(e: unknown): void {
  const msg = e instanceof Error ? e.message : String(e);
  lastError.set(msg);
}

/** A short success note (e.g. "deployment/web scaled"). */
export const notice = new Store<string | null>(null);

/** Runs an action: its Status message goes to error-message on failure, `ok` to the notice. */
export async function act(ok: string, fn: () => Promise<unknown>): Promise<boolean> {
  try {
    const r = await fn();
    lastError.set(null);
    notice.set(typeof r === 'string' ? r : ok);
    return true;
  } catch (e) {
    showError(e);
    return false;
  }
}
