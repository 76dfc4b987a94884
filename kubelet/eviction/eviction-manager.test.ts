import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import type { EventRecorder } from '../../client/index.js';
import { parseThresholdConfig } from './config.js';
import { EvictionManager, type EvictionStatus } from './eviction-manager.js';
import type { SignalObservations } from './helpers.js';
import type { PodUsage } from './rank.js';

const Mi = 1024 ** 2;

function setup(evictionHard: string, pods: Pod[]) {
  let available = 1000 * Mi;
  let now = 0;
  const events: string[] = [];
  const evicted: { name: string; grace: number; status: EvictionStatus }[] = [];
  const active = new Map(pods.map((p) => [p.metadata!.uid!, p]));
  const registry = new Registry();
  const m = new EvictionManager({
    thresholds: parseThresholdConfig({ evictionHard }),
    pressureTransitionPeriodMs: 10_000,
    monitoringIntervalMs: 1_000,
    maxPodGracePeriodSeconds: 0,
    stats: {
      observe: async (): Promise<SignalObservations> => ({ 'memory.available': { available, capacity: 2000 * Mi } }),
      podUsage: async (ps) => new Map<string, PodUsage>(ps.map((p) => [p.metadata!.uid!, { memoryWorkingSetBytes: 5 * Mi, containers: [{ name: 'main', memoryWorkingSetBytes: 5 * Mi }], volumeBytes: {} }])),
      hasDedicatedImageFs: async () => false,
    },
    activePods: () => [...active.values()],
    evictPod: async (pod, grace, status) => {
      evicted.push({ name: pod.metadata!.name!, grace, status });
      active.delete(pod.metadata!.uid!);
    },
    recorder: { event: (_o: unknown, type: string, reason: string, msg: string) => events.push(`${type} ${reason} ${msg}`) } as unknown as EventRecorder,
    nodeRef: { kind: 'Node', name: 'n1' },
    log: pino({ level: 'silent' }),
    registry,
    now: () => now,
  });
  return {
    m,
    events,
    evicted,
    registry,
    set: (a: number) => (available = a),
    at: (t: number) => (now = t),
  };
}

const be = (name: string): Pod => ({ metadata: { name, namespace: 'default', uid: name }, spec: { containers: [{ name: 'main', image: 'x' }] } });
const guaranteed = (name: string): Pod => ({
  metadata: { name, namespace: 'default', uid: name },
  spec: { containers: [{ name: 'main', image: 'x', resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '100m', memory: '64Mi' } } }] },
});
const critical = (name: string): Pod => ({ ...be(name), spec: { ...be(name).spec!, priority: 2000001000 } });

test('under memory pressure: one pod per pass, BestEffort first, Failed/Evicted with the message and a DisruptionTarget condition', async () => {
  const s = setup('memory.available<100Mi', [guaranteed('g'), be('be')]);
  assert.equal(await s.m.synchronize(), undefined);
  assert.deepEqual(s.m.nodeConditions(), []);
  s.set(50 * Mi);
  const first = await s.m.synchronize();
  assert.equal(first?.metadata?.name, 'be');
  assert.deepEqual(s.m.nodeConditions(), ['MemoryPressure']);
  assert.equal(s.m.isUnderMemoryPressure(), true);
  const e = s.evicted[0];
  assert.equal(e.grace, 1, 'a hard threshold gives 1 s');
  assert.equal(e.status.reason, 'Evicted');
  assert.equal(e.status.message, 'The node was low on resource: memory. Threshold quantity: 100Mi, available: 50Mi. Container main was using 5Mi, request is 0, has larger consumption of memory. ');
  assert.deepEqual(
    e.status.conditions.map((c) => [c.type, c.status, c.reason, c.message]),
    [['DisruptionTarget', 'True', 'TerminationByKubelet', e.status.message]],
  );
  assert.ok(s.events.includes('Warning EvictionThresholdMet Attempting to reclaim memory'));
  assert.ok(s.events.includes('Normal NodeHasInsufficientMemory Node n1 status is now: NodeHasInsufficientMemory'));
  assert.ok(s.events.includes(`Warning Evicted ${e.status.message}`));
  assert.equal(s.m.admit(be('new')).admit, false);
  assert.equal(s.m.admit(guaranteed('new')).admit, true);
  // Relieved: no more evictions; the condition holds for the transition period.
  s.set(500 * Mi);
  s.at(1000);
  assert.equal(await s.m.synchronize(), undefined);
  assert.equal(s.evicted.length, 1);
  assert.deepEqual(s.m.nodeConditions(), ['MemoryPressure']);
  s.at(10_000);
  await s.m.synchronize();
  assert.deepEqual(s.m.nodeConditions(), []);
  assert.equal(s.m.admit(be('new')).admit, true);
  assert.ok(s.events.includes('Normal NodeHasSufficientMemory Node n1 status is now: NodeHasSufficientMemory'));
  assert.match(await s.registry.metrics(), /kubelet_evictions\{eviction_signal="memory.available"\} 1/);
});

test('critical pods are never evicted', async () => {
  const s = setup('memory.available<100Mi', [critical('c')]);
  s.set(10 * Mi);
  assert.equal(await s.m.synchronize(), undefined);
  assert.equal(s.evicted.length, 0);
  assert.equal(s.m.admit(critical('c2')).admit, true);
});

test('no thresholds: nothing observed, never pressure', async () => {
  const s = setup('', [be('a')]);
  s.set(1);
  assert.equal(await s.m.synchronize(), undefined);
  assert.deepEqual(s.m.nodeConditions(), []);
});
