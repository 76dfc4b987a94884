// A DaemonSet through the real scheduler onto hollow nodes: one pod per eligible node (a
// NoSchedule taint keeps it off one until the template tolerates it), a template change rolls
// node by node and `kubectl rollout status daemonset` follows it, a nodeSelector moves pods
// off nodes that no longer match.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DaemonSet } from 'kubernetes-types/apps/v1';
import type { Pod } from 'kubernetes-types/core/v1';
import type { RestClient } from '../../client/index.js';
import { kubectlFor } from '../harness/kubectl.js';
import { waitFor } from '../harness/ports.js';
import { startHollowCluster, type HollowCluster } from './hollow-harness.js';

let cluster: HollowCluster;
let client: RestClient;

const sets = () => client.resource<DaemonSet>('daemonsets.apps', 'default');
const agents = async (): Promise<Pod[]> =>
  (await client.resource('pods', 'default').list({ labelSelector: 'app=agent' })).items.filter((p) => !p.metadata?.deletionTimestamp);
const running = (ps: Pod[]) => ps.filter((p) => p.status?.phase === 'Running');
const nodesOf = (ps: Pod[]) => ps.map((p) => p.spec?.nodeName ?? '').sort();

before(async () => {
  cluster = await startHollowCluster({
    nodes: 3,
    namePrefix: 'dsn-',
    controllers: ['daemonset'],
    before: (c) => c.resource('nodes').patch('dsn-2', 'strategic', { spec: { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] } }).then(() => undefined),
  });
  client = cluster.client;
});

after(async () => {
  await cluster?.stop();
});

test('one pod per node that tolerates it; a template change rolls out and kubectl rollout status follows', async () => {
  await sets().create({
    metadata: { name: 'agent' },
    spec: {
      selector: { matchLabels: { app: 'agent' } },
      template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'a', image: 'busybox:1.35', command: ['sleep', '3600'] }] } },
    },
  });
  await waitFor('2 daemon pods running', async () => {
    const ps = running(await agents());
    return ps.length === 2 && nodesOf(ps).join() === 'dsn-0,dsn-1';
  }, 20_000);
  const st = await waitFor('status counted', async () => {
    const d = await sets().get('agent');
    return d.status?.numberReady === 2 ? d.status : undefined;
  });
  assert.deepEqual([st.desiredNumberScheduled, st.currentNumberScheduled, st.numberMisscheduled, st.updatedNumberScheduled], [2, 2, 0, 2]);
  const k = kubectlFor(cluster.api.config);
  const first = await k.run(['rollout', 'status', 'daemonset/agent', '--timeout=30s'], undefined, 40_000);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /daemon set "agent" successfully rolled out/);

  // Tolerate the taint: a new revision, rolled node by node, and the tainted node gets one too.
  const oldHash = (await agents())[0]?.metadata?.labels?.['controller-revision-hash'];
  await sets().patch('agent', 'strategic', { spec: { template: { spec: { tolerations: [{ key: 'dedicated', operator: 'Exists', effect: 'NoSchedule' }] } } } });
  const rolled = await k.run(['rollout', 'status', 'daemonset/agent', '--timeout=60s'], undefined, 70_000);
  assert.equal(rolled.code, 0, rolled.stderr);
  const ps = await waitFor('3 new pods', async () => {
    const all = running(await agents());
    return all.length === 3 && all.every((p) => p.metadata?.labels?.['controller-revision-hash'] !== oldHash) ? all : undefined;
  }, 20_000);
  assert.deepEqual(nodesOf(ps), ['dsn-0', 'dsn-1', 'dsn-2']);
  assert.ok(ps.every((p) => p.spec?.tolerations?.some((t) => t.key === 'node.kubernetes.io/unreachable')), 'the daemon tolerations');
});

test('a nodeSelector keeps pods only on matching nodes', async () => {
  await client.resource('nodes').patch('dsn-1', 'strategic', { metadata: { labels: { role: 'edge' } } });
  await sets().patch('agent', 'strategic', { spec: { template: { spec: { nodeSelector: { role: 'edge' } } } } });
  await waitFor('only dsn-1 keeps a pod', async () => nodesOf(running(await agents())).join() === 'dsn-1' && (await agents()).length === 1, 20_000);
  const st = await waitFor('status', async () => {
    const d = await sets().get('agent');
    // As upstream, misplaced pods go first and the rolling update follows once those deletes are observed.
    return d.status?.desiredNumberScheduled === 1 && d.status.numberReady === 1 && d.status.updatedNumberScheduled === 1 ? d.status : undefined;
  }, 20_000);
  assert.equal(st.numberMisscheduled, 0);
  // Labelling another node brings the daemon there.
  await client.resource('nodes').patch('dsn-0', 'strategic', { metadata: { labels: { role: 'edge' } } });
  await waitFor('dsn-0 gets one again', async () => nodesOf(running(await agents())).join() === 'dsn-0,dsn-1', 20_000);
});
