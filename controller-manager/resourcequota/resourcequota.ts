// The resource quota controller (pkg/controller/resourcequota): keeps every ResourceQuota's
// status.hard equal to spec.hard and status.used equal to what its namespace's objects use.
// A quota is synced when it is created or its spec changes, when an object it counts releases
// usage (a pod turning terminal or deleted, a service changing type or deleted, a PVC changed
// or deleted, any counted object deleted — the replenishment of upstream's QuotaMonitor), and on
// a full resync every --resource-quota-sync-period. Admission charges creates; this controller
// corrects the totals. The status write carries the quota's resourceVersion, so it never
// overwrites a charge admission made after the quota was read: that is a conflict and a retry.
import type { ResourceQuota } from 'kubernetes-types/core/v1';
import { NAMESPACE_INDEX, WorkQueue, deletedObject, isConflict, isNotFound, type SharedInformer } from '../../client/index.js';
import { discoverResources, resourceInfoOf } from '../../client/discovery.js';
import type { ResourceInfo } from '../../api/resources.js';
import { findResource } from '../../api/resources.js';
import { coreEvaluators, evaluatorFor, type Evaluator, type GroupResource } from '../../api/quota/evaluators.js';
import { podCharged } from '../../api/quota/pods.js';
import { add, parseResourceList, type ResourceList } from '../../api/quota/resource-list.js';
import { controllerFlags, durationFlag, intFlag, type FlagDeclarations, type FlagValues } from '../options.js';
import type { Controller, ControllerContext } from '../controller.js';
import { runQueue } from '../run-queue.js';
import { chargedResources, nextStatus, usageOf } from './usage.js';

type Rec = Record<string, unknown>;
type Obj = { metadata?: { namespace?: string; name?: string } } & Rec;

const key = (gr: GroupResource): string => (gr.group ? `${gr.resource}.${gr.group}` : gr.resource);
const DISCOVERY_TTL_MS = 60_000;

export class ResourceQuotaController implements Controller {
  static readonly controllerName = 'resourcequota';
  static readonly flags = {
    'concurrent-resource-quota-syncs': intFlag(5, 'The number of resource quotas that are allowed to sync concurrently'),
    'resource-quota-sync-period': durationFlag('5m', 'The period for syncing quota usage status in the system'),
  } satisfies FlagDeclarations;
  readonly name = ResourceQuotaController.controllerName;
  private readonly flags: FlagValues<typeof ResourceQuotaController.flags>;
  private readonly quotas: SharedInformer<ResourceQuota>;
  /**
   * Group-resource → its informer: the core evaluators' from the start, others (`count/…` of
   * any resource, CRDs included) made the first time a quota names them, as upstream's
   * QuotaMonitor watches every quotable resource.
   */
  private readonly informers = new Map<string, SharedInformer<Obj>>();
  private readonly queue = new WorkQueue<string>({ name: 'resourcequota_primary' });
  private discovered: { until: number; infos: ResourceInfo[] } | undefined;

  constructor(private readonly ctx: ControllerContext) {
    this.flags = controllerFlags(ctx, ResourceQuotaController.flags);
    this.quotas = ctx.factory.informerFor('resourcequotas');
    const enqueue = (q: ResourceQuota): void => this.queue.add(`${q.metadata?.namespace}/${q.metadata?.name}`);
    this.quotas.addEventHandler({
      onAdd: enqueue,
      // Upstream: only a spec change (or a status not yet filled) needs a sync; charges do not.
      onUpdate: (old, cur) => {
        if (JSON.stringify(old.spec) !== JSON.stringify(cur.spec) || !cur.status?.hard) enqueue(cur);
      },
    });
    for (const e of coreEvaluators()) {
      const inf = ctx.factory.informerFor<Obj>(e.gr);
      this.informers.set(key(e.gr), inf);
      inf.addEventHandler({
        onUpdate: (old, cur) => {
          if (releases(e.gr, old, cur)) this.replenish(e, cur.metadata?.namespace ?? '');
        },
        onDelete: (o) => this.replenish(e, deletedObject(o).metadata?.namespace ?? ''),
      });
    }
  }

  async run(signal: AbortSignal): Promise<void> {
    try {
      await this.ctx.factory.waitForCacheSync(signal);
    } catch {
      return;
    }
    const period = this.flags['resource-quota-sync-period'];
    const resync = period > 0 ? setInterval(() => this.enqueueAll(), period) : undefined;
    try {
      await runQueue(this.ctx, signal, { name: 'resourcequota', queue: this.queue, workers: this.flags['concurrent-resource-quota-syncs'], reconcile: (k) => this.sync(k) });
    } finally {
      if (resync) clearInterval(resync);
    }
  }

  private enqueueAll(): void {
    for (const q of this.quotas.lister.list()) this.queue.add(`${q.metadata?.namespace}/${q.metadata?.name}`);
  }

  /** replenishQuota: the namespace's quotas that track something this evaluator charges. */
  private replenish(e: Evaluator, namespace: string): void {
    for (const q of this.quotas.lister.byIndex(NAMESPACE_INDEX, namespace)) {
      if (e.matchingResources(Object.keys(q.status?.hard ?? {})).length) this.queue.add(`${namespace}/${q.metadata?.name}`);
    }
  }

  private async sync(k: string): Promise<void> {
    const [namespace, name] = k.split('/') as [string, string];
    const q = this.quotas.lister.getByName(namespace, name);
    if (!q) return;
    const now = Date.now();
    let usage: ResourceList = {};
    for (const { evaluator, names } of chargedResources(Object.keys(parseResourceList(q.spec?.hard)), coreEvaluators())) {
      const objects = await this.objectsOf(evaluator.gr, namespace);
      usage = add(usage, usageOf(evaluator, names, objects, (q.spec ?? {}) as Rec, now));
    }
    const status = nextStatus(q, usage);
    if (!status) return;
    try {
      await this.ctx.client.resource('resourcequotas', namespace).updateStatus({ ...q, status });
    } catch (e) {
      if (isNotFound(e)) return;
      // Admission charged it meanwhile: sync again on the newer quota.
      if (isConflict(e)) {
        this.queue.addAfter(k, 100);
        return;
      }
      throw e;
    }
  }

  /**
   * The namespace's objects of a group-resource: from its informer once synced; until then
   * (a generic count's informer just made) listed live.
   */
  private async objectsOf(gr: GroupResource, namespace: string): Promise<Rec[]> {
    const known = this.informers.get(key(gr));
    if (known?.hasSynced()) return known.lister.byIndex(NAMESPACE_INDEX, namespace) as Rec[];
    const info = findResource(gr.group, gr.resource) ?? (await this.discover(gr));
    if (!info || !info.namespaced) return [];
    if (!known) this.watchGeneric(gr, info);
    const list = await this.ctx.client.resource<Obj>(info, namespace).list();
    return list.items as Rec[];
  }

  /** An informer for a counted resource outside the core evaluators: deletes release its count. */
  private watchGeneric(gr: GroupResource, info: ResourceInfo): void {
    const inf = this.ctx.factory.informerFor<Obj>(info);
    this.informers.set(key(gr), inf);
    const e = evaluatorFor(gr);
    inf.addEventHandler({ onDelete: (o) => this.replenish(e, deletedObject(o).metadata?.namespace ?? '') });
  }

  /** Served resources from discovery (CRDs, aggregated APIs), cached for a minute. */
  private async discover(gr: GroupResource): Promise<ResourceInfo | undefined> {
    const now = Date.now();
    if (!this.discovered || this.discovered.until < now) {
      const infos = (await discoverResources(this.ctx.client)).map(resourceInfoOf);
      this.discovered = { until: now + DISCOVERY_TTL_MS, infos };
    }
    return this.discovered.infos.find((i) => i.group === gr.group && i.resource === gr.resource);
  }
}

/** The QuotaMonitor's update filter: which updates can lower what an object is charged. */
function releases(gr: GroupResource, old: Obj, cur: Obj): boolean {
  if (gr.group !== '') return false;
  const now = Date.now();
  switch (gr.resource) {
    case 'pods':
      return podCharged(old, now) && !podCharged(cur, now);
    case 'services':
      return (old['spec'] as Rec | undefined)?.['type'] !== (cur['spec'] as Rec | undefined)?.['type'];
    case 'persistentvolumeclaims':
      return true;
    default:
      return false;
  }
}
