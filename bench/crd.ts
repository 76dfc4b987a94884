// npm run bench:crd — creates/s of a custom resource whose CRD has a 20-field structural schema
// (apiserver/apiextensions/schema/fixtures.ts: pruning, defaulting and ajv validation on every
// create) next to creates/s of a small ConfigMap on the same apiserver, and both next to raw
// etcd create-if-absent txns/s: the physical limit. Concurrency 16 over keep-alive connections,
// after a discarded warm-up; each figure the median of BENCH_ROUNDS interleaved rounds on a
// freshly compacted etcd. The apiserver runs as its own process, with the unsafe plain-HTTP port
// so the figures are the registry's (bench:apiserver measures what authentication adds).
import { spawn } from 'node:child_process';
import { Etcd3 } from 'etcd3';
import { Pool } from 'undici';
import { benchObject20, benchSchema20 } from '../apiserver/apiextensions/schema/fixtures.js';
import { startEtcd } from '../test/harness/etcd.js';
import { freePort, waitFor } from '../test/harness/ports.js';
import { CONCURRENCY, median, rate as rateFor } from './rate.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const rate = (op: (i: number) => Promise<void>, seconds = SECONDS): Promise<number> => rateFor(op, seconds);

async function main(): Promise<void> {
  const etcd = await startEtcd();
  const raw = new Etcd3({ hosts: [etcd.endpoint] });
  const port = await freePort();
  const server = spawn(process.execPath, [
    'dist/apiserver/main.js', '--etcd-servers', etcd.endpoint, '--log-level', 'warn', '--max-requests-inflight', '1000',
    '--insecure-port', String(port), '--secure-port', '0',
  ], { stdio: ['ignore', 'inherit', 'inherit'] });
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections: CONCURRENCY });
  const post = async (path: string, body: unknown): Promise<{ code: number; text: string }> => {
    const res = await pool.request({ method: 'POST', path, body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
    return { code: res.statusCode, text: await res.body.text() };
  };
  try {
    await waitFor('apiserver ready', async () => (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.ok, 30_000);
    await post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench' } });
    const crd = await post('/apis/apiextensions.k8s.io/v1/customresourcedefinitions', {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.bench.example.com' },
      spec: {
        group: 'bench.example.com',
        scope: 'Namespaced',
        names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: benchSchema20() } }],
      },
    });
    if (crd.code !== 201) throw new Error(`CRD create: ${crd.code} ${crd.text}`);
    const WIDGETS = '/apis/bench.example.com/v1/namespaces/bench/widgets';
    await waitFor('the CRD is served', async () => (await pool.request({ method: 'GET', path: WIDGETS }).then(async (r) => (await r.body.text(), r.statusCode))) === 200, 10_000);

    let tag = 0;
    const createCR = (t: string) => async (i: number) => {
      const r = await post(WIDGETS, { ...benchObject20(`w-${t}-${i}`, 'bench'), apiVersion: 'bench.example.com/v1', kind: 'Widget' });
      if (r.code !== 201) throw new Error(`CR create: ${r.code} ${r.text}`);
    };
    const createCM = (t: string) => async (i: number) => {
      const r = await post('/api/v1/namespaces/bench/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `c-${t}-${i}`, labels: { app: 'bench' } }, data: { key: 'v'.repeat(200) } });
      if (r.code !== 201) throw new Error(`ConfigMap create: ${r.code} ${r.text}`);
    };
    const rawTxn = (t: string) => async (i: number) => {
      const key = Buffer.from(`/bench-raw/${t}/${i}`);
      await raw.kv.txn({ compare: [{ key, target: 'Create', result: 'Equal', create_revision: 0 }], success: [{ request_put: { key, value: Buffer.from(JSON.stringify(benchObject20(`r${i}`))) } }], failure: [] });
    };
    const compact = async () => {
      const rev = Number((await raw.kv.range({ key: Buffer.from('\0'), limit: 1 })).header.revision);
      await raw.kv.compact({ revision: rev }).catch(() => undefined);
    };
    await rate(createCR('warm'), 1);
    await rate(createCM('warm'), 1);
    await rate(rawTxn('warm'), 1);
    const r = { cr: [] as number[], cm: [] as number[], etcd: [] as number[] };
    for (let round = 0; round < ROUNDS; round++) {
      await compact();
      const runs = [
        async () => r.cr.push(await rate(createCR(`${tag++}`))),
        async () => r.cm.push(await rate(createCM(`${tag++}`))),
        async () => r.etcd.push(await rate(rawTxn(`${tag++}`))),
      ];
      for (let k = 0; k < runs.length; k++) await runs[(k + round) % runs.length]!();
    }
    const [cr, cm, et] = [median(r.cr), median(r.cm), median(r.etcd)];
    console.log(`# CRD benchmark (${SECONDS}s per figure, concurrency ${CONCURRENCY}, median of ${ROUNDS} rounds)`);
    console.log(`raw etcd txn ${et.toFixed(1)}/s`);
    console.log(`ConfigMap creates ${cm.toFixed(1)}/s (ratio to etcd ${(cm / et).toFixed(2)})`);
    console.log(`custom resource creates, 20-field schema ${cr.toFixed(1)}/s (ratio to etcd ${(cr / et).toFixed(2)}, ratio to ConfigMap ${(cr / cm).toFixed(2)})`);
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
