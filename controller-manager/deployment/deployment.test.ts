// Deployment controller (with the ReplicaSet controller) against a real apiserver + etcd, with
// a fake kubelet binding pods and marking them Ready.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import type { Pod } from 'kubernetes-types/core/v1';
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1';
import { RestClient } from '../../client/index.js';
import { startTestApiserver, type TestApiserver } from '../../test/harness/apiserver.js';
import { startFakeKubelet, type FakeKubelet } from '../../test/harness/fake-kubelet.js';
import { waitFor } from '../../test/harness/ports.js';
import { startControllerManager, type ControllerManagerHandle } from '../manager.js';

const NS = 'default';

function deploymentSpec(name: string, replicas: number, extra: Partial<NonNullable<Deployment['spec']>> = {}, image = 'busybox:1.35'): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image, command: ['sleep', '3600'] }] } },
      ...extra,
    },
  };
}

describe('deployment controller', () => {
  let api: TestApiserver;
  let client: RestClient;
  let kubelet: FakeKubelet;
  let cm: ControllerManagerHandle;
  /** Pods whose name is here report not Ready. */
  const unready = new Set<string>();
  /** When set, pods of this image stay unready (a rollout that cannot progress). */
  let brokenImage = '';

  before(async () => {
    api = await startTestApiserver();
    client = new RestClient({ ...api.config, qps: 0 });
    kubelet = await startFakeKubelet(api.config, {
      ready: (p) => !unready.has(p.metadata?.name ?? '') && p.spec?.containers?.[0]?.image !== brokenImage,
    });
    cm = await startControllerManager({
      config: api.config,
      controllers: ['replicaset', 'deployment'],
      logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    });
  });

  after(async () => {
    await cm?.stop();
    await kubelet?.stop();
    await client?.close();
    await api?.stop();
  });

  const deployments = () => client.resource('deployments.apps', NS);
  const live = (app: string): Pod[] =>
    kubelet.pods.lister.list().filter((p) => p.metadata?.labels?.app === app && !p.metadata?.deletionTimestamp);
  const ready = (p: Pod): boolean => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
  const replicaSetsOf = async (app: string): Promise<ReplicaSet[]> =>
    (await client.resource('replicasets.apps', NS).list({ labelSelector: `app=${app}` })).items;

  async function rolledOut(name: string, replicas: number, timeoutMs = 20_000): Promise<Deployment> {
    return waitFor(`${name} rolled out with ${replicas}`, async () => {
      const d = await deployments().get(name);
      const st = d.status;
      const ok =
        (st?.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0) &&
        st?.updatedReplicas === replicas &&
        st?.replicas === replicas &&
        st?.availableReplicas === replicas &&
        live(name).length === replicas;
      return ok ? d : undefined;
    }, timeoutMs);
  }

  test('3 replicas → 3 pods through one ReplicaSet named <deployment>-<pod-template-hash>', async () => {
    const created = await deployments().create(deploymentSpec('web', 3));
    const d = await rolledOut('web', 3);
    const rss = await replicaSetsOf('web');
    assert.equal(rss.length, 1);
    const rs = rss[0];
    const hash = rs.metadata?.labels?.['pod-template-hash'] ?? '';
    assert.match(hash, /^[bcdfghjklmnpqrstvwxz2456789]+$/);
    assert.equal(rs.metadata?.name, `web-${hash}`);
    assert.deepEqual(rs.spec?.selector?.matchLabels, { app: 'web', 'pod-template-hash': hash });
    assert.equal(rs.metadata?.annotations?.['deployment.kubernetes.io/revision'], '1');
    assert.equal(rs.metadata?.annotations?.['deployment.kubernetes.io/desired-replicas'], '3');
    assert.equal(rs.metadata?.annotations?.['deployment.kubernetes.io/max-replicas'], '4');
    assert.deepEqual(rs.metadata?.ownerReferences?.map((r) => [r.kind, r.uid, r.controller, r.blockOwnerDeletion]), [
      ['Deployment', created.metadata?.uid, true, true],
    ]);
    for (const p of live('web')) {
      assert.equal(p.metadata?.labels?.['pod-template-hash'], hash);
      assert.match(p.metadata?.name ?? '', new RegExp(`^web-${hash}-[a-z0-9]{5}$`));
    }
    assert.equal(d.metadata?.annotations?.['deployment.kubernetes.io/revision'], '1');
    assert.equal(d.status?.readyReplicas, 3);
    assert.equal(d.status?.unavailableReplicas ?? 0, 0);
    const conds = Object.fromEntries((d.status?.conditions ?? []).map((c) => [c.type, c]));
    assert.equal(conds.Available?.status, 'True');
    assert.equal(conds.Available?.reason, 'MinimumReplicasAvailable');
    assert.equal(conds.Progressing?.status, 'True');
    assert.equal(conds.Progressing?.reason, 'NewReplicaSetAvailable');
  });

  test('scale 3 → 6 → 2', async () => {
    await deployments().patch('web', 'merge', { spec: { replicas: 6 } });
    await rolledOut('web', 6);
    await deployments().patch('web', 'merge', { spec: { replicas: 2 } });
    await rolledOut('web', 2);
    assert.equal((await replicaSetsOf('web')).length, 1);
  });

  test('an image change rolls within maxSurge/maxUnavailable (observed on every pod event)', async () => {
    const name = 'roll';
    await deployments().create(
      deploymentSpec(name, 4, { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } } }),
    );
    await rolledOut(name, 4);
    let maxPods = 0;
    let minAvailable = Infinity;
    const observe = (): void => {
      const pods = live(name);
      maxPods = Math.max(maxPods, pods.length);
      minAvailable = Math.min(minAvailable, pods.filter(ready).length);
    };
    const reg = kubelet.pods.addEventHandler({ onAdd: observe, onUpdate: observe, onDelete: observe });
    try {
      await deployments().patch(name, 'strategic', {
        spec: { template: { spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } } },
      });
      await rolledOut(name, 4);
    } finally {
      reg.remove();
    }
    assert.ok(maxPods <= 5, `at most replicas+maxSurge = 5 pods, saw ${maxPods}`);
    assert.ok(minAvailable >= 3, `at least replicas-maxUnavailable = 3 ready, saw ${minAvailable}`);
    assert.ok(live(name).every((p) => p.spec?.containers?.[0]?.image === 'busybox:1.36'));
    const rss = await replicaSetsOf(name);
    assert.equal(rss.length, 2);
    const byRev = Object.fromEntries(rss.map((rs) => [rs.metadata?.annotations?.['deployment.kubernetes.io/revision'], rs.spec?.replicas]));
    assert.deepEqual(byRev, { '1': 0, '2': 4 });
    const d = await deployments().get(name);
    assert.equal(d.metadata?.annotations?.['deployment.kubernetes.io/revision'], '2');
  });

  test('maxUnavailable 0 never drops below replicas when new pods are slow to become ready', async () => {
    const name = 'careful';
    await deployments().create(
      deploymentSpec(name, 3, { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '34%', maxUnavailable: 0 } } }),
    );
    await rolledOut(name, 3);
    brokenImage = 'busybox:broken';
    await deployments().patch(name, 'strategic', { spec: { template: { spec: { containers: [{ name: 'c', image: brokenImage }] } } } });
    // 34% of 3 rounds up to 2 surge pods; none becomes ready, so no old pod may go.
    await waitFor('2 surge pods', () => live(name).filter((p) => p.spec?.containers?.[0]?.image === brokenImage).length === 2, 10_000);
    const d = await waitFor('status shows the stuck rollout', async () => {
      const cur = await deployments().get(name);
      return cur.status?.updatedReplicas === 2 && cur.status.replicas === 5 ? cur : undefined;
    }, 10_000);
    assert.equal(d.status?.availableReplicas, 3);
    assert.equal(live(name).filter(ready).length, 3);
    brokenImage = '';
    kubelet.resync();
    await rolledOut(name, 3);
  });

  test('Recreate: all old pods are gone before any new pod exists', async () => {
    const name = 'recreate';
    await deployments().create(deploymentSpec(name, 3, { strategy: { type: 'Recreate' } }));
    await rolledOut(name, 3);
    let mixed = false;
    const check = (): void => {
      const images = new Set(kubelet.pods.lister.list().filter((p) => p.metadata?.labels?.app === name).map((p) => p.spec?.containers?.[0]?.image));
      if (images.size > 1) mixed = true;
    };
    const reg = kubelet.pods.addEventHandler({ onAdd: check, onUpdate: check, onDelete: check });
    try {
      await deployments().patch(name, 'strategic', { spec: { template: { spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } } } });
      await rolledOut(name, 3);
    } finally {
      reg.remove();
    }
    assert.equal(mixed, false, 'old and new pods coexisted');
  });

  test('pause holds template changes, resume rolls them; conditions say so', async () => {
    const name = 'pausable';
    await deployments().create(deploymentSpec(name, 2));
    await rolledOut(name, 2);
    await deployments().patch(name, 'merge', { spec: { paused: true } });
    await deployments().patch(name, 'strategic', { spec: { template: { spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } } } });
    const paused = await waitFor('paused condition', async () => {
      const d = await deployments().get(name);
      const c = d.status?.conditions?.find((x) => x.type === 'Progressing');
      return c?.reason === 'DeploymentPaused' && (d.status?.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0) ? d : undefined;
    }, 10_000);
    assert.equal(paused.status?.conditions?.find((x) => x.type === 'Progressing')?.status, 'Unknown');
    // Scaling still works while paused, and no new ReplicaSet appears.
    await deployments().patch(name, 'merge', { spec: { replicas: 3 } });
    await waitFor('3 old pods', () => live(name).length === 3 && live(name).every((p) => p.spec?.containers?.[0]?.image === 'busybox:1.35'), 10_000);
    assert.equal((await replicaSetsOf(name)).length, 1);

    await deployments().patch(name, 'merge', { spec: { paused: false } });
    await rolledOut(name, 3);
    assert.ok(live(name).every((p) => p.spec?.containers?.[0]?.image === 'busybox:1.36'));
  });

  test('scaling during a rollout is spread proportionally over the ReplicaSets', async () => {
    const name = 'prop';
    await deployments().create(
      deploymentSpec(name, 10, { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 3, maxUnavailable: 2 } } }),
    );
    await rolledOut(name, 10);
    brokenImage = 'busybox:stuck';
    await deployments().patch(name, 'strategic', { spec: { template: { spec: { containers: [{ name: 'c', image: brokenImage }] } } } });
    // Stuck mid-rollout: old 8 (10 - maxUnavailable), new 5 (13 total - 8).
    const sizes = async (): Promise<Record<string, number>> =>
      Object.fromEntries((await replicaSetsOf(name)).map((rs) => [rs.spec?.template?.spec?.containers?.[0]?.image, rs.spec?.replicas ?? 0]));
    await waitFor('stuck at 8 old + 5 new', async () => JSON.stringify(await sizes()) === JSON.stringify({ 'busybox:1.35': 8, [brokenImage]: 5 }) || JSON.stringify(await sizes()) === JSON.stringify({ [brokenImage]: 5, 'busybox:1.35': 8 }), 10_000);
    await deployments().patch(name, 'merge', { spec: { replicas: 20 } });
    // Allowed total 23 = 20 + 3; +10 split 8:5 over 13 → old 8+6=14, new 5+4=9 (rounded, leftover to the largest).
    await waitFor('scaled proportionally', async () => {
      const s = await sizes();
      return s['busybox:1.35'] === 14 && s[brokenImage] === 9;
    }, 10_000);
    brokenImage = '';
    kubelet.resync();
    await rolledOut(name, 20, 30_000);
  });

  test('revisionHistoryLimit keeps only that many old ReplicaSets', async () => {
    const name = 'history';
    await deployments().create(deploymentSpec(name, 1, { revisionHistoryLimit: 1 }));
    await rolledOut(name, 1);
    for (const tag of ['a', 'b', 'c']) {
      await deployments().patch(name, 'strategic', { spec: { template: { spec: { containers: [{ name: 'c', image: `busybox:${tag}` }] } } } });
      await rolledOut(name, 1);
    }
    await waitFor('2 ReplicaSets left (current + 1 old)', async () => (await replicaSetsOf(name)).length === 2, 10_000);
    const revs = (await replicaSetsOf(name)).map((rs) => rs.metadata?.annotations?.['deployment.kubernetes.io/revision']).sort();
    assert.deepEqual(revs, ['3', '4']);
  });

  test('progressDeadlineSeconds: a rollout that cannot progress gets ProgressDeadlineExceeded', async () => {
    const name = 'deadline';
    await deployments().create(deploymentSpec(name, 1, { progressDeadlineSeconds: 2 }));
    await rolledOut(name, 1);
    brokenImage = 'busybox:never';
    await deployments().patch(name, 'strategic', { spec: { template: { spec: { containers: [{ name: 'c', image: brokenImage }] } } } });
    const d = await waitFor('timed out', async () => {
      const cur = await deployments().get(name);
      const c = cur.status?.conditions?.find((x) => x.type === 'Progressing');
      return c?.reason === 'ProgressDeadlineExceeded' ? cur : undefined;
    }, 15_000);
    const c = d.status?.conditions?.find((x) => x.type === 'Progressing');
    assert.equal(c?.status, 'False');
    assert.match(c?.message ?? '', /^ReplicaSet "deadline-[a-z0-9]+" has timed out progressing\.$/);
    brokenImage = '';
  });
});
