// The ClusterRole aggregation controller (pkg/controller/clusterroleaggregation): a ClusterRole
// with an aggregationRule gets, as its rules, the de-duplicated union of the rules of every
// other ClusterRole matching any of its clusterRoleSelectors — this is how `admin`, `edit` and
// `view` pick up the system:aggregate-to-* roles and any role users label to extend them.
// Any ClusterRole event requeues every aggregated role: the set of ClusterRoles is small and
// aggregation can chain (view → edit → admin), so everything is re-derived, as in Kubernetes.
import type { ClusterRole, PolicyRule } from 'kubernetes-types/rbac/v1';
import { labelSelectorFromObject } from '../api/labels.js';
import { semanticEqual } from '../api/validation/equal.js';
import { WorkQueue, isNotFound } from '../client/index.js';
import type { Controller, ControllerContext } from './controller.js';
import { intOption } from './options.js';
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

export const clusterRoleAggregationController: Controller = {
  name: 'clusterrole-aggregation',
  async run(ctx: ControllerContext, signal: AbortSignal): Promise<void> {
    const log = ctx.log;
    const roles = ctx.factory.informerFor(CLUSTER_ROLES);
    const client = ctx.client.resource(CLUSTER_ROLES);
    const queue = new WorkQueue<string>({ name: 'ClusterRoleAggregator' });
    const enqueueAggregated = (): void => {
      for (const r of roles.lister.list()) if (r.aggregationRule) queue.add(r.metadata?.name ?? '');
    };
    roles.addEventHandler({ onAdd: enqueueAggregated, onUpdate: enqueueAggregated, onDelete: enqueueAggregated });
    try {
      await ctx.factory.waitForCacheSync(signal);
    } catch {
      return;
    }
    enqueueAggregated();

    const reconcile = async (name: string): Promise<void> => {
      const role = roles.lister.getByName('', name);
      if (!role?.aggregationRule) return;
      let rules: PolicyRule[];
      try {
        rules = aggregatedRules(role, roles.lister.list());
      } catch (e) {
        // A bad selector stays bad until the role changes, which requeues it anyway.
        log.error({ clusterrole: name, err: e }, 'invalid aggregationRule');
        return;
      }
      if (semanticEqual(rules, role.rules ?? [])) return;
      try {
        // Compare-and-swap on the cached resourceVersion: a stale cache conflicts and is retried.
        await client.update({ ...structuredClone(role), rules });
      } catch (e) {
        if (isNotFound(e)) return;
        throw e;
      }
      log.info({ clusterrole: name, rules: rules.length }, 'aggregated cluster role rules');
    };
    await runQueue(ctx, signal, { name: 'clusterrole-aggregation', queue, workers: intOption(ctx, 'concurrent-clusterrole-aggregation-syncs', 5), reconcile });
  },
};
