// Two clusters on one Docker Engine whose nodes have the same name (every tskube cluster has
// node-1 and node-2): a kubelet started with --runtime-cluster-id lists and garbage-collects
// only its own cluster's containers, and a kubelet without one (as before cluster ids) leaves
// every scoped cluster's containers alone. Real etcd, apiserver, kubelet and Docker.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { waitFor } from '../harness/ports.js';
import { DockerRuntime } from '../../kubelet/runtime/docker/runtime.js';
import { DockerClient } from '../../kubelet/runtime/docker/client.js';
import { LABEL_CLUSTER_ID, LABEL_NODE_NAME } from '../../kubelet/runtime/runtime.js';
import { BUSYBOX, startKubeletEnv, type KubeletEnv } from './kubelet-harness.js';

const run = randomBytes(3).toString('hex');
// One node name, three owners: cluster A, cluster B, and no cluster (a kubelet from before ids).
const NODE = `kt-scope-${run}`;
const A = `a-${run}`;
const B = `b-${run}`;

let env: KubeletEnv;
let docker: DockerClient;
const runtimes: DockerRuntime[] = [];

function runtime(clusterId: string): DockerRuntime {
  const rt = new DockerRuntime({ nodeName: NODE, clusterId, podNetwork: env.network });
  runtimes.push(rt);
  return rt;
}

/** A pod no apiserver knows of (an orphan to whoever owns it): a sandbox and a running app container. */
async function orphanPod(rt: DockerRuntime, name: string): Promise<{ sandbox: string; container: string }> {
  const metadata = { name, namespace: 'default', uid: `${name}-${run}`, attempt: 0 };
  const sandbox = await rt.runPodSandbox({ metadata, network: env.network });
  const container = await rt.createContainer(sandbox, { metadata: { name: 'main', attempt: 0 }, image: BUSYBOX, command: ['sleep', '3600'] });
  await rt.startContainer(container);
  return { sandbox, container };
}

async function exists(id: string): Promise<boolean> {
  return docker.request('GET', `/containers/${id}/json`).then(
    () => true,
    () => false,
  );
}

async function running(id: string): Promise<boolean> {
  const c = await docker.request<{ State: { Running: boolean } }>('GET', `/containers/${id}/json`).catch(() => undefined);
  return c?.State.Running === true;
}

before(async () => {
  env = await startKubeletEnv();
  docker = new DockerClient({});
});

after(async () => {
  // Raw API by node name (unique to this run), whatever cluster label: not the code under test.
  const filters = JSON.stringify({ label: [`${LABEL_NODE_NAME}=${NODE}`] });
  const left = (await docker.request<Array<{ Id: string }>>('GET', '/containers/json', { query: { all: true, filters } }).catch(() => undefined)) ?? [];
  await env?.stopKubelet(NODE).catch(() => undefined);
  for (const c of left) await docker.request('DELETE', `/containers/${c.Id}`, { query: { force: true, v: true } }).catch(() => undefined);
  for (const rt of runtimes) await rt.close();
  await docker?.close();
  await env?.stop();
});

test('same node name, different cluster ids: each runtime lists only its own cluster', async () => {
  const a = await orphanPod(runtime(A), 'list-a');
  const b = await orphanPod(runtime(B), 'list-b');
  const legacy = await orphanPod(runtime(''), 'list-none');
  const [rtA, rtB, rtNone] = runtimes as [DockerRuntime, DockerRuntime, DockerRuntime];
  assert.deepEqual((await rtA.listPodSandboxes()).map((s) => s.id), [a.sandbox]);
  assert.deepEqual((await rtA.listContainers()).map((c) => c.id), [a.container]);
  assert.deepEqual((await rtB.listPodSandboxes()).map((s) => s.id), [b.sandbox]);
  assert.deepEqual((await rtB.listContainers()).map((c) => c.id), [b.container]);
  assert.deepEqual((await rtNone.listPodSandboxes()).map((s) => s.id), [legacy.sandbox]);
  assert.deepEqual((await rtNone.listContainers()).map((c) => c.id), [legacy.container]);
  assert.deepEqual((await rtB.listContainerStats()).map((s) => s.id), [b.container]);
  const labels = (await rtA.listContainers())[0]?.labels ?? {};
  assert.equal(labels[LABEL_CLUSTER_ID], A);
  assert.equal(labels[LABEL_NODE_NAME], NODE);
  assert.equal(LABEL_CLUSTER_ID in ((await rtNone.listContainers())[0]?.labels ?? {}), false);
  await rtA.removePodSandbox(a.sandbox);
  await rtB.removePodSandbox(b.sandbox);
  await rtNone.removePodSandbox(legacy.sandbox);
  assert.equal(await exists(b.container), false);
});

test("a kubelet garbage-collects its own cluster's orphans only; other clusters' containers on the same node name survive", { timeout: 120_000 }, async () => {
  const rtA = runtime(A);
  const rtB = runtime(B);
  const rtNone = runtime('');
  const otherCluster = await orphanPod(rtA, 'gc-other');
  const legacy = await orphanPod(rtNone, 'gc-none');
  const own = await orphanPod(rtB, 'gc-own');

  // Cluster B's kubelet: it removes its own orphan (so its garbage collection has run) …
  await env.startKubelet(NODE, { runtimeClusterId: B });
  await waitFor('cluster B removed its own orphan', async () => !(await exists(own.sandbox)) && !(await exists(own.container)), 60_000, 200);
  // … and never touched cluster A's pod or the unscoped one, though they carry its node name.
  for (const id of [otherCluster.sandbox, otherCluster.container, legacy.sandbox, legacy.container]) assert.equal(await running(id), true, id);
  assert.deepEqual((await rtA.listContainers()).map((c) => c.id), [otherCluster.container]);
  await env.stopKubelet(NODE);

  // A kubelet without a cluster id (today's default) on the same node name: it collects the
  // unscoped orphan, and still leaves cluster A's pod alone.
  await env.startKubelet(NODE);
  await waitFor('the unscoped kubelet removed the unscoped orphan', async () => !(await exists(legacy.sandbox)) && !(await exists(legacy.container)), 60_000, 200);
  for (const id of [otherCluster.sandbox, otherCluster.container]) assert.equal(await running(id), true, id);
  await env.stopKubelet(NODE);
});
