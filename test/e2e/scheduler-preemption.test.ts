// Preemption end to end: PriorityClasses resolved by the apiserver's Priority admission, the
// scheduler's queue and DefaultPreemption against a real apiserver + etcd, hollow nodes for
// kubelets. A high-priority pod that fits nowhere evicts a lower-priority one, is nominated to
// its node (status.nominatedNodeName, as Kubernetes records it) and then binds there.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1';
import { RestClient } from '../../client/index.js';
import { startHollowNodes, type HollowNodesHandle } from '../../kubelet/hollow-node.js';
import { startScheduler, type SchedulerHandle } from '../../scheduler/scheduler.js';
import { startTestApiserver, type TestApiserver } from '../harness/apiserver.js';
import { waitFor } from '../harness/ports.js';
import { pino } from 'pino';

let api: TestApiserver;
let client: RestClient;
let scheduler: SchedulerHandle;
let hollow: HollowNodesHandle;
const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
const NS = 'preempt';

before(async () => {
  api = await startTestApiserver();
  client = new RestClient({ ...api.config, qps: 0 });
  scheduler = await startScheduler({ client, logger });
  await client.resource('namespaces').create({ metadata: { name: NS } });
  hollow = await startHollowNodes({ client, count: 1, namePrefix: 'preempt-', capacity: { cpu: '1' }, deleteNodesOnStop: true, logger });
  await waitFor('scheduler sees the node', () => scheduler.nodeNames().includes('preempt-0'), 10_000);
});

after(async () => {
  await hollow?.stop();
  await scheduler?.stop();
  await client?.close();
  await api?.stop();
});

function pod(name: string, priorityClassName: string): Pod {
  return {
    metadata: { name, namespace: NS },
    spec: { priorityClassName, containers: [{ name: 'c', image: 'busybox:1.35', resources: { requests: { cpu: '800m' } } }] },
  };
}

describe('preemption', () => {
  test('a high-priority pod preempts a lower one on a full node, is nominated, then binds', async () => {
    const classes = client.resource('priorityclasses.scheduling.k8s.io');
    await classes.create({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'low' }, value: 10 });
    await classes.create({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'high' }, value: 1000 });
    const pods = client.resource('pods', NS);
    const low = await pods.create(pod('low', 'low'));
    assert.equal(low.spec?.priority, 10);
    await waitFor('low bound', async () => (await pods.get('low')).spec?.nodeName, 15_000);

    // Watch from before the create so the nomination (a status write) cannot be missed.
    const w = await pods.watch({ fieldSelector: 'metadata.name=high' });
    const seen: Pod[] = [];
    const done = (async () => {
      for await (const ev of w) if (ev.type !== 'ERROR' && ev.type !== 'BOOKMARK') seen.push(ev.object);
    })().catch(() => undefined);
    try {
      const high = await pods.create(pod('high', 'high'));
      assert.equal(high.spec?.priority, 1000);
      assert.equal(high.spec?.preemptionPolicy, 'PreemptLowerPriority');
      const node = await waitFor('high bound', async () => (await pods.get('high')).spec?.nodeName, 30_000);
      assert.equal(node, 'preempt-0');
      assert.ok(seen.some((p) => p.status?.nominatedNodeName === 'preempt-0'), `nominatedNodeName never set: ${JSON.stringify(seen.map((p) => p.status))}`);
      // The victim is gone, with Kubernetes' Preempted event.
      await waitFor('low deleted', async () => (await pods.list()).items.every((p) => p.metadata?.name !== 'low') || undefined, 15_000);
      const ev = await waitFor('Preempted event', async () => (await client.resource('events', NS).list({ fieldSelector: 'involvedObject.name=low,reason=Preempted' })).items[0], 15_000);
      assert.match(ev.message ?? '', /^Preempted by pod [0-9a-f-]+ on node preempt-0$/);
    } finally {
      w.close();
      await done;
    }
  });
});
