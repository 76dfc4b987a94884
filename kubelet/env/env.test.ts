import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Container, Pod } from 'kubernetes-types/core/v1';
import { ContainerConfigError, expand, expandCommand, makeEnvironment, referencedObjects, type EnvSources } from './env.js';

const pod: Pod = {
  metadata: { name: 'web', namespace: 'prod', uid: 'u-1', labels: { b: '2', a: '1' }, annotations: { note: 'x' } },
  spec: { nodeName: 'n1', serviceAccountName: 'robot', containers: [] },
};

const sources: EnvSources = {
  configMap: (ns, name) => (ns === 'prod' && name === 'cm' ? { data: { color: 'blue', 'bad key': 'x', size: 'L' } } : undefined),
  secret: (ns, name) => (ns === 'prod' && name === 's' ? { data: { token: Buffer.from('t0k').toString('base64') } } : undefined),
  podIP: '10.0.0.7',
  hostIP: '192.0.2.2',
  nodeName: 'n1',
  nodeAllocatable: { cpuMilli: 2000, memoryBytes: 4 * 1024 ** 3, ephemeralStorageBytes: 10 * 1024 ** 3 },
};

test('$(VAR) expansion: known names replaced, $$ escapes, unknown and unclosed kept', () => {
  const vars: Record<string, string> = { A: 'x', B: 'y' };
  const look = (n: string) => vars[n];
  assert.equal(expand('$(A)-$(B)', look), 'x-y');
  assert.equal(expand('$$(A)', look), '$(A)');
  assert.equal(expand('$(NOPE)', look), '$(NOPE)');
  assert.equal(expand('$(A', look), '$(A');
  assert.equal(expand('cost $5 $', look), 'cost $5 $');
});

test('envFrom first, then env in order with expansion against what is defined so far', () => {
  const c: Container = {
    name: 'c',
    envFrom: [{ prefix: 'CM_', configMapRef: { name: 'cm' } }, { secretRef: { name: 's' } }],
    env: [
      { name: 'FIRST', value: '$(CM_color)/$(LATER)' },
      { name: 'LATER', value: 'late' },
      { name: 'CM_size', value: 'XL' },
      { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      { name: 'LBL', valueFrom: { fieldRef: { fieldPath: "metadata.labels['a']" } } },
      { name: 'LABELS', valueFrom: { fieldRef: { fieldPath: 'metadata.labels' } } },
      { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
      { name: 'HOST', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
      { name: 'SA', valueFrom: { fieldRef: { fieldPath: 'spec.serviceAccountName' } } },
      { name: 'CPU', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } },
      { name: 'MEM', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
      { name: 'EMPTY' },
    ],
    resources: { limits: { memory: '100Mi' } },
  };
  const env = Object.fromEntries(makeEnvironment(pod, c, sources).map((e) => [e.key, e.value]));
  assert.equal(env.CM_color, 'blue');
  assert.equal(env['CM_bad key'], undefined, 'invalid names from envFrom are skipped');
  assert.equal(env.token, 't0k');
  assert.equal(env.FIRST, 'blue/$(LATER)', 'a later variable is not visible yet');
  assert.equal(env.CM_size, 'XL', 'env overrides envFrom');
  assert.deepEqual([env.POD, env.NS, env.LBL, env.IP, env.HOST, env.SA], ['web', 'prod', '1', '10.0.0.7', '192.0.2.2', 'robot']);
  assert.equal(env.LABELS, 'a="1"\nb="2"');
  assert.equal(env.CPU, '2', 'no cpu limit: node allocatable');
  assert.equal(env.MEM, '100');
  assert.equal(env.EMPTY, '');
});

test('missing objects and keys are CreateContainerConfigError unless optional', () => {
  const cm = (key: string, optional?: boolean): Container => ({ name: 'c', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cm', key, optional } } }] });
  assert.throws(() => makeEnvironment(pod, cm('nope'), sources), (e: unknown) => e instanceof ContainerConfigError && /couldn't find key nope in ConfigMap prod\/cm/.test(e.message));
  assert.deepEqual(makeEnvironment(pod, cm('nope', true), sources), []);
  const missing: Container = { name: 'c', envFrom: [{ secretRef: { name: 'other' } }] };
  assert.throws(() => makeEnvironment(pod, missing, sources), /secret "other" not found/);
  assert.deepEqual(makeEnvironment(pod, { name: 'c', envFrom: [{ secretRef: { name: 'other', optional: true } }] }, sources), []);
});

test('command and args expand against the environment', () => {
  const c: Container = { name: 'c', command: ['echo', '$(A)'], args: ['$(B)', '$$(A)'] };
  assert.deepEqual(expandCommand(c, [{ key: 'A', value: '1' }, { key: 'B', value: '2' }]), { command: ['echo', '1'], args: ['2', '$(A)'] });
});

test('referenced ConfigMaps and Secrets cover env, envFrom and volumes', () => {
  const p: Pod = {
    spec: {
      containers: [{ name: 'c', envFrom: [{ configMapRef: { name: 'a' } }], env: [{ name: 'x', valueFrom: { secretKeyRef: { name: 's1', key: 'k' } } }] }],
      initContainers: [{ name: 'i', env: [{ name: 'y', valueFrom: { configMapKeyRef: { name: 'b', key: 'k' } } }] }],
      volumes: [{ name: 'v', projected: { sources: [{ configMap: { name: 'c' } }, { secret: { name: 's2' } }] } }, { name: 'w', secret: { secretName: 's3' } }],
    },
  };
  const refs = referencedObjects(p);
  assert.deepEqual([...refs.configMaps].sort(), ['a', 'b', 'c']);
  assert.deepEqual([...refs.secrets].sort(), ['s1', 's2', 's3']);
});
