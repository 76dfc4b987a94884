// The local-path provisioner end to end: real etcd, apiserver, controller-manager
// (persistentvolume-binder, persistentvolume-expander, local-path-provisioner) and two real
// kubelets on Docker. Directories are made and removed by helper pods on the chosen node, and
// checked here on disk; a PV whose path points outside the root is never removed.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import type { Event, PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1';
import type { StorageClass } from 'kubernetes-types/storage/v1';
import { isNotFound } from '../../client/index.js';
import { waitFor } from '../harness/ports.js';
import { startControllerManager, type ControllerManagerHandle } from '../../controller-manager/manager.js';
import { startKubeletEnv, type KubeletEnv } from './kubelet-harness.js';

const NODE_A = 'lp-a';
const NODE_B = 'lp-b';
let env: KubeletEnv;
let cm: ControllerManagerHandle;
let root: string;
let outside: string;

before(async () => {
  env = await startKubeletEnv();
  root = await mkdtemp(join(tmpdir(), 'tskube-local-path-'));
  outside = await mkdtemp(join(tmpdir(), 'tskube-local-path-outside-'));
  await env.startKubelet(NODE_A);
  await env.startKubelet(NODE_B);
  cm = await startControllerManager({
    config: await env.api.configFor('system:kube-controller-manager'),
    controllers: ['persistentvolume-binder', 'persistentvolume-expander', 'local-path-provisioner', 'persistentvolumeclaim-protection', 'persistentvolume-protection', 'serviceaccount'],
    options: { 'local-path-root': root, 'pvclaimbinder-sync-period': '1s' },
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
  });
  await waitFor('nodes Ready', async () => {
    const nodes = (await env.client.resource('nodes').list()).items;
    return nodes.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length === 2;
  }, 30_000);
  await env.client.resource('storageclasses.storage.k8s.io').create({
    metadata: { name: 'instant' },
    provisioner: 'tskube.io/local-path',
    volumeBindingMode: 'Immediate',
    reclaimPolicy: 'Delete',
    allowVolumeExpansion: true,
  } as StorageClass);
});
after(async () => {
  await cm?.stop();
  await env?.stop();
  await rm(root, { recursive: true, force: true });
  await rm(outside, { recursive: true, force: true });
});

const pvcs = () => env.client.resource('persistentvolumeclaims', 'default');
const pvs = () => env.client.resource('persistentvolumes');
const claim = (name: string, storageClassName?: string): PersistentVolumeClaim => ({
  metadata: { name },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, ...(storageClassName ? { storageClassName } : {}) },
});

async function bound(name: string): Promise<{ claim: PersistentVolumeClaim; volume: PersistentVolume }> {
  const c = await waitFor(`claim ${name} Bound`, async () => {
    const x = await pvcs().get(name);
    return x.status?.phase === 'Bound' ? x : undefined;
  }, 60_000);
  return { claim: c, volume: await pvs().get(c.spec?.volumeName ?? '') };
}
async function gone(get: () => Promise<unknown>): Promise<boolean> {
  try {
    await get();
    return false;
  } catch (e) {
    return isNotFound(e);
  }
}
async function eventFor(namespace: string, name: string, reason: string): Promise<Event> {
  return waitFor(`event ${reason} for ${name}`, async () => (await env.client.resource('events', namespace).list()).items.find((e) => e.involvedObject.name === name && e.reason === reason), 30_000);
}
const affinityNode = (v: PersistentVolume): string | undefined => v.spec?.nodeAffinity?.required?.nodeSelectorTerms[0]?.matchExpressions?.[0]?.values?.[0];

describe('local-path provisioner (real kubelets)', () => {
  test('on start it creates the default local-path StorageClass, as k3s ships it', async () => {
    const sc = await waitFor('local-path class', async () => {
      try {
        return await env.client.resource('storageclasses.storage.k8s.io').get('local-path');
      } catch {
        return undefined;
      }
    });
    assert.equal(sc.provisioner, 'tskube.io/local-path');
    assert.equal(sc.volumeBindingMode, 'WaitForFirstConsumer');
    assert.equal(sc.reclaimPolicy, 'Delete');
    assert.equal(sc.allowVolumeExpansion, true);
    assert.equal(sc.metadata?.annotations?.['storageclass.kubernetes.io/is-default-class'], 'true');
  });

  test('Immediate: the directory is made on a Ready node, the PV created, the claim Bound; Delete removes it', async () => {
    await pvcs().create(claim('data', 'instant'));
    const { claim: c, volume: v } = await bound('data');
    const dir = join(root, `${v.metadata?.name}_default_data`);
    assert.equal(v.metadata?.name, `pvc-${c.metadata?.uid}`);
    assert.deepEqual(v.spec?.local, { path: dir });
    assert.ok([NODE_A, NODE_B].includes(affinityNode(v) ?? ''));
    assert.deepEqual(v.spec?.capacity, { storage: '1Gi' });
    assert.equal(v.spec?.persistentVolumeReclaimPolicy, 'Delete');
    assert.equal(v.spec?.storageClassName, 'instant');
    assert.equal(v.metadata?.annotations?.['pv.kubernetes.io/provisioned-by'], 'tskube.io/local-path');
    assert.ok(statSync(dir).isDirectory());
    assert.equal(statSync(dir).mode & 0o777, 0o777);
    assert.deepEqual(c.status?.capacity, { storage: '1Gi' });
    assert.equal((await eventFor('default', 'data', 'Provisioning')).message, 'External provisioner is provisioning volume for claim "default/data"');
    assert.equal((await eventFor('default', 'data', 'ProvisioningSucceeded')).message, `Successfully provisioned volume ${v.metadata?.name}`);
    // The helper pod is cleaned up.
    await waitFor('create helper gone', () => gone(() => env.client.resource('pods', 'kube-system').get(`helper-pod-create-${v.metadata?.name}`)), 30_000);

    writeFileSync(join(dir, 'payload'), 'x');
    await pvcs().delete('data');
    await waitFor('PV deleted', () => gone(() => pvs().get(v.metadata?.name ?? '')), 60_000);
    assert.equal(existsSync(dir), false);
    assert.ok(existsSync(root), 'the root itself stays');
  });

  test('expansion: the class allows it, PV and claim capacity follow', async () => {
    await pvcs().create(claim('growing', 'instant'));
    const { volume } = await bound('growing');
    await pvcs().patch('growing', 'merge', { spec: { resources: { requests: { storage: '2Gi' } } } });
    await waitFor('PV 2Gi', async () => (await pvs().get(volume.metadata?.name ?? '')).spec?.capacity?.['storage'] === '2Gi', 30_000);
    await waitFor('claim 2Gi', async () => (await pvcs().get('growing')).status?.capacity?.['storage'] === '2Gi', 30_000);
  });

  test('WaitForFirstConsumer: Pending with the event until a node is selected, then provisioned on that node', async () => {
    await pvcs().create(claim('later')); // DefaultStorageClass admission gives it local-path
    assert.equal((await pvcs().get('later')).spec?.storageClassName, 'local-path');
    const e = await eventFor('default', 'later', 'WaitForFirstConsumer');
    assert.equal(e.message, 'waiting for first consumer to be created before binding');
    assert.equal((await pvcs().get('later')).status?.phase, 'Pending');
    assert.equal(readdirSync(root).some((f) => f.endsWith('_default_later')), false);
    // What the scheduler's VolumeBinding plugin does for a pod using the claim.
    await pvcs().patch('later', 'merge', { metadata: { annotations: { 'volume.kubernetes.io/selected-node': NODE_B } } });
    const { volume } = await bound('later');
    assert.equal(affinityNode(volume), NODE_B);
    assert.ok(statSync(volume.spec?.local?.path ?? '').isDirectory());
  });

  test('a PV whose path lies outside the root is never removed: Failed, with a warning', async () => {
    const sentinel = join(outside, 'precious');
    writeFileSync(sentinel, 'keep me');
    mkdirSync(join(root, 'inner'), { recursive: true });
    for (const [name, path] of [['evil-outside', outside], ['evil-dotdot', `${root}/../${outside.split('/').pop()}`], ['evil-root', root]] as const) {
      await pvs().create({
        metadata: { name, annotations: { 'pv.kubernetes.io/provisioned-by': 'tskube.io/local-path' } },
        spec: {
          capacity: { storage: '1Gi' },
          accessModes: ['ReadWriteOnce'],
          persistentVolumeReclaimPolicy: 'Delete',
          storageClassName: 'local-path',
          local: { path },
          nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [NODE_A] }] }] } },
          claimRef: { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: 'default', name: `${name}-claim`, uid: 'deleted-long-ago' },
        },
      });
    }
    for (const name of ['evil-outside', 'evil-dotdot', 'evil-root']) {
      const v = await waitFor(`${name} Failed`, async () => {
        const x = await pvs().get(name);
        return x.status?.phase === 'Failed' ? x : undefined;
      }, 30_000);
      assert.match(v.status?.message ?? '', /refusing to delete the directory of volume/);
      const e = await eventFor('default', name, 'VolumeFailedDelete');
      assert.equal(e.type, 'Warning');
      assert.ok(await gone(() => env.client.resource('pods', 'kube-system').get(`helper-pod-delete-${name}`)));
    }
    assert.equal(readFileSync(sentinel, 'utf8'), 'keep me');
    assert.ok(existsSync(join(root, 'inner')));
  });
});
