import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding, Subject } from 'kubernetes-types/rbac/v1';
import type { UserInfo } from '../../../api/user.js';
import type { Attributes } from '../types.js';
import { RBACAuthorizer } from './authorizer.js';
import { InMemoryRbacSource, type RbacObject } from './source.js';

const RBAC = 'rbac.authorization.k8s.io';

/** Kubernetes' newRule: comma lists, where "" is a list of one empty string. */
function newRule(verbs: string, groups: string, resources: string, urls: string): PolicyRule {
  return { verbs: verbs.split(','), apiGroups: groups.split(','), resources: resources.split(','), nonResourceURLs: urls.split(',') };
}
const clusterRole = (name: string, ...rules: PolicyRule[]): ClusterRole => ({ kind: 'ClusterRole', metadata: { name }, rules });
const role = (namespace: string, name: string, ...rules: PolicyRule[]): Role => ({ kind: 'Role', metadata: { namespace, name }, rules });

/** "User:alice", "Group:devs", "ServiceAccount:ns:name" or "ServiceAccount:name" (no namespace). */
function subjects(specs: string[]): Subject[] {
  return specs.map((s) => {
    const [kind, ...rest] = s.split(':');
    if (kind === 'ServiceAccount') return rest.length === 2 ? { kind, namespace: rest[0], name: rest[1] } : { kind, name: rest[0] };
    return { kind, apiGroup: RBAC, name: rest.join(':') };
  });
}
const crb = (name: string, roleName: string, ...subs: string[]): ClusterRoleBinding => ({
  kind: 'ClusterRoleBinding',
  metadata: { name },
  roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: roleName },
  subjects: subjects(subs),
});
const rb = (namespace: string, name: string, kind: 'Role' | 'ClusterRole', roleName: string, ...subs: string[]): RoleBinding => ({
  kind: 'RoleBinding',
  metadata: { namespace, name },
  roleRef: { apiGroup: RBAC, kind, name: roleName },
  subjects: subjects(subs),
});

function u(username: string, groups = ''): UserInfo {
  return { username, groups: groups.split(',') };
}
function resourceReq(user: UserInfo, verb: string, resource: string, subresource: string, namespace: string, apiGroup = '', name = ''): Attributes {
  return { user, verb, resourceRequest: true, path: '', namespace, apiGroup, apiVersion: 'v1', resource, subresource, name };
}
function urlReq(user: UserInfo, verb: string, path: string): Attributes {
  return { user, verb, resourceRequest: false, path, namespace: '', apiGroup: '', apiVersion: '', resource: '', subresource: '', name: '' };
}

function authorizer(...objects: RbacObject[]): { a: RBACAuthorizer; source: InMemoryRbacSource } {
  const source = new InMemoryRbacSource(objects);
  return { a: new RBACAuthorizer(source), source };
}
const decision = (a: RBACAuthorizer, attrs: Attributes) => a.authorize(attrs).decision;

describe('RBACAuthorizer (Kubernetes TestAuthorizer)', () => {
  test('a RoleBinding to a ClusterRole grants in its namespace only', () => {
    const { a } = authorizer(clusterRole('admin', newRule('*', '*', '*', '*')), rb('ns1', 'admin', 'ClusterRole', 'admin', 'User:admin', 'Group:admins'));
    for (const [user, groups, verb, resource] of [
      ['admin', '', 'get', 'Pods'],
      ['admin', '', 'watch', 'Pods'],
      ['admin', 'group1', 'watch', 'Foobar'],
      ['joe', 'admins', 'watch', 'Foobar'],
      ['joe', 'group1,admins', 'watch', 'Foobar'],
    ]) {
      assert.equal(decision(a, resourceReq(u(user, groups), verb, resource, '', 'ns1')), 'allow', `${user} ${verb} ${resource}`);
    }
    for (const [user, groups, verb, resource, ns] of [
      ['admin', '', 'GET', 'Pods', 'ns2'],
      ['admin', '', 'GET', 'Nodes', ''],
      ['admin', 'admins', 'GET', 'Pods', 'ns2'],
      ['admin', 'admins', 'GET', 'Nodes', ''],
    ]) {
      assert.equal(decision(a, resourceReq(u(user, groups), verb, resource, '', ns)), 'no-opinion', `${user} ${verb} ${resource} ${ns}`);
    }
  });

  test('non-resource URLs', () => {
    const { a } = authorizer(
      clusterRole('non-resource-url-getter', newRule('get', '', '', '/apis')),
      clusterRole('non-resource-url', newRule('*', '', '', '/apis')),
      clusterRole('non-resource-url-prefix', newRule('get', '', '', '/apis/*')),
      crb('b1', 'non-resource-url-getter', 'User:foo', 'Group:bar'),
      crb('b2', 'non-resource-url', 'User:admin', 'Group:admin'),
      crb('b3', 'non-resource-url-prefix', 'User:prefixed', 'Group:prefixed'),
    );
    const byName = (n: string) => ({ username: n, groups: [] });
    const byGroup = (g: string) => ({ username: '', groups: [g] });
    const pass: Attributes[] = [
      urlReq(byName('foo'), 'get', '/apis'),
      urlReq(byGroup('bar'), 'get', '/apis'),
      urlReq(byName('admin'), 'get', '/apis'),
      urlReq(byGroup('admin'), 'get', '/apis'),
      urlReq(byName('admin'), 'watch', '/apis'),
      urlReq(byGroup('admin'), 'watch', '/apis'),
      urlReq(byName('prefixed'), 'get', '/apis/v1'),
      urlReq(byGroup('prefixed'), 'get', '/apis/v1'),
      urlReq(byName('prefixed'), 'get', '/apis/v1/foobar'),
      urlReq(byGroup('prefixed'), 'get', '/apis/v1/foorbar'),
    ];
    const fail: Attributes[] = [
      urlReq(byName('foo'), 'watch', '/apis'),
      urlReq(byGroup('bar'), 'watch', '/apis'),
      urlReq(byName('foo'), 'get', '/api/v1'),
      urlReq(byGroup('bar'), 'get', '/api/v1'),
      urlReq(byName('admin'), 'get', '/api/v1'),
      urlReq(byGroup('admin'), 'get', '/api/v1'),
      urlReq(byName('prefixed'), 'get', '/api/v1'),
      urlReq(byGroup('prefixed'), 'get', '/api/v1'),
    ];
    for (const p of pass) assert.equal(decision(a, p), 'allow', JSON.stringify(p));
    for (const f of fail) assert.equal(decision(a, f), 'no-opinion', JSON.stringify(f));
  });

  test('subresources resolve as resource/subresource', () => {
    const pods = authorizer(clusterRole('admin', newRule('*', '*', 'pods', '*')), rb('ns1', 'admin', 'ClusterRole', 'admin', 'User:admin'));
    assert.equal(decision(pods.a, resourceReq(u('admin'), 'get', 'pods', '', 'ns1')), 'allow');
    assert.equal(decision(pods.a, resourceReq(u('admin'), 'get', 'pods', 'status', 'ns1')), 'no-opinion');
    const status = authorizer(clusterRole('admin', newRule('*', '*', 'pods/status', '*')), rb('ns1', 'admin', 'ClusterRole', 'admin', 'User:admin'));
    assert.equal(decision(status.a, resourceReq(u('admin'), 'get', 'pods', 'status', 'ns1')), 'allow');
    assert.equal(decision(status.a, resourceReq(u('admin'), 'get', 'pods', '', 'ns1')), 'no-opinion');
  });
});

describe('RBACAuthorizer bindings and subjects', () => {
  const reader = clusterRole('pod-reader', { verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] });

  test('ClusterRoleBindings apply in every namespace and cluster-wide; the reason names binding, role and subject', () => {
    const { a } = authorizer(reader, crb('readers', 'pod-reader', 'User:someone', 'Group:devs'));
    const r = a.authorize(resourceReq(u('alice', 'devs'), 'list', 'pods', '', 'anywhere'));
    assert.deepEqual(r, { decision: 'allow', reason: 'RBAC: allowed by ClusterRoleBinding "readers" of ClusterRole "pod-reader" to Group "devs"' });
    assert.equal(decision(a, resourceReq(u('alice', 'devs'), 'list', 'pods', '', '')), 'allow');
    assert.deepEqual(a.authorize(resourceReq(u('alice', 'devs'), 'delete', 'pods', '', 'x')), { decision: 'no-opinion', reason: '' });
  });

  test('a RoleBinding may reference a Role of its own namespace, never one of another', () => {
    const { a } = authorizer(
      role('ns1', 'r', { verbs: ['get'], apiGroups: [''], resources: ['secrets'] }),
      role('ns2', 'r', { verbs: ['get'], apiGroups: [''], resources: ['configmaps'] }),
      rb('ns1', 'rb', 'Role', 'r', 'User:alice'),
    );
    const r = a.authorize(resourceReq(u('alice'), 'get', 'secrets', '', 'ns1', '', 's1'));
    assert.deepEqual(r, { decision: 'allow', reason: 'RBAC: allowed by RoleBinding "rb/ns1" of Role "r" to User "alice"' });
    assert.equal(decision(a, resourceReq(u('alice'), 'get', 'configmaps', '', 'ns1')), 'no-opinion');
    assert.equal(decision(a, resourceReq(u('alice'), 'get', 'secrets', '', 'ns2')), 'no-opinion');
    assert.equal(decision(a, resourceReq(u('alice'), 'get', 'secrets', '', '')), 'no-opinion', 'namespace bindings do not grant cluster-wide');
  });

  test('ServiceAccount subjects: by namespace and name from the username; a RoleBinding defaults the namespace', () => {
    const { a } = authorizer(
      reader,
      rb('ci', 'local', 'ClusterRole', 'pod-reader', 'ServiceAccount:builder'),
      crb('cluster-sa', 'pod-reader', 'ServiceAccount:tools:robot'),
      crb('no-namespace', 'pod-reader', 'ServiceAccount:orphan'),
    );
    const sa = (ns: string, name: string) => ({ username: `system:serviceaccount:${ns}:${name}`, groups: ['system:serviceaccounts', `system:serviceaccounts:${ns}`] });
    assert.deepEqual(a.authorize(resourceReq(sa('ci', 'builder'), 'get', 'pods', '', 'ci')), {
      decision: 'allow',
      reason: 'RBAC: allowed by RoleBinding "local/ci" of ClusterRole "pod-reader" to ServiceAccount "builder/ci"',
    });
    assert.equal(decision(a, resourceReq(sa('other', 'builder'), 'get', 'pods', '', 'ci')), 'no-opinion', 'same name, other namespace');
    assert.deepEqual(a.authorize(resourceReq(sa('tools', 'robot'), 'get', 'pods', '', 'x')), {
      decision: 'allow',
      reason: 'RBAC: allowed by ClusterRoleBinding "cluster-sa" of ClusterRole "pod-reader" to ServiceAccount "robot/tools"',
    });
    assert.equal(decision(a, resourceReq(sa('', 'orphan'), 'get', 'pods', '', 'x')), 'no-opinion');
    assert.equal(decision(a, resourceReq(sa('default', 'orphan'), 'get', 'pods', '', 'x')), 'no-opinion', 'a cluster SA subject without namespace matches nobody');
    assert.equal(decision(a, resourceReq(u('builder'), 'get', 'pods', '', 'ci')), 'no-opinion', 'a plain user named like the SA is not it');
  });

  test('a binding to a missing role grants nothing, does not stop other grants, and is reported', () => {
    const { a } = authorizer(
      reader,
      crb('gone', 'does-not-exist', 'User:alice'),
      rb('ns1', 'gone-role', 'Role', 'nope', 'User:alice'),
      rb('ns1', 'gone-too', 'Role', 'x', 'User:alice'),
    );
    assert.deepEqual(a.authorize(resourceReq(u('alice'), 'get', 'pods', '', 'ns1')), {
      decision: 'no-opinion',
      reason: 'RBAC: [clusterrole.rbac.authorization.k8s.io "does-not-exist" not found, role.rbac.authorization.k8s.io "nope" not found, role.rbac.authorization.k8s.io "x" not found]',
    });
    assert.deepEqual(a.authorize(resourceReq(u('alice'), 'get', 'pods', '', '')), {
      decision: 'no-opinion',
      reason: 'RBAC: clusterrole.rbac.authorization.k8s.io "does-not-exist" not found',
    });
    const odd: ClusterRoleBinding = { ...crb('odd', 'x', 'User:alice'), roleRef: { apiGroup: RBAC, kind: 'Foo', name: 'x' } };
    assert.equal(authorizer(odd).a.authorize(resourceReq(u('alice'), 'get', 'pods', '', '')).reason, 'RBAC: unsupported role reference kind: "Foo"');
    const ok = authorizer(reader, crb('gone', 'does-not-exist', 'User:alice'), crb('works', 'pod-reader', 'User:alice'));
    assert.equal(decision(ok.a, resourceReq(u('alice'), 'get', 'pods', '', 'ns1')), 'allow');
  });

  test('resourceNames restrict to named objects; list and create are not named', () => {
    const { a } = authorizer(clusterRole('one-cm', { verbs: ['get', 'update', 'list', 'create'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['app'] }), crb('b', 'one-cm', 'User:alice'));
    assert.equal(decision(a, resourceReq(u('alice'), 'get', 'configmaps', '', 'd', '', 'app')), 'allow');
    assert.equal(decision(a, resourceReq(u('alice'), 'update', 'configmaps', '', 'd', '', 'other')), 'no-opinion');
    assert.equal(decision(a, resourceReq(u('alice'), 'list', 'configmaps', '', 'd')), 'no-opinion');
    assert.equal(decision(a, resourceReq(u('alice'), 'create', 'configmaps', '', 'd')), 'no-opinion');
  });

  test('changes to bindings and roles take effect at once (the index follows the source generation)', () => {
    const { a, source } = authorizer(reader);
    const req = resourceReq(u('bob', 'system:authenticated'), 'get', 'pods', '', 'ns1');
    assert.equal(decision(a, req), 'no-opinion');
    source.set(rb('ns1', 'bob', 'ClusterRole', 'pod-reader', 'User:bob'));
    assert.equal(decision(a, req), 'allow');
    source.set(clusterRole('pod-reader', { verbs: ['list'], apiGroups: [''], resources: ['pods'] }));
    assert.equal(decision(a, req), 'no-opinion', 'the role lost get');
    source.set(clusterRole('pod-reader', { verbs: ['get'], apiGroups: [''], resources: ['pods'] }));
    assert.equal(decision(a, req), 'allow');
    source.delete('RoleBinding', 'ns1', 'bob');
    assert.equal(decision(a, req), 'no-opinion');
    source.set(crb('all', 'pod-reader', 'Group:system:authenticated'));
    assert.equal(decision(a, req), 'allow');
  });

  test('a binding naming the user by several subjects is evaluated once and reports its first matching subject', () => {
    const { a } = authorizer(reader, crb('multi', 'pod-reader', 'Group:devs', 'User:alice', 'Group:ops'));
    assert.equal(a.authorize(resourceReq(u('alice', 'ops,devs'), 'get', 'pods', '', 'x')).reason, 'RBAC: allowed by ClusterRoleBinding "multi" of ClusterRole "pod-reader" to Group "devs"');
    const missing = authorizer(crb('multi', 'gone', 'Group:devs', 'User:alice'));
    assert.equal(missing.a.authorize(resourceReq(u('alice', 'devs'), 'get', 'pods', '', 'x')).reason, 'RBAC: clusterrole.rbac.authorization.k8s.io "gone" not found');
  });
});

describe('RBACAuthorizer.rulesFor', () => {
  test('the union of cluster and namespace rules, split into resource and non-resource rules', () => {
    const { a } = authorizer(
      clusterRole('basic', { verbs: ['create'], apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews'] }, { verbs: ['get'], nonResourceURLs: ['/healthz'] }),
      clusterRole('dup', { verbs: ['create'], apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews'] }),
      role('ns1', 'cm', { verbs: ['get'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['app'] }),
      crb('basic', 'basic', 'Group:system:authenticated'),
      crb('dup', 'dup', 'User:alice'),
      rb('ns1', 'cm', 'Role', 'cm', 'User:alice'),
    );
    const alice = u('alice', 'system:authenticated');
    assert.deepEqual(a.rulesFor(alice, 'ns1'), {
      resourceRules: [
        { verbs: ['create'], apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews'] },
        { verbs: ['get'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['app'] },
      ],
      nonResourceRules: [{ verbs: ['get'], nonResourceURLs: ['/healthz'] }],
      incomplete: false,
    });
    assert.equal(a.rulesFor(alice, 'ns2').resourceRules.length, 1, 'the namespace role applies in ns1 only');
  });

  test('incomplete with the evaluation error when a role is missing', () => {
    const { a } = authorizer(crb('gone', 'nothing-here', 'User:alice'));
    assert.deepEqual(a.rulesFor(u('alice'), 'ns1'), {
      resourceRules: [],
      nonResourceRules: [],
      incomplete: true,
      evaluationError: 'clusterrole.rbac.authorization.k8s.io "nothing-here" not found',
    });
  });
});
