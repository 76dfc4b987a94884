// ReplicaSet/ReplicationController controller against a real apiserver + etcd, with a fake
// kubelet binding pods and marking them Ready.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import type { Pod, ReplicationController } from 'kubernetes-types/core/v1';
import type { ReplicaSet } from 'kubernetes-types/apps/v1';
import { RestClient } from '../../client/index.js';
import { startTestApiserver, type TestApiserver } from '../../test/harness/apiserver.js';
import { startFakeKubelet, type FakeKubelet } from '../../test/harness/fake-kubelet.js';
import { waitFor } from '../../test/harness/ports.js';
import { startControllerManager, type ControllerManagerHandle } from '../manager.js';

const NS = 'default';

function rsSpec(name: string, replicas: number, extra: Partial<ReplicaSet['spec']> = {}): ReplicaSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'busybox:1.35' }] } },
      ...extra,
    },
  };
}

describe('replicaset controller', () => {
  let api: TestApiserver;
  let client: RestClient;
  let kubelet: FakeKubelet;
  let cm: ControllerManagerHandle;
  let notReady = new Set<string>();

  before(async () => {
    api = await startTestApiserver();
    client = new RestClient({ ...api.config, qps: 0 });
    kubelet = await startFakeKubelet(api.config, { ready: (p) => !notReady.has(p.metadata?.name ?? '') });
    cm = await startControllerManager({
      config: api.config,
      controllers: ['replicaset', 'replicationcontroller'],
      logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
      port: 0,
    });
  });

  after(async () => {
    await cm?.stop();
    await kubelet?.stop();
    await client?.close();
    await api?.stop();
  });

  function pods(label: string): Pod[] {
    return kubelet.pods.lister.list().filter((p) => p.metadata?.labels?.app === label && !p.metadata?.deletionTimestamp);
  }

  test('creates replicas with controller ownerReferences and generated names, then reports status', async () => {
    const rs = await client.resource('replicasets.apps', NS).create(rsSpec('web', 3));
    await waitFor('3 ready replicas in status', async () => {
      const cur = await client.resource('replicasets.apps', NS).get('web');
      return cur.status?.readyReplicas === 3 && cur.status.availableReplicas === 3 && cur.status.observedGeneration === 1;
    }, 15_000);
    const owned = pods('web');
    assert.equal(owned.length, 3);
    for (const p of owned) {
      assert.match(p.metadata?.name ?? '', /^web-[a-z0-9]{5}$/);
      assert.deepEqual(p.metadata?.ownerReferences, [
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: rs.metadata?.uid, controller: true, blockOwnerDeletion: true },
      ]);
    }
    const cur = await client.resource('replicasets.apps', NS).get('web');
    assert.equal(cur.status?.replicas, 3);
    assert.equal(cur.status?.fullyLabeledReplicas, 3);
  });

  test('scales down deleting not-ready pods first, and replaces a deleted pod', async () => {
    const victim = pods('web')[1].metadata!.name!;
    notReady.add(victim);
    kubelet.resync();
    await waitFor('victim not ready', () => kubelet.pods.lister.getByName(NS, victim)?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'False') ?? false, 10_000);
    await client.resource('replicasets.apps', NS).patch('web', 'merge', { spec: { replicas: 2 } });
    await waitFor('2 pods', () => pods('web').length === 2 && !kubelet.pods.lister.getByName(NS, victim), 10_000);
    notReady = new Set();

    const gone = pods('web')[0].metadata!.name!;
    await client.resource('pods', NS).delete(gone, { gracePeriodSeconds: 0 });
    await waitFor('replacement', () => pods('web').length === 2 && !pods('web').some((p) => p.metadata?.name === gone), 10_000);
  });

  test('adopts a matching orphan instead of creating, and releases a pod whose labels stop matching', async () => {
    await client.resource('pods', NS).create({
      metadata: { name: 'orphan', labels: { app: 'adopt' } },
      spec: { containers: [{ name: 'c', image: 'busybox:1.35' }] },
    });
    const rs = await client.resource('replicasets.apps', NS).create(rsSpec('adopt', 2));
    await waitFor('2 pods, orphan adopted', () => {
      const owned = pods('adopt');
      const orphan = owned.find((p) => p.metadata?.name === 'orphan');
      return owned.length === 2 && orphan?.metadata?.ownerReferences?.[0]?.uid === rs.metadata?.uid;
    }, 10_000);

    await client.resource('pods', NS).patch('orphan', 'merge', { metadata: { labels: { app: 'elsewhere' } } });
    await waitFor('orphan released and replaced', async () => {
      const p = await client.resource('pods', NS).get('orphan');
      return (p.metadata?.ownerReferences ?? []).length === 0 && pods('adopt').length === 2;
    }, 10_000);
    await client.resource('pods', NS).delete('orphan', { gracePeriodSeconds: 0 });
  });

  test('a burst of events never creates extra pods', async () => {
    await client.resource('replicasets.apps', NS).create(rsSpec('burst', 20));
    // Poke the RS repeatedly while it creates: every update is an event that queues a sync.
    for (let i = 0; i < 10; i++) {
      await client.resource('replicasets.apps', NS).patch('burst', 'merge', { metadata: { annotations: { poke: String(i) } } });
    }
    await waitFor('20 ready', async () => (await client.resource('replicasets.apps', NS).get('burst')).status?.readyReplicas === 20, 20_000);
    const all = (await client.resource('pods', NS).list({ labelSelector: 'app=burst' })).items;
    assert.equal(all.length, 20);
  });

  test('minReadySeconds: ready pods become available only after it, with no event to prompt the sync', async () => {
    await client.resource('replicasets.apps', NS).create(rsSpec('slow', 2, { minReadySeconds: 2 }));
    const seenReadyNotAvailable = await waitFor('ready but not yet available', async () => {
      const st = (await client.resource('replicasets.apps', NS).get('slow')).status;
      return st?.readyReplicas === 2 && (st.availableReplicas ?? 0) < 2;
    }, 10_000);
    assert.ok(seenReadyNotAvailable);
    await waitFor('available', async () => (await client.resource('replicasets.apps', NS).get('slow')).status?.availableReplicas === 2, 10_000);
    const availableAt = Date.now();
    for (const p of pods('slow')) {
      const readyAt = Date.parse(p.status?.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime ?? '');
      assert.ok(availableAt >= readyAt + 2000, 'reported available before minReadySeconds passed');
    }
  });

  test('replicationcontroller: creates, scales and reports like a ReplicaSet', async () => {
    const rc: ReplicationController = {
      apiVersion: 'v1',
      kind: 'ReplicationController',
      metadata: { name: 'legacy' },
      spec: {
        replicas: 2,
        selector: { app: 'legacy' },
        template: { metadata: { labels: { app: 'legacy' } }, spec: { containers: [{ name: 'c', image: 'busybox:1.35' }] } },
      },
    };
    const created = await client.resource('replicationcontrollers', NS).create(rc);
    await waitFor('2 ready', async () => (await client.resource('replicationcontrollers', NS).get('legacy')).status?.readyReplicas === 2, 10_000);
    for (const p of pods('legacy')) {
      assert.equal(p.metadata?.ownerReferences?.[0]?.kind, 'ReplicationController');
      assert.equal(p.metadata?.ownerReferences?.[0]?.uid, created.metadata?.uid);
      assert.match(p.metadata?.name ?? '', /^legacy-[a-z0-9]{5}$/);
    }
    await client.resource('replicationcontrollers', NS).patch('legacy', 'merge', { spec: { replicas: 4 } });
    await waitFor('4 ready', async () => (await client.resource('replicationcontrollers', NS).get('legacy')).status?.readyReplicas === 4, 10_000);
    await client.resource('replicationcontrollers', NS).patch('legacy', 'merge', { spec: { replicas: 1 } });
    await waitFor('1 pod', async () => {
      const st = (await client.resource('replicationcontrollers', NS).get('legacy')).status;
      return st?.replicas === 1 && pods('legacy').length === 1;
    }, 10_000);
  });

  test('metrics expose per-controller queue depth, reconcile latency and errors', async () => {
    const res = await fetch(`http://127.0.0.1:${cm.port}/metrics`);
    const text = await res.text();
    assert.match(text, /workqueue_depth\{name="replicaset"\} \d+/);
    assert.match(text, /controller_reconcile_duration_seconds_count\{controller="replicaset",result="success"\} \d+/);
    assert.match(text, /# TYPE controller_reconcile_errors_total counter/);
    assert.equal((await fetch(`http://127.0.0.1:${cm.port}/healthz`)).status, 200);
  });
});
