// The DaemonSet controller: one pod of the template on every node that should run it (node
// selector/affinity and taints, see daemonset-plan.ts), pinned there by a required node
// affinity and placed by the scheduler; extra, misplaced and failed pods are deleted; a new
// template rolls out node by node within maxUnavailable (or waits for deletes with OnDelete).
// Each template is kept as a ControllerRevision `<ds>-<hash>` (see history.ts) and pods carry
// its `controller-revision-hash`; old revisions are trimmed to revisionHistoryLimit. Status as
// `kubectl rollout status daemonset` reads it.
import type { ControllerRevision, DaemonSet } from 'kubernetes-types/apps/v1';
import type { Node, Pod } from 'kubernetes-types/core/v1';
import { WorkQueue, metaNamespaceKey, splitKey, type SharedInformer } from '../../client/index.js';
import { labelSelectorFromObject } from '../../api/labels.js';
import type { Controller, ControllerContext } from '../controller.js';
import { runQueue } from '../run-queue.js';
import { ownedPodEventHandler, ownerEventHandler } from '../controller/owner-events.js';
import { BURST_REPLICAS, ControllerExpectations, REVISION_HASH_LABEL, nextAvailableInMs, podFromTemplate, putStatus } from '../controller/controller-utils.js';
import { controllerFlags, intFlag, type FlagDeclarations, type FlagValues } from '../options.js';
import { claimObjects, newControllerRef, recheckDeletionTimestamp } from '../controller/controller-ref-manager.js';
import { createPods, deletePods } from '../controller/pod-control.js';
import { ControllerHistory, ownedRevisionEventHandler } from '../history/controller-history.js';
import { nodeOfPod, pinToNode, planDaemonSet } from './plan.js';
import { cleanupHistory, constructHistory } from './history.js';

const GVK = { apiVersion: 'apps/v1', kind: 'DaemonSet' };
const COMPONENT = 'daemonset-controller';

export class DaemonSetController implements Controller {
  static readonly controllerName = 'daemonset';
  static readonly flags = {
    'concurrent-daemonset-syncs': intFlag(2, 'DaemonSets synced at once'),
  } satisfies FlagDeclarations;
  readonly name = DaemonSetController.controllerName;
  private readonly flags: FlagValues<typeof DaemonSetController.flags>;
  private readonly expectations = new ControllerExpectations();
  private readonly informers: Informers;
  private readonly queue = new WorkQueue<string>({ name: 'daemonset' });

  constructor(private readonly ctx: ControllerContext) {
    this.flags = controllerFlags(ctx, DaemonSetController.flags);
    const sets = ctx.factory.informerFor<DaemonSet>('daemonsets.apps');
    const pods = ctx.factory.informerFor('pods');
    const nodes = ctx.factory.informerFor<Node>('nodes');
    const revisions = ctx.factory.informerFor<ControllerRevision>('controllerrevisions.apps');
    this.informers = { sets, pods, nodes, revisions };
    revisions.addEventHandler(ownedRevisionEventHandler(sets, GVK, this.queue));
    const enqueueAll = (): void => {
      for (const ds of sets.lister.list()) this.queue.add(metaNamespaceKey(ds));
    };
    sets.addEventHandler(ownerEventHandler(this.queue, this.expectations));
    pods.addEventHandler(ownedPodEventHandler(sets, GVK, this.queue, this.expectations));
    // A node's labels, taints or existence decide where daemons run.
    nodes.addEventHandler({
      onAdd: enqueueAll,
      onUpdate: (old, cur) => {
        const relevant = (n: Node) => JSON.stringify([n.metadata?.labels, n.spec?.taints, n.spec?.unschedulable]);
        if (relevant(old) !== relevant(cur)) enqueueAll();
      },
      onDelete: enqueueAll,
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    const { sets, pods, nodes, revisions } = this.informers;
    await Promise.all([sets.waitForSync(signal), pods.waitForSync(signal), nodes.waitForSync(signal), revisions.waitForSync(signal)]);
    await runQueue(this.ctx, signal, {
      name: 'daemonset',
      queue: this.queue,
      workers: this.flags['concurrent-daemonset-syncs'],
      reconcile: (key) => this.sync(key),
    });
  }

  private async sync(key: string): Promise<{ requeueAfterMs?: number } | void> {
    const { ctx, expectations, informers: inf } = this;
    const { namespace, name } = splitKey(key);
    const cached = inf.sets.lister.getByName(namespace, name);
    if (!cached) {
      expectations.delete(key);
      return;
    }
    const ds = structuredClone(cached) as DaemonSet;
    const client = ctx.client.resource<DaemonSet>('daemonsets.apps', namespace);
    const podClient = ctx.client.resource('pods', namespace);
    const selector = labelSelectorFromObject(ds.spec?.selector);
    const owned = await claimObjects(inf.pods.lister.byIndex('namespace', namespace), {
      owner: ds,
      ownerGvk: GVK,
      selector,
      objects: podClient,
      recheckOwner: recheckDeletionTimestamp(() => client.get(name), ds, GVK.kind),
    });
    if (ds.metadata?.deletionTimestamp) return; // the garbage collector takes pods and revisions
    const recheckOwner = recheckDeletionTimestamp(() => client.get(name), ds, GVK.kind);
    const history = new ControllerHistory(ctx.client.resource<ControllerRevision>('controllerrevisions.apps', namespace));
    const controlled = await history.claim(inf.revisions.lister.byIndex('namespace', namespace), ds, GVK, selector, recheckOwner);
    const deps = { history, sets: client, pods: podClient, gvk: GVK };
    const { cur, old } = await constructHistory(deps, ds, controlled, owned);
    const hash = cur.metadata?.labels?.[REVISION_HASH_LABEL] ?? '';
    const now = Date.now();
    const plan = planDaemonSet(ds, inf.nodes.lister.list(), owned, hash, now);
    let manageError: unknown;
    if (expectations.satisfied(key) && !ds.metadata?.deletionTimestamp) {
      const pc = { ctx, component: COMPONENT, expectations };
      try {
        if (plan.remove.length > 0) {
          const { error } = await deletePods(pc, key, ds, plan.remove);
          if (error !== undefined) throw error;
        }
        const targets = plan.create.slice(0, BURST_REPLICAS);
        if (targets.length > 0) {
          const base = podFromTemplate(ds, newControllerRef(ds, GVK));
          await createPods(pc, key, ds, (i) => pinToNode(base, targets[i]!, hash), targets.length);
        }
      } catch (e) {
        manageError = e;
      }
    }
    if (manageError === undefined && expectations.satisfied(key)) await cleanupHistory(deps, ds, old, owned);
    await putStatus(client, ds, plan.status);
    if (manageError !== undefined) throw manageError;
    const minReady = ds.spec?.minReadySeconds ?? 0;
    if (minReady > 0) {
      const waiting = nextAvailableInMs(owned.filter((p) => nodeOfPod(p) !== undefined), minReady, now);
      if (waiting !== undefined) return { requeueAfterMs: waiting };
    }
  }
}

interface Informers {
  sets: SharedInformer<DaemonSet>;
  pods: SharedInformer<Pod>;
  nodes: SharedInformer<Node>;
  revisions: SharedInformer<ControllerRevision>;
}

