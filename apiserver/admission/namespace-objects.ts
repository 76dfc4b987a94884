// How admission plugins read a namespace's LimitRanges or ResourceQuotas (upstream's
// GetLimitRanges / GetQuotas): from the watch cache, or — when it has none, as it may lag an
// object created a moment ago — from a live etcd list that is trusted for a while
// (upstream's liveTTL, 30 s).
import type { KObject } from '../../api/types.js';
import { parseListOptions } from '../registry/list-options.js';
import type { ResourceStore } from '../registry/store.js';

const LIVE_TTL_MS = 30_000;

export class NamespaceObjects {
  private readonly live = new Map<string, { until: number; items: KObject[] }>();

  constructor(
    private readonly store: () => ResourceStore,
    private readonly now: () => number = Date.now,
  ) {}

  async list(namespace: string): Promise<KObject[]> {
    const store = this.store();
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
