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
import type { ResourceStore } from '../registry/store.js';
import type { AdmissionAttributes, AdmissionPlugin, Operation } from './interfaces.js';
import { QuotaChargeBatcher } from './resourcequota-batch.js';
import { NamespaceObjects } from './namespace-objects.js';

type Rec = Record<string, unknown>;

export class ResourceQuotaAdmission implements AdmissionPlugin {
  private readonly quotas: NamespaceObjects;
  private readonly batcher: QuotaChargeBatcher;

  constructor(
    quotas: () => ResourceStore,
    private readonly now: () => number = Date.now,
  ) {
    this.quotas = new NamespaceObjects(quotas, now);
    this.batcher = new QuotaChargeBatcher(quotas);
  }

  async admit(op: Operation, info: ResourceInfo, obj: KObject, old: KObject | undefined, attrs: AdmissionAttributes): Promise<void> {
    if (!info.namespaced || op === 'DELETE') return;
    const e = evaluatorFor({ group: info.group, resource: info.resource });
    if (!e.handles(op, attrs.subresource)) return;
    const namespace = obj.metadata?.namespace ?? '';
    const quotas = await this.quotas.list(namespace);
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
}
