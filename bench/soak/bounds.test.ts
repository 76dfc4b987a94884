// The soak's verdict and metric parsing, on made-up samples.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { judge, DEFAULT_BOUNDS } from './bounds.js';
import { parseMetrics, listeningPorts, type DaemonSample, type Sample } from './sample.js';

const MiB = 1024 * 1024;
const d = (name: string, rssMiB: number, fds: number, extra: Partial<DaemonSample> = {}): DaemonSample => ({ name, pid: 10, alive: true, rssBytes: rssMiB * MiB, fds, lagP99Seconds: 0.01, ...extra });

test('parseMetrics: first value per name, labels and comments skipped', () => {
  const m = parseMetrics('# HELP x\n# TYPE x gauge\nnodejs_eventloop_lag_p99_seconds 0.012\netcd_mvcc_db_total_size_in_bytes{a="b"} 2.5e+06\netcd_mvcc_db_total_size_in_bytes{a="c"} 1\n');
  assert.equal(m.get('nodejs_eventloop_lag_p99_seconds'), 0.012);
  assert.equal(m.get('etcd_mvcc_db_total_size_in_bytes'), 2.5e6);
});

test('judge: flat figures hold; RSS, fd and lag growth beyond the bounds break them; a dead daemon breaks one', () => {
  const samples: Sample[] = [0, 60, 120, 180, 240, 300].map((at, i) => ({
    atSeconds: at,
    daemons: [
      d('apiserver', 100 + i, 40),
      d('leaky', 100 + i * 20, 40 + i * 5, { lagP99Seconds: 0.01 + i * 0.05 }),
      { ...d('gone', 50, 10), alive: i < 5 },
    ],
  }));
  const v = judge(samples, 60, 60);
  const ok = (daemon: string, what: string) => v.find((x) => x.daemon === daemon && x.what === what)!.ok;
  assert.equal(ok('apiserver', 'RSS bytes'), true);
  assert.equal(ok('apiserver', 'open fds'), true);
  assert.equal(ok('apiserver', 'alive, same pid'), true);
  assert.equal(ok('leaky', 'RSS bytes'), false);
  assert.equal(ok('leaky', 'open fds'), false);
  assert.equal(ok('leaky', 'event-loop lag p99 s'), false);
  assert.equal(ok('gone', 'alive, same pid'), false);
});

test('judge: etcd in-use judged only over two compaction intervals, against the early peak', () => {
  const run = (minutes: number, growing: boolean): Sample[] =>
    Array.from({ length: minutes + 1 }, (_, i) => ({
      atSeconds: i * 60,
      // A sawtooth: compaction every 5 minutes; growing adds a step each interval.
      daemons: [d('etcd', 30, 20, { dbInUseBytes: (2 + (i % 5) * 0.2 + (growing ? Math.floor(i / 5) : 0)) * MiB })],
    }));
  const db = (s: Sample[]) => judge(s, 60, 120).find((x) => x.what === 'etcd DB in use bytes')!;
  assert.equal(db(run(5, true)).skipped !== undefined, true);
  assert.equal(db(run(30, false)).ok, true);
  assert.equal(db(run(30, true)).ok, false);
  assert.equal(DEFAULT_BOUNDS.compactionIntervalSeconds, 300);
});

test('listeningPorts: this process listening is found', async () => {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  try {
    assert.ok(listeningPorts(process.pid).some((p) => p.port === port && p.host === '127.0.0.1'));
  } finally {
    server.close();
  }
});
