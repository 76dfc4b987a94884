// npm run bench:metrics-server — one metrics-server scrape of 30 real Docker pods on 2 real
// kubelets, next to its physical limit measured in the same run: the same two /stats/summary
// requests (both kubelets in parallel, metrics-server's certificate) made directly. The ratio
// is what metrics-server adds (decoding, storing, bookkeeping). Then metrics-server's RSS.
// The apiserver and the kubelets run in this process; metrics-server is its own process, as in
// a cluster, so its RSS is its own.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';
import { writeKubeconfig } from '../client/cert/kubeconfig.js';
import { issueCert } from '../client/cert/x509.js';
import { KubeletClient } from '../metrics-server/kubelet-client.js';
import type { KubeletServer } from '../kubelet/server/server.js';
import { freePort, waitFor } from '../test/harness/ports.js';
import { isRunning, shPod, startKubeletEnv } from '../test/e2e/kubelet-harness.js';

const PODS = Number(process.env.BENCH_PODS ?? 30);
const NODES = ['ms-bench-1', 'ms-bench-2'];
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const RESOLUTION = process.env.BENCH_RESOLUTION ?? '8s';

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const fmt = (xs: number[]) => `mean ${mean(xs).toFixed(0)} ms (min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)})`;

function tickStats(text: string): { sum: number; count: number } {
  const sum = Number(/^metrics_server_manager_tick_duration_seconds_sum (\S+)$/m.exec(text)?.[1] ?? NaN);
  const count = Number(/^metrics_server_manager_tick_duration_seconds_count (\S+)$/m.exec(text)?.[1] ?? NaN);
  return { sum, count };
}

async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? NaN) / 1024;
}

async function main(): Promise<void> {
  const env = await startKubeletEnv();
  const dir = await mkdtemp(join(tmpdir(), 'tskube-bench-ms-'));
  const servers: KubeletServer[] = [];
  const ports = new Map<string, number>();
  let child: ReturnType<typeof spawn> | undefined;
  try {
    for (const node of NODES) {
      const port = await freePort();
      ports.set(node, port);
      servers.push(await env.serve(await env.startKubelet(node, { port, nodeIP: '127.0.0.1' }), port));
    }
    console.log(`creating ${PODS} busybox pods on ${NODES.length} nodes…`);
    for (let i = 0; i < PODS; i++) await env.createPod(NODES[i % NODES.length]!, shPod(`load-${i}`, 'sleep 3600'));
    await waitFor(`${PODS} pods running`, async () => (await env.client.resource('pods', 'default').list()).items.filter(isRunning).length === PODS, 300_000, 1000);

    const cfg = await env.api.configFor('system:metrics-server');
    const kubeconfig = join(dir, 'metrics-server.kubeconfig');
    writeKubeconfig(kubeconfig, { server: env.api.url, caCert: cfg.ca!, client: { cert: cfg.cert!, key: cfg.key! }, clusterName: 'bench', userName: 'system:metrics-server', contextName: 'bench' });
    const serving = await issueCert(env.api.pki.ca, { commonName: 'metrics-server', ipAddresses: ['127.0.0.1'], usages: ['server'] });
    await writeFile(join(dir, 'serving.crt'), serving.cert);
    await writeFile(join(dir, 'serving.key'), serving.key, { mode: 0o600 });
    const msPort = await freePort();
    const main = fileURLToPath(new URL('../metrics-server/main.js', import.meta.url));
    child = spawn(process.execPath, [main, '--kubeconfig', kubeconfig, '--bind-address', '127.0.0.1', '--secure-port', String(msPort), '--metric-resolution', RESOLUTION, '--log-level', 'warn',
      '--tls-cert-file', join(dir, 'serving.crt'), '--tls-private-key-file', join(dir, 'serving.key')], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const admin = new Agent({ connect: { ca: env.api.pki.ca.cert, cert: env.api.pki.admin.cert, key: env.api.pki.admin.key } });
    const get = async (path: string) => (await request(`https://127.0.0.1:${msPort}${path}`, { dispatcher: admin })).body.text();
    await waitFor('PodMetrics of every pod', async () => (JSON.parse(await get('/apis/metrics.k8s.io/v1beta1/pods')) as { items?: unknown[] }).items?.length === PODS, 120_000, 500);

    // Each round: right after a tick ends, the raw fetch (ticks are RESOLUTION apart, so they do not overlap).
    const direct = new KubeletClient({ cert: cfg.cert!, key: cfg.key!, ca: cfg.ca! });
    const ticks: number[] = [];
    const raw: number[] = [];
    let last = tickStats(await get('/metrics'));
    for (let r = 0; r < ROUNDS; r++) {
      const next = await waitFor('the next scrape', async () => {
        const s = tickStats(await get('/metrics'));
        return s.count > last.count ? s : undefined;
      }, 60_000, 100);
      ticks.push(((next.sum - last.sum) / (next.count - last.count)) * 1000);
      last = next;
      const t0 = performance.now();
      await Promise.all(NODES.map((n) => direct.summary({ host: '127.0.0.1', port: ports.get(n)! }, 30_000)));
      raw.push(performance.now() - t0);
    }
    await direct.close();
    await admin.close();
    const rss = await rssMiB(child.pid!);
    console.log(`\nmetrics-server: ${PODS} pods on ${NODES.length} nodes (real kubelets, busybox in Docker), ${ROUNDS} scrapes`);
    console.log(`  scrape (metrics-server tick: both kubelets in parallel, decode, store)  ${fmt(ticks)}`);
    console.log(`  raw /stats/summary fetch (both kubelets in parallel, same client cert)  ${fmt(raw)}`);
    console.log(`  ratio scrape / raw fetch                                                ${(mean(ticks) / mean(raw)).toFixed(2)}`);
    console.log(`  metrics-server RSS                                                      ${rss.toFixed(0)} MiB`);
  } finally {
    child?.kill('SIGTERM');
    for (const s of servers) await s.stop();
    await env.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
