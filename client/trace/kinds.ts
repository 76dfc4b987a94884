// The kinds a trace starts from and the REST paths of everything it reads. A small table of
// its own (instead of api/resources.ts) keeps the module browser-safe and its bundle small.

export interface TraceKind {
  kind: string;
  /** `/api/v1` or `/apis/<group>/<version>`. */
  groupVersion: string;
  plural: string;
  /** Names a user may type (`deploy`, `svc`…), besides the kind and plural. */
  short: string[];
}

export const TRACE_KINDS: readonly TraceKind[] = [
  { kind: 'Deployment', groupVersion: '/apis/apps/v1', plural: 'deployments', short: ['deploy'] },
  { kind: 'ReplicaSet', groupVersion: '/apis/apps/v1', plural: 'replicasets', short: ['rs'] },
  { kind: 'ReplicationController', groupVersion: '/api/v1', plural: 'replicationcontrollers', short: ['rc'] },
  { kind: 'StatefulSet', groupVersion: '/apis/apps/v1', plural: 'statefulsets', short: ['sts'] },
  { kind: 'DaemonSet', groupVersion: '/apis/apps/v1', plural: 'daemonsets', short: ['ds'] },
  { kind: 'Job', groupVersion: '/apis/batch/v1', plural: 'jobs', short: [] },
  { kind: 'Pod', groupVersion: '/api/v1', plural: 'pods', short: ['po'] },
  { kind: 'Service', groupVersion: '/api/v1', plural: 'services', short: ['svc'] },
];

/** The kind a user's word names (`deploy`, `deployments`, `deployment.apps`, `Deployment`), if traceable. */
export function traceKind(word: string): TraceKind | undefined {
  const w = word.toLowerCase().replace(/\.(apps|batch)$/, '');
  return TRACE_KINDS.find((k) => k.kind.toLowerCase() === w || k.plural === w || k.short.includes(w) || k.plural.replace(/s$/, '') === w);
}

const enc = encodeURIComponent;

export function objectPath(k: TraceKind, namespace: string, name: string): string {
  return `${k.groupVersion}/namespaces/${enc(namespace)}/${k.plural}/${enc(name)}`;
}

export function listPath(groupVersion: string, plural: string, namespace: string, query: Record<string, string | undefined> = {}): string {
  const q = Object.entries(query)
    .filter((e): e is [string, string] => !!e[1])
    .map(([k, v]) => `${enc(k)}=${enc(v)}`)
    .join('&');
  return `${groupVersion}/namespaces/${enc(namespace)}/${plural}${q ? `?${q}` : ''}`;
}

/** Contract §1: the audit index, by uid, for namespaced objects. */
export function auditPath(namespace: string, uid: string): string {
  return `/apis/audit.tskube.io/v1alpha1/namespaces/${enc(namespace)}/auditevents?uid=${enc(uid)}`;
}

/** A label selector string from matchLabels (matchExpressions are left to the owner-uid filter). */
export function selectorString(sel: { matchLabels?: Record<string, string> } | Record<string, string> | undefined, isMap = false): string | undefined {
  const labels = isMap ? (sel as Record<string, string> | undefined) : (sel as { matchLabels?: Record<string, string> } | undefined)?.matchLabels;
  if (!labels) return undefined;
  const parts = Object.entries(labels).map(([k, v]) => `${k}=${v}`);
  return parts.length ? parts.join(',') : undefined;
}
