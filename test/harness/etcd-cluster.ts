// A real 3-member etcd cluster on random loopback ports (peer URLs, --initial-cluster), for
// tests of quorum loss and failover: any member can be killed (SIGKILL by default) and started
// again on its data directory, rejoining the cluster as a real member would.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EtcdHandle } from './etcd.js';
import { freePort, waitFor } from './ports.js';

export interface EtcdMember {
  name: string;
  clientURL: string;
  peerURL: string;
  dataDir: string;
  /** The process, while it runs. */
  proc?: ChildProcess;
}

export interface EtcdCluster {
  /** Every member's client URL (what apiservers get as --etcd-servers). */
  endpoints: string[];
  members: EtcdMember[];
  /** Kills member `i` (SIGKILL unless told) and waits for it to exit. */
  kill(i: number, signal?: NodeJS.Signals): Promise<void>;
  /** Starts member `i` again on its data directory and waits until it answers /health. */
  restart(i: number): Promise<void>;
  /** Waits until every running member reports healthy (there is a leader and a quorum). */
  waitHealthy(timeoutMs?: number): Promise<void>;
  /** An EtcdHandle for startTestApiserver's `etcd` (its endpoint is member 0; stop() does nothing). */
  handle(): EtcdHandle;
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const p of live) p.kill('SIGKILL');
});

export async function startEtcdCluster(size = 3): Promise<EtcdCluster> {
  const root = mkdtempSync(join(tmpdir(), 'tskube-etcd-cluster-'));
  const members: EtcdMember[] = [];
  for (let i = 0; i < size; i++) {
    const [client, peer] = [await freePort(), await freePort()];
    members.push({ name: `etcd-${i + 1}`, clientURL: `http://127.0.0.1:${client}`, peerURL: `http://127.0.0.1:${peer}`, dataDir: join(root, `etcd-${i + 1}`) });
  }
  const initialCluster = members.map((m) => `${m.name}=${m.peerURL}`).join(',');
  const token = `tskube-test-${process.pid}-${Date.now()}`;
  const stderr = new Map<EtcdMember, string>();

  const launch = (m: EtcdMember): void => {
    const proc = spawn(
      'etcd',
      [
        '--name', m.name,
        '--data-dir', m.dataDir,
        '--listen-client-urls', m.clientURL,
        '--advertise-client-urls', m.clientURL,
        '--listen-peer-urls', m.peerURL,
        '--initial-advertise-peer-urls', m.peerURL,
        '--initial-cluster', initialCluster,
        '--initial-cluster-token', token,
        // Ignored once the data directory exists: a restarted member rejoins.
        '--initial-cluster-state', 'new',
        '--log-level', 'error',
        '--logger', 'zap',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    m.proc = proc;
    live.add(proc);
    stderr.set(m, '');
    proc.stderr?.on('data', (d: Buffer) => stderr.set(m, (stderr.get(m)! + d.toString()).slice(-4000)));
    proc.on('exit', () => {
      live.delete(proc);
      if (m.proc === proc) m.proc = undefined;
    });
  };

  const healthy = async (m: EtcdMember): Promise<boolean> => {
    if (!m.proc) throw new Error(`${m.name} exited: ${stderr.get(m)}`);
    const res = await fetch(`${m.clientURL}/health`, { signal: AbortSignal.timeout(2000) }).catch(() => undefined);
    if (!res?.ok) return false;
    return ((await res.json()) as { health?: string }).health === 'true';
  };

  const waitHealthy = async (timeoutMs = 30_000): Promise<void> => {
    for (const m of members.filter((x) => x.proc)) await waitFor(`${m.name} healthy`, () => healthy(m), timeoutMs, 100);
  };

  const kill = async (i: number, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> => {
    const proc = members[i]!.proc;
    if (!proc) return;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill(signal);
    await exited;
  };

  for (const m of members) launch(m);
  await waitHealthy();
  return {
    endpoints: members.map((m) => m.clientURL),
    members,
    kill,
    async restart(i) {
      const m = members[i]!;
      if (m.proc) return;
      launch(m);
      // Healthy needs a quorum: with others still down, only wait for the member to listen.
      await waitFor(`${m.name} listening`, async () => {
        if (!m.proc) throw new Error(`${m.name} exited: ${stderr.get(m)}`);
        return !!(await fetch(`${m.clientURL}/version`, { signal: AbortSignal.timeout(2000) }).catch(() => undefined))?.ok;
      }, 20_000, 100);
    },
    waitHealthy,
    handle: () => ({ endpoint: members[0]!.clientURL, dataDir: members[0]!.dataDir, stop: async () => undefined }),
    async stop() {
      await Promise.all(members.map((_, i) => kill(i, 'SIGTERM')));
      rmSync(root, { recursive: true, force: true });
    },
  };
}
