// Tables from Kubernetes' replica_calculator_test.go (TestReplicaCalcResourceScale and the
// missing-metrics cases): 2 containers per pod, each container requesting the pod's request and
// using the pod's level; the zero time is the epoch, a "hot" pod started now (inside the
// 2-minute CPU initialization period the upstream tests use) and a "cool" one 3 minutes ago.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1';
import { podMetricsInfo, type PodMetrics } from './metrics-client.js';
import { calculatePodRequests, groupPods, rawResourceReplicas, resourceReplicas, type CalculatorConfig } from './replica-calculator.js';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const HOT = new Date(NOW).toISOString();
const COOL = new Date(NOW - 3 * 60_000).toISOString();
const ZERO = new Date(0).toISOString();
const cfg: CalculatorConfig = { tolerance: 0.1, cpuInitializationPeriodMs: 2 * 60_000, delayOfInitialReadinessStatusMs: 10_000 };

interface Fixture {
  currentReplicas: number;
  /** One per pod (its count, failed/deleted pods included). */
  requests: string[];
  /** Per pod: one level for both containers, or [container1, container2]. Fewer than pods = missing metrics. */
  levels: (number | number[])[];
  readiness?: ('True' | 'False')[];
  phase?: string[];
  startTime?: string[];
  deleted?: boolean[];
  container?: string;
  resource?: string;
}

function pods(f: Fixture): Pod[] {
  const resource = f.resource ?? 'cpu';
  return f.requests.map((req, i) => ({
    metadata: { name: `test-pod-${i}`, namespace: 'ns', labels: { name: 'test-pod' }, ...(f.deleted?.[i] ? { deletionTimestamp: HOT } : {}) },
    spec: { containers: ['container1', 'container2'].map((name) => ({ name, resources: { requests: { [resource]: req } } })) },
    status: { phase: f.phase?.[i] ?? 'Running', startTime: f.startTime?.[i] ?? ZERO, conditions: [{ type: 'Ready', status: f.readiness?.[i] ?? 'True' }] },
  }));
}

function metricItems(f: Fixture): PodMetrics[] {
  const resource = f.resource ?? 'cpu';
  return f.levels.map((l, i) => ({
    metadata: { name: `test-pod-${i}`, namespace: 'ns' },
    timestamp: ZERO,
    window: '1m',
    containers: (Array.isArray(l) ? l : [l, l]).map((v, j) => ({ name: `container${j + 1}`, usage: { [resource]: `${v}m` } })),
  }));
}

function calc(f: Fixture, target: number): { replicas: number; utilization: number; rawUtilization: number } {
  const input = { currentReplicas: f.currentReplicas, resource: f.resource ?? 'cpu', container: f.container ?? '', pods: pods(f), metrics: podMetricsInfo(metricItems(f), f.resource ?? 'cpu', f.container ?? ''), now: NOW };
  return resourceReplicas(input, target, cfg);
}

const n = (count: number, v: string): string[] => Array.from({ length: count }, () => v);

const UTILIZATION_CASES: { name: string; f: Fixture; target: number; want: [number, number, number] }[] = [
  { name: 'scale up', f: { currentReplicas: 3, requests: n(3, '1.0'), levels: [300, 500, 700] }, target: 30, want: [5, 50, 1000] },
  { name: 'scale up: container metric', f: { currentReplicas: 3, requests: n(3, '1.0'), levels: [[1000, 300], [1000, 500], [1000, 700]], container: 'container2' }, target: 30, want: [5, 50, 500] },
  { name: 'scale up: unready pod scales less', f: { currentReplicas: 3, requests: n(3, '1.0'), levels: [300, 500, 700], readiness: ['False', 'True', 'True'] }, target: 30, want: [4, 60, 1200] },
  { name: 'scale up: hot-CPU pod scales less', f: { currentReplicas: 3, requests: n(3, '1.0'), levels: [300, 500, 700], startTime: [HOT, COOL, COOL] }, target: 30, want: [4, 60, 1200] },
  { name: 'no scale: unready pods ignored', f: { currentReplicas: 3, requests: n(3, '1.0'), levels: [400, 500, 700], readiness: ['True', 'False', 'False'] }, target: 30, want: [3, 40, 800] },
  {
    name: 'no scale: hot-CPU pods ignored',
    f: { currentReplicas: 3, requests: n(3, '1.0'), levels: [400, 500, 700], readiness: ['True', 'False', 'False'], startTime: [COOL, HOT, HOT] },
    target: 30,
    want: [3, 40, 800],
  },
  {
    name: 'scale up: failed pods ignored',
    f: { currentReplicas: 2, requests: n(4, '1.0'), levels: [500, 700], readiness: ['True', 'True', 'False', 'False'], phase: ['Running', 'Running', 'Failed', 'Failed'] },
    target: 30,
    want: [4, 60, 1200],
  },
  {
    name: 'scale up: pods being deleted are ignored',
    f: { currentReplicas: 2, requests: n(4, '1.0'), levels: [500, 700], readiness: ['True', 'True', 'False', 'False'], deleted: [false, false, true, true] },
    target: 30,
    want: [4, 60, 1200],
  },
  { name: 'scale down', f: { currentReplicas: 5, requests: n(5, '1.0'), levels: [100, 300, 500, 250, 250] }, target: 50, want: [3, 28, 560] },
  {
    name: 'scale down: container metric',
    f: { currentReplicas: 5, requests: n(5, '1.0'), levels: [[1000, 100], [1000, 300], [1000, 500], [1000, 250], [1000, 250]], container: 'container2' },
    target: 50,
    want: [3, 28, 280],
  },
  {
    name: 'scale down: exclude unready pods',
    f: { currentReplicas: 5, requests: n(5, '1.0'), levels: [100, 300, 500, 250, 250], readiness: ['True', 'True', 'True', 'False', 'False'] },
    target: 50,
    want: [2, 30, 600],
  },
  {
    name: 'scale down: exclude unscheduled pods',
    f: { currentReplicas: 5, requests: n(5, '1.0'), levels: [100], readiness: ['True', 'False', 'False', 'False', 'False'], phase: ['Running', 'Pending', 'Pending', 'Pending', 'Pending'] },
    target: 50,
    want: [1, 10, 200],
  },
  {
    name: 'scale down: ignore hot-CPU pods',
    f: { currentReplicas: 5, requests: n(5, '1.0'), levels: [100, 300, 500, 250, 250], startTime: [COOL, COOL, COOL, HOT, HOT] },
    target: 50,
    want: [2, 30, 600],
  },
  {
    name: 'scale down: failed pods ignored',
    f: {
      currentReplicas: 5,
      requests: n(7, '1.0'),
      levels: [100, 300, 500, 250, 250],
      readiness: ['True', 'True', 'True', 'True', 'True', 'False', 'False'],
      phase: ['Running', 'Running', 'Running', 'Running', 'Running', 'Failed', 'Failed'],
    },
    target: 50,
    want: [3, 28, 560],
  },
  // Tolerance: 102% of a 100% target is within 10%.
  { name: 'no scale: within tolerance', f: { currentReplicas: 3, requests: ['0.9', '1.0', '1.1'], levels: [1010, 1030, 1020] }, target: 100, want: [3, 102, 2040] },
  // Missing metrics: with the ratio at exactly 1 they change nothing.
  { name: 'missing metrics: no change at ratio 1', f: { currentReplicas: 2, requests: n(2, '1.0'), levels: [1000] }, target: 100, want: [2, 100, 2000] },
  // Scale-up: the missing pods count as 0%: (4 + 0 + 0) / 6 → 66% of 50% → ceil(1.32 × 3) = 4.
  { name: 'missing metrics: scale up counts them as 0%', f: { currentReplicas: 3, requests: n(3, '1.0'), levels: [2000] }, target: 50, want: [4, 200, 4000] },
  // Scale-down: missing pods count as 100%: (0.2 + 2 + 2) / 6 = 70% of 100% → ceil(0.7 × 3) = 3 → no change.
  { name: 'missing metrics: scale down counts them as 100%', f: { currentReplicas: 3, requests: n(3, '1.0'), levels: [100] }, target: 100, want: [3, 10, 200] },
  // …but a scale-down still happens when the rest is low enough: (0.2 × 3 + 2) / 8 → 32% of 100% → ceil(0.32 × 4) = 2.
  { name: 'missing metrics: scale down', f: { currentReplicas: 4, requests: n(4, '1.0'), levels: [100, 100, 100] }, target: 100, want: [2, 10, 200] },
];

for (const c of UTILIZATION_CASES) {
  test(`GetResourceReplicas: ${c.name}`, () => {
    const r = calc(c.f, c.target);
    assert.deepEqual([r.replicas, r.utilization, r.rawUtilization], c.want);
  });
}

test('GetResourceReplicas: errors', () => {
  assert.throws(() => calc({ currentReplicas: 0, requests: [], levels: [] }, 50), /no pods returned by selector while calculating replica count/);
  assert.throws(
    () => calc({ currentReplicas: 2, requests: n(2, '1.0'), levels: [500, 500], phase: ['Pending', 'Pending'] }, 50),
    /did not receive metrics for targeted pods \(pods might be unready\)/,
  );
  const noRequests = pods({ currentReplicas: 1, requests: ['1'], levels: [100] });
  delete noRequests[0]!.spec!.containers[1]!.resources;
  const input = { currentReplicas: 1, resource: 'cpu', container: '', pods: noRequests, metrics: podMetricsInfo(metricItems({ currentReplicas: 1, requests: ['1'], levels: [100] }), 'cpu', ''), now: NOW };
  assert.throws(() => resourceReplicas(input, 50, cfg), /missing request for cpu in container container2 of Pod test-pod-0/);
});

test('GetResourceReplicas: memory, large values stay exact', () => {
  const f: Fixture = { currentReplicas: 2, resource: 'memory', requests: n(2, '64Gi'), levels: [68719476736000, 68719476736000] };
  // Each container uses exactly its 64Gi request: 100% of a 50% target → 4.
  assert.deepEqual(calc(f, 50), { replicas: 4, utilization: 100, rawUtilization: 137438953472000 });
});

test('GetRawResourceReplicas (AverageValue)', () => {
  const f: Fixture = { currentReplicas: 3, requests: n(3, '1.0'), levels: [300, 500, 700] };
  const input = { currentReplicas: 3, resource: 'cpu', container: '', pods: pods(f), metrics: podMetricsInfo(metricItems(f), 'cpu', ''), now: NOW };
  // Average 1000m per pod against 500m → 6; against 950m → within tolerance.
  assert.deepEqual(rawResourceReplicas(input, 500, cfg), { replicas: 6, usage: 1000 });
  assert.deepEqual(rawResourceReplicas(input, 950, cfg), { replicas: 3, usage: 1000 });
  // Missing metrics on scale-down count as the target.
  const missing: Fixture = { currentReplicas: 3, requests: n(3, '1.0'), levels: [100, 100] };
  const mInput = { ...input, pods: pods(missing), metrics: podMetricsInfo(metricItems(missing), 'cpu', '') };
  // (200 + 200 + 1000) / 3 = 466 of 1000 → ceil(0.466 × 3) = 2.
  assert.deepEqual(rawResourceReplicas(mInput, 1000, cfg), { replicas: 2, usage: 200 });
});

test('groupPods: deleted and failed pods are ignored, pending pods unready, no metric missing', () => {
  const f: Fixture = {
    currentReplicas: 4,
    requests: n(4, '1'),
    levels: [100, 100, 100],
    phase: ['Running', 'Failed', 'Pending', 'Running'],
    deleted: [true, false, false, false],
  };
  const g = groupPods(pods(f), podMetricsInfo(metricItems(f), 'cpu', ''), 'cpu', cfg, NOW);
  assert.deepEqual(
    { ready: g.readyPodCount, unready: [...g.unreadyPods], missing: [...g.missingPods], ignored: [...g.ignoredPods].sort() },
    { ready: 0, unready: ['test-pod-2'], missing: ['test-pod-3'], ignored: ['test-pod-0', 'test-pod-1'] },
  );
});

test('groupPods: a CPU sample taken before one window passed since readiness is skipped, but not for memory', () => {
  const pod = pods({ currentReplicas: 1, requests: ['1'], levels: [1], startTime: [new Date(NOW - 60_000).toISOString()] })[0]!;
  pod.status!.conditions![0]!.lastTransitionTime = new Date(NOW - 30_000).toISOString();
  const sample = (ts: number): Map<string, { timestamp: number; windowMs: number; value: number }> => new Map([['test-pod-0', { timestamp: ts, windowMs: 15_000, value: 1 }]]);
  assert.equal(groupPods([pod], sample(NOW - 20_000), 'cpu', cfg, NOW).readyPodCount, 0);
  assert.equal(groupPods([pod], sample(NOW - 10_000), 'cpu', cfg, NOW).readyPodCount, 1);
  assert.equal(groupPods([pod], sample(NOW - 20_000), 'memory', cfg, NOW).readyPodCount, 1);
});

test('calculatePodRequests: restartable init containers count, a container filter picks one', () => {
  const pod: Pod = {
    metadata: { name: 'p' },
    spec: {
      initContainers: [
        { name: 'sidecar', restartPolicy: 'Always', resources: { requests: { cpu: '100m' } } },
        { name: 'init', resources: {} },
      ],
      containers: [
        { name: 'a', resources: { requests: { cpu: '250m' } } },
        { name: 'b', resources: { requests: { cpu: '1' } } },
      ],
    },
  };
  assert.equal(calculatePodRequests([pod], '', 'cpu').get('p'), 1350);
  assert.equal(calculatePodRequests([pod], 'b', 'cpu').get('p'), 1000);
});

test('podMetricsInfo: a pod missing the resource in one container has no metric', () => {
  const items: PodMetrics[] = [
    { metadata: { name: 'a' }, timestamp: ZERO, window: '15s', containers: [{ name: 'c', usage: { cpu: '5m', memory: '1Mi' } }] },
    { metadata: { name: 'b' }, timestamp: ZERO, window: '15s', containers: [{ name: 'c', usage: { memory: '1Mi' } }] },
    { metadata: { name: 'c' }, timestamp: ZERO, window: '15s', containers: [] },
  ];
  const m = podMetricsInfo(items, 'cpu', '');
  assert.deepEqual([...m.keys()], ['a']);
  assert.deepEqual(m.get('a'), { timestamp: 0, windowMs: 15_000, value: 5 });
  assert.equal(podMetricsInfo(items, 'memory', '').get('b')?.value, 1048576000);
});
