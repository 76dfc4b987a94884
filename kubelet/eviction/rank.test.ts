import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1';
import { parseThresholdConfig } from './config.js';
import { admitUnderPressure, isCriticalPod } from './admission.js';
import { evictionMessage, rankPods, type PodUsage } from './rank.js';

const Mi = 1024 ** 2;
function pod(name: string, o: { req?: string; lim?: string; priority?: number; disk?: string; annotations?: Record<string, string> } = {}): Pod {
  const requests: Record<string, string> = {};
  const limits: Record<string, string> = {};
  if (o.req) requests.memory = o.req;
  if (o.lim) {
    limits.memory = o.lim;
    limits.cpu = '100m';
    requests.cpu = '100m';
  }
  if (o.disk) requests['ephemeral-storage'] = o.disk;
  return {
    metadata: { name, namespace: 'default', uid: name, ...(o.annotations ? { annotations: o.annotations } : {}) },
    spec: { ...(o.priority !== undefined ? { priority: o.priority } : {}), containers: [{ name: 'main', image: 'x', resources: { requests, limits } }] },
  };
}
const usage = (mem: number, extra: Partial<PodUsage> = {}): PodUsage => ({ memoryWorkingSetBytes: mem, containers: [{ name: 'main', memoryWorkingSetBytes: mem }], volumeBytes: {}, ...extra });

test('memory: pods over their request first, then lower priority, then the most over request', () => {
  const be = pod('best-effort');
  const g = pod('guaranteed', { req: '64Mi', lim: '64Mi' });
  const burstHigh = pod('burst-high', { req: '10Mi', priority: 1000 });
  const burstBig = pod('burst-big', { req: '10Mi' });
  const stats = new Map<string, PodUsage>([
    ['best-effort', usage(2 * Mi)],
    ['guaranteed', usage(30 * Mi)],
    ['burst-high', usage(500 * Mi)],
    ['burst-big', usage(100 * Mi)],
  ]);
  const ranked = rankPods('memory.available', [g, burstHigh, be, burstBig], (p) => stats.get(p.metadata!.uid!), false);
  assert.deepEqual(ranked.map((p) => p.metadata?.name), ['burst-big', 'best-effort', 'burst-high', 'guaranteed']);
});

test('a pod without stats is evicted first', () => {
  const ranked = rankPods('memory.available', [pod('a'), pod('b')], (p) => (p.metadata?.name === 'a' ? usage(Mi) : undefined), false);
  assert.deepEqual(ranked.map((p) => p.metadata?.name), ['b', 'a']);
});

test('disk: local volumes count on nodefs; with a dedicated imagefs, writable layers only on imagefs', () => {
  const vol = pod('vol');
  const layer = pod('layer', { disk: '1Gi' });
  const stats = new Map<string, PodUsage>([
    ['vol', usage(0, { volumeBytes: { data: 40 * Mi } })],
    ['layer', usage(0, { containers: [{ name: 'main', rootfsBytes: 500 * Mi, logsBytes: 0 }] })],
  ]);
  const s = (p: Pod): PodUsage | undefined => stats.get(p.metadata!.uid!);
  assert.deepEqual(rankPods('nodefs.available', [layer, vol], s, true).map((p) => p.metadata?.name), ['vol', 'layer']);
  assert.deepEqual(rankPods('imagefs.available', [vol, layer], s, true).map((p) => p.metadata?.name), ['vol', 'layer'], 'layer is within its 1Gi request');
  const noReq = pod('layer');
  assert.deepEqual(rankPods('imagefs.available', [vol, noReq], s, true).map((p) => p.metadata?.name), ['layer', 'vol']);
});

test('the eviction message, as upstream words it', () => {
  const t = parseThresholdConfig({ evictionHard: 'memory.available<100Mi' });
  const observations = { 'memory.available': { available: 50 * Mi + 4096, capacity: 1024 * Mi } };
  const be = pod('be');
  const msg = evictionMessage('memory', be, () => usage(1234567), t, observations);
  assert.equal(msg, 'The node was low on resource: memory. Threshold quantity: 100Mi, available: 51204Ki. Container main was using 1234567, request is 0, has larger consumption of memory. ');
  const g = pod('g', { req: '64Mi', lim: '64Mi' });
  assert.equal(evictionMessage('memory', g, () => usage(Mi), t, observations), 'The node was low on resource: memory. Threshold quantity: 100Mi, available: 51204Ki. ');
  const disk = parseThresholdConfig({ evictionHard: 'nodefs.available<50%' });
  const m2 = evictionMessage('ephemeral-storage', pod('d'), () => undefined, disk, { 'nodefs.available': { available: 10 * Mi, capacity: 64 * Mi } });
  assert.equal(m2, 'The node was low on resource: ephemeral-storage. Threshold quantity: 32Mi, available: 10Mi. ');
});

test('critical pods: static, mirror, system priority', () => {
  assert.equal(isCriticalPod(pod('a')), false);
  assert.equal(isCriticalPod(pod('a', { priority: 2000001000 })), true);
  assert.equal(isCriticalPod(pod('a', { priority: 2000000000 })), true);
  assert.equal(isCriticalPod(pod('a', { priority: 1999999999 })), false);
  assert.equal(isCriticalPod(pod('a', { annotations: { 'kubernetes.io/config.source': 'file' } })), true);
  assert.equal(isCriticalPod(pod('a', { annotations: { 'kubernetes.io/config.source': 'api' } })), false);
  assert.equal(isCriticalPod(pod('a', { annotations: { 'kubernetes.io/config.mirror': 'x' } })), true);
});

test('admission under pressure', () => {
  const be = pod('be');
  const burst = pod('b', { req: '1Mi' });
  assert.deepEqual(admitUnderPressure(be, []), { admit: true });
  assert.deepEqual(admitUnderPressure(be, ['MemoryPressure']), { admit: false, reason: 'Evicted', message: 'The node had condition: [MemoryPressure]. ' });
  assert.equal(admitUnderPressure(burst, ['MemoryPressure']).admit, true);
  const tolerant: Pod = { ...be, spec: { ...be.spec!, tolerations: [{ key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' }] } };
  assert.equal(admitUnderPressure(tolerant, ['MemoryPressure']).admit, true);
  assert.deepEqual(admitUnderPressure(burst, ['MemoryPressure', 'DiskPressure']), { admit: false, reason: 'Evicted', message: 'The node had condition: [MemoryPressure DiskPressure]. ' });
  assert.equal(admitUnderPressure(tolerant, ['DiskPressure']).admit, false);
  assert.equal(admitUnderPressure(pod('c', { priority: 2000001000 }), ['DiskPressure']).admit, true);
});
