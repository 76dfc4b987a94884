// npm run bench:quota — ResourceQuota admission overhead: pod creates/s in a namespace with a
// quota (pods, requests/limits cpu and memory; generous, so nothing is refused) and in one
// without, on the same apiserver in the same run, and their ratio. Every create in the quota
// namespace is charged by a compare-and-swap on the quota's status. Concurrency 16 over
// keep-alive connections, after a discarded warm-up; each figure the median of BENCH_ROUNDS
// interleaved rounds on a freshly compacted etcd. The apiserver runs as its own process on the
// unsafe plain-HTTP port, so the figures are the registry's and admission's. No
// controller-manager runs: the quota's status is filled once, as the controller would.
import { spawn } from 'node:child_process';
import { Etcd3 } from 'etcd3';
import { Pool } from 'undici';
import { startEtcd } from '../test/harness/etcd.js';
import { freePort, waitFor } from '../test/harness/ports.js';
import { CONCURRENCY, median, rate as rateFor } from './rate.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const rate = (op: (i: number) => Promise<void>, seconds = SECONDS): Promise<number> => rateFor(op, seconds);

const HARD = { pods: '1000000', 'requests.cpu': '100000', 'requests.memory': '1000Ti', 'limits.cpu': '200000', 'limits.memory': '2000Ti' };

const pod = (name: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, labels: { app: 'bench' } },
  spec: { containers: [{ name: 'app', image: 'busybox', resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '20m', memory: '32Mi' } } }] },
});

async function main(): Promise<void> {
  const etcd = await startEtcd();
  const raw = new Etcd3({ hosts: [etcd.endpoint] });
  const port = await freePort();
  const server = spawn(process.execPath, [
    'dist/apiserver/main.js', '--etcd-servers', etcd.endpoint, '--log-level', 'warn', '--max-requests-inflight', '1000',
    '--insecure-port', String(port), '--secure-port', '0',
  ], { stdio: ['ignore', 'inherit', 'inherit'] });
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections: CONCURRENCY });
  const send = async (method: 'POST' | 'PUT' | 'GET', path: string, body?: unknown): Promise<{ code: number; text: string }> => {
    const res = await pool.request({ method, path, ...(body ? { body: JSON.stringify(body) } : {}), headers: { 'content-type': 'application/json' } });
    return { code: res.statusCode, text: await res.body.text() };
  };
  try {
    await waitFor('apiserver ready', async () => (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.ok, 30_000);
    for (const ns of ['with-quota', 'without-quota']) {
      await send('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
      // What the serviceaccount controller would make; ServiceAccount admission wants it.
      await send('POST', `/api/v1/namespaces/${ns}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default' } });
    }
    const QUOTA = '/api/v1/namespaces/with-quota/resourcequotas';
    const created = await send('POST', QUOTA, { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'compute' }, spec: { hard: HARD } });
    if (created.code !== 201) throw new Error(`quota create: ${created.code} ${created.text}`);
    const q = JSON.parse(created.text) as Record<string, unknown>;
    const zero = Object.fromEntries(Object.keys(HARD).map((k) => [k, '0']));
    const st = await send('PUT', `${QUOTA}/compute/status`, { ...q, status: { hard: HARD, used: zero } });
    if (st.code !== 200) throw new Error(`quota status: ${st.code} ${st.text}`);
    // The admission plugin reads quotas from the watch cache: wait until it charges.
    await waitFor('quota charged', async () => {
      const probe = await send('POST', '/api/v1/namespaces/with-quota/pods', pod(`probe-${Date.now()}`));
      if (probe.code !== 201) throw new Error(`probe pod: ${probe.code} ${probe.text}`);
      const cur = JSON.parse((await send('GET', `${QUOTA}/compute`)).text) as { status?: { used?: Record<string, string> } };
      return cur.status?.used?.['pods'] !== '0';
    }, 10_000);

    let tag = 0;
    const create = (ns: string, t: string) => async (i: number) => {
      const r = await send('POST', `/api/v1/namespaces/${ns}/pods`, pod(`p-${t}-${i}`));
      if (r.code !== 201) throw new Error(`pod create in ${ns}: ${r.code} ${r.text}`);
    };
    const compact = async () => {
      const rev = Number((await raw.kv.range({ key: Buffer.from('\0'), limit: 1 })).header.revision);
      await raw.kv.compact({ revision: rev }).catch(() => undefined);
    };
    await rate(create('with-quota', 'warm'), 1);
    await rate(create('without-quota', 'warm'), 1);
    const r = { with: [] as number[], without: [] as number[] };
    for (let round = 0; round < ROUNDS; round++) {
      await compact();
      const runs = [
        async () => r.with.push(await rate(create('with-quota', `${tag++}`))),
        async () => r.without.push(await rate(create('without-quota', `${tag++}`))),
      ];
      for (let k = 0; k < runs.length; k++) await runs[(k + round) % runs.length]!();
    }
    const [w, wo] = [median(r.with), median(r.without)];
    const used = JSON.parse((await send('GET', `${QUOTA}/compute`)).text) as { status?: { used?: Record<string, string> } };
    const pods = JSON.parse((await send('GET', '/api/v1/namespaces/with-quota/pods?limit=1')).text) as { metadata?: { remainingItemCount?: number } };
    console.log(`# ResourceQuota admission benchmark (${SECONDS}s per figure, concurrency ${CONCURRENCY}, median of ${ROUNDS} rounds)`);
    console.log(`pod creates without a quota ${wo.toFixed(1)}/s`);
    console.log(`pod creates with a quota (pods, cpu, memory) ${w.toFixed(1)}/s`);
    console.log(`ratio with/without ${(w / wo).toFixed(2)}`);
    console.log(`quota used pods=${used.status?.used?.['pods']} for ${(pods.metadata?.remainingItemCount ?? 0) + 1} pods stored`);
  } finally {
    await pool.close();
    server.kill('SIGTERM');
    raw.close();
    await etcd.stop();
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
