// The control plane with real kubelets on Docker (not hollow nodes): a Deployment spreads over
// two nodes, scales, rolls within maxSurge, and when one kubelet stops its node goes Unknown,
// gets the unreachable taint, and the pods come back Running on the other node. Deleting the
// Deployment removes its ReplicaSets and pods (garbage collector, background propagation).
import assert from 'node:assert/strict';
import type { Deployment } from 'kubernetes-types/apps/v1';
import type { Pod } from 'kubernetes-types/core/v1';
import { after, before, test } from 'node:test';
import { pino } from 'pino';
import { startControllerManager, type ControllerManagerHandle } from '../../controller-manager/manager.js';
import { startScheduler, type SchedulerHandle } from '../../scheduler/scheduler.js';
import { waitFor } from '../harness/ports.js';
import { BUSYBOX, startKubeletEnv, type KubeletEnv } from './kubelet-harness.js';

let env: KubeletEnv;
let cm: ControllerManagerHandle;
let sched: SchedulerHandle;
const silent = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
const NODES = ['dk-1', 'dk-2'];

const deployments = () => env.client.resource('deployments.apps', 'default');
const pods = () => env.client.resource('pods', 'default');

function isReady(p: Pod): boolean {
  return !p.metadata?.deletionTimestamp && (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

async function webPods(): Promise<Pod[]> {
  return (await pods().list({ labelSelector: 'app=web' })).items;
}

before(async () => {
  env = await startKubeletEnv();
  for (const n of NODES) await env.startKubelet(n);
  cm = await startControllerManager({
    client: env.client,
    logger: silent,
    options: {
      'node-monitor-period': '1s',
      'node-monitor-grace-period': '4s',
      'default-not-ready-toleration-seconds': 2,
      'default-unreachable-toleration-seconds': 2,
    },
  });
  sched = await startScheduler({ client: env.client, logger: silent });
});

after(async () => {
  await sched?.stop();
  await cm?.stop();
  await env?.stop();
});

test('a Deployment spreads over two real nodes, scales and rolls within maxSurge', async () => {
  const dep: Deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web' },
    spec: {
      replicas: 4,
      selector: { matchLabels: { app: 'web' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          terminationGracePeriodSeconds: 1,
          containers: [{ name: 'web', image: BUSYBOX, command: ['sleep', '3600'], readinessProbe: { exec: { command: ['true'] }, periodSeconds: 1 } }],
        },
      },
    },
  };
  await deployments().create(dep);
  await waitFor('4 ready pods', async () => (await webPods()).filter(isReady).length === 4, 60_000, 250);
  const perNode = new Map<string, number>();
  for (const p of (await webPods()).filter(isReady)) perNode.set(p.spec!.nodeName!, (perNode.get(p.spec!.nodeName!) ?? 0) + 1);
  assert.deepEqual([...perNode.values()].sort(), [2, 2], `spread: ${JSON.stringify([...perNode])}`);

  await deployments().patch('web', 'merge', { spec: { replicas: 6 } });
  await waitFor('6 ready pods', async () => (await webPods()).filter(isReady).length === 6, 60_000, 250);
  await deployments().patch('web', 'merge', { spec: { replicas: 2 } });
  await waitFor('2 pods left', async () => (await webPods()).filter((p) => !p.metadata?.deletionTimestamp).length === 2, 60_000, 250);
  await deployments().patch('web', 'merge', { spec: { replicas: 4 } });
  await waitFor('4 ready pods again', async () => (await webPods()).filter(isReady).length === 4, 60_000, 250);

  // Roll the template; sample the pods throughout: never more than replicas + maxSurge alive.
  await deployments().patch('web', 'strategic', { spec: { template: { metadata: { annotations: { rev: '2' } } } } });
  let maxAlive = 0;
  await waitFor('rollout done', async () => {
    const all = await webPods();
    const alive = all.filter((p) => !p.metadata?.deletionTimestamp);
    maxAlive = Math.max(maxAlive, alive.length);
    const d = await deployments().get('web');
    return (
      d.status?.observedGeneration === d.metadata?.generation &&
      d.status?.updatedReplicas === 4 &&
      d.status?.availableReplicas === 4 &&
      alive.length === 4 &&
      alive.every((p) => p.metadata?.annotations?.rev === '2' && isReady(p))
    );
  }, 90_000, 100);
  assert.ok(maxAlive <= 5, `at most replicas + maxSurge = 5 pods at once, saw ${maxAlive}`);
});

test('a stopped kubelet: its node goes Unknown and tainted, its pods come back on the other node', async () => {
  const victim = 'dk-2';
  await env.stopKubelet(victim);
  await waitFor('node Unknown with the unreachable taint', async () => {
    const node = await env.client.resource('nodes').get(victim);
    const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
    return ready?.status === 'Unknown' && (node.spec?.taints ?? []).some((t) => t.key === 'node.kubernetes.io/unreachable' && t.effect === 'NoExecute');
  }, 60_000, 250);
  await waitFor('4 ready pods, all on dk-1', async () => {
    const ready = (await webPods()).filter(isReady);
    return ready.length === 4 && ready.every((p) => p.spec?.nodeName === 'dk-1');
  }, 90_000, 250);
});

test('deleting the Deployment removes its ReplicaSets and pods', async () => {
  await deployments().delete('web', { propagationPolicy: 'Background' });
  await waitFor('ReplicaSets gone', async () => (await env.client.resource('replicasets.apps', 'default').list()).items.length === 0, 60_000, 250);
  // Pods on the running node are deleted by the kubelet; the stopped node's pods stay
  // Terminating until a kubelet comes back, as in Kubernetes.
  await waitFor('dk-1 pods gone', async () => (await webPods()).filter((p) => p.spec?.nodeName === 'dk-1').length === 0, 60_000, 250);
  assert.ok((await webPods()).every((p) => p.metadata?.deletionTimestamp));
});
