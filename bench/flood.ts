// npm run bench:flood — API Priority and Fairness under a flood, in one run on one apiserver
// process (secure port, x509 users, RBAC) with a small concurrency limit
// (--max-requests-inflight 40 --max-mutating-requests-inflight 20: 60 seats, 5 of them for
// global-default):
//   1. no flood: a polite user (one LIST at a time) and a node (one GET of its Node at a
//      time) — their p50/p99 is the physical limit of this apiserver for that request;
//   2. flood: the same, while one user keeps FLOOD concurrent LISTs outstanding and retries
//      each 429 at once (a hostile client);
//   3. the same flood by a client that waits the Retry-After before retrying (as client-go);
//   4. the hostile flood with --enable-priority-and-fairness=false (the plain max-in-flight
//      limit), for contrast.
// The flood runs in a worker thread, so the polite clients' figures are not the bench's own
// event loop delay. The apiserver's CPU per phase is shown: on a small machine the flood's TLS, parsing and 429s
// compete with everyone for the CPU, which API Priority and Fairness does not schedule.
// Reported: p50/p99 of each polite client, its 429s, its p99 as a ratio to the no-flood figure,
// and how many of the flood's requests were answered 429. Durations and counts are bounded.
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { Pool } from 'undici';
import { percentile, poolOf, send, startApiserverProcess, type ApiserverProcess, type Credentials } from './apiserver-process.js';
import { procCpuMs } from './proc.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const FLOOD = Number(process.env.BENCH_FLOOD ?? 400);
const LIMITS = ['--max-requests-inflight', '40', '--max-mutating-requests-inflight', '20'];

interface Sample {
  ms: number[];
  codes: Map<number, number>;
}

function record(s: Sample, code: number, ms: number): void {
  s.ms.push(ms);
  s.codes.set(code, (s.codes.get(code) ?? 0) + 1);
}

/** One request at a time for `seconds`. */
async function sequential(pool: Pool, path: string, seconds: number): Promise<Sample> {
  const s: Sample = { ms: [], codes: new Map() };
  const end = Date.now() + seconds * 1000;
  while (Date.now() < end) {
    const t0 = performance.now();
    const r = await send(pool, 'GET', path);
    record(s, r.code, performance.now() - t0);
  }
  return s;
}

interface FloodJob {
  credentials: Credentials;
  path: string;
  concurrency: number;
  honorRetryAfter: boolean;
}

/** Starts `flood` in a worker thread; resolves once every connection has had an answer. */
async function floodInWorker(job: FloodJob): Promise<{ stop(): Promise<Sample> }> {
  const worker = new Worker(new URL(import.meta.url), { workerData: job });
  let resolveResult: (s: Sample) => void = () => {};
  const result = new Promise<Sample>((r) => (resolveResult = r));
  await new Promise<void>((warm, reject) => {
    worker.on('message', (m: 'warm' | { ms: number[]; codes: [number, number][] }) => (m === 'warm' ? warm() : resolveResult({ ms: m.ms, codes: new Map(m.codes) })));
    worker.once('error', reject);
  });
  return {
    async stop() {
      worker.postMessage('stop');
      const s = await result;
      await worker.terminate();
      return s;
    },
  };
}

/** `concurrency` requests always outstanding until `until` resolves. */
async function flood(pool: Pool, path: string, concurrency: number, honorRetryAfter: boolean, until: Promise<unknown>, onWarm: () => void): Promise<Sample> {
  const s: Sample = { ms: [], codes: new Map() };
  let stop = false;
  let answered = 0;
  void until.then(() => (stop = true));
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (!stop) {
      const t0 = performance.now();
      const r = await pool.request({ method: 'GET', path }).then(async (res) => {
        await res.body.text();
        return { code: res.statusCode, retryAfter: Number(res.headers['retry-after'] ?? 0) };
      }, () => ({ code: 0, retryAfter: 0 }));
      if (++answered === 2 * concurrency) {
        // Warm: connections made, the queues filled; measure from here.
        s.ms = [];
        s.codes.clear();
        onWarm();
      }
      record(s, r.code, performance.now() - t0);
      if (honorRetryAfter && r.code === 429 && !stop) await sleep(r.retryAfter * 1000);
    }
  }));
  return s;
}

const fmt = (s: Sample) => `p50 ${percentile(s.ms, 50).toFixed(1)} ms, p99 ${percentile(s.ms, 99).toFixed(1)} ms, ${s.ms.length} requests, 429s: ${s.codes.get(429) ?? 0}`;

async function setup(api: ApiserverProcess): Promise<void> {
  const post = async (path: string, body: unknown) => {
    const r = await fetch(api.plain + path, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
    if (r.status !== 201) throw new Error(`${path}: ${r.status} ${await r.text()}`);
  };
  await post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench' } });
  await post('/apis/rbac.authorization.k8s.io/v1/clusterroles', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'cm-reader' }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] }] });
  await post('/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'cm-readers' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cm-reader' },
    subjects: ['flooder', 'polite'].map((name) => ({ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name })),
  });
  await post('/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'worker-1' } });
  for (let i = 0; i < 100; i++) await post('/api/v1/namespaces/bench/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}` }, data: { k: 'v'.repeat(200) } });
}

type FloodKind = 'none' | 'hostile' | 'client-go';

async function round(api: ApiserverProcess, label: string, kind: FloodKind): Promise<{ polite: Sample; node: Sample; flood?: Sample }> {
  const polite = await api.poolFor('polite', [], 1);
  const node = await api.poolFor('system:node:worker-1', ['system:nodes'], 1);
  // Warm-up, discarded: connections, JIT.
  await Promise.all([sequential(polite, '/api/v1/namespaces/bench/configmaps', 1), sequential(node, '/api/v1/nodes/worker-1', 1)]);
  const job = { credentials: await api.credentialsFor('flooder', []), path: '/api/v1/namespaces/bench/configmaps', concurrency: FLOOD, honorRetryAfter: kind === 'client-go' };
  const f = kind !== 'none' ? await floodInWorker(job) : undefined;
  const cpu0 = procCpuMs(api.pid);
  const t0 = performance.now();
  const clients = Promise.all([sequential(polite, '/api/v1/namespaces/bench/configmaps', SECONDS), sequential(node, '/api/v1/nodes/worker-1', SECONDS)]);
  const [p, n] = await clients;
  const fl = await f?.stop();
  const cpu = (procCpuMs(api.pid) - cpu0) / (performance.now() - t0);
  await Promise.all([polite.close(), node.close()]);
  console.log(`## ${label} (apiserver CPU ${(cpu * 100).toFixed(0)}% of a core)`);
  console.log(`polite user : ${fmt(p)}`);
  console.log(`node        : ${fmt(n)}`);
  if (fl) console.log(`flood       : ${fl.ms.length} requests, 429s: ${fl.codes.get(429) ?? 0} (${(((fl.codes.get(429) ?? 0) / fl.ms.length) * 100).toFixed(0)}%), other codes: ${[...fl.codes].filter(([c]) => c !== 429).map(([c, k]) => `${c}×${k}`).join(' ')}`);
  return { polite: p, node: n, ...(fl ? { flood: fl } : {}) };
}

async function main(): Promise<void> {
  const api = await startApiserverProcess(LIMITS);
  try {
    await setup(api);
    console.log(`# flood benchmark: ${SECONDS}s per phase, flood of ${FLOOD} concurrent LISTs of 100 ConfigMaps, 60 seats`);
    const base = await round(api, '1. no flood (the physical limit)', 'none');
    const hostile = await round(api, '2. hostile flood (retries 429s at once), API Priority and Fairness', 'hostile');
    const clientGo = await round(api, '3. client-go flood (waits Retry-After), API Priority and Fairness', 'client-go');
    await api.restart([...LIMITS, '--enable-priority-and-fairness=false']);
    const plain = await round(api, '4. hostile flood, plain max-in-flight limit (--enable-priority-and-fairness=false)', 'hostile');
    const ratio = (s: Sample, b: Sample, p: number) => (percentile(s.ms, p) / percentile(b.ms, p)).toFixed(1);
    console.log('## under flood ÷ without flood, p50 / p99 (1.0 = unaffected); 429s of the well-behaved client');
    for (const who of ['polite', 'node'] as const) {
      const row = (name: string, r: { polite: Sample; node: Sample }) => `${name} ${ratio(r[who], base[who], 50)}× / ${ratio(r[who], base[who], 99)}× (429s: ${r[who].codes.get(429) ?? 0})`;
      console.log(`${who.padEnd(6)}: ${row('APF hostile', hostile)}; ${row('APF client-go', clientGo)}; ${row('max-in-flight hostile', plain)}`);
    }
  } finally {
    await api.stop();
  }
}

if (isMainThread) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
} else {
  const job = workerData as FloodJob;
  const stopped = new Promise((r) => parentPort!.once('message', r));
  void flood(poolOf(job.credentials, job.concurrency), job.path, job.concurrency, job.honorRetryAfter, stopped, () => parentPort!.postMessage('warm')).then((s) => parentPort!.postMessage({ ms: s.ms, codes: [...s.codes] }));
}
