// Waiting on one object until a predicate holds: a GET, then a watch from its
// resourceVersion (re-opened when the server ends it), bounded by a deadline.
import type { ResourceInfo } from '../api/resources.js';
import type { KObject } from '../api/types.js';
import { isNotFound } from '../client/index.js';
import type { Factory } from './factory.js';
import { watchRaw } from './fetch.js';

/** `obj` is undefined once the object is gone. Return true to stop. */
export type Predicate = (obj: KObject | undefined) => boolean | Promise<boolean>;

/** Resolves true when the predicate held, false on timeout (`timeoutMs` 0: no limit). */
export async function watchUntil(f: Factory, info: ResourceInfo, namespace: string | undefined, name: string, done: Predicate, timeoutMs: number): Promise<boolean> {
  const abort = new AbortController();
  const timer = timeoutMs > 0 ? setTimeout(() => abort.abort(), timeoutMs) : undefined;
  try {
    const rc = f.resource(info, namespace);
    while (!abort.signal.aborted) {
      let obj: KObject | undefined;
      try {
        obj = await rc.get(name, { signal: abort.signal });
      } catch (e) {
        if (!isNotFound(e)) throw e;
        obj = undefined;
      }
      if (await done(obj)) return true;
      for await (const ev of watchRaw(f.client, info, namespace, {
        fieldSelector: `metadata.name=${name}`,
        resourceVersion: obj?.metadata?.resourceVersion ?? '0',
        signal: abort.signal,
      })) {
        if (ev.type === 'ADDED' || ev.type === 'MODIFIED') {
          if (await done(ev.object)) return true;
        } else if (ev.type === 'DELETED') {
          if (await done(undefined)) return true;
        } else if (ev.type === 'ERROR') {
          break; // expired: start over with a fresh GET
        }
      }
    }
    return false;
  } catch (e) {
    if (abort.signal.aborted) return false;
    throw e;
  } finally {
    if (timer) clearTimeout(timer);
  }
}
