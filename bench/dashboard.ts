// npm run bench:dashboard — the dashboard (issue 14) against a hollow cluster of BENCH_PODS
// (1,000) pods on 2 nodes (bench/dashboard-fixture.ts: API objects only, no kubelet), in
// Debian's headless Chromium, one run:
//   1. first paint of the overview (Performance API: first-paint, first-contentful-paint, and
//      when the node rows are in the DOM and when they count every pod), browser cache off,
//      median of BENCH_LOADS loads after a warm-up —
//      with no pod (the page's own floor) and with the 1,000 pods;
//   2. the dashboard process's RSS (VmRSS): at rest, then with the 1,000 pods listed in the Pods
//      view (peak while listing, and steady), next to the bytes of that pod list;
//   3. a pod's status change (its container's restartCount, written through /status) to the
//      change in the browser's DOM (a MutationObserver in the page), p50/p99 over BENCH_CHANGES
//      (50) changes with the 1,000 pods listed — next to, for the same writes, a raw etcd watch
//      on the pod's key (the floor) and a plain watch client of the apiserver (the apiserver's
//      own watch latency); the ratio DOM ÷ apiserver watch is the dashboard's cost
//      (SSE relay + Preact render).
// Times are from the moment the write is sent, on one clock (epoch ms, performance.timeOrigin +
// performance.now() in node and in the page). Bounded: a couple of minutes.
import { spawn } from 'node:child_process';
import { rssMiB, percentile } from './apiserver-process.js';
import { startHollowCluster, createHollowPods, startDashboard, hollowPod, runningStatus, NAMESPACE, type HollowCluster } from './dashboard-fixture.js';
import { ApiserverWatchProbe, EtcdKeyProbe, now } from './dashboard-probes.js';
import type { PageGlobals } from '../test/harness/page-globals.js';
import { waitFor } from '../test/harness/ports.js';
import { launchBrowser, loginWithToken, newUserPage, screenshot, testid, waitCount, waitInPage, click, type UserPage } from '../test/harness/browser.js';

const PODS = Number(process.env.BENCH_PODS ?? 1000);
const CHANGES = Number(process.env.BENCH_CHANGES ?? 50);
const LOADS = Number(process.env.BENCH_LOADS ?? 5);
const PROBE_POD = 'latency-probe';
/** The hollow nodes' pod capacity (bench/dashboard-fixture.ts): the overview shows "<pods> / 1100". */
const NODE_PODS = 1100;

/** The page's globals with what the bench's in-page functions keep there. */
type Observer = InstanceType<PageGlobals['MutationObserver']>;
type BenchWindow = PageGlobals & { __rowsAt?: number; __sums: Record<number, number>; __lat: { want: number; hit: number }; __rowsObserver: Observer; __latObserver: Observer };

interface Paint {
  fp: number;
  fcp: number;
  /** Both node rows in the DOM. */
  rows: number;
  /** The node rows count every pod. */
  complete: number;
}

/** Records, in every document of the page, when the node rows appeared and when their pod counts ("<n> / <capacity>") first summed to each value. */
async function watchNodeRows(u: UserPage): Promise<void> {
  await u.page.evaluateOnNewDocument((sel: string, cap: string) => {
    const w = globalThis as unknown as BenchWindow;
    w.__sums = {};
    // Held by a global: an observer nothing references may be collected and stop reporting.
    w.__rowsObserver = new w.MutationObserver(() => {
      const rows = [...w.document.querySelectorAll(sel)];
      if (rows.length < 2) return;
      w.__rowsAt ??= w.performance.now();
      const sum = rows.reduce((n, r) => n + Number(new RegExp(`(\\d+) / ${cap}(?!\\d)`).exec(r.textContent ?? '')?.[1] ?? NaN), 0);
      if (Number.isFinite(sum)) w.__sums[sum] ??= w.performance.now();
    });
    w.__rowsObserver.observe(w.document, { subtree: true, childList: true, characterData: true });
  }, testid('node-row'), String(NODE_PODS));
}

/** One cold load of the overview with `pods` pods: its paint timings, when the node rows appeared and when they counted every pod (ms from navigation start). */
async function loadOverview(u: UserPage, pods: number): Promise<Paint> {
  await u.page.goto(u.base + '/', { waitUntil: 'domcontentloaded' });
  await waitInPage(u, `paint entries and node rows counting ${pods} pods`, (n: number) => {
    const w = globalThis as unknown as BenchWindow;
    return w.performance.getEntriesByType('paint').length >= 2 && w.__sums[n] !== undefined;
  }, pods, 60_000, 50);
  return u.page.evaluate((n: number) => {
    const w = globalThis as unknown as BenchWindow;
    const at = (name: string) => w.performance.getEntriesByName(name)[0]?.startTime ?? NaN;
    return { fp: at('first-paint'), fcp: at('first-contentful-paint'), rows: w.__rowsAt ?? NaN, complete: w.__sums[n] ?? NaN };
  }, pods);
}

async function paints(u: UserPage, loads: number, pods: number): Promise<Paint> {
  await loadOverview(u, pods); // warm-up, discarded: the browser's and the daemon's first compile of the code
  const all: Paint[] = [];
  for (let i = 0; i < loads; i++) all.push(await loadOverview(u, pods));
  const med = (k: keyof Paint) => percentile(all.map((p) => p[k]), 50);
  return { fp: med('fp'), fcp: med('fcp'), rows: med('rows'), complete: med('complete') };
}

const fmtPaint = (p: Paint) => `first paint ${p.fp.toFixed(0)} ms, first contentful paint ${p.fcp.toFixed(0)} ms, node rows ${p.rows.toFixed(0)} ms, node rows counting every pod ${p.complete.toFixed(0)} ms`;

/** Opens the Pods view and waits until every pod has its row; returns the peak RSS while it listed. */
async function listPods(u: UserPage, pid: number, count: number): Promise<number> {
  let peak = rssMiB(pid);
  const timer = setInterval(() => (peak = Math.max(peak, rssMiB(pid))), 20);
  try {
    await click(u, testid('nav-pods'));
    await waitCount(u, testid('pod-row'), count, { atLeast: true, timeoutMs: 120_000 });
  } finally {
    clearInterval(timer);
  }
  return Math.max(peak, rssMiB(pid));
}

/** Installs the page's MutationObserver: the first DOM mutation after which the probe pod's row shows the expected restart count. */
async function installDomProbe(u: UserPage): Promise<void> {
  await u.page.evaluate((sel: string) => {
    const w = globalThis as unknown as BenchWindow;
    w.__lat = { want: -1, hit: 0 };
    w.__latObserver = new w.MutationObserver(() => {
      if (w.__lat.hit || w.__lat.want < 0) return;
      const row = w.document.querySelector(sel);
      if (row && new RegExp(`(?<!\\d)${w.__lat.want}(?!\\d)`).test(row.textContent ?? '')) w.__lat.hit = w.performance.timeOrigin + w.performance.now();
    });
    w.__latObserver.observe(w.document.body, { subtree: true, childList: true, attributes: true, characterData: true });
  }, testid('pod-row', { 'data-name': PROBE_POD }));
}

interface Latencies {
  etcd: number[];
  watch: number[];
  dom: number[];
}

/** `changes` status writes to the probe pod, one at a time; each seen in etcd, at the watch client and in the DOM. */
async function measureLatency(c: HollowCluster, u: UserPage, changes: number, warmup: number): Promise<Latencies> {
  const created = (await c.call('GET', `/api/v1/namespaces/${NAMESPACE}/pods/${PROBE_POD}`)) as { metadata: { resourceVersion: string } };
  const etcd = await EtcdKeyProbe.start(c.api.etcd.endpoint, `/registry/pods/${NAMESPACE}/${PROBE_POD}`);
  const watch = await ApiserverWatchProbe.start(c.admin, NAMESPACE, PROBE_POD, created.metadata.resourceVersion);
  await installDomProbe(u);
  const out: Latencies = { etcd: [], watch: [], dom: [] };
  const started = new Date().toISOString();
  try {
    for (let i = 1; i <= warmup + changes; i++) {
      const restarts = 1000 + i;
      await u.page.evaluate((r: number) => {
        (globalThis as unknown as BenchWindow).__lat = { want: r, hit: 0 };
      }, restarts);
      const atEtcd = etcd.next();
      const atWatch = watch.event(restarts);
      const t0 = now();
      await c.call('PATCH', `/api/v1/namespaces/${NAMESPACE}/pods/${PROBE_POD}/status`, { status: runningStatus(restarts, started) }, 'application/merge-patch+json');
      const [te, tw] = await Promise.all([atEtcd, atWatch]);
      // Polled: the hit is a property the observer sets, not a DOM change (the time is the observer's).
      await waitInPage(u, `restart count ${restarts} in the DOM`, () => (globalThis as unknown as BenchWindow).__lat.hit > 0, null, 30_000, 20).catch(async (e: unknown) => {
        const shown = await u.page.$eval(testid('pod-row', { 'data-name': PROBE_POD }), (el) => el.textContent).catch(String);
        throw new Error(`${String(e)}\nthe probe pod's row shows: ${shown}`);
      });
      const td = await u.page.evaluate(() => (globalThis as unknown as BenchWindow).__lat.hit);
      if (i <= warmup) continue;
      out.etcd.push(te - t0);
      out.watch.push(tw - t0);
      out.dom.push(td - t0);
    }
  } finally {
    await watch.stop();
    await etcd.stop();
  }
  return out;
}

/** VmRSS of a Node.js process that does nothing: what any daemon on this runtime costs. */
async function bareNodeRss(): Promise<number> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  try {
    await waitFor('a bare node process', () => rssMiB(child.pid!) > 0, 10_000, 20);
    await new Promise((r) => setTimeout(r, 500)); // let it finish starting: a bench figure, not a synchronisation
    return rssMiB(child.pid!);
  } finally {
    child.kill();
  }
}

const fmtLat = (xs: number[]) => `p50 ${percentile(xs, 50).toFixed(1).padStart(6)} ms, p99 ${percentile(xs, 99).toFixed(1).padStart(6)} ms, max ${Math.max(...xs).toFixed(1).padStart(6)} ms`;

async function main(): Promise<void> {
  const c = await startHollowCluster();
  const dash = await startDashboard(c.admin.url, c.admin.ca);
  const browser = await launchBrowser();
  try {
    console.log(`# dashboard benchmark: ${PODS} hollow pods on 2 nodes (no kubelet), one apiserver process, the dashboard daemon, headless ${(await browser.version())}`);
    const rssIdle = rssMiB(dash.pid);
    const u = await newUserPage(browser, dash.base);
    await u.page.setCacheEnabled(false);
    await watchNodeRows(u);
    await loginWithToken(u, c.token);
    const empty = await paints(u, LOADS, 0);

    await createHollowPods(c, PODS - 1);
    await c.call('POST', `/api/v1/namespaces/${NAMESPACE}/pods`, hollowPod(PROBE_POD, 'node-1'));
    const listBytes = JSON.stringify(await c.call('GET', `/api/v1/namespaces/${NAMESPACE}/pods`)).length;
    const full = await paints(u, LOADS, PODS);
    await screenshot(u, `bench-overview-${PODS}-pods`);

    const peak = await listPods(u, dash.pid, PODS);
    const steady = rssMiB(dash.pid);
    await screenshot(u, `bench-pods-${PODS}`);
    const lat = await measureLatency(c, u, CHANGES, 5);

    console.log(`## first paint of the overview (browser cache off, median of ${LOADS} loads after one warm-up, ms from navigation start)`);
    console.log(`no pods (the floor)  : ${fmtPaint(empty)}`);
    console.log(`${String(PODS).padEnd(4)} pods            : ${fmtPaint(full)}`);
    console.log(`${PODS} pods ÷ no pods : first contentful paint ${(full.fcp / empty.fcp).toFixed(2)}×, node rows counting every pod ${(full.complete / empty.complete).toFixed(2)}×`);
    console.log('## dashboard process RSS (VmRSS)');
    console.log(`a bare Node.js process (floor)  : ${(await bareNodeRss()).toFixed(0)} MiB`);
    console.log(`at rest, before any login       : ${rssIdle.toFixed(0)} MiB`);
    console.log(`${PODS} pods listed in the Pods view: peak ${peak.toFixed(0)} MiB while listing, ${steady.toFixed(0)} MiB after (the pod list is ${(listBytes / 2 ** 20).toFixed(1)} MiB of JSON)`);
    console.log(`## pod status change → seen, ${CHANGES} changes one at a time (after 5 warm-up), ${PODS} pods listed, ms after the write was sent`);
    console.log(`etcd (raw key watch, the floor)          : ${fmtLat(lat.etcd)}`);
    console.log(`apiserver watch (plain client, TLS)      : ${fmtLat(lat.watch)}`);
    console.log(`dashboard: browser DOM (MutationObserver) : ${fmtLat(lat.dom)}`);
    console.log(`DOM ÷ apiserver watch                    : p50 ${(percentile(lat.dom, 50) / percentile(lat.watch, 50)).toFixed(2)}×, p99 ${(percentile(lat.dom, 99) / percentile(lat.watch, 99)).toFixed(2)}×`);
  } finally {
    await browser.close();
    await dash.stop();
    await c.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
