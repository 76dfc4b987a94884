import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HostFacts } from './host.js';
import { parseMeminfo } from './host.js';
import { buildNodeStatus, nodeStatusChanged, type NodeStatusInput } from './node-status.js';

const facts: HostFacts = {
  hostname: 'vm',
  cpus: 2,
  memTotalBytes: 4 * 1024 ** 3,
  memAvailableBytes: 3 * 1024 ** 3,
  fsTotalBytes: 100 * 1024 ** 3,
  fsAvailableBytes: 50 * 1024 ** 3,
  pidMax: 4_000_000,
  pids: 300,
  kernelVersion: '6.1.0',
  osImage: 'Debian GNU/Linux 12 (bookworm)',
  architecture: 'amd64',
  machineID: 'm',
  systemUUID: 'u',
  bootID: 'b',
};
const input = (extra: Partial<NodeStatusInput> = {}): NodeStatusInput => ({
  nodeName: 'n1',
  nodeIP: '192.0.2.2',
  facts,
  maxPods: 110,
  kubeletPort: 10250,
  runtimeVersion: 'docker://20.10.24',
  notReadyReason: '',
  now: new Date('2025-01-01T00:00:00Z'),
  ...extra,
});
const cond = (s: ReturnType<typeof buildNodeStatus>, t: string) => s.conditions?.find((c) => c.type === t);

test('capacity and allocatable (minus the hard eviction thresholds), addresses, nodeInfo', () => {
  const s = buildNodeStatus(input());
  assert.deepEqual(s.capacity, { cpu: '2', memory: '4194304Ki', pods: '110', 'ephemeral-storage': '104857600Ki' });
  assert.equal(s.allocatable?.memory, '4091904Ki');
  // 10% is a float32 upstream: 100Gi × float32(0.1) is 10737418400, not 10Gi.
  assert.equal(s.allocatable?.['ephemeral-storage'], '96636764000');
  assert.deepEqual(s.addresses, [{ type: 'InternalIP', address: '192.0.2.2' }, { type: 'Hostname', address: 'n1' }]);
  assert.equal(s.daemonEndpoints?.kubeletEndpoint?.Port, 10250);
  assert.equal(s.nodeInfo?.containerRuntimeVersion, 'docker://20.10.24');
  assert.equal(s.nodeInfo?.architecture, 'amd64');
});

test('pressure conditions come from the eviction manager; transition times only move on a flip', () => {
  const ok = buildNodeStatus(input());
  assert.deepEqual(ok.conditions?.map((c) => [c.type, c.status, c.reason]), [
    ['MemoryPressure', 'False', 'KubeletHasSufficientMemory'],
    ['DiskPressure', 'False', 'KubeletHasNoDiskPressure'],
    ['PIDPressure', 'False', 'KubeletHasSufficientPID'],
    ['Ready', 'True', 'KubeletReady'],
  ]);
  const later = new Date('2025-01-01T00:01:00Z');
  const pressured = buildNodeStatus(input({ pressure: ['MemoryPressure', 'DiskPressure'], notReadyReason: 'container runtime is down', now: later, old: ok }));
  assert.equal(cond(pressured, 'MemoryPressure')?.status, 'True');
  assert.equal(cond(pressured, 'DiskPressure')?.status, 'True');
  assert.equal(cond(pressured, 'Ready')?.message, 'container runtime is down');
  assert.equal(cond(pressured, 'Ready')?.lastTransitionTime, '2025-01-01T00:01:00Z');
  assert.equal(cond(pressured, 'PIDPressure')?.lastTransitionTime, '2025-01-01T00:00:00Z');
  assert.equal(cond(pressured, 'PIDPressure')?.lastHeartbeatTime, '2025-01-01T00:01:00Z');
  assert.equal(nodeStatusChanged(ok, pressured), true);
  assert.equal(nodeStatusChanged(ok, buildNodeStatus(input({ now: later, old: ok }))), false, 'heartbeat times alone are no change');
});

test('/proc/meminfo parsing', () => {
  assert.deepEqual(parseMeminfo('MemTotal:       24684236 kB\nMemFree:        1 kB\nMemAvailable:   24214512 kB\n'), { total: 24684236 * 1024, available: 24214512 * 1024 });
});
