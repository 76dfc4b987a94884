import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RESOURCES } from '../../api/resources.js';
import { StatusError } from '../../api/status.js';
import type { KObject } from '../../api/types.js';
import type { UserInfo } from '../../api/user.js';
import { admitNodeTokenRequest, NodeRestriction, type NodeTokenRequest } from './node-restriction.js';
import type { AdmissionAttributes, Operation } from './interfaces.js';

const info = (resource: string) => RESOURCES.find((r) => r.resource === resource)!;
const node = (name: string): UserInfo => ({ username: `system:node:${name}`, groups: ['system:nodes', 'system:authenticated'] });
const N1 = node('n1');
const ALICE: UserInfo = { username: 'alice', groups: ['system:authenticated'] };

const pod = (name: string, nodeName: string, more: Partial<KObject> = {}): KObject => ({
  kind: 'Pod',
  metadata: { name, namespace: 'ns', uid: `uid-${name}`, labels: { app: 'x' } },
  spec: { nodeName, containers: [{ name: 'c', image: 'i' }] },
  status: { phase: 'Running' },
  ...more,
});
const PODS = new Map<string, KObject>([
  ['ns/mine', pod('mine', 'n1')],
  ['ns/theirs', pod('theirs', 'n2')],
]);
const getPod = (ns: string, name: string): KObject | undefined => PODS.get(`${ns}/${name}`);

const nodeObj = (name: string, labels: Record<string, string> = {}, taints: unknown[] = []): KObject => ({
  kind: 'Node',
  metadata: { name, labels },
  spec: { ...(taints.length ? { taints } : {}) },
});
const lease = (name: string, namespace = 'kube-node-lease'): KObject => ({ kind: 'Lease', metadata: { name, namespace }, spec: { holderIdentity: name } });
const pvc = (status: Record<string, unknown>, labels: Record<string, string> = {}): KObject => ({
  kind: 'PersistentVolumeClaim',
  metadata: { name: 'claim', namespace: 'ns', resourceVersion: '5', labels },
  spec: { volumeName: 'pv1' },
  status,
});
const tokenRequest = (boundObjectRef: Record<string, unknown> | undefined): NodeTokenRequest => ({
  kind: 'TokenRequest',
  apiVersion: 'authentication.k8s.io/v1',
  metadata: { namespace: 'ns', name: 'default' },
  spec: { audiences: ['api'], ...(boundObjectRef ? { boundObjectRef } : {}) },
});

interface Case {
  what: string;
  user?: UserInfo;
  op: Operation;
  resource: string;
  subresource?: string;
  obj: KObject;
  old?: KObject;
  /** undefined: admitted; else the Status message (and 403, unless `code`). */
  message?: string;
  code?: number;
}

const taint = { key: 'k', value: 'v', effect: 'NoSchedule' };

const cases: Case[] = [
  // Nodes
  { what: 'register itself', op: 'CREATE', resource: 'nodes', obj: nodeObj('n1', { 'kubernetes.io/hostname': 'n1', 'kubernetes.io/os': 'linux', 'node.kubernetes.io/exclude-from-external-load-balancers': '' }) },
  { what: 'register another node', op: 'CREATE', resource: 'nodes', obj: nodeObj('n2'), message: 'nodes "n2" is forbidden: node "n1" is not allowed to modify node "n2"' },
  { what: 'update another node', op: 'UPDATE', resource: 'nodes', obj: nodeObj('n2'), old: nodeObj('n2'), message: 'nodes "n2" is forbidden: node "n1" is not allowed to modify node "n2"' },
  {
    what: "update another node's status",
    op: 'UPDATE',
    resource: 'nodes',
    subresource: 'status',
    obj: nodeObj('n2'),
    old: nodeObj('n2'),
    message: 'nodes "n2" is forbidden: node "n1" is not allowed to modify node "n2"',
  },
  { what: 'update own status', op: 'UPDATE', resource: 'nodes', subresource: 'status', obj: { ...nodeObj('n1'), status: { phase: 'Running' } }, old: nodeObj('n1') },
  { what: 'keep its taints', op: 'UPDATE', resource: 'nodes', obj: nodeObj('n1', {}, [taint]), old: nodeObj('n1', {}, [taint]) },
  { what: 'remove its taints', op: 'UPDATE', resource: 'nodes', obj: nodeObj('n1'), old: nodeObj('n1', {}, [taint]), message: 'nodes "n1" is forbidden: node "n1" is not allowed to modify taints' },
  { what: 'add a taint', op: 'UPDATE', resource: 'nodes', obj: nodeObj('n1', {}, [taint]), old: nodeObj('n1'), message: 'nodes "n1" is forbidden: node "n1" is not allowed to modify taints' },
  {
    what: 'register with node-restriction and unknown kubernetes.io labels',
    op: 'CREATE',
    resource: 'nodes',
    obj: nodeObj('n1', { 'node-restriction.kubernetes.io/secure': 'true', 'example.node-restriction.kubernetes.io/x': '1', 'node-role.kubernetes.io/master': '', 'k8s.io/x': '1', 'team.example.com/a': 'b' }),
    message:
      'nodes "n1" is forbidden: node "n1" is not allowed to set the following labels: example.node-restriction.kubernetes.io/x, k8s.io/x, node-restriction.kubernetes.io/secure, node-role.kubernetes.io/master',
  },
  {
    what: 'change a node-restriction label',
    op: 'UPDATE',
    resource: 'nodes',
    obj: nodeObj('n1', { 'node-restriction.kubernetes.io/pool': 'b' }),
    old: nodeObj('n1', { 'node-restriction.kubernetes.io/pool': 'a' }),
    message: 'nodes "n1" is forbidden: is not allowed to modify labels: node-restriction.kubernetes.io/pool',
  },
  {
    what: 'remove a node-restriction label',
    op: 'UPDATE',
    resource: 'nodes',
    obj: nodeObj('n1'),
    old: nodeObj('n1', { 'node-restriction.kubernetes.io/pool': 'a' }),
    message: 'nodes "n1" is forbidden: is not allowed to modify labels: node-restriction.kubernetes.io/pool',
  },
  { what: 'keep an admin-set node-restriction label', op: 'UPDATE', resource: 'nodes', obj: nodeObj('n1', { 'node-restriction.kubernetes.io/pool': 'a' }), old: nodeObj('n1', { 'node-restriction.kubernetes.io/pool': 'a' }) },
  { what: 'set kubelet and custom labels', op: 'UPDATE', resource: 'nodes', obj: nodeObj('n1', { 'topology.kubernetes.io/zone': 'z', 'x.kubelet.kubernetes.io/y': '1', custom: 'v' }), old: nodeObj('n1') },
  {
    what: 'register with a config source',
    op: 'CREATE',
    resource: 'nodes',
    obj: { ...nodeObj('n1'), spec: { configSource: { configMap: { name: 'c', namespace: 'kube-system', kubeletConfigKey: 'k' } } } },
    message: 'nodes "n1" is forbidden: node "n1" is not allowed to create pods with a non-nil configSource',
  },
  // Pods
  { what: 'create a pod', op: 'CREATE', resource: 'pods', obj: pod('new', 'n1'), message: 'pods "new" is forbidden: pod does not have "kubernetes.io/config.mirror" annotation, node "n1" can only create mirror pods' },
  {
    what: 'create a mirror pod (tskube has none)',
    op: 'CREATE',
    resource: 'pods',
    obj: pod('static-n1', 'n1', { metadata: { name: 'static-n1', namespace: 'ns', annotations: { 'kubernetes.io/config.mirror': 'h' } } }),
    message: 'pods "static-n1" is forbidden: node "n1" can not create mirror pods: tskube kubelets run no static pods',
  },
  { what: 'update a pod', op: 'UPDATE', resource: 'pods', obj: pod('mine', 'n1'), old: pod('mine', 'n1'), message: 'pods "mine" is forbidden: unexpected operation "UPDATE", node "n1" can only create and delete mirror pods' },
  { what: 'delete its own pod', op: 'DELETE', resource: 'pods', obj: pod('mine', 'n1'), old: pod('mine', 'n1') },
  { what: "delete another node's pod", op: 'DELETE', resource: 'pods', obj: pod('theirs', 'n2'), old: pod('theirs', 'n2'), message: 'pods "theirs" is forbidden: node "n1" can only delete pods with spec.nodeName set to itself' },
  { what: 'update status of its own pod', op: 'UPDATE', resource: 'pods', subresource: 'status', obj: pod('mine', 'n1', { status: { phase: 'Succeeded' } }), old: pod('mine', 'n1') },
  {
    what: "update status of another node's pod",
    op: 'UPDATE',
    resource: 'pods',
    subresource: 'status',
    obj: pod('theirs', 'n2'),
    old: pod('theirs', 'n2'),
    message: 'pods "theirs" is forbidden: node "n1" can only update pod status for pods with spec.nodeName set to itself',
  },
  {
    what: 'change labels through pod status',
    op: 'UPDATE',
    resource: 'pods',
    subresource: 'status',
    obj: { ...pod('mine', 'n1'), metadata: { name: 'mine', namespace: 'ns', labels: { app: 'evil' } } },
    old: pod('mine', 'n1'),
    message: 'pods "mine" is forbidden: node "n1" cannot update labels through pod status',
  },
  { what: 'evict its own pod (tskube: a DELETE through eviction)', op: 'DELETE', resource: 'pods', subresource: 'eviction', obj: pod('mine', 'n1'), old: pod('mine', 'n1') },
  {
    what: "evict another node's pod",
    op: 'DELETE',
    resource: 'pods',
    subresource: 'eviction',
    obj: pod('theirs', 'n2'),
    old: pod('theirs', 'n2'),
    message: 'pods "theirs" is forbidden: node n1 can only evict pods with spec.nodeName set to itself',
  },
  { what: 'evict its own pod (Kubernetes: CREATE of an Eviction)', op: 'CREATE', resource: 'pods', subresource: 'eviction', obj: { kind: 'Eviction', metadata: { name: 'mine', namespace: 'ns' } } },
  {
    what: "an Eviction of another node's pod",
    op: 'CREATE',
    resource: 'pods',
    subresource: 'eviction',
    obj: { kind: 'Eviction', metadata: { name: 'theirs', namespace: 'ns' } },
    message: 'pods "theirs" is forbidden: node n1 can only evict pods with spec.nodeName set to itself',
  },
  { what: 'an Eviction of a missing pod', op: 'CREATE', resource: 'pods', subresource: 'eviction', obj: { kind: 'Eviction', metadata: { name: 'ghost', namespace: 'ns' } }, message: 'pods "ghost" not found', code: 404 },
  {
    what: 'another pod subresource',
    op: 'UPDATE',
    resource: 'pods',
    subresource: 'ephemeralcontainers',
    obj: pod('mine', 'n1'),
    old: pod('mine', 'n1'),
    message: `pods "mine" is forbidden: unexpected pod subresource "ephemeralcontainers", only 'status' and 'eviction' are allowed`,
  },
  // PVCs
  { what: 'update PVC capacity and conditions', op: 'UPDATE', resource: 'persistentvolumeclaims', subresource: 'status', obj: pvc({ phase: 'Bound', capacity: { storage: '2Gi' }, conditions: [{ type: 'Resizing', status: 'True' }] }), old: pvc({ phase: 'Bound', capacity: { storage: '1Gi' } }) },
  {
    what: 'update PVC phase',
    op: 'UPDATE',
    resource: 'persistentvolumeclaims',
    subresource: 'status',
    obj: pvc({ phase: 'Lost' }),
    old: pvc({ phase: 'Bound' }),
    message: 'persistentvolumeclaims "claim" is forbidden: node "n1" is not allowed to update fields other than status.capacity and status.conditions: - status.phase: "Bound"; + status.phase: "Lost"',
  },
  { what: 'update a PVC', op: 'UPDATE', resource: 'persistentvolumeclaims', obj: pvc({}), old: pvc({}), message: 'persistentvolumeclaims "claim" is forbidden: may only update PVC status' },
  // TokenRequests through admission
  { what: 'token bound to its own pod', op: 'CREATE', resource: 'serviceaccounts', subresource: 'token', obj: tokenRequest({ apiVersion: 'v1', kind: 'Pod', name: 'mine', uid: 'uid-mine' }) },
  {
    what: "token bound to another node's pod",
    op: 'CREATE',
    resource: 'serviceaccounts',
    subresource: 'token',
    obj: tokenRequest({ apiVersion: 'v1', kind: 'Pod', name: 'theirs', uid: 'uid-theirs' }),
    message: 'serviceaccounts "default" is forbidden: node requested token bound to a pod scheduled on a different node',
  },
  { what: 'update a service account', op: 'UPDATE', resource: 'serviceaccounts', obj: { kind: 'ServiceAccount', metadata: { name: 'default', namespace: 'ns' } } },
  // Leases
  { what: 'create its own lease', op: 'CREATE', resource: 'leases', obj: lease('n1') },
  { what: 'renew its own lease', op: 'UPDATE', resource: 'leases', obj: lease('n1'), old: lease('n1') },
  { what: "create another node's lease", op: 'CREATE', resource: 'leases', obj: lease('n2'), message: 'leases.coordination.k8s.io "n2" is forbidden: can only access node lease with the same name as the requesting node' },
  { what: "delete another node's lease", op: 'DELETE', resource: 'leases', obj: lease('n2'), old: lease('n2'), message: 'leases.coordination.k8s.io "n2" is forbidden: can only access node lease with the same name as the requesting node' },
  {
    what: 'a lease elsewhere',
    op: 'CREATE',
    resource: 'leases',
    obj: lease('n1', 'kube-system'),
    message: 'leases.coordination.k8s.io "n1" is forbidden: can only access leases in the "kube-node-lease" system namespace',
  },
  // Other resources and other users
  { what: 'create an event', op: 'CREATE', resource: 'events', obj: { kind: 'Event', metadata: { name: 'e', namespace: 'ns' } } },
  { what: 'a non-node creates any pod', user: ALICE, op: 'CREATE', resource: 'pods', obj: pod('new', 'n9') },
  { what: 'a non-node changes node taints', user: ALICE, op: 'UPDATE', resource: 'nodes', obj: nodeObj('n1'), old: nodeObj('n1', {}, [taint]) },
  { what: 'the apiserver itself (no user)', user: undefined, op: 'DELETE', resource: 'pods', obj: pod('theirs', 'n2'), old: pod('theirs', 'n2') },
  {
    what: 'a node identity without a name',
    user: { username: 'system:node:', groups: ['system:nodes'] },
    op: 'CREATE',
    resource: 'events',
    obj: { kind: 'Event', metadata: { name: 'e', namespace: 'ns' } },
    message: 'events "e" is forbidden: could not determine node from user "system:node:"',
  },
];

describe('NodeRestriction admission', () => {
  const plugin = new NodeRestriction(getPod);
  for (const c of cases) {
    test(c.what, async () => {
      const attrs: AdmissionAttributes = { user: 'user' in c ? c.user : N1, subresource: c.subresource, dryRun: false };
      const run = plugin.admit(c.op, info(c.resource), structuredClone(c.obj), c.old && structuredClone(c.old), attrs);
      if (c.message === undefined) {
        await run;
        return;
      }
      await assert.rejects(run, (e: unknown) => {
        assert.ok(e instanceof StatusError, String(e));
        assert.equal(e.status.message, c.message);
        assert.equal(e.code, c.code ?? 403);
        assert.equal(e.status.reason, (c.code ?? 403) === 403 ? 'Forbidden' : 'NotFound');
        return true;
      });
    });
  }
});

describe('admitNodeTokenRequest', () => {
  const refused = (message: string, code = 403) => (e: unknown) => e instanceof StatusError && e.code === code && e.status.message === message;
  const bound = (ref: Record<string, unknown> | undefined) => admitNodeTokenRequest(N1, tokenRequest(ref), getPod);

  test('a token bound to a pod on this node, with its uid, is admitted', async () => {
    await bound({ apiVersion: 'v1', kind: 'Pod', name: 'mine', uid: 'uid-mine' });
  });

  test('every way of not being bound to one of its pods is refused with Kubernetes’ message', async () => {
    const SA = 'serviceaccounts "default" is forbidden: ';
    await assert.rejects(bound(undefined), refused(`${SA}node requested token not bound to a pod`));
    await assert.rejects(bound({ apiVersion: 'v1', kind: 'Secret', name: 'mine', uid: 'uid-mine' }), refused(`${SA}node requested token not bound to a pod`));
    await assert.rejects(bound({ apiVersion: 'v2', kind: 'Pod', name: 'mine', uid: 'uid-mine' }), refused(`${SA}node requested token not bound to a pod`));
    await assert.rejects(bound({ apiVersion: 'v1', kind: 'Pod', name: '', uid: 'uid-mine' }), refused(`${SA}node requested token not bound to a pod`));
    await assert.rejects(bound({ apiVersion: 'v1', kind: 'Pod', name: 'mine' }), refused(`${SA}node requested token with a pod binding without a uid`));
    await assert.rejects(
      bound({ apiVersion: 'v1', kind: 'Pod', name: 'mine', uid: 'stale' }),
      refused(`${SA}the UID in the bound object reference (stale) does not match the UID in record. The object might have been deleted and then recreated`),
    );
    await assert.rejects(bound({ apiVersion: 'v1', kind: 'Pod', name: 'theirs', uid: 'uid-theirs' }), refused(`${SA}node requested token bound to a pod scheduled on a different node`));
    await assert.rejects(bound({ apiVersion: 'v1', kind: 'Pod', name: 'ghost', uid: 'u' }), refused('pods "ghost" not found', 404));
  });

  test('a user that is not a node is not restricted; an async pod getter works', async () => {
    await admitNodeTokenRequest(ALICE, tokenRequest(undefined), getPod);
    await admitNodeTokenRequest(N1, tokenRequest({ apiVersion: 'v1', kind: 'Pod', name: 'mine', uid: 'uid-mine' }), async (ns, name) => getPod(ns, name));
  });
});
