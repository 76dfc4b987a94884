// Where an object lives in the API: from its apiVersion + kind to the REST path, as kubectl's
// RESTMapper does — by asking discovery (/api/v1, /apis/<group>/<version>) and caching.
import { k8s } from './api.js';
import type { KObject } from './live.js';

export interface ResourceInfo { prefix: string; resource: string; namespaced: boolean; kind: string }

interface APIResourceList { resources?: Array<{ name: string; kind: string; namespaced: boolean }> }

const cache = new Map<string, Promise<APIResourceList>>();

export function groupPrefix(apiVersion: string): string {
  return apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
}

export async function resourceFor(apiVersion: string, kind: string): Promise<ResourceInfo> {
  const prefix = groupPrefix(apiVersion);
  let p = cache.get(prefix);
  if (!p) { p = k8s<APIResourceList>(prefix); cache.set(prefix, p); p.catch(() => cache.delete(prefix)); }
  const list = await p;
  const r = list.resources?.find((x) => x.kind === kind && !x.name.includes('/'));
  if (!r) throw new Error(`no resource of kind "${kind}" in ${apiVersion} (the server does not serve it)`);
  return { prefix, resource: r.name, namespaced: r.namespaced, kind };
}

/** The object's own path (…/namespaces/ns/resource/name); namespace defaults to `defaultNs`. */
export function objectPath(r: ResourceInfo, name: string, ns: string | undefined): string {
  const base = r.namespaced ? `${r.prefix}/namespaces/${ns || 'default'}/${r.resource}` : `${r.prefix}/${r.resource}`;
  return name ? `${base}/${encodeURIComponent(name)}` : base;
}

// Kinds the views list, so actions need no discovery round trip.
const KNOWN: Record<string, ResourceInfo> = {};
function known(apiVersion: string, kind: string, resource: string, namespaced = true): void {
  KNOWN[kind] = { prefix: groupPrefix(apiVersion), resource, namespaced, kind };
}
known('v1', 'Pod', 'pods'); known('v1', 'Service', 'services'); known('v1', 'ConfigMap', 'configmaps');
known('v1', 'Secret', 'secrets'); known('v1', 'PersistentVolumeClaim', 'persistentvolumeclaims');
known('v1', 'ReplicationController', 'replicationcontrollers'); known('v1', 'Event', 'events');
known('v1', 'Node', 'nodes', false); known('v1', 'Namespace', 'namespaces', false);
known('v1', 'PersistentVolume', 'persistentvolumes', false);
known('storage.k8s.io/v1', 'StorageClass', 'storageclasses', false);
known('apps/v1', 'Deployment', 'deployments'); known('apps/v1', 'ReplicaSet', 'replicasets');
known('apps/v1', 'DaemonSet', 'daemonsets'); known('apps/v1', 'StatefulSet', 'statefulsets');
known('batch/v1', 'Job', 'jobs'); known('batch/v1', 'CronJob', 'cronjobs');
known('discovery.k8s.io/v1', 'EndpointSlice', 'endpointslices');

export function knownKind(kind: string): ResourceInfo {
  const r = KNOWN[kind];
  if (!r) throw new Error(`unknown kind ${kind}`);
  return r;
}

/** Path of an object of a kind the dashboard lists. */
export function pathOf(kind: string, o: KObject | { metadata: { name?: string; namespace?: string } }): string {
  return objectPath(knownKind(kind), o.metadata.name ?? '', o.metadata.namespace);
}
