// What the soak measures of each daemon of a running cluster ($STATE/pids/<name>): RSS and
// open file descriptors from /proc, event-loop lag from the daemon's own /metrics (prom-client's
// default nodejs_eventloop_lag_* gauges), and etcd's DB size from etcd's /metrics.
//
// A daemon's /metrics port is found from the process itself: its listening TCP sockets
// (/proc/<pid>/fd → socket inodes → /proc/net/tcp), each tried for /metrics over HTTPS with
// the admin client certificate (every tskube port authenticates and authorizes; admin is
// system:masters) and then over plain HTTP (etcd's client URL). So it works for any ports
// scripts/up was given, without knowing its flags.
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { Agent, request } from 'undici';
import { alive } from '../../test/harness/host-lock.js';

export interface DaemonSample {
  name: string;
  pid: number;
  alive: boolean;
  rssBytes: number;
  fds: number;
  /** prom-client's nodejs_eventloop_lag_p99_seconds / _max_seconds since the last scrape. */
  lagP99Seconds?: number;
  lagMaxSeconds?: number;
  /** V8 heap in use (nodejs_heap_size_used_bytes): tells retained objects from RSS the allocator keeps. */
  heapUsedBytes?: number;
  /** etcd only. */
  dbTotalBytes?: number;
  dbInUseBytes?: number;
  keys?: number;
  revision?: number;
  compactRevision?: number;
}

export interface Sample {
  atSeconds: number;
  daemons: DaemonSample[];
}

/** Prometheus text → the first value of each metric name (labels ignored). */
export function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{[^}]*\})?\s+(\S+)/.exec(line);
    if (m && !out.has(m[1]!)) out.set(m[1]!, Number(m[2]));
  }
  return out;
}

/** VmRSS of a process in bytes (NaN when gone). */
export function rssBytes(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

export function openFds(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return NaN;
  }
}

/** The TCP ports a process listens on (IPv4 and IPv6), with the address to reach each. */
export function listeningPorts(pid: number): Array<{ host: string; port: number }> {
  const inodes = new Set<string>();
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m) inodes.add(m[1]!);
      } catch {
        // Closed while we looked.
      }
    }
  } catch {
    return [];
  }
  const out: Array<{ host: string; port: number }> = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      // local_address rem_address st … inode: LISTEN is 0A.
      if (f.length < 10 || f[3] !== '0A' || !inodes.has(f[9]!)) continue;
      const [addrHex, portHex] = f[1]!.split(':') as [string, string];
      const any = /^0+$/.test(addrHex);
      const host = any || addrHex.length !== 8 ? '127.0.0.1' : addrHex.match(/../g)!.reverse().map((b) => parseInt(b, 16)).join('.');
      out.push({ host, port: parseInt(portHex, 16) });
    }
  }
  return out;
}

export interface Scraper {
  /** The daemon's /metrics as a map, or undefined when none of its ports serves it. */
  scrape(name: string, pid: number): Promise<Map<string, number> | undefined>;
  close(): Promise<void>;
}

/** Scrapes with the admin client certificate; remembers each daemon's /metrics URL. */
export function newScraper(tls: { cert: string; key: string }): Scraper {
  // Loopback only; components that were given no serving certificate use a self-signed one
  // (as Kubernetes' do), so the server certificate is not checked — the client one is.
  const agent = new Agent({ connect: { cert: tls.cert, key: tls.key, rejectUnauthorized: false }, headersTimeout: 5000, bodyTimeout: 5000 });
  const urls = new Map<string, string>();
  const get = async (url: string): Promise<string | undefined> => {
    try {
      const res = await request(url, { dispatcher: agent, signal: AbortSignal.timeout(5000) });
      const body = await res.body.text();
      return res.statusCode === 200 && body.includes('# HELP') ? body : undefined;
    } catch {
      return undefined;
    }
  };
  return {
    async scrape(name, pid) {
      const known = urls.get(name);
      if (known === '') return undefined;
      if (known) {
        const body = await get(known);
        if (body) return parseMetrics(body);
      }
      for (const { host, port } of listeningPorts(pid)) {
        for (const scheme of ['https', 'http']) {
          const url = `${scheme}://${host}:${port}/metrics`;
          const body = await get(url);
          if (body) {
            urls.set(name, url);
            return parseMetrics(body);
          }
        }
      }
      // None of its ports serves /metrics to us: say so once (a '-' in the table), not probe
      // every port again at every sample.
      if (known === undefined) urls.set(name, '');
      return undefined;
    },
    close: () => agent.close(),
  };
}

/** The daemons named in $STATE/pids, pid read from each file. */
export function daemons(state: string): Array<{ name: string; pid: number }> {
  return readdirSync(`${state}/pids`)
    .sort()
    .map((name) => ({ name, pid: Number(readFileSync(`${state}/pids/${name}`, 'utf8').trim()) }))
    .filter((d) => Number.isInteger(d.pid) && d.pid > 0);
}

export async function sampleDaemon(scraper: Scraper, name: string, pid: number): Promise<DaemonSample> {
  const s: DaemonSample = { name, pid, alive: alive(pid), rssBytes: rssBytes(pid), fds: openFds(pid) };
  if (!s.alive) return s;
  const m = await scraper.scrape(name, pid);
  if (!m) return s;
  s.lagP99Seconds = m.get('nodejs_eventloop_lag_p99_seconds');
  s.lagMaxSeconds = m.get('nodejs_eventloop_lag_max_seconds');
  s.heapUsedBytes = m.get('nodejs_heap_size_used_bytes');
  s.dbTotalBytes = m.get('etcd_mvcc_db_total_size_in_bytes');
  s.dbInUseBytes = m.get('etcd_mvcc_db_total_size_in_use_in_bytes');
  s.keys = m.get('etcd_debugging_mvcc_keys_total');
  s.revision = m.get('etcd_debugging_mvcc_current_revision');
  s.compactRevision = m.get('etcd_debugging_mvcc_compact_revision');
  return s;
}
