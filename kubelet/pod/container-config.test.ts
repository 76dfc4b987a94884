import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1';
import { buildContainerConfig, linuxResources, securityContext } from './container-config.js';

test('resources: shares from requests, CFS quota from limits, memory limit in bytes', () => {
  assert.deepEqual(linuxResources({ name: 'c', resources: { requests: { cpu: '250m' }, limits: { cpu: '1500m', memory: '128Mi' } } }), {
    cpuShares: 256,
    cpuPeriod: 100000,
    cpuQuota: 150000,
    memoryLimitInBytes: 128 * 1024 * 1024,
  });
  assert.deepEqual(linuxResources({ name: 'c' }), { cpuShares: 2 });
});

test('the container security context wins over the pod one', () => {
  const pod: Pod = { spec: { securityContext: { runAsUser: 1000, runAsGroup: 3000 }, containers: [] } };
  assert.deepEqual(securityContext(pod, { name: 'c', securityContext: { runAsUser: 2000, readOnlyRootFilesystem: true, privileged: true } }), {
    runAsUser: 2000,
    runAsGroup: 3000,
    privileged: true,
    readonlyRootfs: true,
  });
});

test('command/args expanded with the env; attempt and hash labels set', () => {
  const pod: Pod = { metadata: { name: 'p' }, spec: { containers: [] } };
  const c = buildContainerConfig({
    pod,
    container: { name: 'c', image: 'busybox:1.35', command: ['echo', '$(MSG)'], args: ['$(NOPE)'], workingDir: '/w', tty: true },
    kind: 'app',
    attempt: 4,
    env: [{ key: 'MSG', value: 'hi' }],
    mounts: [],
  });
  assert.deepEqual(c.command, ['echo', 'hi']);
  assert.deepEqual(c.args, ['$(NOPE)']);
  assert.equal(c.metadata.attempt, 4);
  assert.equal(c.workingDir, '/w');
  assert.equal(c.tty, true);
  assert.match(c.labels?.['io.kubernetes.container.hash'] ?? '', /^[0-9a-f]{16}$/);
});
