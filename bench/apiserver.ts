// npm run bench:apiserver — apiserver figures next to their physical limit, measured in the
// same run on the same etcd:
//   1. creates/s: raw etcd create-if-absent txns (etcd3) vs apiserver POST of small ConfigMaps
//      over keep-alive HTTP, at concurrency 16 and 64, after a discarded warm-up of each; with
//      the CPU each costs (the etcd3 client alone per txn, the apiserver per create);
//   2. watch latency with 100 watchers: raw etcd watch vs apiserver HTTP watch (write → event,
//      one write at a time);
//   3. LIST of 10k pods: apiserver from the watch cache (resourceVersion=0) vs a raw etcd range.
// The apiserver runs as its own process (as in a cluster), so client and server do not share
// an event loop. Counts and durations are bounded.
import { spawn } from 'node:child_process';
import { Etcd3 } from 'etcd3';
import { Pool } from 'undici';
import { startEtcd } from '../test/harness/etcd.js';
import { procCpuMs } from './proc.js';
import { freePort, waitFor } from '../test/harness/ports.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const WATCHERS = 100;
const WATCH_EVENTS = 200;
const LIST_PODS = 10_000;

const cpuMs = (u: NodeJS.CpuUsage): number => (u.user + u.system) / 1000;


function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}
const f1 = (x: number) => x.toFixed(1);
const f2 = (x: number) => x.toFixed(2);

/** Runs `op` from `concurrency` loops for `seconds`; returns ops/s. */
async function rate(concurrency: number, op: (i: number) => Promise<void>, seconds = SECONDS): Promise<number> {
  let n = 0;
  const end = Date.now() + seconds * 1000;
  const t0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < end) await op(n++);
    }),
  );
  return n / (Number(process.hrtime.bigint() - t0) / 1e9);
}

/** Resolves `expect(n)`'s promise once `arrived()` has been called n times (or 10 s pass). */
class Pacer {
  private left = 0;
  private done: (() => void) | undefined;
  expect(n: number): Promise<void> {
    this.left = n;
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 10_000);
      this.done = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
  arrived(): void {
    if (--this.left === 0) this.done?.();
  }
}

function configMapBody(name: string): string {
  return JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'bench', labels: { app: 'bench' } }, data: { key: 'v'.repeat(200) } });
}

async function main(): Promise<void> {
  const etcd = await startEtcd();
  const raw = new Etcd3({ hosts: [etcd.endpoint], grpcOptions: { 'grpc.max_receive_message_length': 64 * 1024 * 1024 } });
  const port = await freePort();
  const server = spawn(process.execPath, ['dist/apiserver/main.js', '--etcd-servers', etcd.endpoint, '--port', String(port), '--log-level', 'warn', '--max-requests-inflight', '1000'], { stdio: ['ignore', 'inherit', 'inherit'] });
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitFor('apiserver ready', async () => (await fetch(`${base}/readyz`).catch(() => undefined))?.ok, 30_000);
    const pool = new Pool(base, { connections: 64, pipelining: 1 });
    const post = async (path: string, body: string): Promise<number> => {
      const res = await pool.request({ method: 'POST', path, body, headers: { 'content-type': 'application/json' } });
      await res.body.text();
      return res.statusCode;
    };
    await post('/api/v1/namespaces', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench' } }));

    console.log(`# apiserver benchmark (${SECONDS}s per rate figure, etcd ${etcd.endpoint})`);
    console.log('## 1. creates/s');
    const rawTxn = (tag: string) => async (i: number) => {
      const key = Buffer.from(`/bench-raw/${tag}/${i}`);
      await raw.kv.txn({ compare: [{ key, target: 'Create', result: 'Equal', create_revision: 0 }], success: [{ request_put: { key, value: Buffer.from(configMapBody(`r${i}`)) } }], failure: [] });
    };
    const apiCreate = (tag: string) => async (i: number) => {
      const code = await post('/api/v1/namespaces/bench/configmaps', configMapBody(`c${tag}-${i}`));
      if (code !== 201) throw new Error(`create returned ${code}`);
    };
    // Warm-up, discarded: the first second of a fresh process (JIT, pools) runs at half speed.
    await rate(16, rawTxn('warm'), 1);
    await rate(16, apiCreate('warm'), 1);
    for (const c of [16, 64]) {
      const benchCpu0 = process.cpuUsage();
      let n0 = 0;
      const etcdRate = await rate(c, async (i) => {
        n0++;
        await rawTxn(String(c))(i);
      });
      const clientMs = cpuMs(process.cpuUsage(benchCpu0)) / n0;
      const apiCpu0 = procCpuMs(server.pid);
      let n1 = 0;
      const apiRate = await rate(c, async (i) => {
        n1++;
        await apiCreate(String(c))(i);
      });
      const serverMs = (procCpuMs(server.pid) - apiCpu0) / n1;
      console.log(`concurrency ${c}: raw etcd txn ${f1(etcdRate)}/s, apiserver POST ${f1(apiRate)}/s, ratio ${f2(apiRate / etcdRate)} (goal ≥ 0.8)`);
      console.log(`  CPU per write: etcd3 client alone ${f2(clientMs)} ms/txn; apiserver ${f2(serverMs)} ms/create (HTTP + decode + validate + the same etcd3 txn + its watch event)`);
    }
    await raw.delete().prefix('/bench-raw/');
    // Compact so the next phases do not run on a bloated history.
    const rev = Number((await raw.kv.range({ key: Buffer.from('\0'), limit: 1 })).header.revision);
    await raw.kv.compact({ revision: rev });

    console.log(`## 2. watch latency, ${WATCHERS} watchers, ${WATCH_EVENTS} events (write start → event)`);
    // One write at a time, the next only once every watcher has the last: each figure is one
    // event's latency, not a queue of them.
    const pace = new Pacer();
    const rawLat: number[] = [];
    {
      const sent = new Map<string, bigint>();
      const watchers = await Promise.all(Array.from({ length: WATCHERS }, () => raw.watch().prefix('/bench-watch/').create()));
      for (const w of watchers) {
        w.on('put', (kv) => {
          const t = sent.get(kv.key.toString());
          if (t !== undefined) {
            rawLat.push(Number(process.hrtime.bigint() - t) / 1e6);
            pace.arrived();
          }
        });
      }
      for (let i = 0; i < WATCH_EVENTS; i++) {
        const key = `/bench-watch/${i}`;
        const all = pace.expect(WATCHERS);
        sent.set(key, process.hrtime.bigint());
        await raw.put(key).value(configMapBody(`w${i}`));
        await all;
      }
      await waitFor('raw watch events', () => rawLat.length >= WATCHERS * WATCH_EVENTS, 60_000);
      await Promise.all(watchers.map((w) => w.cancel()));
    }
    const apiLat: number[] = [];
    {
      const sent = new Map<string, bigint>();
      const list = (await (await fetch(`${base}/api/v1/namespaces/bench/configmaps?limit=1`)).json()) as { metadata: { resourceVersion: string } };
      const watchPool = new Pool(base, { connections: WATCHERS + 1 });
      const streams = await Promise.all(
        Array.from({ length: WATCHERS }, async () => {
          const res = await watchPool.request({ method: 'GET', path: `/api/v1/namespaces/bench/configmaps?watch=true&resourceVersion=${list.metadata.resourceVersion}&labelSelector=kind%3Dwatch` });
          let buf = '';
          res.body.setEncoding('utf8');
          res.body.on('data', (chunk: string) => {
            buf += chunk;
            let i: number;
            while ((i = buf.indexOf('\n')) >= 0) {
              const line = buf.slice(0, i);
              buf = buf.slice(i + 1);
              const name = /"name":"(w[0-9]+)"/.exec(line)?.[1];
              const t = name ? sent.get(name) : undefined;
              if (t !== undefined) {
                apiLat.push(Number(process.hrtime.bigint() - t) / 1e6);
                pace.arrived();
              }
            }
          });
          return res;
        }),
      );
      for (let i = 0; i < WATCH_EVENTS; i++) {
        const name = `w${i}`;
        const body = JSON.parse(configMapBody(name)) as { metadata: { labels: Record<string, string> } };
        body.metadata.labels.kind = 'watch';
        const all = pace.expect(WATCHERS);
        sent.set(name, process.hrtime.bigint());
        await post('/api/v1/namespaces/bench/configmaps', JSON.stringify(body));
        await all;
      }
      await waitFor('apiserver watch events', () => apiLat.length >= WATCHERS * WATCH_EVENTS, 60_000);
      for (const s of streams) s.body.destroy();
      await watchPool.destroy();
    }
    const [rp50, rp99, ap50, ap99] = [pct(rawLat, 50), pct(rawLat, 99), pct(apiLat, 50), pct(apiLat, 99)];
    console.log(`raw etcd watch: p50 ${f2(rp50)} ms, p99 ${f2(rp99)} ms`);
    console.log(`apiserver HTTP watch: p50 ${f2(ap50)} ms, p99 ${f2(ap99)} ms`);
    console.log(`ratio p50 ${f2(ap50 / rp50)}, p99 ${f2(ap99 / rp99)} (goal ≤ 2)`);

    console.log(`## 3. LIST of ${LIST_PODS} pods`);
    const podJson = (i: number) =>
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: `p${i}`, namespace: 'bench', uid: `uid-${i}`, labels: { app: 'bench' }, creationTimestamp: '2026-01-01T00:00:00Z' },
        spec: { containers: [{ name: 'c', image: 'busybox:1.35', imagePullPolicy: 'IfNotPresent' }], nodeName: 'node-1', restartPolicy: 'Always' },
        status: { phase: 'Running', podIP: '10.244.0.1' },
      });
    for (let i = 0; i < LIST_PODS; i += 200) {
      await Promise.all(Array.from({ length: Math.min(200, LIST_PODS - i) }, (_, j) => raw.put(`/registry/pods/bench/p${String(i + j).padStart(5, '0')}`).value(podJson(i + j))));
    }
    await waitFor('pods in the watch cache', async () => {
      const r = await fetch(`${base}/api/v1/namespaces/bench/pods?resourceVersion=0`);
      const body = (await r.json()) as { items: unknown[] };
      return body.items.length === LIST_PODS;
    }, 60_000);
    const rawList: number[] = [];
    const apiList: number[] = [];
    for (let i = 0; i < 15; i++) {
      let t = process.hrtime.bigint();
      const rr = await raw.kv.range({ key: Buffer.from('/registry/pods/bench/'), range_end: Buffer.from('/registry/pods/bench0') });
      if (rr.kvs.length !== LIST_PODS) throw new Error(`raw range returned ${rr.kvs.length}`);
      rawList.push(Number(process.hrtime.bigint() - t) / 1e6);
      t = process.hrtime.bigint();
      const res = await pool.request({ method: 'GET', path: '/api/v1/namespaces/bench/pods?resourceVersion=0' });
      await res.body.arrayBuffer();
      apiList.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    console.log(`raw etcd range: p50 ${f1(pct(rawList, 50))} ms; apiserver LIST from watch cache: p50 ${f1(pct(apiList, 50))} ms; ratio ${f2(pct(apiList, 50) / pct(rawList, 50))}`);
    await pool.destroy();
  } finally {
    server.kill('SIGTERM');
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
