// The garbage collector's pure core: the ownerReferences graph and the per-object decision.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { OwnerReference } from 'kubernetes-types/meta/v1';
import { DependencyGraph, classifyOwner, decideAttemptToDelete, type ObjectMetaLike } from './graph.js';
import { monitoredResources } from './garbagecollector.js';

const namespaced = (_v: string, kind: string): boolean | undefined => (kind === 'Node' ? false : kind === 'Mystery' ? undefined : true);

function obj(kind: string, name: string, uid: string, owners: OwnerReference[] = [], meta: Partial<NonNullable<ObjectMetaLike['metadata']>> = {}): ObjectMetaLike {
  return { apiVersion: kind === 'ReplicaSet' ? 'apps/v1' : 'v1', kind, metadata: { name, namespace: 'ns', uid, ownerReferences: owners, ...meta } };
}
const ref = (kind: string, name: string, uid: string, block = false): OwnerReference => ({
  apiVersion: kind === 'ReplicaSet' ? 'apps/v1' : 'v1',
  kind,
  name,
  uid,
  controller: true,
  ...(block ? { blockOwnerDeletion: true } : {}),
});

describe('garbage collector graph', () => {
  test('an owner not seen yet is a virtual node the workers check; seeing it makes it real', () => {
    const g = new DependencyGraph(namespaced);
    const fx = g.observe(obj('Pod', 'p', 'p1', [ref('ReplicaSet', 'rs', 'rs1')]));
    assert.deepEqual(fx.attemptToDelete, ['rs1']);
    assert.equal(g.get('rs1')?.observed, false);
    assert.equal(g.get('rs1')?.identity.namespace, 'ns', 'a namespaced owner lives in its dependent\'s namespace');
    assert.deepEqual(g.observe(obj('ReplicaSet', 'rs', 'rs1')).attemptToDelete, []);
    assert.equal(g.get('rs1')?.observed, true);
    assert.deepEqual([...g.get('rs1')!.dependents], ['p1']);
  });

  test('deleting an owner queues its dependents and remembers the uid as absent', () => {
    const g = new DependencyGraph(namespaced);
    g.observe(obj('ReplicaSet', 'rs', 'rs1'));
    g.observe(obj('Pod', 'a', 'a1', [ref('ReplicaSet', 'rs', 'rs1')]));
    g.observe(obj('Pod', 'b', 'b1', [ref('ReplicaSet', 'rs', 'rs1')]));
    const fx = g.remove(obj('ReplicaSet', 'rs', 'rs1'));
    assert.deepEqual(fx.attemptToDelete.sort(), ['a1', 'b1']);
    assert.equal(g.isAbsent('rs1'), true);
    assert.equal(g.get('rs1'), undefined);
  });

  test('foreground deletion starts once: dependents and the owner itself are queued', () => {
    const g = new DependencyGraph(namespaced);
    g.observe(obj('ReplicaSet', 'rs', 'rs1'));
    g.observe(obj('Pod', 'a', 'a1', [ref('ReplicaSet', 'rs', 'rs1', true)]));
    g.observe(obj('Pod', 'b', 'b1', [ref('ReplicaSet', 'rs', 'rs1')]));
    const deleting = obj('ReplicaSet', 'rs', 'rs1', [], { deletionTimestamp: 'now', finalizers: ['foregroundDeletion'] });
    assert.deepEqual(g.observe(deleting).attemptToDelete.sort(), ['a1', 'b1', 'rs1']);
    assert.deepEqual(g.observe(deleting).attemptToDelete, [], 'no transition, nothing new');
    assert.deepEqual(g.blockingDependents('rs1').map((n) => n.identity.uid), ['a1']);
    // The blocking dependent goes: the owner is looked at again.
    assert.deepEqual(g.remove(obj('Pod', 'a', 'a1')).attemptToDelete, ['rs1']);
    assert.deepEqual(g.blockingDependents('rs1'), []);
  });

  test('the orphan finalizer queues the owner for orphaning', () => {
    const g = new DependencyGraph(namespaced);
    g.observe(obj('ReplicaSet', 'rs', 'rs1'));
    assert.deepEqual(g.observe(obj('ReplicaSet', 'rs', 'rs1', [], { deletionTimestamp: 'now', finalizers: ['orphan'] })).attemptToOrphan, ['rs1']);
  });

  test('dropping an ownerReference detaches it; a virtual owner with no dependents left disappears', () => {
    const g = new DependencyGraph(namespaced);
    g.observe(obj('Pod', 'a', 'a1', [ref('ReplicaSet', 'rs', 'rs1')]));
    g.observe(obj('Pod', 'a', 'a1', []));
    assert.equal(g.get('rs1'), undefined);
    // removeVirtual: confirmed absent, dependents checked.
    g.observe(obj('Pod', 'b', 'b1', [ref('ReplicaSet', 'gone', 'g1')]));
    assert.deepEqual(g.removeVirtual('g1').attemptToDelete, ['b1']);
    assert.equal(g.isAbsent('g1'), true);
  });

  test('a cluster-scoped owner of a namespaced object has no namespace', () => {
    const g = new DependencyGraph(namespaced);
    g.observe(obj('Lease', 'n1', 'l1', [ref('Node', 'n1', 'n1uid')]));
    assert.equal(g.get('n1uid')?.identity.namespace, undefined);
  });
});

describe('garbage collector decisions', () => {
  const item = { finalizers: [], hasDependents: false, aDependentIsDeletingDependents: false };
  test('a solid owner keeps the object; references to gone owners are removed', () => {
    assert.deepEqual(decideAttemptToDelete([{ uid: 'a', state: 'solid' }], item), { type: 'none' });
    assert.deepEqual(decideAttemptToDelete([{ uid: 'a', state: 'solid' }, { uid: 'b', state: 'dangling' }, { uid: 'c', state: 'waitingForDependentsDeletion' }], item), {
      type: 'removeOwnerReferences',
      uids: ['b', 'c'],
    });
  });
  test('all owners gone → delete in the background, or as the object\'s own finalizers say', () => {
    assert.deepEqual(decideAttemptToDelete([{ uid: 'a', state: 'dangling' }], item), { type: 'delete', propagationPolicy: 'Background', unblock: false });
    assert.equal((decideAttemptToDelete([{ uid: 'a', state: 'dangling' }], { ...item, finalizers: ['orphan'] }) as { propagationPolicy: string }).propagationPolicy, 'Orphan');
    assert.equal((decideAttemptToDelete([{ uid: 'a', state: 'waitingForDependentsDeletion' }], item) as { propagationPolicy: string }).propagationPolicy, 'Background');
  });
  test('an owner deleting in the foreground and dependents of its own → foreground (unblocking on a cycle)', () => {
    assert.deepEqual(decideAttemptToDelete([{ uid: 'a', state: 'waitingForDependentsDeletion' }], { ...item, hasDependents: true }), { type: 'delete', propagationPolicy: 'Foreground', unblock: false });
    assert.deepEqual(decideAttemptToDelete([{ uid: 'a', state: 'waitingForDependentsDeletion' }], { ...item, hasDependents: true, aDependentIsDeletingDependents: true }), {
      type: 'delete',
      propagationPolicy: 'Foreground',
      unblock: true,
    });
  });
  test('owners are matched by uid: a recreated owner with the same name is not the owner', () => {
    const r = ref('ReplicaSet', 'rs', 'old-uid');
    assert.equal(classifyOwner(r, undefined), 'dangling');
    assert.equal(classifyOwner(r, obj('ReplicaSet', 'rs', 'new-uid')), 'dangling');
    assert.equal(classifyOwner(r, obj('ReplicaSet', 'rs', 'old-uid')), 'solid');
    assert.equal(classifyOwner(r, obj('ReplicaSet', 'rs', 'old-uid', [], { deletionTimestamp: 'now', finalizers: ['foregroundDeletion'] })), 'waitingForDependentsDeletion');
    assert.equal(classifyOwner(r, obj('ReplicaSet', 'rs', 'old-uid', [], { deletionTimestamp: 'now', finalizers: ['orphan'] })), 'solid');
  });
  test('every deletable resource is watched except events', () => {
    const names = monitoredResources().map((r) => r.resource);
    for (const n of ['pods', 'replicasets', 'deployments', 'replicationcontrollers', 'endpointslices', 'jobs', 'controllerrevisions', 'daemonsets', 'statefulsets']) assert.ok(names.includes(n), n);
    assert.ok(!names.includes('events'));
  });
});
