// Two controller-managers with leader election: only the leader acts; killing it abruptly
// (no lease release, in-flight requests cut) in the middle of a rollout and a scale-up lets
// the standby take over, finish the rollout, and never leave extra pods behind.
// Bounds checked: live pods never pass replicas + maxSurge (tskube's rule, stricter than
// upstream's: see newRSNewReplicas — after a failover ReplicaSet statuses may lag the pods the
// dead leader created, so the pods themselves count), the sum of the ReplicaSets' spec.replicas
// stays within it (upstream's rule), and no ReplicaSet ever has more live pods than the most it
// was asked for (two managers acting at once would double-create).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import type { Pod } from 'kubernetes-types/core/v1';
import type { Deployment } from 'kubernetes-types/apps/v1';
import { RestClient, SharedInformerFactory, isConflict } from '../../client/index.js';
import { startTestApiserver, type TestApiserver } from '../harness/apiserver.js';
import { startFakeKubelet, type FakeKubelet } from '../harness/fake-kubelet.js';
import { waitFor } from '../harness/ports.js';
import { startControllerManager, type ControllerManagerHandle } from '../../controller-manager/manager.js';

const NS = 'default';
const LEASE = { leaseDurationMs: 2000, renewDeadlineMs: 1500, retryPeriodMs: 400 };

describe('controller-manager failover during a rollout', () => {
  let api: TestApiserver;
  let client: RestClient;
  let kubelet: FakeKubelet;
  const managers: ControllerManagerHandle[] = [];
  /** New-image pods stay unready until this is cleared: the rollout is stuck mid-way. */
  let gatedImage = '';

  const start = (identity: string): Promise<ControllerManagerHandle> =>
    startControllerManager({
      config: api.config,
      controllers: ['replicaset', 'deployment'],
      leaderElect: true,
      leaderElection: { ...LEASE, identity },
      logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    });

  before(async () => {
    api = await startTestApiserver();
    client = new RestClient({ ...api.config, qps: 0 });
    kubelet = await startFakeKubelet(api.config, { ready: (p) => p.spec?.containers?.[0]?.image !== gatedImage });
  });

  after(async () => {
    for (const m of managers) await m.stop();
    await kubelet?.stop();
    await client?.close();
    await api?.stop();
  });

  const live = (): Pod[] => kubelet.pods.lister.list().filter((p) => p.metadata?.labels?.app === 'ha' && !p.metadata?.deletionTimestamp);

  test('the standby takes over after a kill and the rollout ends with exactly the desired pods', async () => {
    const first = await start('cm-1');
    managers.push(first);
    await waitFor('cm-1 leads', () => first.isLeader(), 10_000);
    const second = await start('cm-2');
    managers.push(second);

    const deployments = client.resource('deployments.apps', NS);
    const spec: Deployment = {
      metadata: { name: 'ha' },
      spec: {
        replicas: 4,
        selector: { matchLabels: { app: 'ha' } },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
        template: { metadata: { labels: { app: 'ha' } }, spec: { containers: [{ name: 'c', image: 'busybox:1.35' }] } },
      },
    };
    await deployments.create(spec);
    await waitFor('4 ready', async () => (await deployments.get('ha')).status?.availableReplicas === 4, 15_000);
    assert.equal(second.isLeader(), false, 'the standby must not lead while the leader renews');

    // The most live pods each ReplicaSet had at once, and the most it was ever asked for.
    const maxLive = new Map<string, number>();
    let maxTotal = 0;
    const maxSpec = new Map<string, number>();
    let maxSpecSum = 0;
    const observe = (): void => {
      const byRs = new Map<string, number>();
      for (const p of live()) {
        const rs = p.metadata?.ownerReferences?.find((o) => o.controller)?.name ?? '(none)';
        byRs.set(rs, (byRs.get(rs) ?? 0) + 1);
      }
      for (const [rs, n] of byRs) maxLive.set(rs, Math.max(maxLive.get(rs) ?? 0, n));
      maxTotal = Math.max(maxTotal, live().length);
    };
    const reg = kubelet.pods.addEventHandler({ onAdd: observe, onUpdate: observe, onDelete: observe });
    // One watch on ReplicaSets sees their states in etcd order, so each sum is one the cluster had.
    const rsFactory = new SharedInformerFactory(client, { namespace: NS });
    const rsInformer = rsFactory.informerFor('replicasets.apps');
    const observeRs = (): void => {
      let sum = 0;
      for (const rs of rsInformer.lister.list()) {
        const n = rs.spec?.replicas ?? 0;
        sum += n;
        maxSpec.set(rs.metadata?.name ?? '', Math.max(maxSpec.get(rs.metadata?.name ?? '') ?? 0, n));
      }
      maxSpecSum = Math.max(maxSpecSum, sum);
    };
    rsInformer.addEventHandler({ onAdd: observeRs, onUpdate: observeRs, onDelete: observeRs });
    rsFactory.start();
    await rsFactory.waitForCacheSync();
    try {
      gatedImage = 'busybox:1.36';
      await deployments.patch('ha', 'strategic', { spec: { template: { spec: { containers: [{ name: 'c', image: gatedImage }] } } } });
      await waitFor('1 surge pod, stuck', () => live().filter((p) => p.spec?.containers?.[0]?.image === gatedImage).length === 1, 10_000);

      // Scale up and kill the leader while its controllers are creating pods.
      await deployments.patch('ha', 'merge', { spec: { replicas: 12 } });
      await waitFor('creates under way', () => live().length > 5, 10_000);
      await first.kill();

      await waitFor('cm-2 takes over', () => second.isLeader(), 15_000);
      gatedImage = '';
      kubelet.resync();
      await waitFor('rolled out with 12', async () => {
        const d = await deployments.get('ha');
        const st = d.status;
        return (
          st?.updatedReplicas === 12 &&
          st.replicas === 12 &&
          st.availableReplicas === 12 &&
          (st.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0) &&
          live().length === 12
        );
      }, 30_000);
      await kubelet.idle();
    } finally {
      reg.remove();
      await rsFactory.shutdown();
    }

    // Allowed total during the rollout is replicas + maxSurge = 13.
    assert.ok(maxTotal <= 13, `saw ${maxTotal} pods at once`);
    assert.ok(maxSpecSum <= 13, `the ReplicaSets were asked for ${maxSpecSum} pods at once`);
    for (const [rs, n] of maxLive) {
      assert.ok(n <= (maxSpec.get(rs) ?? 0), `ReplicaSet ${rs} had ${n} live pods at once, but was never asked for more than ${maxSpec.get(rs) ?? 0}`);
    }
    const all = (await client.resource('pods', NS).list({ labelSelector: 'app=ha' })).items.filter((p) => !p.metadata?.deletionTimestamp);
    assert.equal(all.length, 12);
    assert.ok(all.every((p) => p.spec?.containers?.[0]?.image === 'busybox:1.36'));
    const rss = (await client.resource('replicasets.apps', NS).list({ labelSelector: 'app=ha' })).items;
    assert.equal(rss.reduce((n, rs) => n + (rs.spec?.replicas ?? 0), 0), 12);
    const lease = await client.resource('leases.coordination.k8s.io', 'kube-system').get('kube-controller-manager');
    assert.equal(lease.spec?.holderIdentity, 'cm-2');
  });

  test('a manager that loses its Lease stops acting, campaigns again, and resumes when it gets it back', async () => {
    for (const m of managers.splice(0)) await m.stop();
    const cm = await start('cm-3');
    managers.push(cm);
    await waitFor('cm-3 leads', () => cm.isLeader(), 10_000);
    // Someone else takes the Lease (as a partitioned leader would find on return).
    const leases = client.resource('leases.coordination.k8s.io', 'kube-system');
    // Read-modify-write until it lands: cm-3 renews the Lease every retry period.
    await waitFor('the Lease taken', async () => {
      const lease = await leases.get('kube-controller-manager');
      const now = new Date().toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
      return leases
        .update({ ...lease, spec: { ...lease.spec, holderIdentity: 'thief', renewTime: now, acquireTime: now, leaseDurationSeconds: 2 } })
        .then(() => true, (e: unknown) => {
          if (isConflict(e)) return false;
          throw e;
        });
    }, 10_000);
    await waitFor('cm-3 lost the lease', () => !cm.isLeader(), 10_000);
    await waitFor('cm-3 leads again', () => cm.isLeader(), 15_000);
    await client.resource('replicasets.apps', NS).create({
      metadata: { name: 'after' },
      spec: { replicas: 2, selector: { matchLabels: { app: 'after' } }, template: { metadata: { labels: { app: 'after' } }, spec: { containers: [{ name: 'c', image: 'busybox:1.35' }] } } },
    });
    await waitFor('the new term runs controllers', async () => (await client.resource('replicasets.apps', NS).get('after')).status?.readyReplicas === 2, 15_000);
  });
});
