// Hollow nodes against a real apiserver: Ready nodes with capacity and leases; pods bound to
// them become Running with an IP; deleting such a pod finishes at once.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { RestClient } from '../client/index.js';
import { startTestApiserver, type TestApiserver } from '../test/harness/apiserver.js';
import { waitFor } from '../test/harness/ports.js';
import { hollowPodIP, startHollowNodes } from './hollow-node.js';

let api: TestApiserver;
let client: RestClient;

before(async () => {
  api = await startTestApiserver();
  client = new RestClient({ ...api.config, qps: 0 });
});

after(async () => {
  await client?.close();
  await api?.stop();
});

test('hollow nodes register Ready with leases, run bound pods, finish deletions, and clean up', async () => {
  const h = await startHollowNodes({ client, count: 3, namePrefix: 'h-', zones: 2, capacity: { cpu: '2', pods: '20' }, leaseDurationSeconds: 4, deleteNodesOnStop: true });
  try {
    const nodes = (await client.resource('nodes').list()).items;
    assert.deepEqual(nodes.map((n) => n.metadata?.name).sort(), ['h-0', 'h-1', 'h-2']);
    const n1 = nodes.find((n) => n.metadata?.name === 'h-1')!;
    assert.equal(n1.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
    assert.equal(n1.status?.allocatable?.cpu, '2');
    assert.equal(n1.metadata?.labels?.['topology.kubernetes.io/zone'], 'zone-1');
    const lease = await client.resource('leases.coordination.k8s.io', 'kube-node-lease').get('h-1');
    assert.equal(lease.spec?.holderIdentity, 'h-1');
    const firstRenew = lease.spec?.renewTime;
    await waitFor('lease renewed', async () => (await client.resource('leases.coordination.k8s.io', 'kube-node-lease').get('h-1')).spec?.renewTime !== firstRenew, 10_000);

    const pods = client.resource('pods', 'default');
    await pods.create({ metadata: { name: 'p' }, spec: { nodeName: 'h-1', containers: [{ name: 'c', image: 'busybox:1.35' }] } });
    const running = await waitFor('pod Running', async () => {
      const p = await pods.get('p');
      return p.status?.phase === 'Running' ? p : undefined;
    });
    assert.equal(running.status?.podIP, hollowPodIP(1, 0));
    assert.equal(running.status?.containerStatuses?.[0]?.ready, true);
    // Graceful deletion waits for the kubelet; the hollow one finishes it at once.
    await pods.delete('p');
    await waitFor('pod gone', async () => (await pods.list()).items.length === 0);
    assert.equal(h.runningPods(), 1);
  } finally {
    await h.stop();
  }
  assert.deepEqual((await client.resource('nodes').list()).items, []);
});
