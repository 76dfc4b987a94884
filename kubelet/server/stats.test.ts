// The Summary API from /proc text and runtime samples; CPU rates from consecutive samples.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSummary, cpuRate, parseMeminfo, parseProcStat, type CpuSample, type NodeSample } from './stats.js';
import { LABEL_CONTAINER_NAME, LABEL_POD_NAME, LABEL_POD_NAMESPACE, LABEL_POD_UID, type ContainerStats } from '../runtime/runtime.js';

test('node CPU and memory from /proc', () => {
  // user nice system idle iowait irq softirq steal: idle and iowait do not count.
  assert.equal(parseProcStat('cpu  100 10 50 9000 40 5 5 0 0 0\ncpu0 1 2 3 4\n'), 170 * 10_000_000);
  const mem = parseMeminfo('MemTotal:       2000 kB\nMemFree:         500 kB\nMemAvailable:   1500 kB\n');
  assert.deepEqual(mem, { workingSetBytes: 500 * 1024, usageBytes: 1500 * 1024, availableBytes: 1500 * 1024 });
});

test('usageNanoCores is the rate between two samples', () => {
  const a: CpuSample = { at: new Date(0), usageCoreNanoSeconds: 0 };
  const b: CpuSample = { at: new Date(2000), usageCoreNanoSeconds: 1e9 }; // 1 s of CPU in 2 s
  assert.equal(cpuRate(a, b), 500_000_000);
  assert.equal(cpuRate(undefined, b), undefined);
  assert.equal(cpuRate(b, b), undefined);
});

test('containers grouped per pod, sums per pod, rates from the previous scrape, gone containers forgotten', () => {
  const labels = (pod: string, c: string) => ({ [LABEL_POD_UID]: `uid-${pod}`, [LABEL_POD_NAME]: pod, [LABEL_POD_NAMESPACE]: 'default', [LABEL_CONTAINER_NAME]: c });
  const stat = (id: string, pod: string, c: string, t: number, cpu: number): ContainerStats => ({
    id,
    labels: labels(pod, c),
    timestamp: new Date(t),
    cpuUsageCoreNanoSeconds: cpu,
    memoryWorkingSetBytes: 100,
    memoryUsageBytes: 150,
  });
  const node = (t: number): NodeSample => ({ cpu: { at: new Date(t), usageCoreNanoSeconds: t * 1e6 }, memory: { workingSetBytes: 1, usageBytes: 2, availableBytes: 3 } });
  const prev = new Map<string, CpuSample>();
  const first = buildSummary('n1', node(1000), [stat('a', 'web', 'app', 1000, 1e9), stat('b', 'web', 'side', 1000, 2e9), stat('z', 'old', 'c', 1000, 1)], prev);
  assert.equal(first.node.nodeName, 'n1');
  assert.equal(first.pods.length, 2);
  const web1 = first.pods.find((p) => p.podRef.name === 'web')!;
  assert.deepEqual(web1.podRef, { name: 'web', namespace: 'default', uid: 'uid-web' });
  assert.deepEqual(web1.containers.map((c) => c.name), ['app', 'side']);
  assert.equal(web1.cpu.usageCoreNanoSeconds, 3e9);
  assert.equal(web1.cpu.usageNanoCores, undefined);
  assert.equal(web1.memory.workingSetBytes, 200);

  const second = buildSummary('n1', node(2000), [stat('a', 'web', 'app', 2000, 1.5e9), stat('b', 'web', 'side', 2000, 2e9)], prev);
  const web2 = second.pods.find((p) => p.podRef.name === 'web')!;
  assert.equal(web2.containers[0]!.cpu.usageNanoCores, 500_000_000);
  assert.equal(web2.containers[1]!.cpu.usageNanoCores, 0);
  assert.equal(web2.cpu.usageNanoCores, 500_000_000);
  assert.equal(second.node.cpu.usageNanoCores, 1e9);
  assert.equal(prev.has('z'), false);
});
