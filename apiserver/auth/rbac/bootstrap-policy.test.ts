import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ClusterRole, PolicyRule } from 'kubernetes-types/rbac/v1';
import type { UserInfo } from '../../../api/user.js';
import { validateRole, validateRoleBinding } from '../../../api/validation/rbac.js';
import { aggregatedRules } from '../../../controller-manager/clusterrole-aggregation.js';
import type { Attributes } from '../types.js';
import { RBACAuthorizer } from './authorizer.js';
import { AUTOUPDATE_ANNOTATION, BOOTSTRAP_LABEL, NODE_RULES, bootstrapPolicy } from './bootstrap-policy.js';
import { covers } from './policy-comparator.js';
import { rulesAllow } from './rules.js';
import { InMemoryRbacSource } from './source.js';

/** The policy as a cluster would hold it once the aggregation controller ran (to a fixed point). */
function aggregatedPolicySource(): InMemoryRbacSource {
  const p = bootstrapPolicy();
  for (let changed = true; changed; ) {
    changed = false;
    for (const r of p.clusterRoles) {
      if (!r.aggregationRule) continue;
      const next = aggregatedRules(r, p.clusterRoles);
      if (JSON.stringify(next) !== JSON.stringify(r.rules)) {
        r.rules = next;
        changed = true;
      }
    }
  }
  return new InMemoryRbacSource([...p.clusterRoles, ...p.clusterRoleBindings, ...p.roles, ...p.roleBindings]);
}

const req = (user: UserInfo, verb: string, resource: string, namespace = '', apiGroup = '', subresource = '', name = ''): Attributes => ({
  user,
  verb,
  resourceRequest: true,
  path: '',
  namespace,
  apiGroup,
  apiVersion: 'v1',
  resource,
  subresource,
  name,
});
const url = (user: UserInfo, path: string, verb = 'get'): Attributes => ({ user, verb, resourceRequest: false, path, namespace: '', apiGroup: '', apiVersion: '', resource: '', subresource: '', name: '' });

describe('bootstrap policy', () => {
  const p = bootstrapPolicy();

  test('objects are valid, labelled rbac-defaults and annotated autoupdate "true", with unique names', () => {
    for (const r of [...p.clusterRoles, ...p.roles]) {
      assert.deepEqual(validateRole(r as unknown as Record<string, unknown>, r.kind === 'Role'), [], r.metadata?.name);
    }
    for (const b of [...p.clusterRoleBindings, ...p.roleBindings]) {
      assert.deepEqual(validateRoleBinding(b as unknown as Record<string, unknown>, b.kind === 'RoleBinding'), [], b.metadata?.name);
    }
    for (const o of [...p.clusterRoles, ...p.clusterRoleBindings, ...p.roles, ...p.roleBindings]) {
      assert.equal(o.metadata?.labels?.[BOOTSTRAP_LABEL], 'rbac-defaults', o.metadata?.name);
      assert.equal(o.metadata?.annotations?.[AUTOUPDATE_ANNOTATION], 'true', o.metadata?.name);
    }
    for (const list of [p.clusterRoles, p.clusterRoleBindings, p.roles, p.roleBindings]) {
      const names = list.map((o) => `${o.metadata?.namespace ?? ''}/${o.metadata?.name}`);
      assert.equal(new Set(names).size, names.length);
    }
  });

  test('every binding’s roleRef exists in the policy', () => {
    const clusterRoleNames = new Set(p.clusterRoles.map((r) => r.metadata?.name));
    for (const b of p.clusterRoleBindings) assert.ok(clusterRoleNames.has(b.roleRef.name), b.metadata?.name);
    for (const b of p.roleBindings) {
      const found = b.roleRef.kind === 'Role' ? p.roles.some((r) => r.metadata?.namespace === b.metadata?.namespace && r.metadata?.name === b.roleRef.name) : clusterRoleNames.has(b.roleRef.name);
      assert.ok(found, b.metadata?.name);
    }
  });

  test('admin, edit and view are aggregated, and nest: view ⊂ edit ⊂ admin', () => {
    const byName = (n: string) => p.clusterRoles.find((r) => r.metadata?.name === n) as ClusterRole;
    for (const [name, label] of [
      ['admin', 'aggregate-to-admin'],
      ['edit', 'aggregate-to-edit'],
      ['view', 'aggregate-to-view'],
    ]) {
      const r = byName(name);
      assert.deepEqual(r.rules, []);
      assert.deepEqual(r.aggregationRule, { clusterRoleSelectors: [{ matchLabels: { [`rbac.authorization.k8s.io/${label}`]: 'true' } }] });
    }
    const source = aggregatedPolicySource();
    const rules = (n: string): PolicyRule[] => source.getClusterRole(n)?.rules ?? [];
    assert.ok(rules('view').length > 0);
    assert.ok(covers(rules('edit'), rules('view')).covered, 'edit covers view');
    assert.ok(covers(rules('admin'), rules('edit')).covered, 'admin covers edit');
    assert.ok(!covers(rules('view'), [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }]).covered, 'view cannot read secrets');
    assert.ok(!covers(rules('edit'), [{ apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles'], verbs: ['create'] }]).covered, 'edit cannot write roles');
    assert.ok(covers(rules('cluster-admin'), rules('admin')).covered);
    assert.ok(covers(rules('view'), [{ apiGroups: ['metrics.k8s.io'], resources: ['pods', 'nodes'], verbs: ['get', 'list', 'watch'] }]).covered, 'view reads metrics');
  });

  test('the well-known identities get what they need', () => {
    const a = new RBACAuthorizer(aggregatedPolicySource());
    const allow = (attrs: Attributes) => assert.equal(a.authorize(attrs).decision, 'allow', JSON.stringify(attrs));
    const deny = (attrs: Attributes) => assert.equal(a.authorize(attrs).decision, 'no-opinion', JSON.stringify(attrs));
    const anon: UserInfo = { username: 'system:anonymous', groups: ['system:unauthenticated'] };
    const someone: UserInfo = { username: 'someone', groups: ['system:authenticated'] };
    const root: UserInfo = { username: 'root', groups: ['system:masters', 'system:authenticated'] };
    allow(url(anon, '/healthz'));
    allow(url(anon, '/version'));
    deny(url(anon, '/api'));
    deny(url(anon, '/metrics'));
    allow(url(someone, '/apis/apps/v1'));
    allow(url(someone, '/openapi/v3'));
    allow(req(someone, 'create', 'selfsubjectaccessreviews', '', 'authorization.k8s.io'));
    allow(req(someone, 'create', 'selfsubjectrulesreviews', '', 'authorization.k8s.io'));
    allow(req(someone, 'create', 'selfsubjectreviews', '', 'authentication.k8s.io'));
    deny(req(someone, 'list', 'pods', 'default'));
    allow(req(root, 'delete', 'nodes', '', '', '', 'n1'));
    allow(url(root, '/anything'));
    allow(url({ username: 'prom', groups: ['system:monitoring'] }, '/metrics'));
    allow(url({ username: 'prom', groups: ['system:monitoring'] }, '/readyz/etcd'));

    const scheduler: UserInfo = { username: 'system:kube-scheduler', groups: ['system:authenticated'] };
    allow(req(scheduler, 'create', 'pods', 'default', '', 'binding', 'p'));
    allow(req(scheduler, 'update', 'leases', 'kube-system', 'coordination.k8s.io', '', 'kube-scheduler'));
    allow(req(scheduler, 'create', 'events', 'default', 'events.k8s.io'));
    allow(req(scheduler, 'patch', 'pods', 'default', '', 'status', 'p'));
    deny(req(scheduler, 'get', 'secrets', 'default', '', '', 's'));
    // VolumeBinding: its informers, and the bindings it writes in PreBind (system:volume-scheduler).
    allow(req(scheduler, 'watch', 'storageclasses', '', 'storage.k8s.io'));
    allow(req(scheduler, 'update', 'persistentvolumes', '', '', '', 'pv1'));
    allow(req(scheduler, 'update', 'persistentvolumeclaims', 'default', '', '', 'c'));
    deny(req(scheduler, 'delete', 'persistentvolumeclaims', 'default', '', '', 'c'));

    const proxy: UserInfo = { username: 'system:kube-proxy', groups: ['system:authenticated'] };
    for (const [res, group] of [['services', ''], ['endpoints', ''], ['endpointslices', 'discovery.k8s.io'], ['nodes', '']]) allow(req(proxy, 'watch', res, '', group));
    // Its own port authorizes /metrics callers by asking the apiserver (so does DNS's).
    allow(req(proxy, 'create', 'subjectaccessreviews', '', 'authorization.k8s.io'));
    allow(req(proxy, 'create', 'tokenreviews', '', 'authentication.k8s.io'));

    const dns: UserInfo = { username: 'system:tskube-dns', groups: ['system:authenticated'] };
    allow(req(dns, 'watch', 'pods', ''));
    allow(req(dns, 'list', 'namespaces', ''));
    allow(req(dns, 'update', 'services', 'kube-system', '', '', 'kube-dns'));
    allow(req(dns, 'create', 'endpointslices', 'kube-system', 'discovery.k8s.io'));
    deny(req(dns, 'update', 'services', 'default', '', '', 'kube-dns'));
    allow(req(dns, 'create', 'subjectaccessreviews', '', 'authorization.k8s.io'));

    const apiserver: UserInfo = { username: 'kube-apiserver-kubelet-client', groups: ['system:authenticated'] };
    allow(req(apiserver, 'get', 'nodes', '', '', 'proxy', 'n1'));
    allow(req(apiserver, 'get', 'nodes', '', '', 'log', 'n1'));

    allow(url({ username: 'system:serviceaccount:ns:sa', groups: ['system:serviceaccounts', 'system:authenticated'] }, '/openid/v1/jwks'));

    const metricsServer: UserInfo = { username: 'system:metrics-server', groups: ['system:authenticated'] };
    allow(req(metricsServer, 'get', 'nodes', '', '', 'stats', 'n1'));
    allow(req(metricsServer, 'watch', 'pods', ''));
    allow(req(metricsServer, 'create', 'subjectaccessreviews', '', 'authorization.k8s.io'));
    deny(req(metricsServer, 'get', 'nodes', '', '', 'proxy', 'n1'));
    deny(req(someone, 'list', 'pods', 'default', 'metrics.k8s.io'));
  });

  test('the controller-manager holds what its controllers do', () => {
    const a = new RBACAuthorizer(aggregatedPolicySource());
    const kcm: UserInfo = { username: 'system:kube-controller-manager', groups: ['system:authenticated'] };
    const allow = (verb: string, resource: string, ns = 'default', group = '', sub = '', name = 'x') =>
      assert.equal(a.authorize(req(kcm, verb, resource, ns, group, sub, name)).decision, 'allow', `${verb} ${group}/${resource}/${sub}`);
    allow('list', 'anything', '', 'example.com', '', '');
    allow('watch', 'secrets', '', '', '', '');
    allow('create', 'pods', 'default', '', '', '');
    allow('create', 'replicasets', 'default', 'apps', '', '');
    allow('update', 'deployments', 'default', 'apps', 'status');
    allow('patch', 'deployments', 'default', 'apps');
    allow('create', 'jobs', 'default', 'batch', '', '');
    allow('update', 'cronjobs', 'default', 'batch', 'status');
    allow('create', 'controllerrevisions', 'default', 'apps', '', '');
    allow('create', 'persistentvolumeclaims', 'default', '', '', '');
    allow('create', 'endpoints', 'default', '', '', '');
    allow('create', 'endpointslices', 'default', 'discovery.k8s.io', '', '');
    allow('delete', 'widgets', 'default', 'example.com'); // garbage collector
    allow('patch', 'widgets', 'default', 'example.com'); // garbage collector: ownerReferences
    allow('deletecollection', 'widgets', 'default', 'example.com', '', ''); // namespace deletion
    allow('update', 'namespaces', '', '', 'finalize');
    allow('patch', 'nodes', '', '', '', 'n1'); // node-ipam podCIDR
    allow('update', 'nodes', '', '', 'status', 'n1');
    allow('delete', 'pods', 'default'); // taint eviction
    allow('update', 'services', 'default', '', 'status');
    allow('create', 'serviceaccounts', 'default', '', '', '');
    allow('create', 'secrets', 'default', '', '', ''); // token controller
    allow('update', 'secrets', 'default');
    allow('get', 'serviceaccounts', 'default');
    allow('create', 'configmaps', 'default', '', '', ''); // root-CA publisher
    allow('update', 'configmaps', 'default', '', '', 'kube-root-ca.crt');
    allow('escalate', 'clusterroles', '', 'rbac.authorization.k8s.io', '', 'admin'); // aggregation
    allow('update', 'clusterroles', '', 'rbac.authorization.k8s.io', '', 'admin');
    allow('create', 'events', 'default', '', '', '');
    allow('create', 'leases', 'kube-system', 'coordination.k8s.io', '', '');
    allow('update', 'leases', 'kube-system', 'coordination.k8s.io', '', 'kube-controller-manager');
  });

  test('NODE_RULES are Kubernetes’ node rules and bound to no one', () => {
    const node = { verb: 'get', resourceRequest: true, path: '', apiGroup: '', resource: 'secrets', subresource: '', name: 's' };
    assert.ok(rulesAllow(node, NODE_RULES));
    assert.ok(rulesAllow({ ...node, verb: 'patch', resource: 'pods', subresource: 'status' }, NODE_RULES));
    assert.ok(rulesAllow({ ...node, verb: 'update', apiGroup: 'coordination.k8s.io', resource: 'leases' }, NODE_RULES));
    assert.ok(!rulesAllow({ ...node, verb: 'delete', resource: 'nodes' }, NODE_RULES));
    assert.ok(!p.clusterRoleBindings.some((b) => b.roleRef.name === 'system:node'));
    assert.throws(() => (NODE_RULES as PolicyRule[]).push({ verbs: ['*'] }), 'frozen');
  });
});
