// Two schedulers against one apiserver with leader election: exactly one holds the
// kube-system/kube-scheduler Lease and binds; when it stops (releasing the lease), the other
// takes over and binds new pods.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1';
import { pino } from 'pino';
import { RestClient } from '../../client/index.js';
import { startHollowNodes, type HollowNodesHandle } from '../../kubelet/hollow-node.js';
import { startScheduler, type SchedulerHandle } from '../../scheduler/scheduler.js';
import { startTestApiserver, type TestApiserver } from '../harness/apiserver.js';
import { waitFor } from '../harness/ports.js';

let api: TestApiserver;
let client: RestClient;
let nodes: HollowNodesHandle;
const schedulers: SchedulerHandle[] = [];
const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

before(async () => {
  api = await startTestApiserver();
  client = new RestClient({ ...api.config, qps: 0 });
  nodes = await startHollowNodes({ client, count: 2, namePrefix: 'le-', logger });
  await client.resource('namespaces').create({ metadata: { name: 'le' } });
});

after(async () => {
  await Promise.all(schedulers.map((s) => s.stop()));
  await nodes?.stop();
  await client?.close();
  await api?.stop();
});

const attempts = async (s: SchedulerHandle): Promise<number> => {
  const m = await s.registry.getSingleMetric('scheduler_schedule_attempts_total')?.get();
  return (m?.values ?? []).reduce((sum, v) => sum + v.value, 0);
};

const pod = (name: string): Pod => ({ metadata: { name, namespace: 'le' }, spec: { containers: [{ name: 'c', image: 'busybox:1.35' }] } });

test('exactly one of two schedulers binds; the other takes over when the leader stops', async () => {
  const le = { leaseDurationMs: 3000, renewDeadlineMs: 2000, retryPeriodMs: 500 };
  for (const id of ['sched-a', 'sched-b']) {
    schedulers.push(await startScheduler({ client, logger, leaderElect: true, leaderElection: { ...le, identity: id } }));
  }
  const leader = await waitFor('a leader', () => schedulers.find((s) => s.isLeader()), 15_000);
  const follower = schedulers.find((s) => s !== leader)!;
  const lease = await client.resource('leases.coordination.k8s.io', 'kube-system').get('kube-scheduler');
  assert.equal(lease.spec?.holderIdentity, leader.identity);

  const pods = client.resource('pods', 'le');
  await Promise.all(Array.from({ length: 5 }, (_, i) => pods.create(pod(`first-${i}`))));
  for (let i = 0; i < 5; i++) await waitFor(`first-${i} bound`, async () => (await pods.get(`first-${i}`)).spec?.nodeName);
  // The attempt is counted when the bind call returns, a moment after the pod shows its node.
  await waitFor('5 attempts by the leader', async () => (await attempts(leader)) === 5);
  assert.equal(await attempts(follower), 0);
  assert.equal(follower.isLeader(), false);

  await leader.stop();
  await waitFor('follower leads', () => follower.isLeader(), 15_000);
  await pods.create(pod('second'));
  await waitFor('second bound', async () => (await pods.get('second')).spec?.nodeName, 15_000);
  await waitFor('1 attempt by the new leader', async () => (await attempts(follower)) === 1);
  assert.equal(await attempts(follower), 1);
});
