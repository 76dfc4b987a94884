// npm run soak [-- --minutes 30] — a soak of the single-node cluster (issue 13, not part of
// npm test): pods and Services created and deleted in a loop at a bounded rate, while every
// daemon of $STATE/pids is sampled (RSS, open fds, event-loop lag, etcd's DB size). Prints the
// figures at the start, every --interval, and at the end, then the bounds and whether each
// held; exits 1 when one is broken.
//   --state DIR    a running cluster's state dir (default .tskube, as scripts/up)
//   --start        start a cluster on random ports in a temporary state dir (scripts/up), and
//                  remove it at the end (scripts/down --purge)
import { cpSync, mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { RestClient, loadKubeconfig } from '../client/index.js';
import { ROOT, runScript, scriptsUpEnv } from '../test/e2e/cluster-harness.js';
import { lockHostNetwork } from '../test/harness/host-lock.js';
import { freePort } from '../test/harness/ports.js';
import { DEFAULT_BOUNDS, judge, type Bounds } from './soak/bounds.js';
import { churn, ensureNamespace, type ChurnCounts } from './soak/churn.js';
import { daemons, newScraper, sampleDaemon, type Sample } from './soak/sample.js';

const argv = yargs(hideBin(process.argv))
  .option('minutes', { type: 'number', default: 30, describe: 'Length of the run' })
  .option('state', { type: 'string', default: join(ROOT, '.tskube'), describe: 'State dir of a running cluster (scripts/up)' })
  .option('start', { type: 'boolean', default: false, describe: 'Start a cluster on random ports for the run, remove it after' })
  .option('interval', { type: 'number', default: 30, describe: 'Seconds between samples' })
  .option('warmup-minutes', { type: 'number', describe: 'Baseline taken after this (default: two compaction intervals, at most half the run)' })
  .option('rate', { type: 'number', default: 1, describe: 'Pod and Service creations per second (each)' })
  .option('max-alive', { type: 'number', default: 10, describe: 'Pods and Services alive at most (each)' })
  .option('compaction-interval', { type: 'number', default: DEFAULT_BOUNDS.compactionIntervalSeconds, describe: "The apiserver's --etcd-compaction-interval (s)" })
  .strict()
  .parseSync();

const NAMESPACE = 'soak';
const MiB = 1024 * 1024;
const f1 = (x: number | undefined): string => (x === undefined || !Number.isFinite(x) ? '-' : x.toFixed(1));

function table(s: Sample): string {
  const rows = s.daemons.map((d) => {
    const lag = d.lagP99Seconds === undefined ? '-' : `${f1(d.lagP99Seconds * 1000)}/${f1((d.lagMaxSeconds ?? NaN) * 1000)}`;
    const db = d.dbTotalBytes === undefined ? '' : `   db ${f1(d.dbTotalBytes / MiB)} MiB, in use ${f1((d.dbInUseBytes ?? NaN) / MiB)} MiB, ${d.keys ?? '-'} keys, rev ${d.revision ?? '-'}, compacted at ${d.compactRevision ?? '-'}`;
    return `  ${d.name.padEnd(22)} pid ${String(d.pid).padEnd(8)} ${d.alive ? 'up  ' : 'DOWN'} rss ${f1(d.rssBytes / MiB).padStart(6)} MiB heap ${f1((d.heapUsedBytes ?? NaN) / MiB).padStart(6)} MiB  fds ${String(d.fds).padStart(4)}  lag p99/max ${lag.padStart(11)} ms${db}`;
  });
  return [`t=${s.atSeconds}s`, ...rows].join('\n');
}

async function startCluster(): Promise<{ state: string; env: NodeJS.ProcessEnv; release: () => Promise<void> }> {
  // Its kube-proxy rewrites the host's KUBE-* chains: not while a test's cluster does.
  const release = await lockHostNetwork(60 * 60_000);
  const state = mkdtempSync(join(tmpdir(), 'tskube-soak-'));
  const env = await scriptsUpEnv(state, await freePort());
  console.log(`starting a cluster in ${state} (scripts/up on random ports)`);
  await runScript(join(ROOT, 'scripts/up'), [], env, 300_000).catch(async (e: unknown) => {
    await runScript(join(ROOT, 'scripts/down'), ['--purge'], env, 120_000).catch(() => undefined);
    await release();
    throw e;
  });
  return { state, env, release };
}

async function main(): Promise<number> {
  const started = argv.start ? await startCluster() : undefined;
  let code = 1;
  try {
    code = await soak(started?.state ?? argv.state);
    return code;
  } finally {
    if (started) {
      // A broken bound needs the daemons' logs to be understood: keep them before the purge.
      if (code !== 0) {
        const kept = mkdtempSync(join(tmpdir(), 'tskube-soak-logs-'));
        cpSync(join(started.state, 'logs'), kept, { recursive: true });
        console.log(`logs kept in ${kept}`);
      }
      await runScript(join(ROOT, 'scripts/down'), ['--purge'], started.env, 120_000).catch((e: unknown) => console.error(e));
      await started.release();
    }
  }
}

async function soak(state: string): Promise<number> {
  const apiPid = existsSync(join(state, 'pids/apiserver')) ? Number(readFileSync(join(state, 'pids/apiserver'), 'utf8')) : 0;
  if (!apiPid || !existsSync(`/proc/${apiPid}`)) throw new Error(`no cluster running in ${state}: run scripts/up first, or pass --start`);
  const client = new RestClient({ ...loadKubeconfig({ kubeconfig: join(state, 'kubeconfig') }, {}).config, timeoutMs: 30_000 });
  const scraper = newScraper({ cert: readFileSync(join(state, 'pki/admin.crt'), 'utf8'), key: readFileSync(join(state, 'pki/admin.key'), 'utf8') });
  const seconds = Math.round(argv.minutes * 60);
  // Steady state comes after two compaction intervals: etcd keeps between one and two intervals
  // of history (its index and DB pages grow until then) and so does the apiserver's watch cache.
  const warmup = Math.round(argv['warmup-minutes'] !== undefined ? argv['warmup-minutes'] * 60 : Math.min(2 * argv['compaction-interval'], seconds / 2));
  const window = Math.max(argv.interval * 2, Math.round(seconds / 10));
  const bounds: Bounds = { ...DEFAULT_BOUNDS, compactionIntervalSeconds: argv['compaction-interval'] };
  const names = daemons(state);
  const samples: Sample[] = [];
  const t0 = Date.now();
  const take = async (): Promise<Sample> => {
    const s: Sample = { atSeconds: Math.round((Date.now() - t0) / 1000), daemons: [] };
    s.daemons = await Promise.all(names.map((d) => sampleDaemon(scraper, d.name, d.pid)));
    samples.push(s);
    return s;
  };
  console.log(`# soak: ${argv.minutes} min of churn in namespace ${NAMESPACE} (${argv.rate}/s pods and Services, at most ${argv['max-alive']} of each alive, their Events deleted every ${argv.interval}s), cluster ${state}`);
  console.log(`bounds (end vs baseline at ${warmup}s after warm-up; medians of the samples in ${window}s windows): RSS ≤ +${bounds.rssGrowth * 100}% (or +${bounds.rssSlackBytes / MiB} MiB), fds ≤ +${bounds.fdSlack}, event-loop lag p99 ≤ +${bounds.lagSlackSeconds * 1000} ms, etcd DB in use ≤ +${bounds.dbGrowth * 100}% over its peak in the first two compaction intervals (${2 * bounds.compactionIntervalSeconds}s), every daemon alive with its pid`);
  console.log(table(await take()));
  await ensureNamespace(client, NAMESPACE);
  const stop = new AbortController();
  const work = churn(client, { namespace: NAMESPACE, ratePerSecond: argv.rate, maxAlive: argv['max-alive'], eventSweepSeconds: argv.interval, signal: stop.signal });
  let counts: ChurnCounts;
  try {
    for (let k = 1; Date.now() - t0 < seconds * 1000; k++) {
      // On a fixed schedule (t0 + k·interval), however long a sample takes.
      const next = Math.min(t0 + k * argv.interval * 1000, t0 + seconds * 1000);
      await new Promise((r) => setTimeout(r, Math.max(0, next - Date.now())));
      const s = await take();
      console.log(table(s));
    }
  } finally {
    stop.abort();
    counts = await work;
  }
  console.log(`churn: ${counts.podsCreated} pods created, ${counts.podsDeleted} deleted; ${counts.servicesCreated} Services created, ${counts.servicesDeleted} deleted; ${counts.eventsSwept} Events swept; ${counts.errors} errors${counts.lastError ? ` (last: ${counts.lastError})` : ''}`);
  const verdicts = judge(samples, warmup, window, bounds);
  console.log('\n## bounds');
  for (const v of verdicts) {
    const fmt = (x: number) => (v.what.includes('bytes') ? `${f1(x / MiB)} MiB` : v.what.includes('lag') ? `${f1(x * 1000)} ms` : String(x));
    console.log(`  ${v.ok ? 'ok  ' : 'FAIL'} ${v.daemon.padEnd(22)} ${v.what.padEnd(22)} baseline ${fmt(v.baseline)}  end ${fmt(v.end)}  limit ${fmt(v.limit)}${v.skipped ? `  (${v.skipped})` : ''}`);
  }
  await client.resource('namespaces').delete(NAMESPACE).catch(() => undefined);
  await scraper.close();
  await client.close();
  const broken = verdicts.filter((v) => !v.ok);
  console.log(broken.length ? `\n${broken.length} bound(s) broken` : '\nevery bound held');
  return broken.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e);
    process.exit(2);
  },
);
