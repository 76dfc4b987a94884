// The DaemonSet controller's decisions (pkg/controller/daemon), pure: which nodes should run
// the daemon pod (its nodeSelector/required affinity match and every NoSchedule/NoExecute
// taint is tolerated), which pods to create or delete, the rolling update within
// maxUnavailable, and the status. Pods are pinned to their node with a required nodeAffinity
// matchFields term and scheduled by the default scheduler, as Kubernetes does since 1.12.
import type { DaemonSet, DaemonSetStatus } from 'kubernetes-types/apps/v1';
import type { Node, NodeSelectorTerm, Pod, Toleration } from 'kubernetes-types/core/v1';
import { affinityNodeNames, nodeMatches, requiredNodeAffinity } from '../../api/scheduling/node-selector.js';
import { TAINT_NODE_NOT_READY, TAINT_NODE_UNREACHABLE, TAINT_NODE_UNSCHEDULABLE, findUntoleratedTaint } from '../../api/scheduling/taints.js';
import { REVISION_HASH_LABEL, isPodAvailable, isPodReady } from '../controller/controller-utils.js';
import { planRollingUpdate, type NodePods } from './rolling.js';


/** Tolerations every daemon pod gets (AddOrUpdateDaemonPodTolerations). */
export function daemonPodTolerations(pod: Pod): Toleration[] {
  const t: Toleration[] = [
    { key: TAINT_NODE_NOT_READY, operator: 'Exists', effect: 'NoExecute' },
    { key: TAINT_NODE_UNREACHABLE, operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: TAINT_NODE_UNSCHEDULABLE, operator: 'Exists', effect: 'NoSchedule' },
  ];
  if (pod.spec?.hostNetwork) t.push({ key: 'node.kubernetes.io/network-unavailable', operator: 'Exists', effect: 'NoSchedule' });
  const own = pod.spec?.tolerations ?? [];
  return [...own, ...t.filter((d) => !own.some((o) => o.key === d.key && o.effect === d.effect))];
}

/** The template as a pod (with the daemon tolerations), for the node predicates. */
function templatePod(ds: DaemonSet): Pod {
  const spec = structuredClone(ds.spec?.template?.spec ?? { containers: [] });
  const pod: Pod = { metadata: { ...(ds.spec?.template?.metadata ?? {}) }, spec };
  spec.tolerations = daemonPodTolerations(pod);
  return pod;
}

export interface NodeVerdict {
  shouldRun: boolean;
  shouldContinueRunning: boolean;
}

/** nodeShouldRunDaemonPod, prepared once per DaemonSet: may a new pod go on a node, may an existing one stay. */
function nodeVerdicts(ds: DaemonSet): (node: Node) => NodeVerdict {
  const pod = templatePod(ds);
  const affinity = requiredNodeAffinity(pod);
  const tolerations = pod.spec?.tolerations ?? [];
  return (node) => {
    if (!nodeMatches(affinity, node)) return { shouldRun: false, shouldContinueRunning: false };
    const taints = node.spec?.taints ?? [];
    if (findUntoleratedTaint(taints, tolerations, (t) => t.effect === 'NoExecute')) return { shouldRun: false, shouldContinueRunning: false };
    return { shouldRun: !findUntoleratedTaint(taints, tolerations, (t) => t.effect === 'NoSchedule'), shouldContinueRunning: true };
  };
}

export function nodeVerdict(ds: DaemonSet, node: Node): NodeVerdict {
  return nodeVerdicts(ds)(node);
}

/** The node a daemon pod is for: where it runs, or where its affinity pins it. */
export function nodeOfPod(p: Pod): string | undefined {
  if (p.spec?.nodeName) return p.spec.nodeName;
  const names = affinityNodeNames(p);
  return names && names.size === 1 ? [...names][0] : undefined;
}

/** The template's pod for one node: daemon tolerations, the hash label, pinned by affinity (ReplaceDaemonSetPodNodeNameNodeAffinity). */
export function pinToNode(pod: Pod, nodeName: string, hash: string): Pod {
  const out = structuredClone(pod);
  const spec = out.spec!;
  out.metadata = { ...out.metadata, labels: { ...(out.metadata?.labels ?? {}), [REVISION_HASH_LABEL]: hash } };
  spec.tolerations = daemonPodTolerations(out);
  const pin = [{ key: 'metadata.name', operator: 'In', values: [nodeName] }];
  const terms: NodeSelectorTerm[] = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  const pinned = terms.length > 0 ? terms.map((t) => ({ ...t, matchFields: pin })) : [{ matchFields: pin }];
  spec.affinity = {
    ...spec.affinity,
    nodeAffinity: { ...spec.affinity?.nodeAffinity, requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: pinned } },
  };
  return out;
}

export interface DaemonSetPlan {
  /** Nodes that need a pod (the manage loop's, or the rolling update's surge). */
  create: string[];
  remove: Pod[];
  status: DaemonSetStatus;
}

/** podByCreationTimestampAndPhase: scheduled pods first, then oldest, then by name. */
const olderFirst = (a: Pod, b: Pod): number =>
  Number(!a.spec?.nodeName) - Number(!b.spec?.nodeName) ||
  (a.metadata?.creationTimestamp ?? '').localeCompare(b.metadata?.creationTimestamp ?? '') ||
  (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '');

const allowsSurge = (ds: DaemonSet): boolean =>
  (ds.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate' && String(ds.spec?.updateStrategy?.rollingUpdate?.maxSurge ?? 0).replace('%', '') !== '0';

/**
 * podsShouldBeOnNode for a node that may keep its daemon: which running pods go. One pod per
 * node; while surging, the oldest new and the oldest old pod may coexist, and the old one goes
 * once it is not ready or the new one is available.
 */
function excessPods(ds: DaemonSet, running: readonly Pod[], hash: string, now: number): Pod[] {
  if (running.length <= 1) return [];
  if (!allowsSurge(ds)) return running.slice(1);
  const out: Pod[] = [];
  let oldestNew: Pod | undefined;
  let oldestOld: Pod | undefined;
  for (const p of running) {
    if (p.metadata?.labels?.[REVISION_HASH_LABEL] === hash) {
      if (!oldestNew) oldestNew = p;
      else out.push(p);
    } else if (!oldestOld) oldestOld = p;
    else out.push(p);
  }
  if (oldestNew && oldestOld && (!isPodReady(oldestOld) || isPodAvailable(oldestNew, ds.spec?.minReadySeconds ?? 0, now))) out.push(oldestOld);
  return out;
}

export function planDaemonSet(ds: DaemonSet, nodes: readonly Node[], pods: readonly Pod[], hash: string, now: number): DaemonSetPlan {
  const byNode = new Map<string, Pod[]>();
  for (const p of pods) {
    const n = nodeOfPod(p);
    if (n !== undefined) byNode.set(n, [...(byNode.get(n) ?? []), p]);
  }
  const minReady = ds.spec?.minReadySeconds ?? 0;
  const create: string[] = [];
  const remove: Pod[] = [];
  const st = { desired: 0, current: 0, misscheduled: 0, ready: 0, updated: 0, available: 0 };
  /** Every node with daemon pods or that should have one, for the rolling update. */
  const perNode: NodePods[] = [];
  const verdict = nodeVerdicts(ds);
  for (const node of nodes) {
    const name = node.metadata?.name ?? '';
    const { shouldRun, shouldContinueRunning } = verdict(node);
    const live = (byNode.get(name) ?? []).filter((p) => !p.metadata?.deletionTimestamp);
    byNode.delete(name);
    // A failed daemon pod is deleted so that a new one replaces it.
    const failed = live.filter((p) => p.status?.phase === 'Failed');
    const running = live.filter((p) => p.status?.phase !== 'Failed' && p.status?.phase !== 'Succeeded').sort(olderFirst);
    if (shouldRun) st.desired++;
    if (shouldRun || running.length > 0) perNode.push({ node: name, shouldRun, pods: running });
    if (!shouldContinueRunning) {
      if (running.length > 0) st.misscheduled++;
      remove.push(...live);
      continue;
    }
    remove.push(...failed);
    if (running.length > 0) {
      if (shouldRun) st.current++;
      else st.misscheduled++;
    }
    if (running.length === 0) {
      // As Kubernetes: a pod still terminating does not hold back its replacement.
      if (shouldRun) create.push(name);
      continue;
    }
    remove.push(...excessPods(ds, running, hash, now));
    // Status counts the oldest pod of the node (updateDaemonSetStatus).
    const pod = running[0]!;
    if (shouldRun) {
      if (isPodReady(pod)) st.ready++;
      if (isPodAvailable(pod, minReady, now)) st.available++;
      if (pod.metadata?.labels?.[REVISION_HASH_LABEL] === hash) st.updated++;
    }
  }
  // Pods on nodes that no longer exist: gone with their node, nothing to count.
  const status: DaemonSetStatus = {
    currentNumberScheduled: st.current,
    desiredNumberScheduled: st.desired,
    numberMisscheduled: st.misscheduled,
    numberReady: st.ready,
    observedGeneration: ds.metadata?.generation,
    ...(st.updated > 0 ? { updatedNumberScheduled: st.updated } : {}),
    ...(st.available > 0 ? { numberAvailable: st.available } : {}),
    ...(st.desired - st.available > 0 ? { numberUnavailable: st.desired - st.available } : {}),
    ...(ds.status?.collisionCount !== undefined ? { collisionCount: ds.status.collisionCount } : {}),
  };
  // The rolling update runs once the manage loop has nothing left to do (upstream: once its expectations are met).
  if ((ds.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate' && create.length === 0 && remove.length === 0) {
    const rolling = planRollingUpdate(ds, perNode, hash, now);
    create.push(...rolling.create);
    remove.push(...rolling.remove);
  }
  return { create, remove, status };
}
