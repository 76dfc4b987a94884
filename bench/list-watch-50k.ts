// npm run bench:list50k — the apiserver's memory with 50k small ConfigMaps, next to the
// physical limit: the bytes those objects take in etcd (keys + values of a range over them).
// One apiserver process (its VmRSS from /proc, so the figure is what the kernel charges),
// one fresh etcd, the unsafe plain-HTTP port (no authentication cost). Phases:
//   1. baseline; 2. after creating OBJECTS ConfigMaps (concurrency 64), then etcd compacted;
//      then the apiserver restarted, its watch cache filled from etcd (the steady state,
//      without the garbage of the creates); the next phases run on that process;
//   3. LIST of all of them from etcd (no resourceVersion), from the watch cache
//      (resourceVersion=0), and paginated from etcd (limit=500): time, bytes, peak RSS;
//   4. WATCHERS watches from 0 read to the end of their initial events; then WATCHERS idle
//      watches held open;
//   5. WATCHERS watchers that never read while 40 MiB of ConfigMaps are written elsewhere:
//      each is closed past its 16 MiB bound (apiserver_terminated_watchers_total); RSS before,
//      at peak, and after.
// Every RSS is shown in MiB, its growth over the baseline as a ratio to the etcd data size, and
// the V8 heap in use (from the apiserver's /metrics: live objects plus not yet collected
// garbage; RSS also keeps pages V8 has not returned). Bounded: a few minutes.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Etcd3 } from 'etcd3';
import { Pool } from 'undici';
import { rssMiB, send, startApiserverProcess } from './apiserver-process.js';

const OBJECTS = Number(process.env.BENCH_OBJECTS ?? 50_000);
const WATCHERS = Number(process.env.BENCH_WATCHERS ?? 10);
const CONCURRENCY = 64;

/** Peak RSS of `pid` while `work` runs (sampled every 20 ms). */
async function peakDuring<T>(pid: number, work: () => Promise<T>): Promise<{ result: T; peak: number; ms: number }> {
  let peak = rssMiB(pid);
  const timer = setInterval(() => (peak = Math.max(peak, rssMiB(pid))), 20);
  const t0 = performance.now();
  try {
    const result = await work();
    return { result, peak: Math.max(peak, rssMiB(pid)), ms: performance.now() - t0 };
  } finally {
    clearInterval(timer);
  }
}

/** Streams a GET and counts its bytes and lines, without keeping the body. */
function streamGet(base: string, path: string, stopAtLines = Infinity): Promise<{ bytes: number; lines: number; res: IncomingMessage }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(base + path, (res) => {
      let bytes = 0;
      let lines = 0;
      res.on('data', (c: Buffer) => {
        bytes += c.length;
        for (let i = c.indexOf(10); i >= 0; i = c.indexOf(10, i + 1)) lines++;
        if (lines >= stopAtLines) {
          res.destroy();
          resolve({ bytes, lines, res });
        }
      });
      res.on('end', () => resolve({ bytes, lines, res }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

async function main(): Promise<void> {
  const api = await startApiserverProcess(['--max-requests-inflight', '1000']);
  const raw = new Etcd3({ hosts: [api.etcd.endpoint], grpcOptions: { 'grpc.max_receive_message_length': 256 * 1024 * 1024 } });
  const pool = new Pool(api.plain, { connections: CONCURRENCY });
  let dataMiB = NaN;
  let baseline = NaN;
  const heap = async () => {
    const text = (await send(pool, 'GET', '/metrics')).text;
    const mib = (name: string) => (Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1]) / 2 ** 20).toFixed(0);
    return `heap used ${mib('nodejs_heap_size_used_bytes')} of ${mib('nodejs_heap_size_total_bytes')} MiB, external ${mib('nodejs_external_memory_bytes')} MiB`;
  };
  const row = async (what: string, mib: number, extra = '') => {
    const growth = Number.isFinite(dataMiB) ? ` = base + ${(mib - baseline).toFixed(0).padStart(4)} MiB (${((mib - baseline) / dataMiB).toFixed(1)}× data)` : '';
    console.log(`${what.padEnd(60)} RSS ${mib.toFixed(0).padStart(4)} MiB${growth}; ${await heap()}${extra ? `; ${extra}` : ''}`);
  };
  try {
    console.log(`# LIST and watch of ${OBJECTS} ConfigMaps: apiserver RSS (VmRSS of its process)`);
    for (const ns of ['bench', 'stall']) await send(pool, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    await sleep(2000);
    baseline = rssMiB(api.pid);
    await row('1. baseline (ready, idle)', baseline);

    let next = 0;
    const t0 = performance.now();
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      for (let i = next++; i < OBJECTS; i = next++) {
        const r = await send(pool, 'POST', '/api/v1/namespaces/bench/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}`, labels: { app: 'bench' } }, data: { key: `value-${i}`, text: 'x'.repeat(64) } });
        if (r.code !== 201) throw new Error(`create cm-${i}: ${r.code} ${r.text}`);
      }
    }));
    const createSeconds = (performance.now() - t0) / 1000;
    const range = await raw.getAll().prefix('/registry/configmaps/bench/').exec();
    const dataBytes = range.kvs.reduce((s, kv) => s + kv.key.length + kv.value.length, 0);
    dataMiB = dataBytes / 2 ** 20;
    const rev = Number(range.header.revision);
    await raw.kv.compact({ revision: rev, physical: true });
    const status = await raw.maintenance.status();
    console.log(`created ${OBJECTS} in ${createSeconds.toFixed(1)} s (${(OBJECTS / createSeconds).toFixed(0)}/s); etcd range of them: ${dataMiB.toFixed(1)} MiB (${(dataBytes / OBJECTS).toFixed(0)} B/object), etcd DB ${(Number(status.dbSize) / 2 ** 20).toFixed(0)} MiB after compaction`);
    await row('2. after creates', rssMiB(api.pid));
    await api.restart(['--max-requests-inflight', '1000']);
    await sleep(2000);
    await row('2b. restarted: watch cache filled from etcd', rssMiB(api.pid));

    for (const [what, path] of [
      ['3a. LIST all from etcd (peak)', '/api/v1/namespaces/bench/configmaps'],
      ['3b. LIST all from the watch cache, resourceVersion=0 (peak)', '/api/v1/namespaces/bench/configmaps?resourceVersion=0'],
    ] as const) {
      const { result, peak, ms } = await peakDuring(api.pid, () => streamGet(api.plain, path));
      await row(what, peak, `${(ms / 1000).toFixed(2)} s, ${(result.bytes / 2 ** 20).toFixed(1)} MiB body`);
    }
    const paged = await peakDuring(api.pid, async () => {
      let cont = '';
      let items = 0;
      do {
        const r = await send(pool, 'GET', `/api/v1/namespaces/bench/configmaps?limit=500${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`);
        const body = JSON.parse(r.text) as { items: unknown[]; metadata: { continue?: string } };
        items += body.items.length;
        cont = body.metadata.continue ?? '';
      } while (cont);
      return items;
    });
    await row('3c. LIST paginated, limit=500 (peak)', paged.peak, `${(paged.ms / 1000).toFixed(2)} s, ${paged.result} items`);
    await row('3d. after the LISTs', rssMiB(api.pid));

    const watched = await peakDuring(api.pid, () => Promise.all(Array.from({ length: WATCHERS }, () => streamGet(api.plain, '/api/v1/namespaces/bench/configmaps?watch=true&resourceVersion=0', OBJECTS))));
    const complete = watched.result.every((w) => w.lines >= OBJECTS);
    await row(`4a. ${WATCHERS} watches from 0, initial events read (peak)`, watched.peak, `${(watched.ms / 1000).toFixed(2)} s, every watcher got all ${OBJECTS}: ${complete}`);
    const listRv = (JSON.parse((await send(pool, 'GET', '/api/v1/namespaces/bench/configmaps?limit=1')).text) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
    const idle = await Promise.all(Array.from({ length: WATCHERS }, () => new Promise<IncomingMessage>((resolve) => httpRequest(`${api.plain}/api/v1/namespaces/bench/configmaps?watch=true&resourceVersion=${listRv}`, resolve).end())));
    await sleep(1000);
    await row(`4b. ${WATCHERS} idle watches open`, rssMiB(api.pid));
    for (const r of idle) r.destroy();

    // Watchers that never read: raw sockets that send the request and then stop reading.
    const port = Number(new URL(api.plain).port);
    const stalled = await Promise.all(Array.from({ length: WATCHERS }, () => new Promise<ReturnType<typeof connect>>((resolve) => {
      const s = connect(port, '127.0.0.1', () => {
        s.pause();
        s.write(`GET /api/v1/namespaces/stall/configmaps?watch=true&resourceVersion=${listRv} HTTP/1.1\r\nHost: x\r\n\r\n`);
        resolve(s);
      });
    })));
    await sleep(1000);
    const before = rssMiB(api.pid);
    await row(`5a. ${WATCHERS} watchers that never read, before writes`, before);
    const burst = await peakDuring(api.pid, async () => {
      for (let i = 0; i < 400; i++) {
        const r = await send(pool, 'POST', '/api/v1/namespaces/stall/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `big-${i}` }, data: { blob: 'y'.repeat(100_000) } });
        if (r.code !== 201) throw new Error(`big-${i}: ${r.code}`);
      }
    });
    const metrics = await send(pool, 'GET', '/metrics');
    const terminated = /apiserver_terminated_watchers_total\{resource="configmaps"\} (\d+)/.exec(metrics.text)?.[1] ?? '0';
    await row('5b. ... while 40 MiB are written (peak)', burst.peak, `watchers closed for not reading: ${terminated}/${WATCHERS}`);
    await sleep(3000);
    await row('5c. ... 3 s after they were closed (the 40 MiB written are now cached)', rssMiB(api.pid));
    for (const s of stalled) s.destroy();
  } finally {
    await pool.close();
    raw.close();
    await api.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
