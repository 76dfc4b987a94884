// The autoregister controller (kube-aggregator's pkg/controllers/autoregister, fed by
// kube-apiserver's apiServicesToRegister): at start every group-version the apiserver serves
// itself gets a Local APIService (`v1.apps`, `v1.` for core), an out-of-date one is put back,
// and an automanaged one whose group-version is no longer served is removed — so the
// APIService list always says what this apiserver serves.
import type { Logger } from 'pino';
import { AUTOREGISTER_LABEL, type APIService } from '../../api/apiregistration.js';
import { StatusError } from '../../api/status.js';
import type { KObject } from '../../api/types.js';
import type { ResourceStore } from '../registry/store.js';
import { localAPIService } from './priorities.js';

export interface AutoregisterPlan {
  create: APIService[];
  update: APIService[];
  remove: string[];
}

const sameSpec = (a: APIService, b: APIService) => JSON.stringify(a.spec) === JSON.stringify(b.spec);

/** What to create, fix and delete so the Local APIServices match `served` (pure). */
export function planAutoregister(served: { group: string; version: string }[], existing: APIService[]): AutoregisterPlan {
  const want = new Map(served.map((gv) => [`${gv.version}.${gv.group}`, localAPIService(gv.group, gv.version)]));
  const have = new Map(existing.map((s) => [s.metadata?.name ?? '', s]));
  const plan: AutoregisterPlan = { create: [], update: [], remove: [] };
  for (const [name, w] of want) {
    const h = have.get(name);
    if (!h) plan.create.push(w);
    else if (h.metadata?.labels?.[AUTOREGISTER_LABEL] && !sameSpec(h, w)) plan.update.push(w);
  }
  for (const [name, h] of have) if (!want.has(name) && h.metadata?.labels?.[AUTOREGISTER_LABEL] === 'onstart' && !h.spec.service) plan.remove.push(name);
  return plan;
}

export async function autoregister(store: ResourceStore, served: { group: string; version: string }[], log: Logger): Promise<void> {
  const existing = store.cache.list().map((e) => e.obj as unknown as APIService);
  const plan = planAutoregister(served, existing);
  for (const s of plan.create) {
    try {
      await store.create(undefined, s as unknown as KObject);
    } catch (e) {
      if (!(e instanceof StatusError && e.code === 409)) throw e;
    }
  }
  for (const s of plan.update) {
    await store.guaranteedUpdate(undefined, s.metadata!.name!, (cur) => ({ ...cur, spec: s.spec }) as KObject);
  }
  for (const name of plan.remove) {
    await store.delete(undefined, name, {}).catch((e: unknown) => {
      if (!(e instanceof StatusError && e.code === 404)) throw e;
    });
  }
  if (plan.create.length + plan.update.length + plan.remove.length > 0) {
    log.info({ created: plan.create.length, updated: plan.update.length, removed: plan.remove.length }, 'registered the local APIServices');
  }
}
