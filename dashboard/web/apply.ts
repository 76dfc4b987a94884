// Create from YAML as `kubectl apply --server-side` does: PATCH application/apply-patch+yaml
// with fieldManager=tskube-dashboard (an object with only generateName is POSTed instead),
// optionally with dryRun=All, which the apiserver runs through admission without persisting.
import { k8sFetch } from './api.js';
import type { KObject } from './live.js';
import { objectPath, resourceFor } from './resources.js';

export const FIELD_MANAGER = 'tskube-dashboard';

export async function applyObject(o: KObject, defaultNs: string, dryRun: boolean): Promise<string> {
  const r = await resourceFor(o.apiVersion ?? '', o.kind ?? '');
  const ns = r.namespaced ? (o.metadata.namespace || defaultNs || 'default') : undefined;
  const obj = r.namespaced ? { ...o, metadata: { ...o.metadata, namespace: ns } } : o;
  const name = o.metadata.name ?? '';
  const group = (o.apiVersion ?? '').includes('/') ? `.${(o.apiVersion ?? '').split('/')[0]}` : '';
  const label = `${(o.kind ?? '').toLowerCase()}${group}/${name || o.metadata['generateName'] || ''}`;
  const query = { fieldManager: FIELD_MANAGER, dryRun: dryRun ? 'All' : undefined };
  const suffix = dryRun ? ' (server dry run)' : '';
  if (!name) {
    const res = await k8sFetch(objectPath(r, '', ns), { method: 'POST', body: obj, query });
    const made = (await res.json()) as KObject;
    return `${label}${made.metadata?.name ?? ''} created${suffix}`;
  }
  const res = await k8sFetch(objectPath(r, name, ns), {
    method: 'PATCH', contentType: 'application/apply-patch+yaml', body: JSON.stringify(obj), query,
  });
  return `${label} ${res.status === 201 ? 'created' : 'serverside-applied'}${suffix}`;
}
