// A throw-away etcd on random loopback ports, one per test process (real etcd, no mocks).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from './ports.js';

export interface EtcdHandle {
  endpoint: string;
  dataDir: string;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const p of running) p.kill('SIGKILL');
});

export async function startEtcd(): Promise<EtcdHandle> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tskube-etcd-'));
  const [client, peer] = [await freePort(), await freePort()];
  const endpoint = `http://127.0.0.1:${client}`;
  const proc = spawn(
    'etcd',
    [
      '--name', 'n1',
      '--data-dir', dataDir,
      '--listen-client-urls', endpoint,
      '--advertise-client-urls', endpoint,
      '--listen-peer-urls', `http://127.0.0.1:${peer}`,
      '--initial-advertise-peer-urls', `http://127.0.0.1:${peer}`,
      '--initial-cluster', `n1=http://127.0.0.1:${peer}`,
      '--log-level', 'error',
      '--logger', 'zap',
      '--quota-backend-bytes', String(2 * 1024 * 1024 * 1024),
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  running.add(proc);
  let stderr = '';
  proc.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  let exited = false;
  proc.on('exit', () => {
    exited = true;
    running.delete(proc);
  });
  await waitFor(
    `etcd at ${endpoint}`,
    async () => {
      if (exited) throw new Error(`etcd exited: ${stderr}`);
      const res = await fetch(`${endpoint}/health`).catch(() => undefined);
      return res?.ok ?? false;
    },
    20_000,
  );
  return {
    endpoint,
    dataDir,
    async stop() {
      if (!exited) {
        const done = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        await done;
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
