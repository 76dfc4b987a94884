import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1';
import { admitPod, podRequests } from './admission.js';

const alloc = { pods: 3, cpuMilli: 2000, memoryBytes: 1 << 30 };
const pod = (name: string, spec: Partial<NonNullable<Pod['spec']>> = {}): Pod => ({ metadata: { name }, spec: { containers: [{ name: 'c' }], ...spec } });
const withPort = (name: string, hostPort: number, hostIP?: string) => pod(name, { containers: [{ name: 'c', ports: [{ containerPort: 80, hostPort, ...(hostIP ? { hostIP } : {}) }] }] });
const withCpu = (name: string, cpu: string) => pod(name, { containers: [{ name: 'c', resources: { requests: { cpu } } }] });

test('admits what fits; rejects over max-pods with OutOfpods', () => {
  assert.deepEqual(admitPod(pod('a'), [], alloc), { admit: true });
  const r = admitPod(pod('d'), [pod('a'), pod('b'), pod('c')], alloc);
  assert.equal(r.reason, 'OutOfpods');
  assert.match(r.message ?? '', /used: 3, capacity: 3/);
});

test('host port conflicts are rejected (NodePorts); different IPs or protocols do not conflict', () => {
  assert.equal(admitPod(withPort('b', 8080), [withPort('a', 8080)], alloc).reason, 'NodePorts');
  assert.equal(admitPod(withPort('b', 8080, '127.0.0.1'), [withPort('a', 8080)], alloc).reason, 'NodePorts', '0.0.0.0 covers every IP');
  assert.equal(admitPod(withPort('b', 8080, '127.0.0.2'), [withPort('a', 8080, '127.0.0.1')], alloc).admit, true);
  assert.equal(admitPod(withPort('b', 8081), [withPort('a', 8080)], alloc).admit, true);
});

test('requests against allocatable; init containers count by their maximum', () => {
  assert.equal(admitPod(withCpu('b', '1500m'), [withCpu('a', '1')], alloc).reason, 'OutOfcpu');
  assert.equal(admitPod(withCpu('b', '1'), [withCpu('a', '1')], alloc).admit, true);
  const p = pod('x', { containers: [{ name: 'a', resources: { requests: { cpu: '100m', memory: '10Mi' } } }, { name: 'b', resources: { requests: { cpu: '100m' } } }], initContainers: [{ name: 'i', resources: { requests: { cpu: '500m' } } }] });
  assert.deepEqual(podRequests(p), { cpuMilli: 500, memoryBytes: 10 * 1024 * 1024 });
});

test('volume types this kubelet cannot set up are rejected', () => {
  const r = admitPod(pod('n', { volumes: [{ name: 'v', nfs: { server: 's', path: '/' } }] }), [], alloc);
  assert.equal(r.reason, 'UnsupportedVolume');
  assert.equal(admitPod(pod('ok', { volumes: [{ name: 'v', emptyDir: {} }, { name: 'w', persistentVolumeClaim: { claimName: 'c' } }] }), [], alloc).admit, true);
});
