// ResourceQuota admission (plugin/pkg/admission/resourcequota): a write whose usage would pass
// a quota's hard limits in its namespace is refused with 403; otherwise the quota is charged
// by a compare-and-swap on its status.used (resourceVersion precondition, retried on conflict;
// batched per namespace in resourcequota-batch.ts), so concurrent writes — in this apiserver or
// another — cannot overshoot. Runs last, after
// LimitRanger has defaulted requests and limits, as in Kubernetes' plugin order.
import type { ResourceInfo } from '../../api/resources.js';
import { errors } from '../../api/status.js';
import type { KObject } from '../../api/types.js';
import { evaluatorFor } from '../../api/quota/evaluators.js';
import { charge, deltaUsage, isZero, QuotaDenied, quotaView, restrictedResources } from '../../api/quota/quota.js';
import { parseListOptions } from '../registry/list-options.js';
import type { ResourceStore } from '../registry/store.js';
import type { AdmissionAttributes, AdmissionPlugin, Operation } from './interfaces.js';
import { QuotaChargeBatcher } from './resourcequota-batch.js';

type Rec = Record<string, unknown>;

/** How long a live (etcd) lookup of a namespace's quotas is trusted when the watch cache has none (upstream: 30 s). */
const LIVE_TTL_MS = 30_000;

export class ResourceQuotaAdmission implements AdmissionPlugin {
  private readonly live = new Map<string, { until: number; items: KObject[] }>();
  private readonly batcher: QuotaChargeBatcher;

  constructor(
    private readonly quotas: () => ResourceStore,
    private readonly now: () => number = Date.now,
  ) {
    this.batcher = new QuotaChargeBatcher(quotas);
  }

  async admit(op: Operation, info: ResourceInfo, obj: KObject, old: KObject | undefined, attrs: AdmissionAttributes): Promise<void> {
    if (!info.namespaced || op === 'DELETE') return;
    const e = evaluatorFor({ group: info.group, resource: info.resource });
    if (!e.handles(op, attrs.subresource)) return;
    const namespace = obj.metadata?.namespace ?? '';
    const quotas = await this.lookup(namespace);
    if (!quotas.length) return;
    const gr = { group: info.group, resource: info.resource };
    const name = obj.metadata?.name ?? '';
    try {
      // First against the cached quotas: refuse early, learn which quotas apply.
      const applying = quotas.filter((q) => restrictedResources(e, quotaView(q as Rec), obj as Rec) !== undefined);
      if (!applying.length) return;
      const delta = deltaUsage(e, obj as Rec, op === 'UPDATE' ? (old as Rec | undefined) : undefined, this.now());
      if (isZero(delta)) return;
      for (const q of applying) charge(quotaView(q as Rec), delta);
      if (attrs.dryRun) return;
      await this.batcher.charge(namespace, { evaluator: e, obj: obj as Rec, delta, quotas: applying.map((q) => q.metadata?.name ?? '') });
    } catch (err) {
      if (err instanceof QuotaDenied) throw errors.forbidden(gr, name, err.message);
      throw err;
    }
  }

  /** GetQuotas: the watch cache's, or — when it has none — a live list kept for LIVE_TTL_MS. */
  private async lookup(namespace: string): Promise<KObject[]> {
    const store = this.quotas();
    const cached = (await store.list(namespace, { ...parseListOptions(store.info, {}), resourceVersion: '0' })).items.map((i) => i.obj);
    if (cached.length) return cached;
    const now = this.now();
    const hit = this.live.get(namespace);
    if (hit && hit.until > now) return hit.items;
    for (const [ns, v] of this.live) if (v.until <= now) this.live.delete(ns);
    const items = (await store.list(namespace, parseListOptions(store.info, {}))).items.map((i) => i.obj);
    this.live.set(namespace, { until: now + LIVE_TTL_MS, items });
    return items;
  }
}
