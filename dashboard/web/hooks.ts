// Preact hooks over the live lists and the namespace selection.
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from './api.js';
import { acquire, KObject, peek, release } from './live.js';
import { namespace, useStore } from './store.js';

export interface ListState<T> { items: T[]; error: Error | null; loaded: boolean }

export function useList<T = KObject>(path: string | null): ListState<T> {
  const [, setTick] = useState(0);
  useEffect(() => {
    if (!path) return;
    const l = acquire(path);
    const unsub = l.subscribe(() => setTick((n) => n + 1));
    setTick((n) => n + 1);
    return () => { unsub(); release(path); };
  }, [path]);
  if (!path) return { items: [], error: null, loaded: true };
  const l = peek(path);
  if (!l) return { items: [], error: null, loaded: false };
  return { items: l.items() as unknown as T[], error: l.error, loaded: l.loaded };
}

/** Collection path of a namespaced resource in the selected namespace ('' = all). */
export function nsPath(prefix: string, resource: string, ns: string): string {
  return ns ? `${prefix}/namespaces/${ns}/${resource}` : `${prefix}/${resource}`;
}

/**
 * A live list of a namespaced resource in the selected namespace. A user who may not list
 * across all namespaces (a RoleBinding, not a ClusterRoleBinding) gets a 403 there; then the
 * view falls back to the `default` namespace instead of showing nothing.
 */
export function useNsList<T = KObject>(prefix: string, resource: string): ListState<T> & { ns: string; note: string | null } {
  const ns = useStore(namespace);
  const all = useList<T>(ns ? null : nsPath(prefix, resource, ''));
  const forbiddenAll = !ns && all.error instanceof ApiError && all.error.code === 403;
  const effective = ns || (forbiddenAll ? 'default' : '');
  const scoped = useList<T>(effective ? nsPath(prefix, resource, effective) : null);
  if (!effective) return { ...all, ns: '', note: null };
  return { ...scoped, ns: effective, note: forbiddenAll ? `Not allowed to list ${resource} in all namespaces; showing namespace "default".` : null };
}

/** Re-renders every `ms` (ages, sampled charts). */
export function useTick(ms: number): number {
  const [n, setN] = useState(0);
  useEffect(() => { const t = setInterval(() => setN((x) => x + 1), ms); return () => clearInterval(t); }, [ms]);
  return n;
}
