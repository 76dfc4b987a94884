// Which containers on a shared Docker Engine belong to one kubelet. Node names repeat across
// clusters (every tskube cluster has node-1 and node-2), so a kubelet started with a cluster
// id owns only the containers carrying both its node name and that id; one without an id
// (--runtime-cluster-id '') owns the node name's containers that carry no id at all. Pure:
// the create bodies take ownerLabels, every Docker list/events query takes ownerFilters, and
// ownedBy finishes what Docker's filter cannot express (a label's absence).
import { LABEL_CLUSTER_ID, LABEL_NODE_NAME, type Labels } from '../runtime.js';

export interface RuntimeScope {
  nodeName: string;
  /** '' (or absent): no cluster id, today's node-name-only scope. */
  clusterId?: string;
}

/** The labels written on every sandbox and container the kubelet creates. */
export function ownerLabels(scope: RuntimeScope): Labels {
  return { [LABEL_NODE_NAME]: scope.nodeName, ...(scope.clusterId ? { [LABEL_CLUSTER_ID]: scope.clusterId } : {}) };
}

/** Docker `label` filter entries (ANDed by Docker) selecting the owner's containers. */
export function ownerFilters(scope: RuntimeScope): string[] {
  return Object.entries(ownerLabels(scope)).map(([k, v]) => `${k}=${v}`);
}

/**
 * Whether a container Docker listed under ownerFilters is the owner's: without a cluster id,
 * containers of a cluster that has one are someone else's (Docker cannot filter on absence).
 */
export function ownedBy(labels: Labels | null | undefined, scope: RuntimeScope): boolean {
  const l = labels ?? {};
  if (l[LABEL_NODE_NAME] !== scope.nodeName) return false;
  return (l[LABEL_CLUSTER_ID] ?? '') === (scope.clusterId ?? '');
}

/** A usable --runtime-cluster-id: '' or a Docker-name-like token (it travels in labels, filters and shell scripts). */
export function validClusterId(id: string): boolean {
  return id === '' || /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/.test(id);
}
