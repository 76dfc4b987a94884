// Restart safety and sharing one Docker: a restarted kubelet adopts the containers it finds
// (none recreated, none restarted), removes those of pods deleted while it was down, and two
// kubelets with different node names never touch each other's containers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '../harness/ports.js';
import { containerStatus, execIn, isRunning, shPod, startKubeletEnv, type KubeletEnv } from './kubelet-harness.js';

const A = 'kt-restart-a';
const B = 'kt-restart-b';
let env: KubeletEnv;

before(async () => {
  env = await startKubeletEnv();
  await Promise.all([env.startKubelet(A), env.startKubelet(B)]);
});
after(async () => env?.stop());

const uidSelector = (uid: string | undefined) => ({ labelSelector: { 'io.kubernetes.pod.uid': uid ?? '' } });

test('two kubelets on one Docker each run only their own pods', async () => {
  await Promise.all([env.createPod(A, shPod('a1', 'sleep 3600')), env.createPod(B, shPod('b1', 'httpd -f -p 8080 -h /etc'))]);
  const [a1, b1] = await Promise.all([env.waitForPod('a1', 'running', isRunning), env.waitForPod('b1', 'running', isRunning)]);
  const seenByA = await env.runtimeFor(A).listContainers();
  const seenByB = await env.runtimeFor(B).listContainers();
  assert.deepEqual([...new Set(seenByA.map((c) => c.labels['io.kubernetes.pod.uid']))], [a1.metadata?.uid]);
  assert.deepEqual([...new Set(seenByB.map((c) => c.labels['io.kubernetes.pod.uid']))], [b1.metadata?.uid]);
  // Pods on different nodes share the pod network: a1 reaches b1 by its pod IP.
  const got = await execIn(env.runtimeFor(A), a1, 'main', ['wget', '-q', '-O', '-', `http://${b1.status?.podIP}:8080/hostname`]);
  assert.equal(got.out.trim(), 'b1');
  const node = await env.client.resource('nodes').get(B);
  assert.equal(node.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
});

test('a restarted kubelet adopts running containers and cleans up after pods deleted while it was down', async () => {
  await Promise.all([env.createPod(A, shPod('keep', 'sleep 3600')), env.createPod(A, shPod('gone', 'sleep 3600'))]);
  const [keep, gone] = await Promise.all([env.waitForPod('keep', 'running', isRunning), env.waitForPod('gone', 'running', isRunning)]);
  const before = containerStatus(keep)?.containerID;
  const rtA = env.runtimeFor(A);
  const containersBefore = await rtA.listContainers(uidSelector(keep.metadata?.uid));

  await env.stopKubelet(A);
  // While A is down: one pod is force-deleted (its containers become orphans), one is created.
  await env.client.resource('pods', 'default').delete('gone', { gracePeriodSeconds: 0 });
  await env.createPod(A, shPod('late', 'sleep 3600'));
  assert.ok((await rtA.listContainers(uidSelector(gone.metadata?.uid))).length > 0, 'orphans are there while the kubelet is down');

  await env.startKubelet(A);
  await env.waitForPod('late', 'running', isRunning);
  await waitFor('orphaned containers removed', async () => (await rtA.listContainers(uidSelector(gone.metadata?.uid))).length === 0 && (await rtA.listPodSandboxes(uidSelector(gone.metadata?.uid))).length === 0);

  const after = await env.getPod('keep');
  assert.ok(isRunning(after));
  assert.equal(containerStatus(after)?.containerID, before, 'same container');
  assert.equal(containerStatus(after)?.restartCount, 0);
  const containersAfter = await rtA.listContainers(uidSelector(keep.metadata?.uid));
  assert.deepEqual(containersAfter.map((c) => c.id).sort(), containersBefore.map((c) => c.id).sort(), 'no container was created');
  // B's pod was never touched.
  const b1 = await env.getPod('b1');
  assert.equal(containerStatus(b1)?.restartCount, 0);
  assert.ok(isRunning(b1));
});
