// What the RBAC authorizer reads: Roles, ClusterRoles and their bindings (Kubernetes' RBAC
// authorizer reads the same four listers). Synchronous, because authorization runs on every
// request and must not wait; the apiserver implements it over its watch caches.
import type { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from 'kubernetes-types/rbac/v1';

export interface RbacSource {
  getRole(namespace: string, name: string): Role | undefined;
  getClusterRole(name: string): ClusterRole | undefined;
  listRoleBindings(namespace: string): readonly RoleBinding[];
  listClusterRoleBindings(): readonly ClusterRoleBinding[];
  /**
   * A number that changes whenever any RoleBinding or ClusterRoleBinding is added, changed or
   * removed (changing on Role/ClusterRole events too is fine): the authorizer keeps an index of
   * bindings by subject and rebuilds it when this moves. Roles are always read live.
   */
  generation(): number;
}

export type RbacObject = Role | ClusterRole | RoleBinding | ClusterRoleBinding;

/** An RbacSource over plain maps: for tests, and for callers that assemble the policy themselves. */
export class InMemoryRbacSource implements RbacSource {
  private readonly roles = new Map<string, Role>();
  private readonly clusterRoles = new Map<string, ClusterRole>();
  private readonly roleBindings = new Map<string, Map<string, RoleBinding>>();
  private readonly clusterRoleBindings = new Map<string, ClusterRoleBinding>();
  private gen = 0;

  constructor(objects: readonly RbacObject[] = []) {
    for (const o of objects) this.set(o);
  }

  /** Adds or replaces an object; its `kind` says which. */
  set(obj: RbacObject): void {
    const ns = obj.metadata?.namespace ?? '';
    const name = obj.metadata?.name ?? '';
    switch (obj.kind) {
      case 'Role':
        this.roles.set(`${ns}/${name}`, obj);
        break;
      case 'ClusterRole':
        this.clusterRoles.set(name, obj);
        break;
      case 'RoleBinding': {
        let m = this.roleBindings.get(ns);
        if (!m) this.roleBindings.set(ns, (m = new Map()));
        m.set(name, obj);
        break;
      }
      case 'ClusterRoleBinding':
        this.clusterRoleBindings.set(name, obj);
        break;
      default:
        throw new Error(`not an RBAC object: kind ${String((obj as { kind?: unknown }).kind)}`);
    }
    this.gen++;
  }

  delete(kind: NonNullable<RbacObject['kind']>, namespace: string, name: string): void {
    if (kind === 'Role') this.roles.delete(`${namespace}/${name}`);
    else if (kind === 'ClusterRole') this.clusterRoles.delete(name);
    else if (kind === 'RoleBinding') this.roleBindings.get(namespace)?.delete(name);
    else this.clusterRoleBindings.delete(name);
    this.gen++;
  }

  getRole(namespace: string, name: string): Role | undefined {
    return this.roles.get(`${namespace}/${name}`);
  }
  getClusterRole(name: string): ClusterRole | undefined {
    return this.clusterRoles.get(name);
  }
  listRoleBindings(namespace: string): RoleBinding[] {
    return [...(this.roleBindings.get(namespace)?.values() ?? [])];
  }
  listClusterRoleBindings(): ClusterRoleBinding[] {
    return [...this.clusterRoleBindings.values()];
  }
  generation(): number {
    return this.gen;
  }
}
