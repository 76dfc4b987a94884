// Node-pressure eviction end to end: real kubelets on the real Docker, the node lifecycle
// controller tainting the nodes. Pressure is made with thresholds, never by exhausting the
// machine: one node's root dir is a private 64Mi tmpfs with `nodefs.available<50%`, so a pod
// writing 40Mi into its emptyDir puts that node (and only it) under disk pressure; the other
// node's `memory.available` threshold is the host's whole memory, so it is always met.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Event, Node, Pod } from 'kubernetes-types/core/v1';
import { pino } from 'pino';
import { startControllerManager, type ControllerManagerHandle } from '../../controller-manager/manager.js';
import { waitFor } from '../harness/ports.js';
import { BUSYBOX, isRunning, shPod, startKubeletEnv, type KubeletEnv } from './kubelet-harness.js';

const run = promisify(execFile);
const DISK_NODE = 'kt-evict-disk';
const MEM_NODE = 'kt-evict-mem';
const TRANSITION_MS = 10_000;

const nodeCondition = (n: Node, type: string): string | undefined => n.status?.conditions?.find((c) => c.type === type)?.status;
const hasTaint = (n: Node, key: string): boolean => (n.spec?.taints ?? []).some((t) => t.key === key && t.effect === 'NoSchedule');
const guaranteed = { requests: { cpu: '50m', memory: '32Mi' }, limits: { cpu: '50m', memory: '32Mi' } };

describe('node-pressure eviction', () => {
  let env: KubeletEnv;
  let cm: ControllerManagerHandle;

  const getNode = (name: string): Promise<Node> => env.client.resource('nodes').get(name);
  const waitNode = (name: string, what: string, check: (n: Node) => boolean, timeoutMs = 30_000): Promise<Node> =>
    waitFor(`${name}: ${what}`, async () => {
      const n = await getNode(name);
      return check(n) ? n : undefined;
    }, timeoutMs, 100);
  const events = async (pod: string): Promise<Event[]> =>
    (await env.client.resource('events', 'default').list()).items.filter((e: Event) => e.involvedObject?.name === pod);

  before(async () => {
    env = await startKubeletEnv();
    cm = await startControllerManager({
      config: env.api.config,
      controllers: ['node-lifecycle'],
      options: { 'node-monitor-period': '200ms' },
      logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    });
    const diskRoot = join(env.rootDir, DISK_NODE);
    await mkdir(diskRoot, { recursive: true });
    await run('mount', ['-t', 'tmpfs', '-o', 'size=64m', 'tmpfs', diskRoot]);
    const fast = { evictionPressureTransitionPeriodMs: TRANSITION_MS, evictionMonitoringIntervalMs: 500 };
    await env.startKubelet(DISK_NODE, { ...fast, rootDir: diskRoot, evictionHard: 'nodefs.available<50%' });
    const memTotalKi = /^MemTotal:\s+(\d+) kB/m.exec(await readFile('/proc/meminfo', 'utf8'))?.[1];
    await env.startKubelet(MEM_NODE, { ...fast, evictionHard: `memory.available<${memTotalKi}Ki` });
  });

  after(async () => {
    await cm?.stop();
    await env?.stop();
  });

  test('disk pressure: the BestEffort pod filling its emptyDir is evicted, the Guaranteed pod keeps running, new pods are refused until the pressure has passed', async () => {
    const steady = await env.createPod(DISK_NODE, shPod('steady', 'sleep 3600', { containers: [{ name: 'main', image: BUSYBOX, command: ['sh', '-c', 'sleep 3600'], resources: guaranteed }] }));
    await env.waitForPod('steady', 'running', isRunning, 60_000);
    let node = await getNode(DISK_NODE);
    assert.equal(nodeCondition(node, 'DiskPressure'), 'False');
    assert.equal(node.status?.conditions?.find((c) => c.type === 'DiskPressure')?.reason, 'KubeletHasNoDiskPressure');

    await env.createPod(
      DISK_NODE,
      shPod('filler', 'dd if=/dev/zero of=/data/fill bs=1M count=40 2>/dev/null; sleep 3600', {
        volumes: [{ name: 'data', emptyDir: {} }],
        containers: [{ name: 'main', image: BUSYBOX, command: ['sh', '-c', 'dd if=/dev/zero of=/data/fill bs=1M count=40 2>/dev/null; sleep 3600'], volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
      }),
    );
    const evicted = await env.waitForPod('filler', 'evicted', (p) => p.status?.phase === 'Failed', 60_000);
    assert.equal(evicted.status?.reason, 'Evicted');
    assert.match(evicted.status?.message ?? '', /^The node was low on resource: ephemeral-storage\. Threshold quantity: 32Mi, available: \d+(Ki)?\. $/);
    const target = evicted.status?.conditions?.find((c) => c.type === 'DisruptionTarget');
    assert.deepEqual([target?.status, target?.reason, target?.message], ['True', 'TerminationByKubelet', evicted.status?.message]);
    assert.ok((evicted.status?.containerStatuses ?? []).every((c) => c.state?.terminated), 'its containers were killed');

    // Still within the transition period: the node refuses every (non-critical) pod.
    await env.createPod(DISK_NODE, { metadata: { name: 'refused' }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'main', image: BUSYBOX, command: ['sleep', '3600'], resources: guaranteed }] } });
    const refused = await env.waitForPod('refused', 'rejected', (p) => p.status?.phase === 'Failed');
    assert.equal(refused.status?.reason, 'Evicted');
    assert.equal(refused.status?.message, 'The node had condition: [DiskPressure]. ');

    node = await waitNode(DISK_NODE, 'DiskPressure and its taint', (n) => nodeCondition(n, 'DiskPressure') === 'True' && hasTaint(n, 'node.kubernetes.io/disk-pressure'));
    assert.equal(node.status?.conditions?.find((c) => c.type === 'DiskPressure')?.reason, 'KubeletHasDiskPressure');
    assert.equal(node.status?.conditions?.find((c) => c.type === 'DiskPressure')?.message, 'kubelet has disk pressure');
    assert.equal(nodeCondition(node, 'MemoryPressure'), 'False');
    assert.equal(nodeCondition(node, 'PIDPressure'), 'False');

    // The evicted emptyDir freed the space: after the transition period the pressure is gone.
    node = await waitNode(DISK_NODE, 'no DiskPressure, no taint', (n) => nodeCondition(n, 'DiskPressure') === 'False' && !hasTaint(n, 'node.kubernetes.io/disk-pressure'), TRANSITION_MS + 30_000);
    assert.equal(node.status?.conditions?.find((c) => c.type === 'DiskPressure')?.reason, 'KubeletHasNoDiskPressure');
    const now = await env.getPod('steady');
    assert.ok(isRunning(now), 'the Guaranteed pod was not evicted');
    assert.equal(now.metadata?.uid, steady.metadata?.uid);
    assert.equal(now.status?.containerStatuses?.[0]?.restartCount, 0);

    const ev = await events('filler');
    assert.ok(ev.some((e) => e.reason === 'Evicted' && e.type === 'Warning' && e.message === evicted.status?.message), JSON.stringify(ev.map((e) => e.reason)));
    const nodeEvents = (await env.client.resource('events', 'default').list()).items.filter((e: Event) => e.involvedObject?.kind === 'Node' && e.involvedObject.name === DISK_NODE);
    assert.ok(nodeEvents.some((e: Event) => e.reason === 'EvictionThresholdMet' && e.message === 'Attempting to reclaim ephemeral-storage'));
    assert.ok(nodeEvents.some((e: Event) => e.reason === 'NodeHasDiskPressure' && e.message === `Node ${DISK_NODE} status is now: NodeHasDiskPressure`));
    assert.ok(nodeEvents.some((e: Event) => e.reason === 'NodeHasNoDiskPressure'));

    // Admitted again once the pressure is gone.
    await env.createPod(DISK_NODE, shPod('after', 'sleep 3600'));
    await env.waitForPod('after', 'running', isRunning, 60_000);
  });

  test('memory pressure: tainted, BestEffort pods refused, admitted pods evicted one by one, critical pods kept', async () => {
    const node = await waitNode(MEM_NODE, 'MemoryPressure and its taint', (n) => nodeCondition(n, 'MemoryPressure') === 'True' && hasTaint(n, 'node.kubernetes.io/memory-pressure'));
    const mp = node.status?.conditions?.find((c) => c.type === 'MemoryPressure');
    assert.deepEqual([mp?.reason, mp?.message], ['KubeletHasInsufficientMemory', 'kubelet has insufficient memory available']);
    assert.equal(nodeCondition(node, 'DiskPressure'), 'False');
    // Allocatable memory is capacity minus the hard threshold: nothing left.
    assert.equal(node.status?.allocatable?.memory, '0');

    await env.createPod(MEM_NODE, { metadata: { name: 'critical' }, spec: { priorityClassName: 'system-node-critical', terminationGracePeriodSeconds: 1, containers: [{ name: 'main', image: BUSYBOX, command: ['sleep', '3600'] }] } });
    await env.createPod(MEM_NODE, shPod('be-refused', 'sleep 3600'));
    const refused = await env.waitForPod('be-refused', 'rejected', (p) => p.status?.phase === 'Failed');
    assert.equal(refused.status?.reason, 'Evicted');
    assert.equal(refused.status?.message, 'The node had condition: [MemoryPressure]. ');
    // Events are recorded asynchronously: the pod's status can land first.
    await waitFor('the Evicted event of the refused pod', async () => (await events('be-refused')).some((e) => e.reason === 'Evicted' && e.message === 'The node had condition: [MemoryPressure]. ') || undefined, 15_000);

    // A BestEffort pod that tolerates the memory-pressure taint is admitted, and then evicted.
    await env.createPod(MEM_NODE, shPod('be-tolerant', 'sleep 3600', { tolerations: [{ key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' }] }));
    const be = await env.waitForPod('be-tolerant', 'evicted', (p) => p.status?.phase === 'Failed', 60_000);
    assert.equal(be.status?.reason, 'Evicted');
    assert.match(be.status?.message ?? '', /^The node was low on resource: memory\. Threshold quantity: \d+Ki, available: \d+(Ki)?\. (Container main was using \d+(Ki)?, request is 0, has larger consumption of memory\. )?$/);
    assert.equal(be.status?.conditions?.find((c) => c.type === 'DisruptionTarget')?.reason, 'TerminationByKubelet');

    // A Burstable pod is admitted under memory pressure (not BestEffort; a CPU request only,
    // as allocatable memory is 0 here), and evicted in turn.
    await env.createPod(MEM_NODE, { metadata: { name: 'burstable' }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'main', image: BUSYBOX, command: ['sleep', '3600'], resources: { requests: { cpu: '10m' } } }] } });
    const b = await env.waitForPod('burstable', 'evicted', (p) => p.status?.phase === 'Failed', 60_000);
    assert.match(b.status?.message ?? '', /^The node was low on resource: memory\. /);

    const critical = await env.waitForPod('critical', 'running', isRunning, 60_000);
    assert.equal(critical.spec?.priority, 2000001000);
    // Only the critical pod is left: a pass under pressure finds nothing it may evict.
    const kubelet = env.kubelets.get(MEM_NODE)!;
    assert.equal(await kubelet.evictionManager.synchronize(), undefined);
    assert.equal(await kubelet.evictionManager.synchronize(), undefined);
    const later = await env.getPod('critical');
    assert.ok(isRunning(later));
    assert.ok(!(await events('critical')).some((e) => e.reason === 'Evicted'));
  });
});
