// The scheduler against a real apiserver + etcd, with hollow nodes standing in for kubelets.
// Every test registers its own nodes and deletes them at the end, so node counts in
// messages are exact; pods live in one namespace per test.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Event, Pod, Taint } from 'kubernetes-types/core/v1';
import { RestClient } from '../../client/index.js';
import { startHollowNodes, type HollowNodesHandle, type HollowNodesOptions } from '../../kubelet/hollow-node.js';
import { startScheduler, type SchedulerHandle } from '../../scheduler/scheduler.js';
import { startTestApiserver, type TestApiserver } from '../harness/apiserver.js';
import { waitFor } from '../harness/ports.js';
import { pino } from 'pino';

let api: TestApiserver;
let client: RestClient;
let scheduler: SchedulerHandle;
const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

before(async () => {
  api = await startTestApiserver();
  client = new RestClient({ ...api.config, qps: 0 });
  scheduler = await startScheduler({ client, logger });
});

after(async () => {
  await scheduler?.stop();
  await client?.close();
  await api?.stop();
});

async function namespace(name: string): Promise<void> {
  await client.resource('namespaces').create({ metadata: { name } });
}

async function nodes(opts: Omit<HollowNodesOptions, 'client'>): Promise<HollowNodesHandle> {
  const h = await startHollowNodes({ client, deleteNodesOnStop: true, logger, ...opts });
  // The scheduler must see them before pods are created, or the first attempt may find fewer nodes.
  await waitFor('scheduler sees nodes', () => {
    const known = new Set(scheduler.nodeNames());
    return h.nodeNames.every((n) => known.has(n));
  }, 10_000);
  return h;
}

function pod(ns: string, name: string, spec: Partial<NonNullable<Pod['spec']>> = {}, cpu = '100m', meta: Partial<NonNullable<Pod['metadata']>> = {}): Pod {
  return {
    metadata: { name, namespace: ns, ...meta },
    spec: { containers: [{ name: 'c', image: 'busybox:1.35', resources: { requests: { cpu } } }], ...spec },
  };
}

const pods = (ns: string) => client.resource('pods', ns);

async function boundNode(ns: string, name: string): Promise<string> {
  return waitFor(`${ns}/${name} bound`, async () => (await pods(ns).get(name)).spec?.nodeName, 15_000);
}

async function events(ns: string, name: string, reason: string): Promise<Event[]> {
  const list = await client.resource('events', ns).list({ fieldSelector: `involvedObject.name=${name},reason=${reason}` });
  return list.items;
}

describe('scheduler', () => {
  test('spreads the pods of one owner evenly, binds with a Scheduled event, hollow nodes run them', async () => {
    await namespace('spread');
    const n = await nodes({ count: 3, namePrefix: 'spread-' });
    try {
      const owner = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'f5e3c1a2-0000-4000-8000-000000000001', controller: true };
      await Promise.all(Array.from({ length: 9 }, (_, i) => pods('spread').create(pod('spread', `web-${i}`, {}, '100m', { ownerReferences: [owner], labels: { app: 'web' } }))));
      const placed = await Promise.all(Array.from({ length: 9 }, (_, i) => boundNode('spread', `web-${i}`)));
      const perNode = new Map<string, number>();
      for (const node of placed) perNode.set(node, (perNode.get(node) ?? 0) + 1);
      assert.deepEqual([...perNode.values()], [3, 3, 3]);
      const ev = await waitFor('Scheduled event', async () => (await events('spread', 'web-0', 'Scheduled'))[0]);
      assert.equal(ev.type, 'Normal');
      assert.equal(ev.message, `Successfully assigned spread/web-0 to ${placed[0]}`);
      assert.equal(ev.source?.component, 'default-scheduler');
      const running = await waitFor('pod Running', async () => {
        const p = await pods('spread').get('web-0');
        return p.status?.phase === 'Running' ? p : undefined;
      });
      assert.match(running.status?.podIP ?? '', /^100\.\d+\.\d+\.\d+$/);
      assert.equal(running.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
    } finally {
      await n.stop();
    }
  });

  test('a pod no node fits is Unschedulable with the k8s message and event, then lands on a bigger node added later', async () => {
    await namespace('big');
    const controlPlaneTaint: Taint = { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' };
    const small = await nodes({ count: 2, namePrefix: 'small-', capacity: { cpu: '2' } });
    const cp = await nodes({ count: 1, namePrefix: 'cp-', capacity: { cpu: '2' }, taints: [controlPlaneTaint] });
    let bigNode: HollowNodesHandle | undefined;
    try {
      await pods('big').create(pod('big', 'huge', {}, '3'));
      const expected =
        '0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. ' +
        'preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.';
      const cond = await waitFor('PodScheduled=False', async () => (await pods('big').get('huge')).status?.conditions?.find((c) => c.type === 'PodScheduled'));
      assert.equal(cond.status, 'False');
      assert.equal(cond.reason, 'Unschedulable');
      assert.equal(cond.message, expected);
      const ev = await waitFor('FailedScheduling event', async () => (await events('big', 'huge', 'FailedScheduling'))[0]);
      assert.equal(ev.type, 'Warning');
      assert.equal(ev.message, expected);

      bigNode = await nodes({ count: 1, namePrefix: 'big-', capacity: { cpu: '8' } });
      assert.equal(await boundNode('big', 'huge'), 'big-0');
    } finally {
      await Promise.all([small.stop(), cp.stop(), bigNode?.stop()]);
    }
  });

  test('a cordoned node takes no new pods', async () => {
    await namespace('cordon');
    const n = await nodes({ count: 2, namePrefix: 'cordon-' });
    try {
      await client.resource('nodes').patch('cordon-0', 'merge', { spec: { unschedulable: true } });
      // A probe pinned to the cordoned node proves the scheduler has seen the cordon.
      await pods('cordon').create(pod('cordon', 'probe', { nodeSelector: { 'kubernetes.io/hostname': 'cordon-0' } }));
      const probe = await waitFor('probe unschedulable', async () => (await pods('cordon').get('probe')).status?.conditions?.find((c) => c.type === 'PodScheduled'));
      assert.equal(
        probe.message,
        "0/2 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) were unschedulable. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.",
      );
      await pods('cordon').delete('probe');
      await Promise.all(Array.from({ length: 6 }, (_, i) => pods('cordon').create(pod('cordon', `p-${i}`))));
      for (let i = 0; i < 6; i++) assert.equal(await boundNode('cordon', `p-${i}`), 'cordon-1');
      // A pod tolerating the unschedulable taint (as DaemonSet pods do) may still go there.
      await pods('cordon').create(
        pod('cordon', 'ds', { nodeSelector: { 'kubernetes.io/hostname': 'cordon-0' }, tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] }),
      );
      assert.equal(await boundNode('cordon', 'ds'), 'cordon-0');
    } finally {
      await n.stop();
    }
  });

  test('taints keep out pods without a matching toleration', async () => {
    await namespace('taint');
    const gpu = await nodes({ count: 1, namePrefix: 'gpu-', taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }], labels: { dedicated: 'gpu' } });
    const plain = await nodes({ count: 1, namePrefix: 'plain-' });
    try {
      await Promise.all(Array.from({ length: 4 }, (_, i) => pods('taint').create(pod('taint', `p-${i}`))));
      for (let i = 0; i < 4; i++) assert.equal(await boundNode('taint', `p-${i}`), 'plain-0');
      await pods('taint').create(
        pod('taint', 'tolerant', { nodeSelector: { dedicated: 'gpu' }, tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }] }),
      );
      assert.equal(await boundNode('taint', 'tolerant'), 'gpu-0');
      await pods('taint').create(pod('taint', 'intolerant', { nodeSelector: { dedicated: 'gpu' } }));
      const cond = await waitFor('intolerant unschedulable', async () => (await pods('taint').get('intolerant')).status?.conditions?.find((c) => c.type === 'PodScheduled'));
      assert.equal(
        cond.message,
        "0/2 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) had untolerated taint {dedicated: gpu}. " +
          'preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.',
      );
    } finally {
      await Promise.all([gpu.stop(), plain.stop()]);
    }
  });

  test('nodeSelector and node affinity (In, NotIn, Gt, preferred)', async () => {
    await namespace('affinity');
    const ssd = await nodes({ count: 1, namePrefix: 'ssd-', labels: { disk: 'ssd', generation: '3' } });
    const hdd = await nodes({ count: 1, namePrefix: 'hdd-', labels: { disk: 'hdd', generation: '5' } });
    try {
      await pods('affinity').create(pod('affinity', 'selector', { nodeSelector: { disk: 'ssd' } }));
      const required = (operator: string, key: string, values: string[]) => ({
        nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key, operator, values }] }] } },
      });
      await pods('affinity').create(pod('affinity', 'notin', { affinity: required('NotIn', 'disk', ['ssd']) }));
      await pods('affinity').create(pod('affinity', 'gt', { affinity: required('Gt', 'generation', ['4']) }));
      await pods('affinity').create(
        pod('affinity', 'preferred', {
          affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, preference: { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] } }] } },
        }),
      );
      assert.equal(await boundNode('affinity', 'selector'), 'ssd-0');
      assert.equal(await boundNode('affinity', 'notin'), 'hdd-0');
      assert.equal(await boundNode('affinity', 'gt'), 'hdd-0');
      assert.equal(await boundNode('affinity', 'preferred'), 'ssd-0');
    } finally {
      await Promise.all([ssd.stop(), hdd.stop()]);
    }
  });

  test('hostPort conflicts: two pods per port per node; the third waits until one goes away', async () => {
    await namespace('ports');
    const n = await nodes({ count: 2, namePrefix: 'ports-' });
    try {
      const withPort = (name: string) =>
        pod('ports', name, { containers: [{ name: 'c', image: 'busybox:1.35', ports: [{ containerPort: 80, hostPort: 8080 }] }] });
      await pods('ports').create(withPort('a'));
      await pods('ports').create(withPort('b'));
      const [a, b] = [await boundNode('ports', 'a'), await boundNode('ports', 'b')];
      assert.notEqual(a, b);
      await pods('ports').create(withPort('c'));
      const cond = await waitFor('c unschedulable', async () => (await pods('ports').get('c')).status?.conditions?.find((x) => x.type === 'PodScheduled'));
      assert.equal(
        cond.message,
        "0/2 nodes are available: 2 node(s) didn't have free ports for the requested pod ports. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.",
      );
      await pods('ports').delete('a');
      assert.equal(await boundNode('ports', 'c'), a);
    } finally {
      await n.stop();
    }
  });

  test('pods for another scheduler are left alone', async () => {
    await namespace('other');
    const n = await nodes({ count: 1, namePrefix: 'other-' });
    try {
      await pods('other').create(pod('other', 'mine-not', { schedulerName: 'my-scheduler' }));
      await pods('other').create(pod('other', 'mine'));
      await boundNode('other', 'mine');
      // The default scheduler has seen and bound a pod created after it; the other one was never touched.
      const p = await pods('other').get('mine-not');
      assert.equal(p.spec?.nodeName, undefined);
      assert.equal(p.status?.conditions?.find((c) => c.type === 'PodScheduled'), undefined);
      assert.deepEqual(await events('other', 'mine-not', 'FailedScheduling'), []);
    } finally {
      await n.stop();
    }
  });
});
