// The Namespace controller (pkg/controller/namespace): a namespace being deleted (deletionTimestamp
// set, phase Terminating) has all its content deleted — every namespaced resource, by
// deletecollection — and once nothing is left its `kubernetes` finalizer is removed with
// PUT namespaces/<n>/finalize, after which the apiserver deletes it. Progress is reported in
// the namespace's status conditions as k8s does.
import type { Namespace, NamespaceCondition } from 'kubernetes-types/core/v1';
import { ALL_VERBS, RESOURCES, findResource, type ResourceInfo } from '../api/resources.js';
import { discoverResources, resourceInfoOf, type DiscoveredResource } from '../client/discovery.js';
import { WorkQueue, deletedObject, isNotFound, isConflict, type ObjectLike, type ReconcileResult, type ResourceClient, type SharedInformer } from '../client/index.js';
import type { Controller, ControllerContext } from './controller.js';
import { metaTime } from '../api/time.js';
import { controllerFlags, intFlag, type FlagDeclarations, type FlagValues } from './options.js';
import { runQueue } from './run-queue.js';

export const KUBERNETES_FINALIZER = 'kubernetes';

/** Namespaced resources the controller empties (each must support list and deletecollection). */
export function namespacedContentResources(): ResourceInfo[] {
  return RESOURCES.filter((r) => !r.storedAs && r.namespaced && ['list', 'deletecollection'].every((v) => (r.verbs ?? ALL_VERBS).includes(v)));
}

/**
 * The namespaced resources discovery reports beyond the built-ins (custom resources), in their
 * preferred version, that support list and deletecollection — as k8s' namespace controller
 * deletes "all resources discovered".
 */
export function discoveredContentResources(found: DiscoveredResource[]): ResourceInfo[] {
  const out: ResourceInfo[] = [];
  for (const r of found) {
    if (!r.namespaced || r.name.includes('/') || findResource(r.group, r.name)) continue;
    if (!['list', 'deletecollection'].every((v) => r.verbs.includes(v))) continue;
    if (out.some((o) => o.group === r.group && o.resource === r.name)) continue;
    out.push(resourceInfoOf(r));
  }
  return out;
}

const resourceName = (r: ResourceInfo): string => (r.group ? `${r.resource}.${r.group}` : r.resource);

/** What one deletion pass found. */
export interface ContentReport {
  /** resource → objects still present. */
  remaining: Map<string, number>;
  /** finalizer → objects still carrying it. */
  finalizers: Map<string, number>;
  /** Deletion errors by resource. */
  failures: string[];
  /** Seconds until the slowest graceful deletion should be done (pods on nodes). */
  estimateSeconds: number;
}

/** The namespace status conditions k8s reports during deletion (pkg/controller/namespace/deletion). */
export function deletionConditions(report: ContentReport, now: string): NamespaceCondition[] {
  const cond = (type: string, bad: boolean, badReason: string, goodReason: string, message: string): NamespaceCondition => ({
    type,
    status: bad ? 'True' : 'False',
    reason: bad ? badReason : goodReason,
    message: bad ? message : 'All resources successfully discovered',
    lastTransitionTime: now,
  });
  const list = (m: Map<string, number>, what: string): string =>
    [...m].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, n]) => `${k} has ${n} ${what}`).join(', ');
  const conditions: NamespaceCondition[] = [
    cond('NamespaceDeletionDiscoveryFailure', false, 'DiscoveryFailed', 'ResourcesDiscovered', ''),
    { ...cond('NamespaceDeletionGroupVersionParsingFailure', false, 'GroupVersionParsingFailed', 'ParsedGroupVersions', ''), message: 'All legacy kube types successfully parsed' },
    {
      ...cond('NamespaceDeletionContentFailure', report.failures.length > 0, 'ContentDeletionFailed', 'ContentDeleted', `Failed to delete all resource types, ${report.failures.length} remaining: ${report.failures.join(', ')}`),
      ...(report.failures.length ? {} : { message: 'All content successfully deleted, may be waiting on finalization' }),
    },
    {
      ...cond('NamespaceContentRemaining', report.remaining.size > 0, 'SomeResourcesRemain', 'ContentRemoved', `Some resources are remaining: ${list(report.remaining, 'resource instances')}`),
      ...(report.remaining.size ? {} : { message: 'All content successfully removed' }),
    },
    {
      ...cond('NamespaceFinalizersRemaining', report.finalizers.size > 0, 'SomeFinalizersRemain', 'ContentHasNoFinalizers', `Some content in the namespace has finalizers remaining: ${list(report.finalizers, 'resource instances')}`),
      ...(report.finalizers.size ? {} : { message: 'All content-preserving finalizers finished' }),
    },
  ];
  return conditions;
}

/** Conditions with unchanged status keep their old transition time, so a no-op pass writes nothing. */
export function mergeConditions(old: readonly NamespaceCondition[], next: NamespaceCondition[]): NamespaceCondition[] {
  const byType = new Map(old.map((c) => [c.type, c]));
  const merged = next.map((c) => {
    const prev = byType.get(c.type);
    return prev && prev.status === c.status ? { ...c, lastTransitionTime: prev.lastTransitionTime } : c;
  });
  for (const c of old) if (!next.some((n) => n.type === c.type)) merged.push(c);
  return merged;
}

const conditionsEqual = (a: readonly NamespaceCondition[], b: readonly NamespaceCondition[]): boolean =>
  JSON.stringify(a.map((c) => [c.type, c.status, c.reason, c.message])) === JSON.stringify(b.map((c) => [c.type, c.status, c.reason, c.message]));

export class NamespaceController implements Controller {
  static readonly controllerName = 'namespace';
  static readonly flags = {
    'concurrent-namespace-syncs': intFlag(10, 'Namespaces deleted at once'),
  } satisfies FlagDeclarations;
  readonly name = NamespaceController.controllerName;
  private readonly flags: FlagValues<typeof NamespaceController.flags>;
  private readonly namespaces: SharedInformer<Namespace>;
  private readonly nsClient: ResourceClient<Namespace>;
  private readonly queue = new WorkQueue<string>({ name: 'namespace' });

  constructor(private readonly ctx: ControllerContext) {
    this.flags = controllerFlags(ctx, NamespaceController.flags);
    this.namespaces = ctx.factory.informerFor('namespaces');
    this.nsClient = ctx.client.resource('namespaces');
    const enqueue = (ns: Namespace): void => {
      if (ns.metadata?.deletionTimestamp) this.queue.add(ns.metadata.name ?? '');
    };
    this.namespaces.addEventHandler({ onAdd: enqueue, onUpdate: (_o, ns) => enqueue(ns), onDelete: (ns) => this.queue.forget(deletedObject(ns).metadata?.name ?? '') });
  }

  async run(signal: AbortSignal): Promise<void> {
    try {
      await this.ctx.factory.waitForCacheSync(signal);
    } catch {
      return;
    }
    await runQueue(this.ctx, signal, { name: 'namespace', queue: this.queue, workers: this.flags['concurrent-namespace-syncs'], reconcile: (name) => this.sync(name) });
  }

  /** deletecollection for every namespaced resource, then lists what is still there. */
  private async deleteAllContent(ns: string): Promise<ContentReport> {
    const report: ContentReport = { remaining: new Map(), finalizers: new Map(), failures: [], estimateSeconds: 0 };
    // Without discovery the built-ins are still emptied, but the namespace is not finalized
    // (a failure): custom resources may remain.
    const custom = await discoverResources(this.ctx.client).then(discoveredContentResources, (e: unknown) => {
      report.failures.push('discovery');
      this.ctx.log.warn({ namespace: ns, err: e }, 'discovery failed; custom resources not deleted');
      return [];
    });
    await Promise.all(
      [...namespacedContentResources(), ...custom].map(async (info) => {
        const rc = this.ctx.client.resource<ObjectLike>(info, ns);
        try {
          await rc.deleteCollection({}, { propagationPolicy: 'Background' });
          const left = (await rc.list()).items;
          if (!left.length) return;
          report.remaining.set(resourceName(info), left.length);
          for (const o of left) {
            for (const f of o.metadata?.finalizers ?? []) report.finalizers.set(f, (report.finalizers.get(f) ?? 0) + 1);
            // Bound pods wait for their kubelet: expect them gone after their grace period.
            const grace = o.metadata?.deletionGracePeriodSeconds ?? 0;
            report.estimateSeconds = Math.max(report.estimateSeconds, grace);
          }
        } catch (e) {
          report.failures.push(resourceName(info));
          this.ctx.log.warn({ namespace: ns, resource: resourceName(info), err: e }, 'deleting namespace content failed');
        }
      }),
    );
    return report;
  }

  private async updateConditions(ns: Namespace, report: ContentReport): Promise<void> {
    const old = ns.status?.conditions ?? [];
    const next = mergeConditions(old, deletionConditions(report, metaTime()));
    if (conditionsEqual(old, next) && ns.status?.phase === 'Terminating') return;
    const copy = structuredClone(ns) as Namespace;
    copy.status = { ...copy.status, phase: 'Terminating', conditions: next };
    await this.nsClient.updateStatus(copy).catch((e: unknown) => {
      if (!isNotFound(e) && !isConflict(e)) throw e;
    });
  }

  private async sync(name: string): Promise<ReconcileResult | void> {
    const ns = this.namespaces.lister.getByName('', name);
    if (!ns?.metadata?.deletionTimestamp) return;
    // Already finalized by us: the apiserver removes it once other finalizers are done.
    if (!(ns.spec?.finalizers ?? []).includes(KUBERNETES_FINALIZER)) return;
    const report = await this.deleteAllContent(name);
    await this.updateConditions(ns, report);
    if (report.failures.length) throw new Error(`failed to delete content of namespace ${name}: ${report.failures.join(', ')}`);
    if (report.remaining.size) {
      this.ctx.log.debug({ namespace: name, remaining: Object.fromEntries(report.remaining) }, 'namespace content remaining');
      // k8s waits for the estimate; polling more often only finishes sooner.
      return { requeueAfterMs: Math.min(Math.max(report.estimateSeconds * 1000, 1000), 5000) };
    }
    const latest = (await this.nsClient.get(name).catch((e: unknown) => {
      if (isNotFound(e)) return undefined;
      throw e;
    })) as Namespace | undefined;
    if (!latest) return;
    const body = structuredClone(latest) as Namespace;
    body.spec = { ...body.spec, finalizers: (latest.spec?.finalizers ?? []).filter((f) => f !== KUBERNETES_FINALIZER) };
    await this.nsClient.subresource(name, 'finalize', { method: 'PUT', body }).catch((e: unknown) => {
      if (!isNotFound(e)) throw e;
    });
    this.ctx.log.info({ namespace: name }, 'namespace content deleted, finalized');
  }
}
