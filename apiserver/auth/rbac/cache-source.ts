// The RbacSource over the apiserver's own watch caches (what Kubernetes' RBAC authorizer reads
// through informers): synchronous reads of the four RBAC resources, and a generation that moves
// with every change to the binding caches (their versions).
import type { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from 'kubernetes-types/rbac/v1';
import type { WatchCache } from '../../storage/watch-cache.js';
import type { RbacSource } from './source.js';

export interface RbacCaches {
  roles: WatchCache;
  clusterRoles: WatchCache;
  roleBindings: WatchCache;
  clusterRoleBindings: WatchCache;
}

export class CacheRbacSource implements RbacSource {
  constructor(private readonly c: RbacCaches) {}

  getRole(namespace: string, name: string): Role | undefined {
    return this.c.roles.get(`${namespace}/${name}`)?.obj as Role | undefined;
  }

  getClusterRole(name: string): ClusterRole | undefined {
    return this.c.clusterRoles.get(name)?.obj as ClusterRole | undefined;
  }

  listRoleBindings(namespace: string): readonly RoleBinding[] {
    return this.c.roleBindings.list(`${namespace}/`).map((e) => e.obj as unknown as RoleBinding);
  }

  listClusterRoleBindings(): readonly ClusterRoleBinding[] {
    return this.c.clusterRoleBindings.list().map((e) => e.obj as unknown as ClusterRoleBinding);
  }

  generation(): number {
    // Both versions only grow, so their sum moves whenever either cache changes. The caches'
    // resourceVersions did not: a relist at an unchanged revision refilled a store the index had
    // just been built from empty, and RBAC denied everyone (even anonymous /readyz) for good.
    return this.c.roleBindings.version + this.c.clusterRoleBindings.version;
  }
}
