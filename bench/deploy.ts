// npm run bench:deploy — a Deployment of N replicas (default 50) on 2 real-Docker nodes, end to
// end through every component, each its own process as in a cluster: apiserver (on etcd),
// scheduler, controller-manager, and two kubelets sharing one pod network.
//   phase 1: create → every pod Ready (with the intermediate milestones: ReplicaSet created,
//            all pods created, all bound, all Running, Deployment available);
//   phase 2: a rolling update of the template (25% surge / 25% unavailable) → complete.
// Next to each, its physical limit measured in the same run on the same Docker: the same
// number of pause-sandbox + busybox pairs created and started (and, for the rollout, also
// stopped and removed) directly on the Engine API by as many workers as the two kubelets have
// concurrent pod syncs.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Pod } from 'kubernetes-types/core/v1';
import type { Deployment } from 'kubernetes-types/apps/v1';
import { RestClient } from '../client/index.js';
import { startEtcd } from '../test/harness/etcd.js';
import { freePort, waitFor } from '../test/harness/ports.js';
import { DockerClient } from '../kubelet/runtime/docker/client.js';
import { DockerRuntime, DEFAULT_POD_INFRA_IMAGE } from '../kubelet/runtime/docker/runtime.js';

const REPLICAS = Number(process.env.BENCH_REPLICAS ?? 50);
const SYNCS = Number(process.env.BENCH_CONCURRENCY ?? 5);
const NODES = ['bench-node-1', 'bench-node-2'];
const BUSYBOX = 'busybox:1.35';
const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

/** The physical limit: N sandbox + app pairs started (then optionally removed) straight on Docker. */
async function rawPods(docker: DockerClient, network: string, label: string, remove: boolean): Promise<{ startMs: number; removeMs: number }> {
  const ids: string[][] = [];
  let next = 0;
  const workers = SYNCS * NODES.length;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (next < REPLICAS) {
        const i = next++;
        const sandbox = await docker.request<{ Id: string }>('POST', '/containers/create', {
          query: { name: `tskube-bench-deploy-${label}-${i}` },
          body: { Image: DEFAULT_POD_INFRA_IMAGE, Hostname: `raw-${i}`, Labels: { 'tskube.bench': label }, HostConfig: { Init: true, NetworkMode: network } },
        });
        await docker.request('POST', `/containers/${sandbox?.Id}/start`);
        const app = await docker.request<{ Id: string }>('POST', '/containers/create', {
          query: { name: `tskube-bench-deploy-${label}-${i}-app` },
          body: { Image: BUSYBOX, Cmd: ['sleep', '3600'], Labels: { 'tskube.bench': label }, HostConfig: { Init: true, NetworkMode: `container:${sandbox?.Id}` } },
        });
        await docker.request('POST', `/containers/${app?.Id}/start`);
        ids.push([app?.Id ?? '', sandbox?.Id ?? '']);
      }
    }),
  );
  const startMs = performance.now() - t0;
  if (!remove) return { startMs, removeMs: 0 };
  const t1 = performance.now();
  let k = 0;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (k < ids.length) {
        const pair = ids[k++];
        for (const id of pair) {
          await docker.request('POST', `/containers/${id}/stop`, { query: { t: 30 } }).catch(() => undefined);
          await docker.request('DELETE', `/containers/${id}`, { query: { force: true } }).catch(() => undefined);
        }
      }
    }),
  );
  return { startMs, removeMs: performance.now() - t1 };
}

async function removeLabelled(docker: DockerClient, label: string): Promise<void> {
  const list = (await docker.request<Array<{ Id: string }>>('GET', '/containers/json', { query: { all: true, filters: JSON.stringify({ label: [`tskube.bench=${label}`] }) } })) ?? [];
  await Promise.all(list.map((c) => docker.request('DELETE', `/containers/${c.Id}`, { query: { force: true } }).catch(() => undefined)));
}

const isReady = (p: Pod): boolean => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

async function main(): Promise<void> {
  const run = randomBytes(3).toString('hex');
  const network = { name: `tskube-bench-${run}`, subnet: `10.${200 + (randomBytes(1)[0] % 50)}.${randomBytes(1)[0]}.0/24` };
  const docker = new DockerClient({ connections: 32 });
  const etcd = await startEtcd();
  const rootDir = await mkdtemp(join(tmpdir(), 'tskube-bench-deploy-'));
  const apiPort = await freePort();
  const procs: ChildProcess[] = [];
  const dist = fileURLToPath(new URL('..', import.meta.url));
  const node = (script: string, args: string[]): ChildProcess => {
    const p = spawn(process.execPath, [join(dist, script), ...args, '--log-level', 'warn'], { stdio: ['ignore', 'inherit', 'inherit'] });
    procs.push(p);
    return p;
  };
  let client: RestClient | undefined;
  try {
    // The unsafe plain-HTTP port and no ServiceAccount admission (no controller makes the
    // `default` accounts here): this measures the workload path; bench:apiserver measures security.
    node('apiserver/main.js', ['--etcd-servers', etcd.endpoint, '--insecure-port', String(apiPort), '--secure-port', String(await freePort()), '--bind-address', '127.0.0.1', '--disable-admission-plugins', 'ServiceAccount']);
    const base = `http://127.0.0.1:${apiPort}`;
    await waitFor('apiserver ready', async () => (await fetch(`${base}/readyz`).catch(() => undefined))?.ok, 30_000);
    await docker.request('POST', '/networks/create', { body: { Name: network.name, Driver: 'bridge', CheckDuplicate: true, IPAM: { Config: [{ Subnet: network.subnet }] } } });

    console.log(`# deployment benchmark: ${REPLICAS} replicas (pause sandbox + busybox) on ${NODES.length} Docker nodes, ${SYNCS} pod syncs per kubelet`);
    await rawPods(docker, network.name, `warm-${run}`, true); // the first starts on a fresh network are slower
    const limitCreate = await rawPods(docker, network.name, `a-${run}`, false);
    const limitRoll = await rawPods(docker, network.name, `b-${run}`, true);
    await removeLabelled(docker, `a-${run}`);
    await removeLabelled(docker, `b-${run}`);

    for (const [i, name] of NODES.entries()) {
      node('kubelet/main.js', [
        '--master', base, '--node-name', name, '--root-dir', join(rootDir, name), '--pod-network', network.name, '--pod-network-cidr', network.subnet,
        '--healthz-port', '0', '--port', String(10250 + 100 + i), '--max-concurrent-syncs', String(SYNCS),
      ]);
    }
    node('scheduler/main.js', ['--master', base, '--leader-elect=false', '--secure-port', '0', '--kube-api-qps', '0']);
    node('controller-manager/main.js', ['--master', base, '--leader-elect=false', '--secure-port', '0', '--controllers', 'replicaset,deployment']);
    client = new RestClient({ server: base, qps: 0 });
    const c = client;
    await waitFor('nodes Ready', async () => {
      const nodes = (await c.resource('nodes').list()).items;
      return NODES.every((n) => nodes.find((x) => x.metadata?.name === n)?.status?.conditions?.some((k) => k.type === 'Ready' && k.status === 'True'));
    }, 60_000);

    // Watch pods: per-pod milestones and the live/ready counts during the rollout.
    const pods = new Map<string, Pod>();
    const marks: Record<string, number> = {};
    let phaseStart = 0;
    let maxLive = 0;
    let minReady = Infinity;
    let tracking = false;
    const mark = (what: string, done: boolean): void => {
      if (done && marks[what] === undefined) marks[what] = performance.now() - phaseStart;
    };
    const watch = await c.resource('pods', 'default').watch({});
    const watching = (async () => {
      for await (const ev of watch) {
        if (ev.type === 'BOOKMARK' || ev.type === 'ERROR') continue;
        const p = ev.object;
        if (ev.type === 'DELETED') pods.delete(p.metadata?.uid ?? '');
        else pods.set(p.metadata?.uid ?? '', p);
        const live = [...pods.values()].filter((x) => !x.metadata?.deletionTimestamp);
        mark('pods created', live.length >= REPLICAS);
        mark('pods bound', live.length >= REPLICAS && live.every((x) => x.spec?.nodeName));
        mark('pods Running', live.length >= REPLICAS && live.every((x) => x.status?.phase === 'Running'));
        mark('pods Ready', live.length >= REPLICAS && live.every(isReady));
        if (tracking) {
          maxLive = Math.max(maxLive, live.length);
          minReady = Math.min(minReady, live.filter(isReady).length);
        }
      }
    })();
    const deployments = c.resource('deployments.apps', 'default');
    const complete = async (rsCount: number): Promise<boolean> => {
      const d = await deployments.get('bench');
      const st = d.status;
      const rsList = (await c.resource('replicasets.apps', 'default').list({ labelSelector: 'app=bench' })).items;
      return (
        (st?.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0) &&
        st?.updatedReplicas === REPLICAS &&
        st.replicas === REPLICAS &&
        st.availableReplicas === REPLICAS &&
        rsList.length === rsCount &&
        pods.size === REPLICAS
      );
    };

    // ---- phase 1: create ----
    const dep: Deployment = {
      metadata: { name: 'bench' },
      spec: {
        replicas: REPLICAS,
        selector: { matchLabels: { app: 'bench' } },
        template: {
          metadata: { labels: { app: 'bench' } },
          spec: { terminationGracePeriodSeconds: 5, containers: [{ name: 'main', image: BUSYBOX, command: ['sleep', '3600'] }] },
        },
      },
    };
    phaseStart = performance.now();
    await deployments.create(dep);
    await waitFor('ReplicaSet', async () => (await c.resource('replicasets.apps', 'default').list({ labelSelector: 'app=bench' })).items.length === 1, 60_000, 10);
    mark('ReplicaSet created', true);
    await waitFor('all Ready', () => complete(1), 300_000, 50);
    const createTotal = performance.now() - phaseStart;
    const spread = NODES.map((n) => [...pods.values()].filter((p) => p.spec?.nodeName === n).length);
    console.log(`\n## create → all ${REPLICAS} Ready`);
    for (const k of ['ReplicaSet created', 'pods created', 'pods bound', 'pods Running', 'pods Ready']) console.log(`  ${k.padEnd(20)} ${s(marks[k] ?? NaN)}`);
    console.log(`  ${'Deployment complete'.padEnd(20)} ${s(createTotal)}   limit ${s(limitCreate.startMs)}   ratio ${(createTotal / limitCreate.startMs).toFixed(2)}`);
    console.log(`  spread over nodes: ${spread.join(' / ')}`);

    // ---- phase 2: rolling update ----
    for (const k of Object.keys(marks)) delete marks[k];
    tracking = true;
    maxLive = 0;
    minReady = Infinity;
    phaseStart = performance.now();
    await deployments.patch('bench', 'strategic', { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': new Date().toISOString() } } } } });
    await waitFor('rollout complete', () => complete(2), 600_000, 50);
    const rollTotal = performance.now() - phaseStart;
    tracking = false;
    const limit = limitRoll.startMs + limitRoll.removeMs;
    console.log(`\n## rolling update (maxSurge 25%, maxUnavailable 25%)`);
    console.log(`  ${'rollout complete'.padEnd(20)} ${s(rollTotal)}   limit ${s(limit)} (start ${s(limitRoll.startMs)} + stop/remove ${s(limitRoll.removeMs)})   ratio ${(rollTotal / limit).toFixed(2)}`);
    console.log(`  pods at once: max ${maxLive} (allowed ${REPLICAS + Math.ceil(REPLICAS * 0.25)}); Ready at least ${minReady} (allowed ${REPLICAS - Math.floor(REPLICAS * 0.25)})`);

    // Clean up through the cluster, so the kubelets remove their containers.
    await deployments.delete('bench', { propagationPolicy: 'Background' });
    await c.resource('replicasets.apps', 'default').deleteCollection({ labelSelector: 'app=bench' });
    await c.resource('pods', 'default').deleteCollection({ labelSelector: 'app=bench' });
    await waitFor('pods gone', () => pods.size === 0, 120_000, 100).catch(() => undefined);
    watch.close();
    await watching;
  } finally {
    await client?.close();
    for (const p of procs.reverse()) {
      p.kill('SIGTERM');
      await new Promise((r) => (p.exitCode !== null ? r(undefined) : p.once('exit', r)));
    }
    for (const n of NODES) {
      const runtime = new DockerRuntime({ nodeName: n, podNetwork: network });
      for (const ctr of await runtime.listContainers().catch(() => [])) await runtime.removeContainer(ctr.id).catch(() => undefined);
      for (const sb of await runtime.listPodSandboxes().catch(() => [])) await runtime.removePodSandbox(sb.id).catch(() => undefined);
      await runtime.close();
    }
    await removeLabelled(docker, `warm-${run}`).catch(() => undefined);
    await removeLabelled(docker, `a-${run}`).catch(() => undefined);
    await removeLabelled(docker, `b-${run}`).catch(() => undefined);
    await docker.request('DELETE', `/networks/${network.name}`).catch(() => undefined);
    await docker.close();
    await rm(rootDir, { recursive: true, force: true });
    await etcd.stop();
  }
}

await main();
