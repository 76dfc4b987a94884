// The whole storage chain on real kubelets and Docker: a StatefulSet whose claim template names
// no class gets `local-path` (DefaultStorageClass admission, WaitForFirstConsumer); the
// scheduler's VolumeBinding selects a node on the claim, the local-path provisioner makes the
// directory there and the PV, the PV controller binds, the scheduler binds the pod, the kubelet
// mounts the local PV. Data written by the pod survives deleting it: the StatefulSet's new pod
// goes to the same node (the PV's node affinity) and reads it back.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { StatefulSet } from 'kubernetes-types/apps/v1';
import type { PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1';
import { RestClient } from '../../client/index.js';
import { startControllerManager, type ControllerManagerHandle } from '../../controller-manager/manager.js';
import { startScheduler, type SchedulerHandle } from '../../scheduler/scheduler.js';
import { waitFor } from '../harness/ports.js';
import { BUSYBOX, execIn, isRunning, startKubeletEnv, type KubeletEnv } from './kubelet-harness.js';

let env: KubeletEnv;
let cm: ControllerManagerHandle;
let scheduler: SchedulerHandle;
let root: string;
const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

before(async () => {
  env = await startKubeletEnv();
  root = await mkdtemp(join(tmpdir(), 'tskube-chain-'));
  await Promise.all([env.startKubelet('chain-a'), env.startKubelet('chain-b')]);
  await waitFor('nodes Ready', async () => (await env.client.resource('nodes').list()).items.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length === 2, 30_000);
  cm = await startControllerManager({
    config: await env.api.configFor('system:kube-controller-manager'),
    controllers: ['persistentvolume-binder', 'local-path-provisioner', 'persistentvolumeclaim-protection', 'persistentvolume-protection', 'statefulset', 'garbage-collector', 'serviceaccount'],
    options: { 'local-path-root': root, 'pvclaimbinder-sync-period': '1s' },
    logger,
  });
  scheduler = await startScheduler({ client: new RestClient({ ...(await env.api.configFor('system:kube-scheduler')), qps: 0 }), logger });
});

after(async () => {
  await scheduler?.stop();
  await cm?.stop();
  await env?.stop();
  await rm(root, { recursive: true, force: true });
});

const pods = () => env.client.resource<Pod>('pods', 'default');

test('a StatefulSet on local-path keeps its data across a pod delete', async () => {
  await waitFor('local-path class', async () => (await env.client.resource('storageclasses.storage.k8s.io').list()).items.some((c) => c.metadata?.name === 'local-path'));
  const sets = env.client.resource<StatefulSet>('statefulsets.apps', 'default');
  await sets.create({
    metadata: { name: 'db' },
    spec: {
      replicas: 1,
      serviceName: 'db',
      selector: { matchLabels: { app: 'db' } },
      template: {
        metadata: { labels: { app: 'db' } },
        spec: {
          terminationGracePeriodSeconds: 1,
          containers: [{ name: 'main', image: BUSYBOX, command: ['sh', '-c', 'test -f /data/born || hostname > /data/born; sleep 3600'], volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
        },
      },
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
    },
  });
  const first = await waitFor('db-0 running', async () => {
    const p = await pods().get('db-0').catch(() => undefined);
    return p && isRunning(p) ? p : undefined;
  }, 120_000);
  const claim = await env.client.resource<PersistentVolumeClaim>('persistentvolumeclaims', 'default').get('data-db-0');
  assert.equal(claim.spec?.storageClassName, 'local-path');
  assert.equal(claim.metadata?.annotations?.['volume.kubernetes.io/selected-node'], first.spec?.nodeName);
  assert.equal(claim.status?.phase, 'Bound');
  await waitFor('file written', async () => (await execIn(env.runtimeFor(first.spec!.nodeName!), first, 'main', ['cat', '/data/born'])).out.trim() === 'db-0');

  await pods().delete('db-0');
  const second = await waitFor('a new db-0 running', async () => {
    const p = await pods().get('db-0').catch(() => undefined);
    return p && p.metadata?.uid !== first.metadata?.uid && isRunning(p) ? p : undefined;
  }, 120_000);
  assert.equal(second.spec?.nodeName, first.spec?.nodeName, 'the local PV pins it to its node');
  assert.equal((await execIn(env.runtimeFor(second.spec!.nodeName!), second, 'main', ['cat', '/data/born'])).out.trim(), 'db-0');
});
