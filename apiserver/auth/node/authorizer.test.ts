import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../../api/types.js';
import type { UserInfo } from '../../../api/user.js';
import type { Attributes } from '../types.js';
import { NodeAuthorizer } from './authorizer.js';
import { NodeGraph } from './graph.js';

// A minimal stand-in for the node rules (the real NODE_RULES live in apiserver/auth/rbac/):
// [apiGroup, resource (with /subresource), verbs].
const RULES: [string, string, string[]][] = [
  ['', 'nodes', ['get', 'list', 'watch', 'create', 'update', 'patch']],
  ['', 'nodes/status', ['update', 'patch']],
  ['', 'pods', ['get', 'list', 'watch', 'create', 'delete']],
  ['', 'pods/status', ['update', 'patch']],
  ['', 'pods/eviction', ['create']],
  ['', 'services', ['get', 'list', 'watch']],
  ['', 'events', ['create', 'update', 'patch']],
  ['authentication.k8s.io', 'tokenreviews', ['create']],
];
let ruleChecks = 0;
const nodeRulesAllow = (a: Attributes): boolean => {
  ruleChecks++;
  const res = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  return a.resourceRequest && RULES.some(([g, r, verbs]) => g === a.apiGroup && r === res && verbs.includes(a.verb));
};

const node = (name: string): UserInfo => ({ username: `system:node:${name}`, groups: ['system:nodes', 'system:authenticated'] });
const N1 = node('n1');

function attrs(user: UserInfo, verb: string, resource: string, namespace: string, name: string, more: Partial<Attributes> = {}): Attributes {
  const [res, sub = ''] = resource.split('/');
  return { user, verb, resourceRequest: true, path: '', namespace, apiGroup: '', apiVersion: 'v1', resource: res!, subresource: sub, name, ...more };
}

function graph(): NodeGraph {
  const g = new NodeGraph();
  const podOn = (name: string, nodeName: string, secret: string, cm: string, claim: string, sa: string): KObject => ({
    metadata: { name, namespace: 'ns', uid: `uid-${name}` },
    spec: {
      nodeName,
      serviceAccountName: sa,
      containers: [{ name: 'c', image: 'i' }],
      volumes: [
        { name: 's', secret: { secretName: secret } },
        { name: 'c', configMap: { name: cm } },
        { name: 'p', persistentVolumeClaim: { claimName: claim } },
      ],
    },
  });
  g.addPod(podOn('p1', 'n1', 'secret1', 'cm1', 'claim1', 'sa1'));
  g.addPod(podOn('p2', 'n2', 'secret2', 'cm2', 'claim2', 'sa2'));
  g.addPV({ metadata: { name: 'pv1' }, spec: { claimRef: { namespace: 'ns', name: 'claim1' } } });
  g.addPV({ metadata: { name: 'pv2' }, spec: { claimRef: { namespace: 'ns', name: 'claim2' } } });
  return g;
}

const NO_REL = "no relationship found between node 'n1' and this object";

describe('NodeAuthorizer', () => {
  const authz = new NodeAuthorizer(graph(), nodeRulesAllow);

  // [what, attributes, decision, reason]
  const table: [string, Attributes, string, string][] = [
    // secrets and configmaps: get/list/watch of one related object
    ['get own secret', attrs(N1, 'get', 'secrets', 'ns', 'secret1'), 'allow', ''],
    ['watch own secret by name', attrs(N1, 'watch', 'secrets', 'ns', 'secret1'), 'allow', ''],
    ['list own secret by name', attrs(N1, 'list', 'secrets', 'ns', 'secret1'), 'allow', ''],
    ["get another node's secret", attrs(N1, 'get', 'secrets', 'ns', 'secret2'), 'no-opinion', NO_REL],
    ['get an unknown secret', attrs(N1, 'get', 'secrets', 'ns', 'nope'), 'no-opinion', NO_REL],
    ['own secret name in another namespace', attrs(N1, 'get', 'secrets', 'other', 'secret1'), 'no-opinion', NO_REL],
    ['list secrets without a name', attrs(N1, 'list', 'secrets', 'ns', ''), 'no-opinion', 'No Object name found'],
    ['watch secrets without a name', attrs(N1, 'watch', 'secrets', 'ns', ''), 'no-opinion', 'No Object name found'],
    ['list secrets in all namespaces', attrs(N1, 'list', 'secrets', '', ''), 'no-opinion', 'can only read namespaced object of this type'],
    ['update own secret', attrs(N1, 'update', 'secrets', 'ns', 'secret1'), 'no-opinion', 'can only read resources of this type'],
    ['create a secret', attrs(N1, 'create', 'secrets', 'ns', ''), 'no-opinion', 'can only read resources of this type'],
    ['get own configmap', attrs(N1, 'get', 'configmaps', 'ns', 'cm1'), 'allow', ''],
    ["get another node's configmap", attrs(N1, 'get', 'configmaps', 'ns', 'cm2'), 'no-opinion', NO_REL],
    ['delete own configmap', attrs(N1, 'delete', 'configmaps', 'ns', 'cm1'), 'no-opinion', 'can only read resources of this type'],
    // PVCs and PVs: get only
    ['get own pvc', attrs(N1, 'get', 'persistentvolumeclaims', 'ns', 'claim1'), 'allow', ''],
    ["get another node's pvc", attrs(N1, 'get', 'persistentvolumeclaims', 'ns', 'claim2'), 'no-opinion', NO_REL],
    ['list own pvc', attrs(N1, 'list', 'persistentvolumeclaims', 'ns', 'claim1'), 'no-opinion', 'can only get individual resources of this type'],
    ['update own pvc status', attrs(N1, 'update', 'persistentvolumeclaims/status', 'ns', 'claim1'), 'allow', ''],
    ["patch another node's pvc status", attrs(N1, 'patch', 'persistentvolumeclaims/status', 'ns', 'claim2'), 'no-opinion', NO_REL],
    ['get pvc status', attrs(N1, 'get', 'persistentvolumeclaims/status', 'ns', 'claim1'), 'no-opinion', 'can only get/update/patch this type'],
    ['get own pv', attrs(N1, 'get', 'persistentvolumes', '', 'pv1'), 'allow', ''],
    ["get another node's pv", attrs(N1, 'get', 'persistentvolumes', '', 'pv2'), 'no-opinion', NO_REL],
    ['watch own pv', attrs(N1, 'watch', 'persistentvolumes', '', 'pv1'), 'no-opinion', 'can only get individual resources of this type'],
    ['get pv status', attrs(N1, 'get', 'persistentvolumes/status', '', 'pv1'), 'no-opinion', 'cannot get subresource'],
    // TokenRequest
    ["token for own pod's service account", attrs(N1, 'create', 'serviceaccounts/token', 'ns', 'sa1'), 'allow', ''],
    ["token for another node's pod's service account", attrs(N1, 'create', 'serviceaccounts/token', 'ns', 'sa2'), 'no-opinion', NO_REL],
    ['token for an unused service account', attrs(N1, 'create', 'serviceaccounts/token', 'ns', 'default'), 'no-opinion', NO_REL],
    ['get own service account', attrs(N1, 'get', 'serviceaccounts', 'ns', 'sa1'), 'no-opinion', 'can only create tokens for individual service accounts'],
    ['create a service account', attrs(N1, 'create', 'serviceaccounts', 'ns', 'sa1'), 'no-opinion', 'can only create token subresource of serviceaccount'],
    // Leases
    ['get own lease', attrs(N1, 'get', 'leases', 'kube-node-lease', 'n1', { apiGroup: 'coordination.k8s.io' }), 'allow', ''],
    ['update own lease', attrs(N1, 'update', 'leases', 'kube-node-lease', 'n1', { apiGroup: 'coordination.k8s.io' }), 'allow', ''],
    ['create a lease (no name yet)', attrs(N1, 'create', 'leases', 'kube-node-lease', '', { apiGroup: 'coordination.k8s.io' }), 'allow', ''],
    [
      "update another node's lease",
      attrs(N1, 'update', 'leases', 'kube-node-lease', 'n2', { apiGroup: 'coordination.k8s.io' }),
      'no-opinion',
      'can only access node lease with the same name as the requesting node',
    ],
    ['lease elsewhere', attrs(N1, 'get', 'leases', 'kube-system', 'n1', { apiGroup: 'coordination.k8s.io' }), 'no-opinion', 'can only access leases in the "kube-node-lease" system namespace'],
    ['list leases', attrs(N1, 'list', 'leases', 'kube-node-lease', '', { apiGroup: 'coordination.k8s.io' }), 'no-opinion', 'can only get, create, update, patch, or delete a node lease'],
    // Everything else: the node rules
    ['get a node', attrs(N1, 'get', 'nodes', '', 'n2'), 'allow', ''],
    ['patch node status', attrs(N1, 'patch', 'nodes/status', '', 'n1'), 'allow', ''],
    ['delete a node', attrs(N1, 'delete', 'nodes', '', 'n1'), 'no-opinion', ''],
    ['list pods', attrs(N1, 'list', 'pods', '', ''), 'allow', ''],
    ['patch pod status', attrs(N1, 'patch', 'pods/status', 'ns', 'p1'), 'allow', ''],
    ['evict a pod', attrs(N1, 'create', 'pods/eviction', 'ns', 'p1'), 'allow', ''],
    ['update a pod', attrs(N1, 'update', 'pods', 'ns', 'p1'), 'no-opinion', ''],
    ['create an event', attrs(N1, 'create', 'events', 'ns', ''), 'allow', ''],
    ['create a deployment', attrs(N1, 'create', 'deployments', 'ns', '', { apiGroup: 'apps' }), 'no-opinion', ''],
    ['a secret in another API group is not a secret', attrs(N1, 'get', 'secrets', 'ns', 'secret2', { apiGroup: 'example.com' }), 'no-opinion', ''],
    // Who is a node
    ['a user that is not a node', attrs({ username: 'alice', groups: ['system:authenticated'] }, 'get', 'secrets', 'ns', 'secret1'), 'no-opinion', ''],
    ['a node name without the nodes group', attrs({ username: 'system:node:n1', groups: ['system:authenticated'] }, 'get', 'secrets', 'ns', 'secret1'), 'no-opinion', ''],
    ['the nodes group without a node name', attrs({ username: 'bob', groups: ['system:nodes'] }, 'get', 'nodes', '', 'n1'), 'no-opinion', ''],
    ['a node identity without a name', attrs({ username: 'system:node:', groups: ['system:nodes'] }, 'get', 'nodes', '', 'n1'), 'no-opinion', 'unknown node for user "system:node:"'],
  ];

  for (const [what, a, decision, reason] of table) {
    test(what, () => {
      assert.deepEqual(authz.authorize(a), { decision, reason });
    });
  }

  test('graph-subdivided resources never fall through to the node rules; non-nodes never reach them', () => {
    const before = ruleChecks;
    authz.authorize(attrs(N1, 'get', 'secrets', 'ns', 'secret2'));
    authz.authorize(attrs(N1, 'get', 'persistentvolumes', '', 'pv2'));
    authz.authorize(attrs({ username: 'alice', groups: [] }, 'get', 'nodes', '', 'n1'));
    assert.equal(ruleChecks, before);
  });

  test('the graph is live: a pod bound later grants access at once; deleting it revokes it', () => {
    const g = new NodeGraph();
    const a = new NodeAuthorizer(g, nodeRulesAllow);
    const read = attrs(N1, 'get', 'secrets', 'ns', 'late');
    assert.equal(a.authorize(read).decision, 'no-opinion');
    g.addPod({ metadata: { name: 'p', namespace: 'ns' }, spec: { nodeName: 'n1', containers: [], volumes: [{ name: 's', secret: { secretName: 'late' } }] } });
    assert.equal(a.authorize(read).decision, 'allow');
    g.deletePod('ns', 'p');
    assert.equal(a.authorize(read).decision, 'no-opinion');
  });
});
