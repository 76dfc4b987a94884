// LimitRanger admission (k8s' plugin/pkg/admission/limitranger): a new pod gets the default
// requests and limits of its namespace's LimitRanges, then pods (on create) and PVCs (on
// create and update) must fit their min, max and maxLimitRequestRatio, or get 403 Forbidden.
import type { ResourceInfo } from '../../api/resources.js';
import { errors } from '../../api/status.js';
import type { KObject } from '../../api/types.js';
import { parseListOptions } from '../registry/list-options.js';
import type { ResourceStore } from '../registry/store.js';
import type { AdmissionAttributes, AdmissionPlugin, Operation } from './interfaces.js';
import { aggregateMessage, hasLimits, podMutateLimit, podValidateLimit, pvcValidateLimit } from './limit-ranger-rules.js';

type Rec = Record<string, unknown>;

/**
 * How long a live (etcd) lookup of a namespace's LimitRanges is trusted when the watch cache
 * has none — the cache may lag a LimitRange created a moment ago (k8s: liveTTL, 30 s).
 */
const LIVE_TTL_MS = 30_000;

export class LimitRanger implements AdmissionPlugin {
  private readonly live = new Map<string, { until: number; items: KObject[] }>();

  constructor(
    private readonly limitRanges: () => ResourceStore,
    private readonly now: () => number = Date.now,
  ) {}

  async admit(op: Operation, info: ResourceInfo, obj: KObject, _old: KObject | undefined, attrs: AdmissionAttributes): Promise<void> {
    if (attrs.subresource || info.group !== '') return;
    const isPod = info.resource === 'pods' && op === 'CREATE';
    const isPvc = info.resource === 'persistentvolumeclaims' && (op === 'CREATE' || op === 'UPDATE');
    if (!isPod && !isPvc) return;
    const items = (await this.lookup(obj.metadata?.namespace ?? '')).filter((lr) => hasLimits(lr as Rec));
    if (!items.length) return;
    const target = obj as Rec;
    if (isPod) for (const lr of items) podMutateLimit(lr as Rec, target);
    for (const lr of items) {
      const errs = isPod ? podValidateLimit(lr as Rec, target) : pvcValidateLimit(lr as Rec, target);
      if (errs.length) throw errors.forbidden({ group: '', resource: info.resource }, obj.metadata?.name ?? '', aggregateMessage(errs));
    }
  }

  /** GetLimitRanges: the watch cache's, or — when it has none — a live list kept for LIVE_TTL_MS. */
  private async lookup(namespace: string): Promise<KObject[]> {
    const store = this.limitRanges();
    const cached = (await store.list(namespace, { ...parseListOptions(store.info, {}), resourceVersion: '0' })).items.map((e) => e.obj);
    if (cached.length) return cached;
    const now = this.now();
    const hit = this.live.get(namespace);
    if (hit && hit.until > now) return hit.items;
    for (const [ns, e] of this.live) if (e.until <= now) this.live.delete(ns);
    const items = (await store.list(namespace, parseListOptions(store.info, {}))).items.map((e) => e.obj);
    this.live.set(namespace, { until: now + LIVE_TTL_MS, items });
    return items;
  }
}
