// npm run bench:kubelet — pod startup through the kubelet next to its physical limit, both
// measured in this run on this Docker:
//   limit:   the same work done directly on the Docker Engine API — for each of N pods, create
//            and start a pause sandbox on the pod network, then create and start a busybox
//            container in its network namespace — by C workers (C = the kubelet's concurrent
//            pod syncs); a pod's latency is from the batch start to its container running.
//   kubelet: N pods POSTed at once, bound to one node; a pod's latency is from its POST to the
//            watch showing it Running with every container running.
// Then the kubelet's RSS and its idle CPU with N pods running. The apiserver and the kubelet
// run as their own processes, as in a cluster.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { RestClient } from '../client/index.js';
import { startEtcd } from '../test/harness/etcd.js';
import { freePort, waitFor } from '../test/harness/ports.js';
import { DockerClient } from '../kubelet/runtime/docker/client.js';
import { DockerRuntime } from '../kubelet/runtime/docker/runtime.js';
import { DEFAULT_POD_INFRA_IMAGE } from '../kubelet/runtime/docker/runtime.js';

const PODS = Number(process.env.BENCH_PODS ?? 30);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 5);
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 10);
const BUSYBOX = 'busybox:1.35';
const NODE = 'bench-node';

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? NaN;
}
const ms = (x: number) => `${x.toFixed(0)} ms`;


/** The physical limit: sandbox + app container create/start pairs straight on the Engine API. */
async function rawStarts(docker: DockerClient, network: string, label: string): Promise<number[]> {
  const latencies: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < PODS) {
        const i = next++;
        const sandbox = await docker.request<{ Id: string }>('POST', '/containers/create', {
          query: { name: `tskube-bench-raw-${label}-${i}` },
          body: { Image: DEFAULT_POD_INFRA_IMAGE, Hostname: `raw-${i}`, Labels: { 'tskube.bench': label }, HostConfig: { Init: true, NetworkMode: network, IpcMode: 'shareable' } },
        });
        await docker.request('POST', `/containers/${sandbox?.Id}/start`);
        const app = await docker.request<{ Id: string }>('POST', '/containers/create', {
          query: { name: `tskube-bench-raw-${label}-${i}-app` },
          body: {
            Image: BUSYBOX,
            Cmd: ['sleep', '3600'],
            Labels: { 'tskube.bench': label },
            HostConfig: { Init: true, NetworkMode: `container:${sandbox?.Id}`, IpcMode: `container:${sandbox?.Id}` },
          },
        });
        await docker.request('POST', `/containers/${app?.Id}/start`);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  return latencies;
}

async function removeLabelled(docker: DockerClient, label: string): Promise<void> {
  const list = (await docker.request<Array<{ Id: string }>>('GET', '/containers/json', { query: { all: true, filters: JSON.stringify({ label: [`tskube.bench=${label}`] }) } })) ?? [];
  // A few at a time: many concurrent removals can leak a network endpoint count in Docker 20.10
  // (the network then refuses to be removed until dockerd restarts).
  for (let i = 0; i < list.length; i += CONCURRENCY) {
    await Promise.all(list.slice(i, i + CONCURRENCY).map((c) => docker.request('DELETE', `/containers/${c.Id}`, { query: { force: true } }).catch(() => undefined)));
  }
}

function cpuTicks(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

async function main(): Promise<void> {
  const run = randomBytes(3).toString('hex');
  const network = { name: `tskube-bench-${run}`, subnet: `10.${200 + (randomBytes(1)[0] % 40)}.${randomBytes(1)[0]}.0/24` };
  const docker = new DockerClient({ connections: 32 });
  const etcd = await startEtcd();
  const rootDir = await mkdtemp(join(tmpdir(), 'tskube-bench-kubelet-'));
  const apiPort = await freePort();
  const procs: ChildProcess[] = [];
  const dist = fileURLToPath(new URL('..', import.meta.url));
  const runtime = new DockerRuntime({ nodeName: NODE, podNetwork: network });
  try {
    // The unsafe plain-HTTP port and no ServiceAccount admission (no controller-manager here):
    // this measures the kubelet; bench:apiserver measures what security costs.
    const api = spawn(process.execPath, [join(dist, 'apiserver/main.js'), '--etcd-servers', etcd.endpoint, '--insecure-port', String(apiPort), '--secure-port', String(await freePort()), '--bind-address', '127.0.0.1', '--disable-admission-plugins', 'ServiceAccount', '--log-level', 'warn'], { stdio: ['ignore', 'inherit', 'inherit'] });
    procs.push(api);
    const base = `http://127.0.0.1:${apiPort}`;
    await waitFor('apiserver ready', async () => (await fetch(`${base}/readyz`).catch(() => undefined))?.ok, 30_000);
    await docker.request('POST', '/networks/create', { body: { Name: network.name, Driver: 'bridge', CheckDuplicate: true, IPAM: { Config: [{ Subnet: network.subnet }] } } });

    console.log(`# kubelet benchmark: ${PODS} pods (pause sandbox + one busybox container), concurrency ${CONCURRENCY}`);
    // Warm-up: the first starts on a fresh network are slower than steady state.
    await rawStarts(docker, network.name, `warm-${run}`);
    await removeLabelled(docker, `warm-${run}`);
    const rawBefore = await rawStarts(docker, network.name, run);
    await removeLabelled(docker, run);

    const kubelet = spawn(
      process.execPath,
      [join(dist, 'kubelet/main.js'), '--master', base, '--node-name', NODE, '--address', '127.0.0.1', '--port', String(await freePort()), '--root-dir', rootDir, '--pod-network', network.name, '--pod-network-cidr', network.subnet, '--healthz-port', '0', '--max-concurrent-syncs', String(CONCURRENCY), '--log-level', 'warn'],
      { stdio: ['ignore', 'inherit', 'inherit'] },
    );
    procs.push(kubelet);
    const client = new RestClient({ server: base, qps: 0 });
    await waitFor('node registered', async () => (await client.resource('nodes').get(NODE).catch(() => undefined))?.metadata?.name, 30_000);

    const posted = new Map<string, number>();
    const running = new Map<string, number>();
    const watch = await client.resource('pods', 'default').watch({});
    const watching = (async () => {
      for await (const ev of watch) {
        if (ev.type !== 'ADDED' && ev.type !== 'MODIFIED') continue;
        const p = ev.object;
        const name = p.metadata?.name ?? '';
        if (!running.has(name) && p.status?.phase === 'Running' && (p.status.containerStatuses ?? []).every((c) => c.state?.running)) running.set(name, performance.now());
      }
    })();
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: PODS }, async (_, i) => {
        const name = `bench-${i}`;
        posted.set(name, performance.now());
        await client.resource('pods', 'default').create({
          metadata: { name },
          spec: { nodeName: NODE, terminationGracePeriodSeconds: 0, containers: [{ name: 'main', image: BUSYBOX, command: ['sleep', '3600'] }] },
        });
      }),
    );
    await waitFor('all pods Running', () => running.size === PODS, 120_000, 20);
    const total = performance.now() - t0;
    const lat = [...running].map(([name, at]) => at - (posted.get(name) ?? at));

    watch.close();
    await watching;

    // Idle figures with the pods running, then the pods go and the limit is measured once more:
    // other load on the machine shifts both figures, so the limit is the mean of both runs.
    const pid = kubelet.pid ?? 0;
    const rss = Number(/VmRSS:\s+(\d+)/.exec(await readFile(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
    const c0 = cpuTicks(await readFile(`/proc/${pid}/stat`, 'utf8'));
    const w0 = performance.now();
    await new Promise((r) => setTimeout(r, IDLE_SECONDS * 1000));
    const c1 = cpuTicks(await readFile(`/proc/${pid}/stat`, 'utf8'));
    const idleCpu = ((c1 - c0) / 100 / ((performance.now() - w0) / 1000)) * 100;
    await client.resource('pods', 'default').deleteCollection({}, { gracePeriodSeconds: 0 });
    await waitFor('bench pods removed', async () => (await runtime.listContainers()).length === 0 && (await runtime.listPodSandboxes()).length === 0, 120_000, 200);
    const rawAfter = await rawStarts(docker, network.name, `${run}-after`);
    await removeLabelled(docker, `${run}-after`);
    const raw = rawBefore.map((v, i) => (v + (rawAfter[i] ?? v)) / 2);

    const rawP50 = pct(raw, 50);
    const rawP99 = pct(raw, 99);
    const p50 = pct(lat, 50);
    const p99 = pct(lat, 99);
    console.log(`pod startup p50   kubelet ${ms(p50).padStart(8)}   limit ${ms(rawP50).padStart(8)}   ratio ${(p50 / rawP50).toFixed(2)}`);
    console.log(`pod startup p99   kubelet ${ms(p99).padStart(8)}   limit ${ms(rawP99).padStart(8)}   ratio ${(p99 / rawP99).toFixed(2)}   (goal: ratio <= 1.3, p99 <= 5000 ms)`);
    console.log(`all ${PODS} running  kubelet ${ms(total).padStart(8)}   limit ${ms(Math.max(...raw)).padStart(8)}   ratio ${(total / Math.max(...raw)).toFixed(2)}`);

    console.log(`limit runs: p50 ${ms(pct(rawBefore, 50))} before, ${ms(pct(rawAfter, 50))} after the kubelet run`);
    console.log(`kubelet RSS with ${PODS} pods: ${rss.toFixed(0)} MiB`);
    console.log(`kubelet idle CPU with ${PODS} pods: ${idleCpu.toFixed(1)}% of one core (over ${IDLE_SECONDS}s; PLEG relist every 1s)`);
  } finally {
    for (const p of procs.reverse()) {
      p.kill('SIGTERM');
      await new Promise((r) => (p.exitCode !== null ? r(undefined) : p.once('exit', r)));
    }
    for (const c of await runtime.listContainers().catch(() => [])) await runtime.removeContainer(c.id);
    for (const s of await runtime.listPodSandboxes().catch(() => [])) await runtime.removePodSandbox(s.id);
    await removeLabelled(docker, run).catch(() => undefined);
    await docker.request('DELETE', `/networks/${network.name}`).catch(() => undefined);
    await runtime.close();
    await docker.close();
    await rm(rootDir, { recursive: true, force: true });
    await etcd.stop();
  }
}

await main();
