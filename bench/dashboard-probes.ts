// The reference clocks of the dashboard benchmark: when a pod's write reaches etcd (a raw etcd
// watch on its key: the floor) and when it reaches a plain watch client of the apiserver (the
// secure port, TLS, like the dashboard's own watch) — next to which the browser's DOM time is
// shown. Times are epoch milliseconds with sub-ms precision (performance.timeOrigin +
// performance.now(), the same clock the page reports).
import { Etcd3, type Watcher } from 'etcd3';
import { Pool } from 'undici';
import type { Credentials } from './apiserver-process.js';

export const now = (): number => performance.timeOrigin + performance.now();

/** Waiters keyed by a value; `arrive` resolves the waiter of a value with the arrival time. */
class Arrivals<K> {
  private readonly waiters = new Map<K, (t: number) => void>();
  private readonly early = new Map<K, number>();
  wait(k: K, timeoutMs: number): Promise<number> {
    const t = this.early.get(k);
    if (t !== undefined) {
      this.early.delete(k);
      return Promise.resolve(t);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no event for ${String(k)} within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.set(k, (at) => {
        clearTimeout(timer);
        resolve(at);
      });
    });
  }
  arrive(k: K, t: number): void {
    const w = this.waiters.get(k);
    if (w) {
      this.waiters.delete(k);
      w(t);
    } else this.early.set(k, t);
  }
}

/** A raw etcd watch on one key: the time of the n-th put after `start`. */
export class EtcdKeyProbe {
  private readonly arrivals = new Arrivals<number>();
  private puts = 0;
  private constructor(private readonly client: Etcd3, private readonly watcher: Watcher) {
    watcher.on('put', () => this.arrivals.arrive(++this.puts, now()));
  }
  static async start(endpoint: string, key: string): Promise<EtcdKeyProbe> {
    const client = new Etcd3({ hosts: [endpoint] });
    const watcher = await client.watch().key(key).create();
    return new EtcdKeyProbe(client, watcher);
  }
  /** The arrival time of the next put (the first after the previous call). */
  private waited = 0;
  next(timeoutMs = 10_000): Promise<number> {
    return this.arrivals.wait(++this.waited, timeoutMs);
  }
  async stop(): Promise<void> {
    await this.watcher.cancel();
    this.client.close();
  }
}

interface PodEvent {
  type: string;
  object: { status?: { containerStatuses?: { restartCount?: number }[] } };
}

/** A plain apiserver watch on one pod: the time the event with a given restartCount arrived. */
export class ApiserverWatchProbe {
  private readonly arrivals = new Arrivals<number>();
  private constructor(private readonly pool: Pool, private readonly abort: AbortController) {}
  static async start(admin: Credentials, namespace: string, name: string, resourceVersion: string): Promise<ApiserverWatchProbe> {
    const pool = new Pool(admin.url, { connections: 1, connect: { ca: admin.ca, cert: admin.cert, key: admin.key } });
    const abort = new AbortController();
    const probe = new ApiserverWatchProbe(pool, abort);
    const res = await pool.request({ method: 'GET', path: `/api/v1/namespaces/${namespace}/pods?watch=true&fieldSelector=metadata.name%3D${name}&resourceVersion=${resourceVersion}`, signal: abort.signal, bodyTimeout: 0 });
    if (res.statusCode !== 200) throw new Error(`watch: ${res.statusCode} ${await res.body.text()}`);
    let buf = '';
    res.body.setEncoding('utf8');
    res.body.on('data', (chunk: string) => {
      const t = now();
      buf += chunk;
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (!line.trim()) continue;
        const ev = JSON.parse(line) as PodEvent;
        const restarts = ev.object.status?.containerStatuses?.[0]?.restartCount;
        if (ev.type === 'MODIFIED' && restarts !== undefined) probe.arrivals.arrive(restarts, t);
      }
    });
    res.body.on('error', () => undefined);
    return probe;
  }
  /** The arrival time of the MODIFIED event whose container shows `restarts`. */
  event(restarts: number, timeoutMs = 10_000): Promise<number> {
    return this.arrivals.wait(restarts, timeoutMs);
  }
  async stop(): Promise<void> {
    this.abort.abort();
    await this.pool.close().catch(() => undefined);
  }
}
