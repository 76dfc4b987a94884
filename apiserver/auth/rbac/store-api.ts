// The bootstrap policy's reconciliation writes through the apiserver's own stores (as the
// apiserver itself: no user, so no authorization or escalation checks), like Kubernetes'
// post-start hook does through its loopback client.
import { StatusError } from '../../../api/status.js';
import type { KObject } from '../../../api/types.js';
import type { ResourceStore } from '../../registry/store.js';
import type { RbacKind, ReconcileApi } from './reconcile.js';

const RESOURCE: Record<RbacKind, string> = {
  Role: 'roles',
  ClusterRole: 'clusterroles',
  RoleBinding: 'rolebindings',
  ClusterRoleBinding: 'clusterrolebindings',
};

export function storeReconcileApi(store: (group: string, resource: string) => ResourceStore): ReconcileApi {
  const of = (kind: RbacKind) => store('rbac.authorization.k8s.io', RESOURCE[kind]);
  const ns = (kind: RbacKind, namespace: string) => (kind === 'Role' || kind === 'RoleBinding' ? namespace : undefined);
  const notFound = (e: unknown) => e instanceof StatusError && e.code === 404;
  type Obj = Parameters<ReconcileApi['create']>[0];
  return {
    async get(kind, namespace, name) {
      try {
        return (await of(kind).get(ns(kind, namespace), name)) as unknown as Obj;
      } catch (e) {
        if (notFound(e)) return undefined;
        throw e;
      }
    },
    async create(obj) {
      const kind = obj.kind as RbacKind;
      const namespace = ns(kind, obj.metadata?.namespace ?? '');
      if (namespace !== undefined) {
        try {
          await store('', 'namespaces').create(undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
        } catch (e) {
          if (!(e instanceof StatusError && e.code === 409)) throw e;
        }
      }
      return (await of(kind).create(namespace, obj as unknown as KObject)) as unknown as Obj;
    },
    async update(obj) {
      const kind = obj.kind as RbacKind;
      const { obj: out } = await of(kind).update(ns(kind, obj.metadata?.namespace ?? ''), obj.metadata?.name ?? '', obj as unknown as KObject);
      return out as unknown as Obj;
    },
    async delete(kind, namespace, name, uid) {
      await of(kind).delete(ns(kind, namespace), name, { preconditions: { uid } });
    },
  };
}
