// PodDisruptionBudgets end to end against a real apiserver: the disruption controller (in the
// controller-manager, under its own identity) keeps the budget's status, pods/eviction spends
// it (429 when exhausted), and kubectl 1.32 drain waits on the budget until another replica is
// Ready. Readiness is set through pods/status; no kubelet runs.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1';
import type { ReplicaSet } from 'kubernetes-types/apps/v1';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1';
import { RestClient, isNotFound } from '../../client/index.js';
import { StatusError } from '../../api/status.js';
import type { TestApiserver } from '../../test/harness/apiserver.js';
import { startControllerEnv, type ControllerEnv } from '../../test/harness/controllers.js';
import { kubectlFor } from '../../test/harness/kubectl.js';
import { waitFor } from '../../test/harness/ports.js';
import { kcPair } from '../../test/e2e/kc-harness.js';
import type { ControllerManagerHandle } from '../manager.js';

describe('disruption controller and pods/eviction', () => {
  let api: TestApiserver;
  let client: RestClient;
  let cm: ControllerManagerHandle;
  let env: ControllerEnv;

  before(async () => {
    env = await startControllerEnv(['disruption']);
    ({ api, client, cm } = env);
  });
  after(async () => {
    await env?.stop();
  });

  /** A ReplicaSet object (no controller acts on it) and its pods, Running with the given readiness. */
  async function workload(ns: string, replicas: number, pods: { name: string; ready: boolean; node?: string }[]): Promise<void> {
    await client.resource('namespaces').create({ metadata: { name: ns } });
    const labels = { app: 'web' };
    const rs = (await client.resource('replicasets.apps', ns).create({
      metadata: { name: 'web' },
      spec: { replicas, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
    })) as ReplicaSet;
    for (const p of pods) {
      const created = (await client.resource('pods', ns).create({
        metadata: { name: p.name, labels, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: rs.metadata!.uid!, controller: true }] },
        spec: { containers: [{ name: 'c', image: 'busybox' }], ...(p.node ? { nodeName: p.node } : {}) },
      })) as Pod;
      await setReady(ns, created, p.ready);
    }
  }

  async function setReady(ns: string, pod: Pod, ready: boolean): Promise<void> {
    const cur = (await client.resource('pods', ns).get(pod.metadata!.name!)) as Pod;
    await client.resource('pods', ns).updateStatus({ ...cur, status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] } });
  }

  const pdbStatus = (ns: string, want: (s: PodDisruptionBudget['status']) => boolean) =>
    waitFor(`pdb ${ns}/web status`, async () => {
      const pdb = (await client.resource('poddisruptionbudgets.policy', ns).get('web')) as PodDisruptionBudget;
      return pdb.status && want(pdb.status) ? pdb.status : undefined;
    });

  const evict = (ns: string, name: string) =>
    client.resource('pods', ns).subresource(name, 'eviction', { method: 'POST', body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: ns } } });

  test('status numbers, an allowed eviction, then 429 with the budget cause, and 404 for a missing pod', async () => {
    await workload('pdb-a', 3, [{ name: 'a', ready: true }, { name: 'b', ready: true }, { name: 'c', ready: true }]);
    await client.resource('poddisruptionbudgets.policy', 'pdb-a').create({ metadata: { name: 'web' }, spec: { maxUnavailable: '34%', selector: { matchLabels: { app: 'web' } } } });
    const s = await pdbStatus('pdb-a', (st) => st?.currentHealthy === 3);
    // 34% of 3 rounds up to 2 unavailable: 1 must stay healthy, so 2 disruptions are allowed.
    assert.deepEqual([s.expectedPods, s.desiredHealthy, s.currentHealthy, s.disruptionsAllowed, s.observedGeneration], [3, 1, 3, 2, 1]);
    assert.deepEqual(s.conditions?.map((c) => [c.type, c.status, c.reason]), [['DisruptionAllowed', 'True', 'SufficientPods']]);

    await evict('pdb-a', 'a');
    await waitFor('a deleted', () => client.resource('pods', 'pdb-a').get('a').then(() => false, (e: unknown) => isNotFound(e)));
    await pdbStatus('pdb-a', (st) => st?.currentHealthy === 2 && st.disruptionsAllowed === 1 && !st.disruptedPods);
    await evict('pdb-a', 'b');
    await pdbStatus('pdb-a', (st) => st?.currentHealthy === 1 && st.disruptionsAllowed === 0);

    const err = await evict('pdb-a', 'c').then(() => undefined, (e: unknown) => e as StatusError);
    assert.equal(err?.status.code, 429);
    assert.equal(err?.status.reason, 'TooManyRequests');
    assert.equal(err?.status.message, "Cannot evict pod as it would violate the pod's disruption budget.");
    assert.deepEqual(err?.status.details?.causes, [{ reason: 'DisruptionBudget', message: 'The disruption budget web needs 1 healthy pods and has 1 currently' }]);
    await client.resource('pods', 'pdb-a').get('c'); // still there

    const missing = await evict('pdb-a', 'nope').then(() => undefined, (e: unknown) => e as StatusError);
    assert.equal(missing?.status.code, 404);

    // An unready pod may go while the budget is met (IfHealthyBudget), without spending it.
    const d = (await client.resource('pods', 'pdb-a').create({ metadata: { name: 'd', labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } })) as Pod;
    await setReady('pdb-a', d, false);
    await evict('pdb-a', 'd');
    await waitFor('d deleted', () => client.resource('pods', 'pdb-a').get('d').then(() => false, (e: unknown) => isNotFound(e)));
    assert.equal(((await client.resource('poddisruptionbudgets.policy', 'pdb-a').get('web')) as PodDisruptionBudget).status?.disruptedPods?.d, undefined);
  });

  test('concurrent evictions cannot overspend the budget (compare-and-swap on its status)', async () => {
    await workload('pdb-d', 3, [{ name: 'a', ready: true }, { name: 'b', ready: true }, { name: 'c', ready: true }]);
    await client.resource('poddisruptionbudgets.policy', 'pdb-d').create({ metadata: { name: 'web' }, spec: { maxUnavailable: 1, selector: { matchLabels: { app: 'web' } } } });
    await pdbStatus('pdb-d', (st) => st?.currentHealthy === 3 && st.disruptionsAllowed === 1);
    const results = await Promise.allSettled(['a', 'b', 'c'].map((n) => evict('pdb-d', n)));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    for (const r of results) if (r.status === 'rejected') assert.equal((r.reason as StatusError).status.code, 429);
    assert.equal((await client.resource('pods', 'pdb-d').list()).items.length, 2);
  });

  test('kubectl drain is blocked by the budget and finishes once another replica is Ready', async () => {
    await client.resource('nodes').create({ metadata: { name: 'pdb-node' } });
    await workload('pdb-b', 2, [{ name: 'x', ready: true, node: 'pdb-node' }, { name: 'y', ready: false, node: 'other-node' }]);
    await client.resource('poddisruptionbudgets.policy', 'pdb-b').create({ metadata: { name: 'web' }, spec: { minAvailable: 1, selector: { matchLabels: { app: 'web' } } } });
    await pdbStatus('pdb-b', (st) => st?.expectedPods === 2 && st.currentHealthy === 1 && st.disruptionsAllowed === 0);

    const k = kubectlFor(api.config);
    const drain = k.start(['drain', 'pdb-node', '--grace-period=0', '--timeout=90s']);
    const exited = new Promise<number | null>((resolve) => drain.proc.on('close', resolve));
    await waitFor('drain retrying', () => drain.output().includes(`error when evicting pods/"x" -n "pdb-b" (will retry after 5s): Cannot evict pod as it would violate the pod's disruption budget.`), 30_000);
    await setReady('pdb-b', (await client.resource('pods', 'pdb-b').get('y')) as Pod, true);
    assert.equal(await exited, 0, drain.output());
    assert.match(drain.output(), /pod\/x evicted/);
    assert.match(drain.output(), /node\/pdb-node drained/);
    await client.resource('pods', 'pdb-b').get('y');
  });
  test('drain gives up at --timeout while the budget blocks it (kubectl and kc)', async () => {
    await client.resource('nodes').create({ metadata: { name: 'pdb-node2' } });
    await workload('pdb-c', 2, [{ name: 'x', ready: true, node: 'pdb-node2' }, { name: 'y', ready: false, node: 'other-node' }]);
    await client.resource('poddisruptionbudgets.policy', 'pdb-c').create({ metadata: { name: 'web' }, spec: { minAvailable: 1, selector: { matchLabels: { app: 'web' } } } });
    await pdbStatus('pdb-c', (st) => st?.expectedPods === 2 && st.disruptionsAllowed === 0);
    const p = kcPair(api.config);
    const args = ['drain', 'pdb-node2', '--grace-period=0', '--timeout=7s'];
    const kubectl = await p.kubectl.run(args);
    const kc = await p.kc(args);
    const retry = `error when evicting pods/"x" -n "pdb-c" (will retry after 5s): Cannot evict pod as it would violate the pod's disruption budget.`;
    const gaveUp = 'error when evicting pods/"x" -n "pdb-c": global timeout reached: 7s';
    assert.equal(kubectl.code, 1);
    assert.ok(kubectl.stderr.startsWith(`${retry}\n`), kubectl.stderr);
    assert.ok(kubectl.stderr.endsWith(`There are pending pods in node "pdb-node2" when an error occurred: ${gaveUp}\npod/x\nerror: unable to drain node "pdb-node2" due to error: ${gaveUp}, continuing command...\nThere are pending nodes to be drained:\n pdb-node2\n${gaveUp}\n`), kubectl.stderr);
    // kc says the same (the node is already cordoned by kubectl's run).
    assert.equal(kc.code, 1);
    assert.equal(kc.stderr, kubectl.stderr);
    assert.equal(kc.stdout, kubectl.stdout.replace('node/pdb-node2 cordoned', 'node/pdb-node2 already cordoned'));
    await client.resource('pods', 'pdb-c').get('x'); // never evicted
  });
});
