import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding } from 'kubernetes-types/rbac/v1';
import { StatusError } from '../../../api/status.js';
import type { UserInfo } from '../../../api/user.js';
import type { Attributes } from '../types.js';
import { RBACAuthorizer } from './authorizer.js';
import { checkBindingEscalation, checkRoleEscalation, escalationAllowed } from './escalation.js';
import { InMemoryRbacSource, type RbacObject } from './source.js';

const RBAC = 'rbac.authorization.k8s.io';
const podsGet: PolicyRule = { apiGroups: [''], resources: ['pods'], verbs: ['get'] };
const podsAll: PolicyRule = { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch', 'create', 'delete'] };

const cr = (name: string, rules: PolicyRule[], extra: Partial<ClusterRole> = {}): ClusterRole => ({ kind: 'ClusterRole', metadata: { name }, rules, ...extra });
const role = (namespace: string, name: string, rules: PolicyRule[]): Role => ({ kind: 'Role', metadata: { namespace, name }, rules });
const crbTo = (name: string, roleName: string, user: string): ClusterRoleBinding => ({
  kind: 'ClusterRoleBinding',
  metadata: { name },
  roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: roleName },
  subjects: [{ kind: 'User', apiGroup: RBAC, name: user }],
});
const rbTo = (namespace: string, name: string, kind: 'Role' | 'ClusterRole', roleName: string, user: string): RoleBinding => ({
  kind: 'RoleBinding',
  metadata: { namespace, name },
  roleRef: { apiGroup: RBAC, kind, name: roleName },
  subjects: [{ kind: 'User', apiGroup: RBAC, name: user }],
});

const alice: UserInfo = { username: 'alice', groups: ['devs', 'system:authenticated'] };

/** An authorizer over `objects`, recording what escalation asked it. */
function setup(...objects: RbacObject[]) {
  const source = new InMemoryRbacSource(objects);
  const rbac = new RBACAuthorizer(source);
  const asked: Attributes[] = [];
  return {
    source,
    asked,
    authorize: (a: Attributes) => {
      asked.push(a);
      return rbac.authorize(a);
    },
    rulesFor: (u: UserInfo, ns: string) => rbac.rulesFor(u, ns),
  };
}

async function forbidden(p: Promise<void>): Promise<StatusError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof StatusError, String(e));
    assert.equal(e.code, 403);
    assert.equal(e.reason, 'Forbidden');
    return e;
  }
  assert.fail('expected 403 Forbidden');
}

describe('role escalation', () => {
  test('system:masters and the apiserver itself (no user) may write anything', async () => {
    assert.equal(escalationAllowed(undefined), true);
    assert.equal(escalationAllowed({ username: 'root', groups: ['system:masters'] }), true);
    assert.equal(escalationAllowed(alice), false);
    const s = setup();
    await checkRoleEscalation({ user: { username: 'root', groups: ['system:masters'] }, namespace: '', role: cr('x', [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }]), ...s });
    await checkRoleEscalation({ user: undefined, namespace: '', role: cr('x', [podsAll]), ...s });
  });

  test('creating a ClusterRole with rules one lacks is 403 with Kubernetes’ message', async () => {
    const s = setup(cr('reader', [{ apiGroups: [''], resources: ['pods'], verbs: ['list'] }]), crbTo('r', 'reader', 'alice'));
    const e = await forbidden(checkRoleEscalation({ user: alice, namespace: '', role: cr('x', [podsGet, { apiGroups: [''], resources: ['pods'], verbs: ['list'] }]), ...s }));
    assert.equal(
      e.message,
      'clusterroles.rbac.authorization.k8s.io "x" is forbidden: user "alice" (groups=["devs" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:[""], Resources:["pods"], Verbs:["get"]}',
    );
    assert.deepEqual(e.status.details, { name: 'x', group: RBAC, kind: 'clusterroles' });
  });

  test('missing rules are compacted per group/resource and sorted', async () => {
    const s = setup();
    const e = await forbidden(
      checkRoleEscalation({ user: alice, namespace: 'ns1', role: role('ns1', 'r', [{ apiGroups: ['', 'apps'], resources: ['secrets', 'deployments'], verbs: ['get', 'list'] }, { nonResourceURLs: ['/x'], verbs: ['get'] }]), ...s }),
    );
    assert.equal(
      e.message,
      'roles.rbac.authorization.k8s.io "r" is forbidden: user "alice" (groups=["devs" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n' +
        [
          '{APIGroups:[""], Resources:["deployments"], Verbs:["get" "list"]}',
          '{APIGroups:[""], Resources:["secrets"], Verbs:["get" "list"]}',
          '{APIGroups:["apps"], Resources:["deployments"], Verbs:["get" "list"]}',
          '{APIGroups:["apps"], Resources:["secrets"], Verbs:["get" "list"]}',
          '{NonResourceURLs:["/x"], Verbs:["get"]}',
        ].join('\n'),
    );
  });

  test('holding the rules is enough; a Role is judged by the rules in its namespace', async () => {
    const s = setup(cr('pods', [podsAll]), rbTo('ns1', 'b', 'ClusterRole', 'pods', 'alice'));
    await checkRoleEscalation({ user: alice, namespace: 'ns1', role: role('ns1', 'r', [podsGet]), ...s });
    await forbidden(checkRoleEscalation({ user: alice, namespace: 'ns2', role: role('ns2', 'r', [podsGet]), ...s }));
    await forbidden(checkRoleEscalation({ user: alice, namespace: '', role: cr('r', [podsGet]), ...s }));
  });

  test('the escalate verb allows any rules; it is checked against the request name (empty on create)', async () => {
    const s = setup(
      cr('escalator', [{ apiGroups: [RBAC], resources: ['clusterroles'], verbs: ['escalate'], resourceNames: ['special'] }]),
      crbTo('e', 'escalator', 'alice'),
    );
    const big = cr('special', [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }]);
    await forbidden(checkRoleEscalation({ user: alice, namespace: '', role: big, ...s }));
    assert.deepEqual(
      { verb: s.asked[0].verb, apiGroup: s.asked[0].apiGroup, resource: s.asked[0].resource, name: s.asked[0].name, namespace: s.asked[0].namespace },
      { verb: 'escalate', apiGroup: RBAC, resource: 'clusterroles', name: '', namespace: '' },
    );
    await checkRoleEscalation({ user: alice, namespace: '', role: big, oldRole: cr('special', []), ...s });
    assert.equal(s.asked[1].name, 'special');

    const anyName = setup(cr('escalator', [{ apiGroups: [RBAC], resources: ['roles'], verbs: ['escalate'] }]), rbTo('ns1', 'e', 'ClusterRole', 'escalator', 'alice'));
    await checkRoleEscalation({ user: alice, namespace: 'ns1', role: role('ns1', 'r', [podsAll]), ...anyName });
    assert.equal(anyName.asked[0].namespace, 'ns1');
    await forbidden(checkRoleEscalation({ user: alice, namespace: 'ns2', role: role('ns2', 'r', [podsAll]), ...anyName }));
  });

  test('an aggregationRule needs * on everything', async () => {
    const s = setup(cr('pods', [podsAll]), crbTo('b', 'pods', 'alice'));
    const aggregated = cr('agg', [], { aggregationRule: { clusterRoleSelectors: [{ matchLabels: { x: 'y' } }] } });
    const e = await forbidden(checkRoleEscalation({ user: alice, namespace: '', role: aggregated, ...s }));
    assert.equal(e.message, 'clusterroles.rbac.authorization.k8s.io "agg" is forbidden: must have cluster-admin privileges to use the aggregationRule');
    // Removing it from an aggregated role needs the same.
    await forbidden(checkRoleEscalation({ user: alice, namespace: '', role: cr('agg', [podsGet]), oldRole: aggregated, ...s }));
    const admin = setup(cr('all', [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }, { nonResourceURLs: ['*'], verbs: ['*'] }]), crbTo('b', 'all', 'alice'));
    await checkRoleEscalation({ user: alice, namespace: '', role: aggregated, ...admin });
  });

  test('an update touching only ownerReferences/finalizers passes (the garbage collector’s edit)', async () => {
    const s = setup();
    const old = cr('x', [podsAll], { metadata: { name: 'x', resourceVersion: '5' } });
    const gcEdit = cr('x', [podsAll], { metadata: { name: 'x', resourceVersion: '5', finalizers: ['f'], ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'o', uid: 'u' }] } });
    await checkRoleEscalation({ user: alice, namespace: '', role: gcEdit, oldRole: old, ...s });
    const labelEdit = cr('x', [podsAll], { metadata: { name: 'x', resourceVersion: '5', labels: { a: 'b' } } });
    await forbidden(checkRoleEscalation({ user: alice, namespace: '', role: labelEdit, oldRole: old, ...s }));
  });
});

describe('binding escalation', () => {
  const binding = (ns: string, kind: 'Role' | 'ClusterRole', roleName: string): RoleBinding => rbTo(ns, 'grant', kind, roleName, 'bob');
  const clusterBinding = (roleName: string): ClusterRoleBinding => crbTo('grant', roleName, 'bob');

  test('binding a role whose rules one holds is allowed, in the binding’s namespace', async () => {
    const s = setup(cr('pods', [podsAll]), cr('pod-get', [podsGet]), rbTo('ns1', 'mine', 'ClusterRole', 'pods', 'alice'));
    await checkBindingEscalation({ user: alice, namespace: 'ns1', binding: binding('ns1', 'ClusterRole', 'pod-get'), ...s });
    const e = await forbidden(checkBindingEscalation({ user: alice, namespace: 'ns2', binding: binding('ns2', 'ClusterRole', 'pod-get'), ...s }));
    assert.equal(
      e.message,
      'rolebindings.rbac.authorization.k8s.io "grant" is forbidden: user "alice" (groups=["devs" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:[""], Resources:["pods"], Verbs:["get"]}',
    );
    const c = await forbidden(checkBindingEscalation({ user: alice, namespace: '', binding: clusterBinding('pod-get'), ...s }));
    assert.match(c.message, /^clusterrolebindings\.rbac\.authorization\.k8s\.io "grant" is forbidden: user "alice"/);
  });

  test('a RoleBinding to a Role resolves the Role in the binding’s namespace', async () => {
    const s = setup(role('ns1', 'r', [podsGet]), cr('pods', [podsAll]), rbTo('ns1', 'mine', 'ClusterRole', 'pods', 'alice'));
    await checkBindingEscalation({ user: alice, namespace: 'ns1', binding: binding('ns1', 'Role', 'r'), ...s });
  });

  test('the bind verb allows binding a role one does not hold, by name', async () => {
    const s = setup(
      cr('admin', [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }]),
      cr('binder', [{ apiGroups: [RBAC], resources: ['clusterroles'], verbs: ['bind'], resourceNames: ['admin'] }]),
      rbTo('ns1', 'mine', 'ClusterRole', 'binder', 'alice'),
    );
    await checkBindingEscalation({ user: alice, namespace: 'ns1', binding: binding('ns1', 'ClusterRole', 'admin'), ...s });
    assert.deepEqual(
      { verb: s.asked[0].verb, resource: s.asked[0].resource, name: s.asked[0].name, namespace: s.asked[0].namespace, apiGroup: s.asked[0].apiGroup },
      { verb: 'bind', resource: 'clusterroles', name: 'admin', namespace: 'ns1', apiGroup: RBAC },
    );
    await forbidden(checkBindingEscalation({ user: alice, namespace: 'ns2', binding: binding('ns2', 'ClusterRole', 'admin'), ...s }));
  });

  test('a roleRef to a missing role is 403 (not 404 or 500) unless bind is allowed', async () => {
    const s = setup();
    const e = await forbidden(checkBindingEscalation({ user: alice, namespace: 'ns1', binding: binding('ns1', 'ClusterRole', 'nope'), ...s }));
    assert.equal(e.message, 'rolebindings.rbac.authorization.k8s.io "grant" is forbidden: clusterroles.rbac.authorization.k8s.io "nope" not found');
    const r = await forbidden(checkBindingEscalation({ user: alice, namespace: 'ns1', binding: binding('ns1', 'Role', 'nope'), ...s }));
    assert.equal(r.message, 'rolebindings.rbac.authorization.k8s.io "grant" is forbidden: roles.rbac.authorization.k8s.io "nope" not found');
    const binder = setup(cr('binder', [{ apiGroups: [RBAC], resources: ['clusterroles'], verbs: ['bind'] }]), crbTo('b', 'binder', 'alice'));
    await checkBindingEscalation({ user: alice, namespace: '', binding: clusterBinding('nope'), ...binder });
    await checkBindingEscalation({ user: { username: 'root', groups: ['system:masters'] }, namespace: '', binding: clusterBinding('nope'), ...s });
  });

  test('a GC-only update of a binding passes', async () => {
    const s = setup(cr('admin', [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }]));
    const old = clusterBinding('admin');
    const gc: ClusterRoleBinding = { ...old, metadata: { ...old.metadata, finalizers: ['x'] } };
    await checkBindingEscalation({ user: alice, namespace: '', binding: gc, oldBinding: old, ...s });
    await forbidden(checkBindingEscalation({ user: alice, namespace: '', binding: { ...old, subjects: [] }, oldBinding: old, ...s }));
  });
});
