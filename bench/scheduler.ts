// npm run bench:scheduler — scheduler throughput on 1,000 hollow nodes, next to the physical
// limit measured in the same run:
//   limit: raw etcd compare-and-swap txn writes/s (etcd3 client, same concurrency as the
//          scheduler's binds) — every bind is one such write;
//   1. 5,000 pods without constraints;
//   2. 5,000 pods with required node affinity (half the nodes) + zone spreading
//      (DoNotSchedule, maxSkew 1) + hostname spreading (ScheduleAnyway);
// each as pods/s from the first create to the last bind seen by a watch; then
//   3. 5,000 pods created while no scheduler runs, then a scheduler started: binds/s from the
//      first to the last bind (the scheduler's own throughput, without competing creates);
// and first, 0. the decision alone (in-process, no I/O): the same cache and plugins, no API.
// Knobs: BENCH_NODES, BENCH_PODS, BENCH_CREATE_CONCURRENCY, BENCH_BIND_CONCURRENCY (both 256),
// BENCH_CPU_PROF=<dir> (V8 CPU profiles of the apiserver and scheduler processes).
// etcd and the apiserver run as their own processes, the scheduler too (as in a cluster); the
// pod creator, the bind watcher and the 1,000 hollow nodes (marking pods Running, renewing
// leases) share this process. Counts and time are bounded.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Etcd3 } from 'etcd3';
import { Pool } from 'undici';
import type { Pod } from 'kubernetes-types/core/v1';
import { RestClient, SharedInformerFactory } from '../client/index.js';
import { hollowNodeObject, startHollowNodes } from '../kubelet/hollow-node.js';
import { SchedulerCache } from '../scheduler/cache.js';
import type { Handle } from '../scheduler/framework/interface.js';
import { Framework } from '../scheduler/framework/runtime.js';
import { newPodInfo } from '../scheduler/framework/types.js';
import { IN_TREE_REGISTRY } from '../scheduler/plugins/registry.js';
import { DEFAULT_PROFILE } from '../scheduler/profile.js';
import { schedulePod } from '../scheduler/schedule-one.js';
import { startEtcd } from '../test/harness/etcd.js';
import { procCpuMs } from './proc.js';
import { freePort, waitFor } from '../test/harness/ports.js';

const NODES = Number(process.env.BENCH_NODES ?? 1000);
const PODS = Number(process.env.BENCH_PODS ?? 5000);
const CREATE_CONCURRENCY = Number(process.env.BENCH_CREATE_CONCURRENCY ?? 256);
const BIND_CONCURRENCY = Number(process.env.BENCH_BIND_CONCURRENCY ?? 256);
const PHASE_TIMEOUT_MS = 180_000;
const f1 = (x: number) => x.toFixed(1);
const f2 = (x: number) => x.toFixed(2);

/** CPU seconds (user + system) a process has used so far. */
const cpuSeconds = (pid: number | undefined): number => procCpuMs(pid) / 1000;

const num = (x: number | undefined): number => (x === undefined || Number.isNaN(x) ? 0 : x);

/** CPU seconds used by each process between two snapshots, as a printable line. */
function cpuLine(before: Record<string, number>, after: Record<string, number>): string {
  return Object.keys(after)
    .map((k) => `${k} ${f1(num(after[k]) - num(before[k]))} s`)
    .join(', ');
}

/** The etcd the harness started (it does not expose the pid): found by its client URL. */
function pidListeningOn(endpoint: string): number | undefined {
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0');
      if (cmd[0]?.endsWith('etcd') && cmd.includes(endpoint)) return Number(d);
    } catch {
      /* gone */
    }
  }
  return undefined;
}

/** SIGTERM, then SIGKILL after 10 s: the bench never leaves a daemon behind. */
async function terminate(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise((r) => p.once('exit', r));
  p.kill('SIGTERM');
  const timer = setTimeout(() => p.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** BENCH_CPU_PROF=<dir> writes a V8 CPU profile of each daemon there (open in Chrome DevTools). */
function daemon(rel: string, args: string[]): ChildProcess {
  const script = fileURLToPath(new URL(rel, import.meta.url));
  const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_CPU_PROF] : [];
  return spawn(process.execPath, [...prof, script, ...args], { stdio: ['ignore', 'inherit', 'inherit'] });
}

/** Raw etcd CAS writes/s of ~1.5 KiB values at `concurrency`, for `seconds`. */
async function etcdTxnRate(raw: Etcd3, concurrency: number, seconds: number): Promise<number> {
  const value = Buffer.from('x'.repeat(1500));
  let n = 0;
  const end = Date.now() + seconds * 1000;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < end) {
        const key = Buffer.from(`/bench-raw/${n++}`);
        await raw.kv.txn({ compare: [{ key, target: 'Mod', result: 'Equal', mod_revision: 0 }], success: [{ request_put: { key, value } }], failure: [] });
      }
    }),
  );
  return n / ((performance.now() - t0) / 1000);
}

const plainPod = (ns: string, i: number): string =>
  JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `p${i}`, namespace: ns }, spec: { containers: [{ name: 'c', image: 'busybox:1.35' }] } });

const owner = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'spread', uid: '0b7c1f3e-0000-4000-8000-00000000beef', controller: true };
const spreadPod = (ns: string, i: number): string =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `s${i}`, namespace: ns, labels: { app: 'spread' }, ownerReferences: [owner] },
    spec: {
      containers: [{ name: 'c', image: 'busybox:1.35', resources: { requests: { cpu: '10m', memory: '16Mi' } } }],
      affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'pool', operator: 'In', values: ['a'] }] }] } } },
      topologySpreadConstraints: [
        { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'spread' } } },
        { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { app: 'spread' } } },
      ],
    },
  });

/** Sum and count of the apiserver's request-duration histogram for one resource (e.g. `pods/binding`). */
async function apiLatency(base: string, resource: string): Promise<{ sum: number; count: number }> {
  const text = await (await fetch(`${base}/metrics`)).text();
  let sum = 0;
  let count = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith('apiserver_request_duration_seconds_') || !line.includes(`resource="${resource}"`)) continue;
    const v = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (line.startsWith('apiserver_request_duration_seconds_sum')) sum += v;
    else if (line.startsWith('apiserver_request_duration_seconds_count')) count += v;
  }
  return { sum, count };
}

interface PhaseResult {
  cpu: string;
  /** Mean time the apiserver spent on one binding request during the phase (ms). */
  bindMs: number;
  /** Binds/s between the first and the last bind. */
  bindsPerSecond: number;
  podsPerSecond: number;
  createSeconds: number;
  totalSeconds: number;
}

async function phase(
  base: string,
  client: RestClient,
  ns: string,
  podJson: (i: number) => string,
  cpu: () => Record<string, number>,
  afterCreates?: () => Promise<void>,
): Promise<PhaseResult> {
  await client.resource('namespaces').create({ metadata: { name: ns } });
  // Count binds with an informer (it re-watches if the server closes the stream), as an observer of the cluster would.
  const bound = new Set<string>();
  let lastBind = 0;
  let firstBind = 0;
  const factory = new SharedInformerFactory(client, { namespace: ns });
  const informer = factory.informerFor('pods');
  const seen = (p: Pod): void => {
    const name = p.metadata?.name ?? '';
    if (p.spec?.nodeName && !bound.has(name)) {
      bound.add(name);
      lastBind = performance.now();
      firstBind ||= lastBind;
    }
  };
  informer.addEventHandler({ onAdd: seen, onUpdate: (_o, p) => seen(p) });
  factory.start();
  await factory.waitForCacheSync();
  const pool = new Pool(base, { connections: CREATE_CONCURRENCY });
  const cpu0 = cpu();
  const lat0 = await apiLatency(base, 'pods/binding');
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CREATE_CONCURRENCY }, async () => {
      while (next < PODS) {
        const i = next++;
        const res = await pool.request({ method: 'POST', path: `/api/v1/namespaces/${ns}/pods`, body: podJson(i), headers: { 'content-type': 'application/json' } });
        const text = await res.body.text();
        if (res.statusCode !== 201) throw new Error(`create returned ${res.statusCode}: ${text}`);
      }
    }),
  );
  const created = performance.now();
  await afterCreates?.();
  await waitFor(`${PODS} pods bound in ${ns}`, () => bound.size >= PODS, PHASE_TIMEOUT_MS, 100);
  const cpu1 = cpu();
  const lat1 = await apiLatency(base, 'pods/binding');
  await factory.shutdown();
  await pool.destroy();
  const total = (lastBind - t0) / 1000;
  return { bindMs: ((lat1.sum - lat0.sum) / Math.max(1, lat1.count - lat0.count)) * 1000, bindsPerSecond: (PODS - 1) / ((lastBind - firstBind) / 1000), podsPerSecond: PODS / total, createSeconds: (created - t0) / 1000, totalSeconds: total, cpu: cpuLine(cpu0, cpu1) };
}

/** Decisions/s against an in-memory cache of NODES nodes (assuming each pod), for both pod kinds. */
function decideOnly(): { plain: number; spread: number } {
  const run = (podFor: (i: number) => Pod): number => {
    const cache = new SchedulerCache();
    for (let i = 0; i < NODES; i++) {
      const node = hollowNodeObject(`n${i}`, i, { zones: 10, labels: { pool: i < NODES / 2 ? 'a' : 'b' } });
      cache.addNode(node);
    }
    const handle: Handle = { nodes: cache };
    const fwk = new Framework(DEFAULT_PROFILE, IN_TREE_REGISTRY, handle);
    handle.runFilters = (st, p, n) => fwk.runFilter(st, p, n);
    let start = 0;
    const t0 = performance.now();
    for (let i = 0; i < PODS; i++) {
      const p = newPodInfo(podFor(i));
      const out = schedulePod({ fwk, pod: p, nodes: cache.list(), startIndex: start });
      start = out.nextStartIndex;
      if (out.kind !== 'scheduled') throw new Error(`decide-only: ${out.message}`);
      cache.assumePod(p, out.nodeName);
    }
    return PODS / ((performance.now() - t0) / 1000);
  };
  const withUid = (json: string, i: number): Pod => {
    const pod = JSON.parse(json) as Pod & { metadata: { uid?: string } };
    pod.metadata.uid = `uid-${i}`;
    return pod;
  };
  return { plain: run((i) => withUid(plainPod('d', i), i)), spread: run((i) => withUid(spreadPod('d', i), i)) };
}

async function main(): Promise<void> {
  const etcd = await startEtcd();
  const raw = new Etcd3({ hosts: [etcd.endpoint] });
  const apiPort = await freePort();
  const base = `http://127.0.0.1:${apiPort}`;
  const procs: ChildProcess[] = [];
  let schedulerProc: ChildProcess | undefined;
  let nodesA: Awaited<ReturnType<typeof startHollowNodes>> | undefined;
  let nodesB: typeof nodesA;
  const client = new RestClient({ server: base, qps: 0 });
  try {
    console.log(`# scheduler benchmark: ${NODES} hollow nodes, ${PODS} pods per phase; etcd, apiserver and scheduler each in their own process`);
    const limit = await etcdTxnRate(raw, BIND_CONCURRENCY, 3);
    await raw.delete().prefix('/bench-raw/');
    const rev = Number((await raw.kv.range({ key: Buffer.from('\0'), limit: 1 })).header.revision);
    await raw.kv.compact({ revision: rev });
    console.log(`limit: raw etcd CAS txn writes at concurrency ${BIND_CONCURRENCY}: ${f1(limit)}/s (each bind is one such write; measured again before each phase)`);

    const d = decideOnly();
    console.log(`0. decision only (in-process, ${NODES} nodes, no I/O): ${f1(d.plain)} pods/s unconstrained, ${f1(d.spread)} pods/s with affinity + spreading`);

    // The unsafe plain-HTTP port and no ServiceAccount admission (no controller-manager here):
    // this measures scheduling; bench:apiserver measures what security costs.
    procs.push(daemon('../apiserver/main.js', ['--etcd-servers', etcd.endpoint, '--insecure-port', String(apiPort), '--secure-port', String(await freePort()), '--bind-address', '127.0.0.1', '--disable-admission-plugins', 'ServiceAccount', '--log-level', 'warn', '--max-requests-inflight', '2000']));
    await waitFor('apiserver ready', async () => (await fetch(`${base}/readyz`).catch(() => undefined))?.ok, 30_000);
    const t = performance.now();
    const half = Math.floor(NODES / 2);
    nodesA = await startHollowNodes({ client, count: half, namePrefix: 'bench-a-', zones: 10, labels: { pool: 'a' }, statusWorkers: 4 });
    nodesB = await startHollowNodes({ client, count: NODES - half, namePrefix: 'bench-b-', zones: 10, labels: { pool: 'b' }, statusWorkers: 4 });
    console.log(`registered ${NODES} hollow nodes in ${f1((performance.now() - t) / 1000)} s`);
    const startSchedulerProc = (): ChildProcess => {
      schedulerProc = daemon('../scheduler/main.js', [
        '--master', base, '--leader-elect=false', '--kube-api-qps', '0', '--secure-port', '0', '--log-level', 'error', '--max-in-flight-binds', String(BIND_CONCURRENCY),
      ]);
      procs.push(schedulerProc);
      return schedulerProc;
    };
    startSchedulerProc();

    const plain = (ns: string) => (i: number) => plainPod(ns, i);
    // The scheduler is up once it binds a warm-up pod.
    await client.resource('namespaces').create({ metadata: { name: 'warmup' } });
    await client.resource('pods', 'warmup').create(JSON.parse(plain('warmup')(0)));
    await waitFor('scheduler up', async () => (await client.resource('pods', 'warmup').get('p0')).spec?.nodeName, 60_000, 100);

    const [apiserver] = procs;

    const etcdPid = pidListeningOn(etcd.endpoint);
    const cpu = (): Record<string, number> => ({
      etcd: cpuSeconds(etcdPid),
      apiserver: cpuSeconds(apiserver?.pid),
      scheduler: cpuSeconds(schedulerProc?.exitCode === null ? schedulerProc.pid : undefined),
      'bench (creator, watcher, hollow nodes)': process.cpuUsage().user / 1e6 + process.cpuUsage().system / 1e6,
    });
    // The host may be shared: measure the limit again right before each phase.
    const limitNow = async (): Promise<number> => {
      const l = await etcdTxnRate(raw, BIND_CONCURRENCY, 2);
      await raw.delete().prefix('/bench-raw/');
      return l;
    };
    let lim = await limitNow();
    const r1 = await phase(base, client, 'bench-plain', plain('bench-plain'), cpu);
    console.log(
      `1. ${PODS} pods, no constraints: ${f1(r1.podsPerSecond)} pods/s create→last bind (${f1(r1.totalSeconds)} s; creates alone took ${f1(r1.createSeconds)} s) — ` +
        `limit ${f1(lim)} writes/s, ratio ${f2(r1.podsPerSecond / lim)}; goal ≥ 1000 pods/s`,
    );
    console.log(`   CPU used: ${r1.cpu}; mean apiserver time per binding request ${f1(r1.bindMs)} ms`);
    const spread = (ns: string) => (i: number) => spreadPod(ns, i);
    lim = await limitNow();
    const r2 = await phase(base, client, 'bench-spread', spread('bench-spread'), cpu);
    console.log(
      `2. ${PODS} pods, node affinity + zone/hostname spreading: ${f1(r2.podsPerSecond)} pods/s create→last bind (${f1(r2.totalSeconds)} s; creates alone took ${f1(r2.createSeconds)} s) — ` +
        `limit ${f1(lim)} writes/s, ratio ${f2(r2.podsPerSecond / lim)}`,
    );
    console.log(`   CPU used: ${r2.cpu}; mean apiserver time per binding request ${f1(r2.bindMs)} ms`);
    // 3. Scheduler throughput alone: pods created while no scheduler runs, then one starts.
    await terminate(schedulerProc!);
    lim = await limitNow();
    const r3 = await phase(base, client, 'bench-drain', plain('bench-drain'), cpu, async () => {
      procs.push(startSchedulerProc());
    });
    console.log(
      `3. ${PODS} pods created with no scheduler running, then a scheduler started: ${f1(r3.bindsPerSecond)} binds/s first→last bind ` +
        `(creates alone: ${f1(PODS / r3.createSeconds)} pods/s) — limit ${f1(lim)} writes/s, ratio ${f2(r3.bindsPerSecond / lim)}`,
    );
    console.log(`   CPU used (creates + drain): ${r3.cpu}; mean apiserver time per binding request ${f1(r3.bindMs)} ms`);
    // How even the spread came out: pods per zone among the pool-a nodes.
    const podsList = await client.resource('pods', 'bench-spread').list();
    const zoneOf = new Map<string, string>();
    for (const n of (await client.resource('nodes').list({ labelSelector: 'pool=a' })).items) zoneOf.set(n.metadata?.name ?? '', n.metadata?.labels?.['topology.kubernetes.io/zone'] ?? '');
    const perZone = new Map<string, number>();
    for (const p of podsList.items) {
      const z = zoneOf.get(p.spec?.nodeName ?? '') ?? '?';
      perZone.set(z, (perZone.get(z) ?? 0) + 1);
    }
    const counts = [...perZone.values()];
    console.log(`   spread: ${perZone.size} zones, pods per zone min ${Math.min(...counts)} max ${Math.max(...counts)}; all on pool a: ${!perZone.has('?')}`);
  } finally {
    await Promise.all([nodesA?.stop(), nodesB?.stop()].map((p) => p?.catch(() => undefined)));
    await Promise.all(procs.map((p) => terminate(p)));
    await client.close();
    raw.close();
    await etcd.stop();
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
