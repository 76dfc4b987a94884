// npm run bench:apiserver — apiserver figures next to their physical limit, measured in the
// same run on the same etcd, by one apiserver process serving both its secure port (HTTPS,
// client-certificate or service-account-token authentication, Node+RBAC authorization — as in
// the cluster) and the unsafe plain-HTTP port (no authentication, no authorization):
//   1. creates/s: raw etcd create-if-absent txns (etcd3) vs apiserver POST of small ConfigMaps
//      over keep-alive connections — plain HTTP, and HTTPS as a user whose RoleBinding allows
//      it (x509) — at concurrency 16 and 64, after a discarded warm-up, each figure the median of
//      three interleaved rounds on a freshly compacted etcd; with the CPU each
//      costs (the etcd3 client alone per txn, the apiserver per create);
//   2. watch latency with 100 watchers: raw etcd watch vs apiserver watch, plain and secure
//      (write → event, one write at a time);
//   3. the CPU of authentication + authorization per request: the apiserver's CPU per GET of one
//      ConfigMap, secure (x509; service-account JWT) minus plain;
//   4. LIST of 10k pods: apiserver from the watch cache (resourceVersion=0) vs a raw etcd range.
// The apiserver runs as its own process (as in a cluster), so client and server do not share
// an event loop. Counts and durations are bounded.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import { Pool } from 'undici';
import { ensureClusterPki } from '../client/cert/pki.js';
import { clusterPkiPaths } from '../client/cert/layout.js';
import { issueCert } from '../client/cert/x509.js';
import { startEtcd } from '../test/harness/etcd.js';
import { procCpuMs } from './proc.js';
import { freePort, waitFor } from '../test/harness/ports.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
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

/** A keep-alive client of one port, as one identity (client certificate or bearer token). */
interface Target {
  name: string;
  pool: Pool;
  headers: Record<string, string>;
}

async function request(t: Target, method: string, path: string, body?: string): Promise<{ code: number; text: string }> {
  const res = await t.pool.request({ method, path, body, headers: { ...t.headers, ...(body ? { 'content-type': 'application/json' } : {}) } });
  return { code: res.statusCode, text: await res.body.text() };
}

async function main(): Promise<void> {
  const etcd = await startEtcd();
  const raw = new Etcd3({ hosts: [etcd.endpoint], grpcOptions: { 'grpc.max_receive_message_length': 64 * 1024 * 1024 } });
  const dir = mkdtempSync(join(tmpdir(), 'tskube-bench-pki-'));
  await ensureClusterPki({ dir, server: 'https://127.0.0.1:6443' });
  const pki = clusterPkiPaths(dir);
  const [securePort, plainPort] = [await freePort(), await freePort()];
  const server = spawn(
    process.execPath,
    [
      'dist/apiserver/main.js', '--etcd-servers', etcd.endpoint, '--log-level', 'warn', '--max-requests-inflight', '1000',
      '--secure-port', String(securePort), '--bind-address', '127.0.0.1', '--advertise-address', '127.0.0.1',
      '--tls-cert-file', pki.apiserverCert, '--tls-private-key-file', pki.apiserverKey, '--client-ca-file', pki.caCert,
      '--service-account-key-file', pki.serviceAccountPub, '--service-account-signing-key-file', pki.serviceAccountKey,
      '--insecure-port', String(plainPort),
    ],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  const base = `http://127.0.0.1:${plainPort}`;
  const secureBase = `https://127.0.0.1:${securePort}`;
  try {
    await waitFor('apiserver ready', async () => (await fetch(`${base}/readyz`).catch(() => undefined))?.ok, 30_000);
    const pool = new Pool(base, { connections: 64, pipelining: 1 });
    const plain: Target = { name: 'plain HTTP', pool, headers: {} };
    const { readFileSync } = await import('node:fs');
    const ca = readFileSync(pki.caCert, 'utf8');
    const caKey = readFileSync(pki.caKey, 'utf8');
    const writer = await issueCert({ cert: ca, key: caKey }, { commonName: 'bench-writer', usages: ['client'] });
    const x509: Target = { name: 'HTTPS x509 + RBAC', pool: new Pool(secureBase, { connections: 64, connect: { ca, cert: writer.cert, key: writer.key } }), headers: {} };
    const post = async (path: string, body: string): Promise<number> => (await request(plain, 'POST', path, body)).code;
    await post('/api/v1/namespaces', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench' } }));
    // The secure clients are ordinary users: a Role and RoleBinding let them use ConfigMaps
    // (system:masters would skip RBAC altogether).
    await post('/apis/rbac.authorization.k8s.io/v1/namespaces/bench/roles', JSON.stringify({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'cm' }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['*'] }] }));
    await post('/api/v1/namespaces/bench/serviceaccounts', JSON.stringify({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'bench' } }));
    await post('/apis/rbac.authorization.k8s.io/v1/namespaces/bench/rolebindings', JSON.stringify({
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'cm' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'cm' },
      subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'bench-writer' }, { kind: 'ServiceAccount', name: 'bench', namespace: 'bench' }],
    }));
    const tr = await request(plain, 'POST', '/api/v1/namespaces/bench/serviceaccounts/bench/token', JSON.stringify({ kind: 'TokenRequest', spec: { expirationSeconds: 3600 } }));
    const token = (JSON.parse(tr.text) as { status: { token: string } }).status.token;
    const jwt: Target = { name: 'HTTPS service-account JWT + RBAC', pool: new Pool(secureBase, { connections: 64, connect: { ca } }), headers: { authorization: `Bearer ${token}` } };
    await waitFor('the RoleBinding is in force', async () => (await request(x509, 'GET', '/api/v1/namespaces/bench/configmaps?limit=1')).code === 200 && (await request(jwt, 'GET', '/api/v1/namespaces/bench/configmaps?limit=1')).code === 200, 10_000);

    console.log(`# apiserver benchmark (${SECONDS}s per rate figure, etcd ${etcd.endpoint})`);
    console.log('## 1. creates/s');
    const rawTxn = (tag: string) => async (i: number) => {
      const key = Buffer.from(`/bench-raw/${tag}/${i}`);
      await raw.kv.txn({ compare: [{ key, target: 'Create', result: 'Equal', create_revision: 0 }], success: [{ request_put: { key, value: Buffer.from(configMapBody(`r${i}`)) } }], failure: [] });
    };
    const apiCreate = (t: Target, tag: string) => async (i: number) => {
      const { code, text } = await request(t, 'POST', '/api/v1/namespaces/bench/configmaps', configMapBody(`c${tag}-${i}`));
      if (code !== 201) throw new Error(`create as ${t.name} returned ${code}: ${text}`);
    };
    // Warm-up, discarded: the first second of a fresh process (JIT, pools) runs at half speed.
    await rate(16, rawTxn('warm'), 1);
    await rate(16, apiCreate(plain, 'warm'), 1);
    await rate(16, apiCreate(x509, 'warm-s'), 1);
    const serverCpuPer = async (op: (i: number) => Promise<void>, c: number, seconds = SECONDS) => {
      const cpu0 = procCpuMs(server.pid);
      let n = 0;
      const r = await rate(c, async (i) => {
        n++;
        await op(i);
      }, seconds);
      return { rate: r, cpuMs: (procCpuMs(server.pid) - cpu0) / n };
    };
    // The machine is shared and noisy, and etcd slows as its history grows: each figure is the
    // median of ROUNDS interleaved runs (raw, plain, secure — order rotating each round), with
    // etcd compacted before every round.
    const compact = async () => {
      const rev = Number((await raw.kv.range({ key: Buffer.from('\0'), limit: 1 })).header.revision);
      await raw.kv.compact({ revision: rev }).catch(() => undefined);
    };
    const median = (xs: number[]) => pct(xs, 50);
    let tagN = 0;
    for (const c of [16, 64]) {
      const r: Record<'raw' | 'plain' | 'secure' | 'clientMs' | 'plainMs' | 'secureMs' | 'ratio', number[]> = { raw: [], plain: [], secure: [], clientMs: [], plainMs: [], secureMs: [], ratio: [] };
      for (let round = 0; round < ROUNDS; round++) {
        await compact();
        const runs: Array<() => Promise<void>> = [
          async () => {
            const benchCpu0 = process.cpuUsage();
            let n0 = 0;
            r.raw.push(await rate(c, async (i) => {
              n0++;
              await rawTxn(`${c}-${round}`)(i);
            }));
            r.clientMs.push(cpuMs(process.cpuUsage(benchCpu0)) / n0);
          },
          async () => {
            const p = await serverCpuPer(apiCreate(plain, `p${c}-${tagN++}`), c);
            r.plain.push(p.rate);
            r.plainMs.push(p.cpuMs);
          },
          async () => {
            const sx = await serverCpuPer(apiCreate(x509, `s${c}-${tagN++}`), c);
            r.secure.push(sx.rate);
            r.secureMs.push(sx.cpuMs);
          },
        ];
        for (let k = 0; k < runs.length; k++) await runs[(k + round) % runs.length]!();
        r.ratio.push(r.secure[round]! / r.plain[round]!);
      }
      const [etcdRate, plainRate, secureRate] = [median(r.raw), median(r.plain), median(r.secure)];
      console.log(`concurrency ${c}: raw etcd txn ${f1(etcdRate)}/s; apiserver POST plain HTTP ${f1(plainRate)}/s (ratio ${f2(plainRate / etcdRate)}), HTTPS + x509 + RBAC ${f1(secureRate)}/s (ratio ${f2(secureRate / etcdRate)})`);
      console.log(`  security cost: secure/plain creates, median of ${ROUNDS} interleaved pairs: ${f2(median(r.ratio))} (goal ≥ 0.85)`);
      console.log(`  CPU per write: etcd3 client alone ${f2(median(r.clientMs))} ms/txn; apiserver ${f2(median(r.plainMs))} ms/create plain, ${f2(median(r.secureMs))} ms/create secure`);
    }
    console.log(`## 2. CPU of authentication + authorization per request (GET of one ConfigMap, concurrency 16, median of ${ROUNDS} interleaved rounds)`);
    await request(plain, 'POST', '/api/v1/namespaces/bench/configmaps', configMapBody('one'));
    const get = (t: Target) => async () => {
      const { code } = await request(t, 'GET', '/api/v1/namespaces/bench/configmaps/one');
      if (code !== 200) throw new Error(`GET as ${t.name} returned ${code}`);
    };
    await serverCpuPer(get(jwt), 16, 1);
    const gets: Record<'plain' | 'x509' | 'jwt', { rate: number[]; cpu: number[] }> = { plain: { rate: [], cpu: [] }, x509: { rate: [], cpu: [] }, jwt: { rate: [], cpu: [] } };
    const order = ['plain', 'x509', 'jwt'] as const;
    const targets = { plain, x509, jwt };
    for (let round = 0; round < ROUNDS; round++) {
      for (let k = 0; k < order.length; k++) {
        const which = order[(k + round) % order.length]!;
        const m = await serverCpuPer(get(targets[which]), 16, 2);
        gets[which].rate.push(m.rate);
        gets[which].cpu.push(m.cpuMs * 1000);
      }
    }
    const g = Object.fromEntries(order.map((w) => [w, { rate: median(gets[w].rate), us: median(gets[w].cpu) }])) as Record<(typeof order)[number], { rate: number; us: number }>;
    console.log(`GET: plain ${f1(g.plain.rate)}/s at ${f1(g.plain.us)} µs CPU; x509 + RBAC ${f1(g.x509.rate)}/s at ${f1(g.x509.us)} µs; service-account JWT + RBAC ${f1(g.jwt.rate)}/s at ${f1(g.jwt.us)} µs`);
    console.log(`  authentication + authorization (+ TLS) per request: x509 ${f1(g.x509.us - g.plain.us)} µs, JWT ${f1(g.jwt.us - g.plain.us)} µs of CPU; secure/plain GETs ${f2(g.x509.rate / g.plain.rate)} (x509), ${f2(g.jwt.rate / g.plain.rate)} (JWT)`);
    await raw.delete().prefix('/bench-raw/');
    // Compact so the next phases do not run on a bloated history.
    const rev = Number((await raw.kv.range({ key: Buffer.from('\0'), limit: 1 })).header.revision);
    await raw.kv.compact({ revision: rev });

    console.log(`## 3. watch latency, ${WATCHERS} watchers, ${WATCH_EVENTS} events (write start → event)`);
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
    /** Watch latency through the apiserver: watchers as `open`'s identity, one write at a time by the plain client. */
    const apiWatchLatency = async (tag: string, open: () => Pool, headers: Record<string, string>): Promise<number[]> => {
      const lat: number[] = [];
      const sent = new Map<string, bigint>();
      const list = (await (await fetch(`${base}/api/v1/namespaces/bench/configmaps?limit=1`)).json()) as { metadata: { resourceVersion: string } };
      const watchPool = open();
      const streams = await Promise.all(
        Array.from({ length: WATCHERS }, async () => {
          const res = await watchPool.request({ method: 'GET', path: `/api/v1/namespaces/bench/configmaps?watch=true&resourceVersion=${list.metadata.resourceVersion}&labelSelector=kind%3Dwatch-${tag}`, headers });
          if (res.statusCode !== 200) throw new Error(`watch (${tag}) answered ${res.statusCode}: ${await res.body.text()}`);
          let buf = '';
          res.body.setEncoding('utf8');
          res.body.on('data', (chunk: string) => {
            buf += chunk;
            let k: number;
            while ((k = buf.indexOf('\n')) >= 0) {
              const line = buf.slice(0, k);
              buf = buf.slice(k + 1);
              const name = /"name":"(w[a-z]*[0-9]+)"/.exec(line)?.[1];
              const t = name ? sent.get(name) : undefined;
              if (t !== undefined) {
                lat.push(Number(process.hrtime.bigint() - t) / 1e6);
                pace.arrived();
              }
            }
          });
          return res;
        }),
      );
      for (let n = 0; n < WATCH_EVENTS; n++) {
        const name = `w${tag}${n}`;
        const body = JSON.parse(configMapBody(name)) as { metadata: { labels: Record<string, string> } };
        body.metadata.labels.kind = `watch-${tag}`;
        const all = pace.expect(WATCHERS);
        sent.set(name, process.hrtime.bigint());
        await post('/api/v1/namespaces/bench/configmaps', JSON.stringify(body));
        await all;
      }
      await waitFor(`apiserver watch events (${tag})`, () => lat.length >= WATCHERS * WATCH_EVENTS, 60_000);
      for (const st of streams) st.body.destroy();
      await watchPool.destroy();
      return lat;
    };
    const apiLat = await apiWatchLatency('p', () => new Pool(base, { connections: WATCHERS + 1 }), {});
    const secLat = await apiWatchLatency('s', () => new Pool(secureBase, { connections: WATCHERS + 1, connect: { ca, cert: writer.cert, key: writer.key } }), {});
    const [rp50, rp99, ap50, ap99, sp50, sp99] = [pct(rawLat, 50), pct(rawLat, 99), pct(apiLat, 50), pct(apiLat, 99), pct(secLat, 50), pct(secLat, 99)];
    console.log(`raw etcd watch: p50 ${f2(rp50)} ms, p99 ${f2(rp99)} ms`);
    console.log(`apiserver watch, plain HTTP: p50 ${f2(ap50)} ms, p99 ${f2(ap99)} ms; ratio to etcd p50 ${f2(ap50 / rp50)}, p99 ${f2(ap99 / rp99)} (goal ≤ 2)`);
    console.log(`apiserver watch, HTTPS + x509 + RBAC: p50 ${f2(sp50)} ms, p99 ${f2(sp99)} ms; ratio to etcd p50 ${f2(sp50 / rp50)}, p99 ${f2(sp99 / rp99)}; secure/plain p50 ${f2(sp50 / ap50)} (goal ≤ 1.15)`);

    console.log(`## 4. LIST of ${LIST_PODS} pods`);
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
    await x509.pool.destroy();
    await jwt.pool.destroy();
  } finally {
    server.kill('SIGTERM');
    raw.close();
    await etcd.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
