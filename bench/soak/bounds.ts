// The soak's verdict (pure): per daemon, the value after warm-up against the value at the end,
// each the median of the samples in a window (one sample is noise on a shared host), judged by
// the bounds printed with the figures.
import type { DaemonSample, Sample } from './sample.js';

export interface Bounds {
  /** RSS at the end ≤ baseline × (1 + rssGrowth), or baseline + rssSlackBytes if more. */
  rssGrowth: number;
  rssSlackBytes: number;
  /** Open fds at the end ≤ baseline + fdSlack. */
  fdSlack: number;
  /** Event-loop lag p99 at the end ≤ baseline + lagSlackSeconds. */
  lagSlackSeconds: number;
  /** etcd DB in use at the end ≤ peak in use of the first two compaction intervals × (1 + dbGrowth). */
  dbGrowth: number;
  compactionIntervalSeconds: number;
}

export const DEFAULT_BOUNDS: Bounds = {
  rssGrowth: 0.2,
  rssSlackBytes: 16 * 1024 * 1024,
  fdSlack: 10,
  lagSlackSeconds: 0.1,
  dbGrowth: 0.2,
  compactionIntervalSeconds: 300,
};

export interface Verdict {
  daemon: string;
  what: string;
  baseline: number;
  end: number;
  limit: number;
  ok: boolean;
  /** Why it was not judged (too short a run). */
  skipped?: string;
}

function median(xs: number[]): number {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Samples of one daemon with their time. */
function series(samples: Sample[], name: string): Array<{ at: number; d: DaemonSample }> {
  return samples.flatMap((s) => s.daemons.filter((d) => d.name === name).map((d) => ({ at: s.atSeconds, d })));
}

/**
 * Baseline: the samples in [warmup, warmup + window]; end: the samples in the last `window`
 * seconds. Every daemon must also be alive at the end (with the pid it started with).
 */
export function judge(samples: Sample[], warmupSeconds: number, windowSeconds: number, b: Bounds = DEFAULT_BOUNDS): Verdict[] {
  const last = samples.at(-1);
  if (!last) return [];
  const endAt = last.atSeconds;
  const out: Verdict[] = [];
  const first = samples[0]!;
  for (const d0 of first.daemons) {
    const s = series(samples, d0.name);
    const base = s.filter((x) => x.at >= warmupSeconds && x.at <= warmupSeconds + windowSeconds).map((x) => x.d);
    const end = s.filter((x) => x.at >= endAt - windowSeconds).map((x) => x.d);
    const lastD = s.at(-1)!.d;
    out.push({ daemon: d0.name, what: 'alive, same pid', baseline: d0.pid, end: lastD.alive ? lastD.pid : NaN, limit: d0.pid, ok: lastD.alive && lastD.pid === d0.pid });
    if (base.length === 0) continue;
    const rss0 = median(base.map((d) => d.rssBytes));
    const rss1 = median(end.map((d) => d.rssBytes));
    const rssLimit = Math.max(rss0 * (1 + b.rssGrowth), rss0 + b.rssSlackBytes);
    out.push({ daemon: d0.name, what: 'RSS bytes', baseline: rss0, end: rss1, limit: rssLimit, ok: rss1 <= rssLimit });
    const fd0 = median(base.map((d) => d.fds));
    const fd1 = median(end.map((d) => d.fds));
    out.push({ daemon: d0.name, what: 'open fds', baseline: fd0, end: fd1, limit: fd0 + b.fdSlack, ok: fd1 <= fd0 + b.fdSlack });
    if (base.some((d) => d.lagP99Seconds !== undefined)) {
      const l0 = median(base.map((d) => d.lagP99Seconds ?? NaN));
      const l1 = median(end.map((d) => d.lagP99Seconds ?? NaN));
      out.push({ daemon: d0.name, what: 'event-loop lag p99 s', baseline: l0, end: l1, limit: l0 + b.lagSlackSeconds, ok: l1 <= l0 + b.lagSlackSeconds });
    }
    if (base.some((d) => d.dbInUseBytes !== undefined)) {
      const span = 2 * b.compactionIntervalSeconds;
      const early = s.filter((x) => x.at <= span).map((x) => x.d.dbInUseBytes ?? NaN);
      const peak = Math.max(...early.filter(Number.isFinite));
      const inUse = median(end.map((d) => d.dbInUseBytes ?? NaN));
      const limit = peak * (1 + b.dbGrowth);
      const v: Verdict = { daemon: d0.name, what: 'etcd DB in use bytes', baseline: peak, end: inUse, limit, ok: inUse <= limit };
      // Compaction runs every interval, to the revision of one interval before: the in-use
      // size is a sawtooth, flat only over several intervals.
      if (endAt < span + windowSeconds) {
        v.ok = true;
        v.skipped = `run shorter than two compaction intervals (${span} s) plus a window: not judged`;
      }
      out.push(v);
    }
  }
  return out;
}
