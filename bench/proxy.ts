// npm run bench:proxy — kube-proxy figures next to their physical limit, measured in the same
// run on this host (root, real iptables, real containers):
//   1. iptables sync of 1,000 services × 2 endpoints: a full sync and a one-endpoint change
//      (rule generation + apply), each next to a bare `iptables-restore --noflush` of the same
//      text. Goals: full ≤ 0.5 s, incremental ≤ 50 ms.
//   2. HTTP to a busybox httpd pod through a ClusterIP and a NodePort vs straight to the pod IP
//      (requests/s and latency, a bounded number of requests from a worker thread), for the
//      iptables and userspace modes, after a discarded warm-up, as the median of 5 interleaved
//      (direct, proxied) pairs. Goals: iptables ≥ 0.95, userspace ≥ 0.5 of direct.
//   3. Endpoint change → traffic: time from an EndpointSlice write until requests reach the new
//      backend, next to the --min-sync-period that bounds it.
// No traffic leaves the host: only pod IPs, loopback and service IPs that DNAT to pods.
import { Worker } from 'node:worker_threads';
import { pino } from 'pino';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1';
import { RestClient } from '../client/index.js';
import { mustRun, runCommand } from '../kube-proxy/exec.js';
import { cleanupAll, IptablesApplier } from '../kube-proxy/iptables/applier.js';
import { IptablesRuleBuilder, iptablesRules, restoreText, countRules } from '../kube-proxy/iptables/rules.js';
import { startKubeProxy, type ProxyMode } from '../kube-proxy/proxier.js';
import type { ServicePort } from '../kube-proxy/service-ports.js';
import { startTestApiserver } from '../test/harness/apiserver.js';
import { waitFor } from '../test/harness/ports.js';
import { PodFactory, httpGet } from '../test/e2e/proxy-harness.js';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 600);
const CONCURRENCY = 8;
/** Interleaved direct/proxied pairs per figure. */
const ROUNDS = 5;
const SERVICES = 1000;

const ms = (ns: bigint): number => Number(ns) / 1e6;
const f1 = (x: number): string => x.toFixed(1);
const f2 = (x: number): string => x.toFixed(2);
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}
async function time(fn: () => Promise<unknown>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return ms(process.hrtime.bigint() - t0);
}

function syntheticPorts(n: number, changed = false): ServicePort[] {
  return Array.from({ length: n }, (_, i) => ({
    name: `bench/svc-${i}:http`,
    namespace: 'bench',
    service: `svc-${i}`,
    portName: 'http',
    protocol: 'TCP' as const,
    clusterIP: `10.96.${10 + Math.floor(i / 250)}.${i % 250}`,
    port: 80,
    nodePort: 0,
    loadBalancerIPs: [],
    externalIPs: [],
    isLoadBalancer: false,
    affinitySeconds: 0,
    externalLocal: false,
    endpoints: [
      { ip: `10.253.${Math.floor(i / 125)}.${(i % 125) * 2 + 1}`, port: 8080, nodeName: 'n1' },
      { ip: `10.253.${Math.floor(i / 125)}.${(i % 125) * 2 + 2}`, port: changed && i === 500 ? 9090 : 8080, nodeName: 'n1' },
    ],
  }));
}

async function iptablesSyncBench(): Promise<void> {
  const node = { nodeName: 'n1', nodeIPs: [], clusterCIDR: '10.244.0.0/16' };
  const applier = new IptablesApplier(runCommand);
  const builder = new IptablesRuleBuilder();
  const full: number[] = [];
  const fullLimit: number[] = [];
  const incr: number[] = [];
  const incrLimit: number[] = [];
  let rulesCount = 0;
  for (let round = 0; round < 3; round++) {
    await cleanupAll(runCommand);
    full.push(await time(() => applier.sync(new IptablesRuleBuilder().build(syntheticPorts(SERVICES), node), true)));
    const base = iptablesRules(syntheticPorts(SERVICES), node);
    rulesCount = countRules(base);
    // The limit: the same full text, bare, onto a clean table.
    await cleanupAll(runCommand);
    const text = restoreText(undefined, base);
    fullLimit.push(await time(() => mustRun(runCommand, 'iptables-restore', ['--noflush'], text)));
    await cleanupAll(runCommand);
    applier.invalidate();
    await applier.sync(builder.build(syntheticPorts(SERVICES), node), true);
    for (let k = 0; k < 3; k++) {
      const changed = k % 2 === 0;
      incr.push(await time(() => applier.sync(builder.build(syntheticPorts(SERVICES, changed), node), false)));
    }
    // Bare restore of one endpoint change (the same kind of text an incremental sync sends).
    const a = iptablesRules(syntheticPorts(SERVICES, false), node);
    const b = iptablesRules(syntheticPorts(SERVICES, true), node);
    const [ab, ba] = [restoreText(a, b), restoreText(b, a)];
    for (let k = 0; k < 3; k++) incrLimit.push(await time(() => mustRun(runCommand, 'iptables-restore', ['--noflush'], k % 2 ? ba : ab)));
  }
  await cleanupAll(runCommand);
  console.log(`\n## iptables sync, ${SERVICES} services × 2 endpoints (${rulesCount} rules), medians of ${full.length} / ${incr.length}`);
  console.log(`full sync:        ${f1(median(full))} ms   bare iptables-restore: ${f1(median(fullLimit))} ms   ratio ${f2(median(fullLimit) / median(full))}   goal ≤ 500 ms`);
  console.log(`one endpoint:     ${f1(median(incr))} ms   bare iptables-restore: ${f1(median(incrLimit))} ms   ratio ${f2(median(incrLimit) / median(incr))}   goal ≤ 50 ms`);
}

interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  /** Requests that failed (connection reset or refused, timeout): counted, never fatal. */
  failed: number;
}

/**
 * Bounded HTTP load from a worker thread (its own event loop, as a separate client would be).
 * A failed request (a reset, a refused or timed-out connection) is counted, not thrown: one
 * bad connection must not end the benchmark.
 */
function load(host: string, port: number): Promise<LoadResult> {
  const code = `
    const { parentPort, workerData: { host, port, n, c } } = require('node:worker_threads');
    const http = require('node:http');
    const one = () => new Promise((resolve) => {
      const t0 = process.hrtime.bigint();
      const req = http.request({ host, port, path: '/', agent: false, timeout: 10000 }, (res) => {
        res.on('error', () => resolve(undefined));
        res.resume();
        res.on('end', () => resolve(res.statusCode === 200 ? Number(process.hrtime.bigint() - t0) / 1e6 : undefined));
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => resolve(undefined));
      req.end();
    });
    (async () => {
      const lat = [];
      let failed = 0;
      let next = 0;
      const t0 = process.hrtime.bigint();
      await Promise.all(Array.from({ length: c }, async () => {
        while (next++ < n) {
          const ms = await one();
          if (ms === undefined) failed++;
          else lat.push(ms);
        }
      }));
      const secs = Number(process.hrtime.bigint() - t0) / 1e9;
      lat.sort((a, b) => a - b);
      parentPort.postMessage({ rps: lat.length / secs, p50: lat[Math.floor(lat.length / 2)] ?? NaN, p99: lat[Math.floor(lat.length * 0.99)] ?? NaN, failed });
    })().catch((e) => parentPort.postMessage({ error: String(e) }));`;
  return new Promise((resolve, reject) => {
    const w = new Worker(code, { eval: true, workerData: { host, port, n: REQUESTS, c: CONCURRENCY } });
    w.once('message', (m: LoadResult & { error?: string }) => {
      void w.terminate();
      if (m.error) reject(new Error(m.error));
      else resolve(m);
    });
    w.once('error', reject);
  });
}

async function trafficBench(): Promise<void> {
  const api = await startTestApiserver();
  const client = new RestClient({ ...api.config });
  const pods = new PodFactory();
  const log = pino({ level: 'warn' });
  try {
    const [a, b] = await Promise.all([pods.start('a'), pods.start('b')]);
    const services = client.resource('services', 'default');
    const slices = client.resource('endpointslices.discovery.k8s.io', 'default');
    const svc = await services.create({ metadata: { name: 'web' }, spec: { type: 'NodePort', ports: [{ name: 'http', port: 80, targetPort: 8080 }] } });
    const vip = svc.spec!.clusterIP!;
    const nodePort = svc.spec!.ports![0]!.nodePort!;
    const slice = (ip: string): EndpointSlice => ({
      metadata: { name: 'web-x', labels: { 'kubernetes.io/service-name': 'web' } },
      addressType: 'IPv4',
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      endpoints: [{ addresses: [ip], conditions: { ready: true } }],
    });
    await slices.create(slice(a.ip));
    const direct = await load(a.ip, 8080);
    console.log(`\n## HTTP through the proxy: ${REQUESTS} requests, ${CONCURRENCY} at a time, a new connection each, busybox httpd`);
    console.log(`direct to pod IP:   ${f1(direct.rps)} req/s   p50 ${f2(direct.p50)} ms   p99 ${f2(direct.p99)} ms   failed ${direct.failed}`);
    for (const mode of ['iptables', 'userspace'] as ProxyMode[]) {
      const proxy = await startKubeProxy({ client, proxyMode: mode, nodeName: 'n1', clusterCIDR: pods.clusterCIDR, logger: log });
      try {
        await waitFor('service reachable', () => httpGet(vip, 80).catch(() => undefined));
        await waitFor('nodeport reachable', () => httpGet('127.0.0.1', nodePort).catch(() => undefined));
        const targets = [['ClusterIP', vip, 80], ['NodePort 127.0.0.1', '127.0.0.1', nodePort]] as const;
        // Warm-up (discarded): the first run after a proxy starts is slower whatever the path.
        for (const [, host, port] of targets) await load(host, port);
        // ROUNDS interleaved (direct, proxied) pairs; the figure is the median round.
        for (const [what, host, port] of targets) {
          const rounds: Array<{ r: LoadResult; ratio: number }> = [];
          let failed = 0;
          for (let i = 0; i < ROUNDS; i++) {
            const d = await load(a.ip, 8080);
            const r = await load(host, port);
            failed += r.failed;
            rounds.push({ r, ratio: r.rps / d.rps });
          }
          rounds.sort((x, y) => x.ratio - y.ratio);
          const { r, ratio } = rounds[Math.floor(rounds.length / 2)]!;
          const spread = `${f2(rounds[0]!.ratio)}–${f2(rounds[rounds.length - 1]!.ratio)}`;
          console.log(`${mode} ${what}:`.padEnd(31) + `${f1(r.rps)} req/s   p50 ${f2(r.p50)} ms   p99 ${f2(r.p99)} ms   ratio ${f2(ratio)} (rounds ${spread})   failed ${failed}/${ROUNDS * REQUESTS}   goal ≥ ${mode === 'iptables' ? '0.95' : '0.5'}, 0 failed`);
        }
        if (mode === 'iptables') {
          // Endpoint change → traffic, with the default --min-sync-period (1 s) bounding it.
          const lat: number[] = [];
          let current = a;
          for (let i = 0; i < 4; i++) {
            const next = current === a ? b : a;
            // A quiet period first, so the change is not held back by --min-sync-period.
            await new Promise((r) => setTimeout(r, 1100));
            const cur = await slices.get('web-x');
            const t0 = process.hrtime.bigint();
            await slices.update({ ...slice(next.ip), metadata: { ...slice(next.ip).metadata, resourceVersion: cur.metadata?.resourceVersion } });
            await waitFor('traffic on the new endpoint', async () => (await httpGet(vip, 80).catch(() => '')) === `hello-${next.name}`, 10_000, 5);
            lat.push(ms(process.hrtime.bigint() - t0));
            current = next;
          }
          console.log(`endpoint change → traffic: median ${f1(median(lat))} ms, max ${f1(Math.max(...lat))} ms   (changes 1.1 s apart; a burst waits up to --min-sync-period = 1000 ms)`);
        }
      } finally {
        await proxy.stop();
        await cleanupAll(runCommand);
      }
    }
  } finally {
    await pods.cleanup();
    await api.stop();
  }
}

async function main(): Promise<void> {
  if ((await runCommand('iptables', ['-t', 'nat', '-S', 'POSTROUTING', '1'])).code !== 0) throw new Error('bench:proxy needs root and iptables');
  console.log('# kube-proxy benchmark');
  await iptablesSyncBench();
  await trafficBench();
}

main().then(
  () => process.exit(0),
  async (e: unknown) => {
    console.error(e);
    await cleanupAll(runCommand).catch(() => undefined);
    process.exit(1);
  },
);
