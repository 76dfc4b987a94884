import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, readlink, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1';
import { volumePayload, VolumeSetupError, type Payload, type VolumeObjects } from './sources.js';
import { writeAtomically } from './atomic-writer.js';

const pod: Pod = { metadata: { name: 'p', namespace: 'ns', labels: { app: 'x' } }, spec: { containers: [{ name: 'c', resources: { limits: { cpu: '250m' } } }] } };
const objs: VolumeObjects = {
  configMap: (ns, n) => (n === 'cm' ? { data: { a: 'A', b: 'B' }, binaryData: { bin: Buffer.from([1, 2]).toString('base64') } } : undefined),
  secret: (ns, n) => (n === 's' ? { data: { pw: Buffer.from('secret').toString('base64') } } : undefined),
  podIP: '10.0.0.1',
  nodeName: 'n',
  nodeAllocatable: { cpuMilli: 2000, memoryBytes: 1 << 30, ephemeralStorageBytes: 1 << 30 },
};
const text = (p: Payload | null, k: string) => p?.get(k)?.data.toString('utf8');

test('configMap: every key, or only items with their paths and modes', async () => {
  const all = await volumePayload(pod, { name: 'v', configMap: { name: 'cm' } }, objs);
  assert.deepEqual([...(all?.keys() ?? [])].sort(), ['a', 'b', 'bin']);
  assert.equal(all?.get('a')?.mode, 0o644);
  const items = await volumePayload(pod, { name: 'v', configMap: { name: 'cm', defaultMode: 0o600, items: [{ key: 'b', path: 'dir/b.txt', mode: 0o400 }, { key: 'a', path: 'a' }] } }, objs);
  assert.deepEqual([...(items?.keys() ?? [])], ['dir/b.txt', 'a']);
  assert.equal(items?.get('dir/b.txt')?.mode, 0o400);
  assert.equal(items?.get('a')?.mode, 0o600);
  await assert.rejects(volumePayload(pod, { name: 'v', configMap: { name: 'cm', items: [{ key: 'zz', path: 'z' }] } }, objs), VolumeSetupError);
  await assert.rejects(volumePayload(pod, { name: 'v', configMap: { name: 'nope' } }, objs), /configmap "nope" not found/);
  assert.equal((await volumePayload(pod, { name: 'v', configMap: { name: 'nope', optional: true } }, objs))?.size, 0);
});

test('secret, downwardAPI and projected volumes', async () => {
  assert.equal(text(await volumePayload(pod, { name: 'v', secret: { secretName: 's' } }, objs), 'pw'), 'secret');
  const d = await volumePayload(pod, { name: 'v', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }, { path: 'cpu', resourceFieldRef: { containerName: 'c', resource: 'limits.cpu', divisor: '1m' } }] } }, objs);
  assert.equal(text(d, 'labels'), 'app="x"');
  assert.equal(text(d, 'cpu'), '250');
  const p = await volumePayload(pod, { name: 'v', projected: { sources: [{ configMap: { name: 'cm', items: [{ key: 'a', path: 'cfg/a' }] } }, { secret: { name: 's' } }, { downwardAPI: { items: [{ path: 'ns', fieldRef: { fieldPath: 'metadata.namespace' } }] } }] } }, objs);
  assert.deepEqual([...(p?.keys() ?? [])], ['cfg/a', 'pw', 'ns']);
});

test('the atomic writer swaps ..data and only rewrites on change', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tskube-aw-'));
  try {
    const payload = (v: string): Payload => new Map([['a', { data: Buffer.from(v), mode: 0o640 }], ['sub/b', { data: Buffer.from('b'), mode: 0o644 }]]);
    assert.equal(await writeAtomically(dir, payload('1')), true);
    const first = await readlink(join(dir, '..data'));
    assert.equal(await readlink(join(dir, 'a')), '..data/a');
    assert.equal(await readFile(join(dir, 'a'), 'utf8'), '1');
    assert.equal((await stat(join(dir, 'a'))).mode & 0o777, 0o640);
    assert.equal(await readFile(join(dir, 'sub/b'), 'utf8'), 'b');
    assert.equal(await writeAtomically(dir, payload('1')), false, 'unchanged: nothing written');
    assert.equal(await writeAtomically(dir, new Map([['a', { data: Buffer.from('2'), mode: 0o640 }]])), true);
    assert.notEqual(await readlink(join(dir, '..data')), first);
    assert.equal(await readFile(join(dir, 'a'), 'utf8'), '2');
    const names = (await readdir(dir)).sort();
    assert.deepEqual(names.filter((n) => !n.startsWith('..2')), ['..data', 'a'], 'sub link removed');
    assert.equal(names.filter((n) => n.startsWith('..2')).length, 1, 'old timestamped dir removed');
    await assert.rejects(writeAtomically(dir, new Map([['../x', { data: Buffer.from(''), mode: 0o644 }]])));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

/** The volume the ServiceAccount admission plugin adds (Kubernetes' kube-api-access-xxxxx). */
const kubeApiAccess = {
  name: 'kube-api-access-x7k2p',
  projected: {
    defaultMode: 0o644,
    sources: [
      { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
      { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
      { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
    ],
  },
};

test('kube-api-access: token, CA bundle and namespace; no token means no payload', async () => {
  const withCA: VolumeObjects = { ...objs, configMap: (ns, n) => (ns === 'ns' && n === 'kube-root-ca.crt' ? { data: { 'ca.crt': 'PEM' } } : undefined) };
  const asked: string[] = [];
  const p = await volumePayload(pod, kubeApiAccess, withCA, async (forPod, src) => {
    asked.push(`${forPod.metadata?.name}:${src.expirationSeconds}:${src.audience ?? ''}`);
    return 'jwt-1';
  });
  assert.deepEqual(asked, ['p:3607:']);
  assert.deepEqual([...(p?.keys() ?? [])], ['token', 'ca.crt', 'namespace']);
  assert.equal(text(p, 'token'), 'jwt-1');
  assert.equal(text(p, 'ca.crt'), 'PEM');
  assert.equal(text(p, 'namespace'), 'ns');
  await assert.rejects(
    volumePayload(pod, kubeApiAccess, withCA, async () => {
      throw new Error('failed to fetch token: serviceaccounts "default" not found');
    }),
    (e: unknown) => e instanceof VolumeSetupError && /failed to fetch token: serviceaccounts "default" not found/.test(e.message),
  );
  await assert.rejects(volumePayload(pod, kubeApiAccess, withCA, async () => ''), (e: unknown) => e instanceof VolumeSetupError && /token is empty/.test(e.message));
  await assert.rejects(volumePayload(pod, kubeApiAccess, withCA), VolumeSetupError, 'no token source: the volume cannot be set up');
  // Until the root CA ConfigMap is published, the volume waits like any missing configMap.
  await assert.rejects(volumePayload(pod, kubeApiAccess, objs, async () => 'jwt'), /configmap "kube-root-ca.crt" not found/);
});
