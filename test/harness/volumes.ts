// Acting as the PV controller in tests that run without it (it lives in the
// persistentvolume-binder controller): bind a claim to a new PV the way it would — the PV's
// claimRef and phase Bound, the claim's volumeName, bind-completed annotation and phase Bound.
import type { PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1';
import type { RestClient } from '../../client/index.js';

export interface BindOptions {
  namespace: string;
  claim: string;
  pv: string;
  /** A local PV on this node (nodeAffinity kubernetes.io/hostname In [node]); omitted = hostPath, anywhere. */
  node?: string;
  path: string;
}

/** Creates the PV bound to the claim and completes the binding on both sides; returns the PV. */
export async function bindClaimToNewPV(client: RestClient, o: BindOptions): Promise<PersistentVolume> {
  const claims = client.resource<PersistentVolumeClaim>('persistentvolumeclaims', o.namespace);
  const pvc = await claims.get(o.claim);
  const source = o.node
    ? {
        local: { path: o.path },
        nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In' as const, values: [o.node] }] }] } },
      }
    : { hostPath: { path: o.path } };
  const pvs = client.resource<PersistentVolume>('persistentvolumes');
  await pvs.create({
    metadata: { name: o.pv, annotations: { 'pv.kubernetes.io/provisioned-by': 'test' } },
    spec: {
      capacity: { storage: String(pvc.spec?.resources?.requests?.['storage'] ?? '1Gi') },
      accessModes: pvc.spec?.accessModes ?? ['ReadWriteOnce'],
      persistentVolumeReclaimPolicy: 'Delete',
      ...(pvc.spec?.storageClassName ? { storageClassName: pvc.spec.storageClassName } : {}),
      claimRef: { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: o.namespace, name: o.claim, uid: pvc.metadata?.uid ?? '' },
      ...source,
    },
  });
  const pv = await pvs.patch(o.pv, 'merge', { status: { phase: 'Bound' } }, { subresource: 'status' });
  await claims.patch(o.claim, 'merge', { metadata: { annotations: { 'pv.kubernetes.io/bind-completed': 'yes', 'pv.kubernetes.io/bound-by-controller': 'yes' } }, spec: { volumeName: o.pv } });
  await claims.patch(o.claim, 'merge', { status: { phase: 'Bound', accessModes: pvc.spec?.accessModes ?? ['ReadWriteOnce'], capacity: { storage: String(pvc.spec?.resources?.requests?.['storage'] ?? '1Gi') } } }, { subresource: 'status' });
  return pv;
}

/**
 * Binds every claim of the namespace that is not bound yet to a new hostPath PV, until stopped
 * (for workload tests whose claims only need to be Bound). Polls: tests use few claims.
 */
export function bindClaimsAsTheyCome(client: RestClient, namespace: string, pathPrefix: string): { stop(): void } {
  let stopped = false;
  const done = new Set<string>();
  void (async () => {
    while (!stopped) {
      const list = await client.resource<PersistentVolumeClaim>('persistentvolumeclaims', namespace).list().catch(() => ({ items: [] as PersistentVolumeClaim[] }));
      for (const c of list.items) {
        const uid = c.metadata?.uid ?? '';
        if (c.spec?.volumeName || done.has(uid) || c.metadata?.deletionTimestamp) continue;
        done.add(uid);
        const name = c.metadata?.name ?? '';
        await bindClaimToNewPV(client, { namespace, claim: name, pv: `pv-${namespace}-${name}-${uid.slice(0, 8)}`, path: `${pathPrefix}/${name}` }).catch(() => done.delete(uid));
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  return { stop: () => void (stopped = true) };
}
