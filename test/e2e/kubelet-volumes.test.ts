// persistentVolumeClaim volumes on a real kubelet and Docker: a claim bound (by the test, as the
// PV controller would) to a local PV under a temp dir on this node; a pod writes through it, is
// deleted, and a new pod on the same node reads the file back. A pod whose claim is not Bound
// waits with FailedMount; one whose local PV belongs to another node never mounts it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Event } from 'kubernetes-types/core/v1';
import { waitFor } from '../harness/ports.js';
import { bindClaimToNewPV } from '../harness/volumes.js';
import { execIn, isRunning, shPod, startKubeletEnv, type KubeletEnv } from './kubelet-harness.js';

const NODE = 'kt-volumes';
let env: KubeletEnv;
let dataDir: string;

before(async () => {
  env = await startKubeletEnv();
  await env.startKubelet(NODE);
  dataDir = join(env.rootDir, 'local-pv');
  await mkdir(dataDir);
  // The pod's user is root here, but another image's user should be able to write too.
  await chmod(dataDir, 0o777);
});
after(async () => env?.stop());

const claims = () => env.client.resource('persistentvolumeclaims', 'default');
const claimVolume = (claimName: string, readOnly = false) => ({ volumes: [{ name: 'data', persistentVolumeClaim: { claimName, readOnly } }] });
const mountAt = (mountPath: string) => [{ name: 'data', mountPath }];

async function failedMount(pod: string, re: RegExp): Promise<Event> {
  return waitFor(`FailedMount for ${pod}`, async () => {
    const list = await env.client.resource<Event>('events', 'default').list({ fieldSelector: `involvedObject.name=${pod},reason=FailedMount` });
    return list.items.find((e) => re.test(e.message ?? ''));
  }, 30_000);
}

test('data written through a claim on a local PV outlives the pod; a new pod on the node reads it', async () => {
  await claims().create({ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: '' } });
  await bindClaimToNewPV(env.client, { namespace: 'default', claim: 'data', pv: 'pv-kt-volumes', node: NODE, path: dataDir });

  const writer = shPod('writer', 'echo kept-across-pods > /data/file; sleep 3600', claimVolume('data'));
  writer.spec!.containers[0]!.volumeMounts = mountAt('/data');
  await env.createPod(NODE, writer);
  const w = await env.waitForPod('writer', 'running', isRunning);
  await waitFor('file written', async () => (await execIn(env.runtimeFor(NODE), w, 'main', ['cat', '/data/file'])).out.trim() === 'kept-across-pods');
  await env.client.resource('pods', 'default').delete('writer');
  await waitFor('writer gone', async () => !(await env.client.resource('pods', 'default').list()).items.some((p) => p.metadata?.name === 'writer'), 30_000);

  const reader = shPod('reader', 'sleep 3600', claimVolume('data', true));
  reader.spec!.containers[0]!.volumeMounts = mountAt('/data');
  await env.createPod(NODE, reader);
  const r = await env.waitForPod('reader', 'running', isRunning);
  assert.equal((await execIn(env.runtimeFor(NODE), r, 'main', ['cat', '/data/file'])).out.trim(), 'kept-across-pods');
  // readOnly on the volume source: the bind mount is read-only.
  assert.notEqual((await execIn(env.runtimeFor(NODE), r, 'main', ['touch', '/data/other'])).code, 0);
});

test('an unbound claim: FailedMount and the pod waits; once bound, it starts', async () => {
  await claims().create({ metadata: { name: 'later' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: '' } });
  const p = shPod('waits', 'sleep 3600', claimVolume('later'));
  p.spec!.containers[0]!.volumeMounts = mountAt('/data');
  await env.createPod(NODE, p);
  const ev = await failedMount('waits', /has non-bound phase \("Pending"\) or empty pvc.Spec.VolumeName/);
  assert.equal(ev.type, 'Warning');
  assert.notEqual((await env.getPod('waits')).status?.phase, 'Running');
  const dir = join(env.rootDir, 'later-pv');
  await mkdir(dir);
  await bindClaimToNewPV(env.client, { namespace: 'default', claim: 'later', pv: 'pv-kt-later', node: NODE, path: dir });
  await env.waitForPod('waits', 'running', isRunning, 60_000);
});

test("a local PV of another node is never mounted: the node affinity check fails", async () => {
  await claims().create({ metadata: { name: 'foreign' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: '' } });
  await bindClaimToNewPV(env.client, { namespace: 'default', claim: 'foreign', pv: 'pv-kt-foreign', node: 'some-other-node', path: dataDir });
  const p = shPod('foreign', 'sleep 3600', claimVolume('foreign'));
  p.spec!.containers[0]!.volumeMounts = mountAt('/data');
  await env.createPod(NODE, p);
  await failedMount('foreign', /MountVolume.NodeAffinity check failed for volume "pv-kt-foreign"/);
  assert.notEqual((await env.getPod('foreign')).status?.phase, 'Running');
});
