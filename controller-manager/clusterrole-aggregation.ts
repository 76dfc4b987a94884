// The ClusterRole aggregation controller (pkg/controller/clusterroleaggregation): a ClusterRole
// with an aggregationRule gets, as its rules, the de-duplicated union of the rules of every
// other ClusterRole matching any of its clusterRoleSelectors — this is how `admin`, `edit` and
// `view` pick up the system:aggregate-to-* roles and any role users label to extend them.
// Any ClusterRole event requeues every aggregated role: the set of ClusterRoles is small and
// aggregation can chain (view → edit → admin), so everything is re-derived, as in Kubernetes.
import type { ClusterRole, PolicyRule } from 'kubernetes-types/rbac/v1';
import { labelSelectorFromObject } from '../api/labels.js';
import { semanticEqual } from '../api/validation/equal.js';
import { WorkQueue, isNotFound, type ResourceClient, type SharedInformer } from '../client/index.js';
import type { Controller, ControllerContext } from './controller.js';
import { controllerFlags, intFlag, type FlagDeclarations, type FlagValues } from './options.js';
import { runQueue } from './run-queue.js';

const CLUSTER_ROLES = 'clusterroles.rbac.authorization.k8s.io';

const byName = (a: ClusterRole, b: ClusterRole): number => {
  const x = a.metadata?.name ?? '';
  const y = b.metadata?.name ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
};

/**
 * The rules `role` should have: for each selector in order, the matching ClusterRoles (not
 * `role` itself) by name, their rules in order, each distinct rule once. Throws a 400
 * StatusError for an invalid selector.
 */
export function aggregatedRules(role: ClusterRole, all: readonly ClusterRole[]): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (const sel of role.aggregationRule?.clusterRoleSelectors ?? []) {
    const selector = labelSelectorFromObject(sel);
    const matching = all.filter((c) => c.metadata?.name !== role.metadata?.name && selector.matches(c.metadata?.labels)).sort(byName);
    for (const c of matching) {
      for (const r of c.rules ?? []) if (!out.some((o) => semanticEqual(o, r))) out.push(structuredClone(r));
    }
  }
  return out;
}

export class ClusterRoleAggregationController implements Controller {
  static readonly controllerName = 'clusterrole-aggregation';
  static readonly flags = {
    'concurrent-clusterrole-aggregation-syncs': intFlag(5, 'Aggregated ClusterRoles synced at once'),
  } satisfies FlagDeclarations;
  readonly name = ClusterRoleAggregationController.controllerName;
  private readonly flags: FlagValues<typeof ClusterRoleAggregationController.flags>;
  private readonly roles: SharedInformer<ClusterRole>;
  private readonly client: ResourceClient<ClusterRole>;
  private readonly queue = new WorkQueue<string>({ name: 'ClusterRoleAggregator' });

  constructor(private readonly ctx: ControllerContext) {
    this.flags = controllerFlags(ctx, ClusterRoleAggregationController.flags);
    this.roles = ctx.factory.informerFor(CLUSTER_ROLES);
    this.client = ctx.client.resource(CLUSTER_ROLES);
    const enqueueAggregated = (): void => this.enqueueAggregated();
    this.roles.addEventHandler({ onAdd: enqueueAggregated, onUpdate: enqueueAggregated, onDelete: enqueueAggregated });
  }

  private enqueueAggregated(): void {
    for (const r of this.roles.lister.list()) if (r.aggregationRule) this.queue.add(r.metadata?.name ?? '');
  }

  async run(signal: AbortSignal): Promise<void> {
    try {
      await this.ctx.factory.waitForCacheSync(signal);
    } catch {
      return;
    }
    this.enqueueAggregated();
    await runQueue(this.ctx, signal, {
      name: 'clusterrole-aggregation',
      queue: this.queue,
      workers: this.flags['concurrent-clusterrole-aggregation-syncs'],
      reconcile: (name) => this.sync(name),
    });
  }

  private async sync(name: string): Promise<void> {
    const role = this.roles.lister.getByName('', name);
    if (!role?.aggregationRule) return;
    let rules: PolicyRule[];
    try {
      rules = aggregatedRules(role, this.roles.lister.list());
    } catch (e) {
      // A bad selector stays bad until the role changes, which requeues it anyway.
      this.ctx.log.error({ clusterrole: name, err: e }, 'invalid aggregationRule');
      return;
    }
    if (semanticEqual(rules, role.rules ?? [])) return;
    try {
      // Compare-and-swap on the cached resourceVersion: a stale cache conflicts and is retried.
      await this.client.update({ ...structuredClone(role), rules });
    } catch (e) {
      if (isNotFound(e)) return;
      throw e;
    }
    this.ctx.log.info({ clusterrole: name, rules: rules.length }, 'aggregated cluster role rules');
  }
}
