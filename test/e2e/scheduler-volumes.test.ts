// Volumes and scheduling against a real apiserver + etcd, with hollow nodes: the VolumeBinding
// plugin's FailedScheduling messages, a bound local PV pinning its pods to its node, a
// WaitForFirstConsumer claim getting the scheduler's selected-node before the pod is bound,
// the pvc-protection / pv-protection finalizers, and a StatefulSet's claim retention policy.
// No PV controller runs here (it is the persistentvolume-binder's job): the TEST binds claims
// the way it would (test/harness/volumes.ts).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { StatefulSet } from 'kubernetes-types/apps/v1';
import type { Event, PersistentVolume, PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1';
import type { RestClient } from '../../client/index.js';
import { waitFor } from '../harness/ports.js';
import { bindClaimToNewPV, bindClaimsAsTheyCome } from '../harness/volumes.js';
import { startHollowCluster, type HollowCluster } from './hollow-harness.js';

let cluster: HollowCluster;
let client: RestClient;
const N0 = 'vol-0';
const N1 = 'vol-1';

before(async () => {
  cluster = await startHollowCluster({
    nodes: 2,
    namePrefix: 'vol-',
    controllers: ['persistentvolumeclaim-protection', 'persistentvolume-protection', 'statefulset', 'garbage-collector'],
  });
  client = cluster.client;
  await client.resource('storageclasses.storage.k8s.io').create({ metadata: { name: 'local-path' }, provisioner: 'tskube.io/local-path', volumeBindingMode: 'WaitForFirstConsumer', reclaimPolicy: 'Delete' });
});

after(async () => {
  await cluster?.stop();
});

const claims = (ns: string) => client.resource<PersistentVolumeClaim>('persistentvolumeclaims', ns);
const pods = (ns: string) => client.resource<Pod>('pods', ns);
const pvs = () => client.resource<PersistentVolume>('persistentvolumes');

async function namespace(name: string): Promise<void> {
  await client.resource('namespaces').create({ metadata: { name } });
}

function claim(name: string, storageClassName?: string): PersistentVolumeClaim {
  return { metadata: { name }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, ...(storageClassName !== undefined ? { storageClassName } : {}) } };
}

function pod(name: string, claimName: string, spec: Partial<NonNullable<Pod['spec']>> = {}): Pod {
  return {
    metadata: { name },
    spec: { containers: [{ name: 'c', image: 'busybox:1.35' }], volumes: [{ name: 'data', persistentVolumeClaim: { claimName } }], ...spec },
  };
}

async function failedScheduling(ns: string, name: string): Promise<Event> {
  return waitFor(`FailedScheduling for ${ns}/${name}`, async () => {
    const list = await client.resource<Event>('events', ns).list({ fieldSelector: `involvedObject.name=${name},reason=FailedScheduling` });
    return list.items[0];
  });
}

const boundNode = (ns: string, name: string) => waitFor(`${ns}/${name} bound`, async () => (await pods(ns).get(name)).spec?.nodeName, 20_000);

describe('VolumeBinding and volume protection', () => {
  test('a missing claim: FailedScheduling with upstream\'s message, the pod stays unbound; it schedules once the claim is bound', async () => {
    await namespace('vb-missing');
    await pods('vb-missing').create(pod('p', 'nope'));
    const ev = await failedScheduling('vb-missing', 'p');
    assert.equal(ev.type, 'Warning');
    assert.match(ev.message ?? '', /^0\/2 nodes are available: persistentvolumeclaim "nope" not found\. preemption: /);
    const cond = await waitFor('PodScheduled=False', async () => (await pods('vb-missing').get('p')).status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False'));
    assert.equal(cond.reason, 'Unschedulable');
    assert.equal((await pods('vb-missing').get('p')).spec?.nodeName, undefined);
    // An unbound claim without a class binds Immediate: still unschedulable, with its own message.
    await claims('vb-missing').create(claim('nope', ''));
    await waitFor('unbound immediate message', async () => {
      const list = await client.resource<Event>('events', 'vb-missing').list({ fieldSelector: 'involvedObject.name=p,reason=FailedScheduling' });
      return list.items.some((e) => /pod has unbound immediate PersistentVolumeClaims/.test(e.message ?? ''));
    });
    await bindClaimToNewPV(client, { namespace: 'vb-missing', claim: 'nope', pv: 'pv-vb-missing', path: '/tmp/tskube-vb/missing' });
    await boundNode('vb-missing', 'p');
  });

  test('a claim bound to a local PV pins its pods to the PV\'s node; another node is a volume node affinity conflict', async () => {
    await namespace('vb-affinity');
    await claims('vb-affinity').create(claim('data', ''));
    await bindClaimToNewPV(client, { namespace: 'vb-affinity', claim: 'data', pv: 'pv-vb-affinity', node: N1, path: '/tmp/tskube-vb/affinity' });
    await pods('vb-affinity').create(pod('follows', 'data'));
    assert.equal(await boundNode('vb-affinity', 'follows'), N1);
    await pods('vb-affinity').create(pod('elsewhere', 'data', { nodeSelector: { 'kubernetes.io/hostname': N0 } }));
    const ev = await failedScheduling('vb-affinity', 'elsewhere');
    assert.match(ev.message ?? '', /^0\/2 nodes are available: 1 node\(s\) didn't match Pod's node affinity\/selector, 1 node\(s\) had volume node affinity conflict\. preemption: /);
    assert.equal((await pods('vb-affinity').get('elsewhere')).spec?.nodeName, undefined);
  });

  test('WaitForFirstConsumer: the scheduler selects a node on the claim and binds the pod there once the claim is bound', async () => {
    await namespace('vb-wffc');
    await claims('vb-wffc').create(claim('data', 'local-path'));
    await pods('vb-wffc').create(pod('p', 'data'));
    const selected = await waitFor('selected-node', async () => (await claims('vb-wffc').get('data')).metadata?.annotations?.['volume.kubernetes.io/selected-node']);
    assert.ok([N0, N1].includes(selected), selected);
    // PreBind waits for the binding: the pod is not bound yet.
    assert.equal((await pods('vb-wffc').get('p')).spec?.nodeName, undefined);
    await bindClaimToNewPV(client, { namespace: 'vb-wffc', claim: 'data', pv: 'pv-vb-wffc', node: selected, path: `/tmp/tskube-vb/wffc` });
    assert.equal(await boundNode('vb-wffc', 'p'), selected);
    const ev = await waitFor('Scheduled event', async () => (await client.resource<Event>('events', 'vb-wffc').list({ fieldSelector: 'involvedObject.name=p,reason=Scheduled' })).items[0]);
    assert.equal(ev.message, `Successfully assigned vb-wffc/p to ${selected}`);
  });

  test('a static Available PV is matched in Filter, its claimRef written in PreBind', async () => {
    await namespace('vb-static');
    await client.resource('storageclasses.storage.k8s.io').create({ metadata: { name: 'local-static' }, provisioner: 'kubernetes.io/no-provisioner', volumeBindingMode: 'WaitForFirstConsumer' });
    await pvs().create({
      metadata: { name: 'pv-vb-static' },
      spec: {
        capacity: { storage: '2Gi' },
        accessModes: ['ReadWriteOnce'],
        storageClassName: 'local-static',
        local: { path: '/tmp/tskube-vb/static' },
        nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [N0] }] }] } },
      },
    });
    await pvs().patch('pv-vb-static', 'merge', { status: { phase: 'Available' } }, { subresource: 'status' });
    const c = await claims('vb-static').create(claim('data', 'local-static'));
    await pods('vb-static').create(pod('p', 'data'));
    const ref = await waitFor('claimRef on the PV', async () => (await pvs().get('pv-vb-static')).spec?.claimRef);
    assert.deepEqual([ref.namespace, ref.name, ref.uid], ['vb-static', 'data', c.metadata?.uid]);
    // The PV controller's part: complete the binding on both sides.
    await pvs().patch('pv-vb-static', 'merge', { status: { phase: 'Bound' } }, { subresource: 'status' });
    await claims('vb-static').patch('data', 'merge', { metadata: { annotations: { 'pv.kubernetes.io/bind-completed': 'yes' } }, spec: { volumeName: 'pv-vb-static' } });
    await claims('vb-static').patch('data', 'merge', { status: { phase: 'Bound' } }, { subresource: 'status' });
    assert.equal(await boundNode('vb-static', 'p'), N0);
  });

  test('protection: a claim in use stays Terminating until its pod is gone; a Bound PV until it is released', async () => {
    await namespace('vb-protect');
    const c = await claims('vb-protect').create(claim('data', ''));
    assert.deepEqual(c.metadata?.finalizers, ['kubernetes.io/pvc-protection']);
    const pv = await bindClaimToNewPV(client, { namespace: 'vb-protect', claim: 'data', pv: 'pv-vb-protect', path: '/tmp/tskube-vb/protect' });
    assert.deepEqual(pv.metadata?.finalizers, ['kubernetes.io/pv-protection']);
    await pods('vb-protect').create(pod('user', 'data'));
    await boundNode('vb-protect', 'user');
    await claims('vb-protect').delete('data');
    const terminating = await claims('vb-protect').get('data');
    assert.ok(terminating.metadata?.deletionTimestamp, 'marked for deletion');
    // The controller has had every chance to (wrongly) remove the finalizer: the pod still uses it.
    await waitFor('the controller saw the deletion', async () => (await claims('vb-protect').get('data')).metadata?.deletionTimestamp);
    await pvs().delete('pv-vb-protect');
    const usedPv = await pvs().get('pv-vb-protect');
    assert.ok(usedPv.metadata?.deletionTimestamp);
    assert.deepEqual((await claims('vb-protect').get('data')).metadata?.finalizers, ['kubernetes.io/pvc-protection'], 'still in use: still there');
    await pods('vb-protect').delete('user', { gracePeriodSeconds: 0 });
    await waitFor('claim gone', async () => (await claims('vb-protect').list()).items.length === 0);
    assert.ok((await pvs().get('pv-vb-protect')).metadata?.deletionTimestamp, 'a Bound PV stays');
    await pvs().patch('pv-vb-protect', 'merge', { status: { phase: 'Released' } }, { subresource: 'status' });
    await waitFor('PV gone', async () => !(await pvs().list()).items.some((v) => v.metadata?.name === 'pv-vb-protect'));
  });

  test('StatefulSet retention policy Delete/Delete: claims owned by the set, by the pod when scaled away; the GC removes them', async () => {
    await namespace('vb-sts');
    const binder = bindClaimsAsTheyCome(client, 'vb-sts', '/tmp/tskube-vb/sts');
    try {
      const sets = client.resource<StatefulSet>('statefulsets.apps', 'vb-sts');
      const set = await sets.create({
        metadata: { name: 'db' },
        spec: {
          replicas: 2,
          serviceName: 'db',
          selector: { matchLabels: { app: 'db' } },
          persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Delete' },
          template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'c', image: 'busybox:1.35' }] } },
          volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
        },
      });
      await waitFor('2 ready', async () => (await sets.get('db')).status?.readyReplicas === 2, 30_000);
      const owners = async (name: string) => (await claims('vb-sts').get(name)).metadata?.ownerReferences?.map((r) => `${r.kind}/${r.name}/${r.uid}`);
      assert.deepEqual(await owners('data-db-0'), [`StatefulSet/db/${set.metadata?.uid}`]);
      assert.deepEqual(await owners('data-db-1'), [`StatefulSet/db/${set.metadata?.uid}`]);
      await sets.patch('db', 'merge', { spec: { replicas: 1 } });
      await waitFor('data-db-1 removed with its pod', async () => !(await claims('vb-sts').list()).items.some((c) => c.metadata?.name === 'data-db-1'), 30_000);
      assert.deepEqual(await owners('data-db-0'), [`StatefulSet/db/${set.metadata?.uid}`]);
      await sets.delete('db');
      await waitFor('data-db-0 removed with the set', async () => (await claims('vb-sts').list()).items.length === 0, 30_000);
    } finally {
      binder.stop();
    }
  });
});
