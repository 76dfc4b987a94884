// The binding index over the watch caches must follow what the caches hold, not their
// resourceVersions: a relist at an unchanged revision empties and refills a store, and an
// index built in between (from the empty store) used to be kept for good — RBAC then denied
// everyone, anonymous /readyz included.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ClusterRole, ClusterRoleBinding } from 'kubernetes-types/rbac/v1';
import type { WatchCache } from '../../storage/watch-cache.js';
import { RBACAuthorizer } from './authorizer.js';
import { CacheRbacSource } from './cache-source.js';

/** The slice of a WatchCache the source reads, with its store contents and counters settable. */
class FakeCache {
  rv = 0;
  version = 0;
  items = new Map<string, object>();
  get(key: string): { obj: object } | undefined {
    const obj = this.items.get(key);
    return obj ? { obj } : undefined;
  }
  list(prefix = ''): { obj: object }[] {
    return [...this.items].filter(([k]) => k.startsWith(prefix)).map(([, obj]) => ({ obj }));
  }
}

test('a binding cache refilled at the same resourceVersion is seen by the next authorization', () => {
  const caches = { roles: new FakeCache(), clusterRoles: new FakeCache(), roleBindings: new FakeCache(), clusterRoleBindings: new FakeCache() };
  const role: ClusterRole = { metadata: { name: 'system:public-info-viewer' }, rules: [{ verbs: ['get'], nonResourceURLs: ['/readyz'] }] };
  const binding: ClusterRoleBinding = {
    metadata: { name: 'system:public-info-viewer' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:public-info-viewer' },
    subjects: [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'system:unauthenticated' }],
  };
  caches.clusterRoles.items.set('system:public-info-viewer', role);
  const source = new CacheRbacSource(caches as unknown as { roles: WatchCache; clusterRoles: WatchCache; roleBindings: WatchCache; clusterRoleBindings: WatchCache });
  const authz = new RBACAuthorizer(source);
  const anonymous = { user: { username: 'system:anonymous', groups: ['system:unauthenticated'] }, verb: 'get', path: '/readyz', resourceRequest: false } as unknown as Parameters<RBACAuthorizer['authorize']>[0];
  // The cache at revision 42, cleared for a relist: the index is built from nothing.
  caches.clusterRoleBindings.rv = 42;
  caches.clusterRoleBindings.version = 1;
  assert.equal(authz.authorize(anonymous).decision, 'no-opinion');
  // Refilled at the same revision: only the version moves.
  caches.clusterRoleBindings.items.set('system:public-info-viewer', binding);
  caches.clusterRoleBindings.version = 2;
  assert.equal(authz.authorize(anonymous).decision, 'allow');
});
