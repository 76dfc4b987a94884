// Who did a step, named as a Kubernetes engineer names components: the controller-manager's
// controllers by their event source names (`deployment-controller`, `replicaset-controller`),
// `default-scheduler`, `kubelet <node>`, and people as `<user> (<client>)`.
import type { AuditEvent, CoreEvent } from './types.js';

/**
 * The controller that creates objects of `kind` owned by `ownerKind` — how a write by the
 * controller-manager's single identity is told apart (its controllers share one credential
 * unless --use-service-account-credentials).
 */
const CREATOR: Record<string, string> = {
  'Deployment/ReplicaSet': 'deployment-controller',
  'ReplicaSet/Pod': 'replicaset-controller',
  'ReplicationController/Pod': 'replication-controller',
  'StatefulSet/Pod': 'statefulset-controller',
  'DaemonSet/Pod': 'daemonset-controller',
  'Job/Pod': 'job-controller',
  'CronJob/Job': 'cronjob-controller',
  'Service/EndpointSlice': 'endpointslice-controller',
};

export function controllerFor(ownerKind: string | undefined, kind: string): string | undefined {
  return CREATOR[`${ownerKind ?? (kind === 'EndpointSlice' ? 'Service' : '')}/${kind}`];
}

/** The client's product from a User-Agent: `kubectl/v1.32.0 (linux/amd64) kubernetes/…` → `kubectl`. */
export function clientName(userAgent: string | undefined): string | undefined {
  const product = userAgent?.trim().split(/[\s/]/)[0];
  if (!product) return undefined;
  // kubectl names itself after its binary (kubectl.1.32, kubectl-1.20): the tool is kubectl.
  return /^kubectl\b/.test(product) ? 'kubectl' : product;
}

/**
 * The actor of an audited write. `subject` is the written object (kind and controller owner)
 * so that the controller-manager's writes name the controller.
 */
export function actorFromAudit(e: AuditEvent, subject?: { kind: string; ownerKind?: string }): string {
  const user = e.impersonatedUser?.username ?? e.user?.username ?? 'unknown';
  if (user === 'system:kube-scheduler') return 'default-scheduler';
  const node = /^system:node:(.+)$/.exec(user);
  if (node) return `kubelet ${node[1]}`;
  if (user === 'system:kube-proxy') return 'kube-proxy';
  const sa = /^system:serviceaccount:kube-system:(.+)$/.exec(user);
  if (sa && /-controller$|^kube-proxy$/.test(sa[1]!)) return sa[1]!;
  if (user === 'system:kube-controller-manager') return (subject && controllerFor(subject.ownerKind, subject.kind)) ?? 'kube-controller-manager';
  const client = clientName(e.userAgent);
  return client ? `${user} (${client})` : user;
}

/** The actor of an Event: its source (or reporting) component, with the node for per-node components. */
export function actorFromEvent(e: CoreEvent): string {
  const component = e.source?.component || e.reportingComponent || 'unknown';
  const host = e.source?.host || (e.reportingInstance && e.reportingInstance !== component ? e.reportingInstance : '');
  return host && (component === 'kubelet' || component === 'kube-proxy') ? `${component} ${host}` : component;
}
