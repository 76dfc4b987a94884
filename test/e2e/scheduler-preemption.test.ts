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

function pod(name: string, priorityClassName: string, labels: Record<string, string> = {}): Pod {
  return {
    metadata: { name, namespace: NS, labels },
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

  test('a PodDisruptionBudget steers preemption to the unprotected pod, though its priority is higher', async () => {
    const ns = 'preempt-pdb';
    await client.resource('namespaces').create({ metadata: { name: ns } });
    await client.resource('priorityclasses.scheduling.k8s.io').create({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'mid' }, value: 20 });
    const two = await startHollowNodes({ client, count: 2, namePrefix: 'pdb-', capacity: { cpu: '1' }, deleteNodesOnStop: true, logger });
    try {
      await waitFor('scheduler sees the nodes', () => two.nodeNames.every((n) => scheduler.nodeNames().includes(n)) || undefined, 10_000);
      // No disruption controller runs here: the PDB's status says what it would (none allowed).
      const pdbs = client.resource('poddisruptionbudgets.policy', ns);
      const created = await pdbs.create({ metadata: { name: 'db', namespace: ns }, spec: { minAvailable: 1, selector: { matchLabels: { app: 'db' } } } });
      await pdbs.updateStatus({ ...created, status: { disruptionsAllowed: 0, currentHealthy: 1, desiredHealthy: 1, expectedPods: 1, observedGeneration: created.metadata?.generation ?? 1 } });
      const pods = client.resource('pods', ns);
      const at = (p: Pod): Pod => ({ ...p, metadata: { ...p.metadata, namespace: ns } });
      await pods.create(at(pod('guarded', 'low', { app: 'db' })));
      await pods.create(at(pod('free', 'mid')));
      const nodes = await Promise.all(['guarded', 'free'].map((n) => waitFor(`${n} bound`, async () => (await pods.get(n)).spec?.nodeName, 15_000)));
      assert.deepEqual([...nodes].sort(), ['pdb-0', 'pdb-1']);
      await pods.create(at(pod('urgent', 'high')));
      const node = await waitFor('urgent bound', async () => (await pods.get('urgent')).spec?.nodeName, 30_000);
      assert.equal(node, nodes[1]);
      const left = (await pods.list()).items.map((p) => p.metadata?.name).sort();
      assert.deepEqual(left, ['guarded', 'urgent']);
    } finally {
      await two.stop();
    }
  });
});
