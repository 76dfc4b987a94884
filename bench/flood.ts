// npm run bench:flood — API Priority and Fairness under a flood, in one run on one apiserver
// process (secure port, x509 users, RBAC) with a small concurrency limit
// (--max-requests-inflight 40 --max-mutating-requests-inflight 20: 60 seats, 5 of them for
// global-default):
//   1. no flood: a polite user (one LIST at a time) and a node (one GET of its Node at a
//      time) — their p50/p99 is the physical limit of this apiserver for that request;
//   2. flood: the same, while one user keeps FLOOD concurrent LISTs outstanding;
//   3. the same flood with --enable-priority-and-fairness=false (the plain max-in-flight
//      limit), for contrast.
// Reported: p50/p99 of each polite client, its 429s, its p99 as a ratio to the no-flood figure,
// and how many of the flood's requests were answered 429. Durations and counts are bounded.
import type { Pool } from 'undici';
import { percentile, send, startApiserverProcess, type ApiserverProcess } from './apiserver-process.js';

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

/** `concurrency` requests always outstanding until `until` resolves. */
async function flood(pool: Pool, path: string, concurrency: number, until: Promise<unknown>): Promise<Sample> {
  const s: Sample = { ms: [], codes: new Map() };
  let stop = false;
  void until.then(() => (stop = true));
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (!stop) {
      const t0 = performance.now();
      const r = await send(pool, 'GET', path).catch(() => ({ code: 0, text: '' }));
      record(s, r.code, performance.now() - t0);
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

async function round(api: ApiserverProcess, label: string, withFlood: boolean): Promise<{ polite: Sample; node: Sample; flood?: Sample }> {
  const polite = await api.poolFor('polite', [], 1);
  const node = await api.poolFor('system:node:worker-1', ['system:nodes'], 1);
  const flooder = await api.poolFor('flooder', [], FLOOD);
  // Warm-up, discarded: connections, JIT.
  await Promise.all([sequential(polite, '/api/v1/namespaces/bench/configmaps', 1), sequential(node, '/api/v1/nodes/worker-1', 1)]);
  const clients = Promise.all([sequential(polite, '/api/v1/namespaces/bench/configmaps', SECONDS), sequential(node, '/api/v1/nodes/worker-1', SECONDS)]);
  const f = withFlood ? flood(flooder, '/api/v1/namespaces/bench/configmaps', FLOOD, clients) : undefined;
  const [p, n] = await clients;
  const fl = await f;
  await Promise.all([polite.close(), node.close(), flooder.close()]);
  console.log(`## ${label}`);
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
    const base = await round(api, '1. no flood (the physical limit)', false);
    const apf = await round(api, '2. flood, API Priority and Fairness', true);
    await api.restart([...LIMITS, '--enable-priority-and-fairness=false']);
    const plain = await round(api, '3. flood, plain max-in-flight limit (--enable-priority-and-fairness=false)', true);
    const ratio = (s: Sample, b: Sample) => (percentile(s.ms, 99) / percentile(b.ms, 99)).toFixed(1);
    console.log('## p99 under flood ÷ p99 without (1.0 = unaffected)');
    console.log(`polite user: APF ${ratio(apf.polite, base.polite)}×, max-in-flight ${ratio(plain.polite, base.polite)}× (429s: APF ${apf.polite.codes.get(429) ?? 0}, max-in-flight ${plain.polite.codes.get(429) ?? 0})`);
    console.log(`node       : APF ${ratio(apf.node, base.node)}×, max-in-flight ${ratio(plain.node, base.node)}× (429s: APF ${apf.node.codes.get(429) ?? 0}, max-in-flight ${plain.node.codes.get(429) ?? 0})`);
  } finally {
    await api.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
