// An apiserver as its own process (as in a cluster) on a fresh etcd, for the overload
// benchmarks: its secure port (x509 client certificates from the cluster PKI, Node+RBAC) and
// the unsafe plain-HTTP port for setup as system:masters; clients as any user; its RSS.
// APISERVER_NODE_FLAGS adds node flags to the apiserver process (e.g. `--cpu-prof`).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { ensureClusterPki } from '../client/cert/pki.js';
import { clusterPkiPaths } from '../client/cert/layout.js';
import { issueCert } from '../client/cert/x509.js';
import { startEtcd, type EtcdHandle } from '../test/harness/etcd.js';
import { freePort, waitFor } from '../test/harness/ports.js';

export interface Credentials {
  url: string;
  ca: string;
  cert: string;
  key: string;
}

export const poolOf = (c: Credentials, connections: number): Pool => new Pool(c.url, { connections, connect: { ca: c.ca, cert: c.cert, key: c.key } });

export interface ApiserverProcess {
  etcd: EtcdHandle;
  pid: number;
  /** http://127.0.0.1:<insecure port> (system:masters, exempt from flow control). */
  plain: string;
  /** A keep-alive pool to the secure port, authenticated as `user` in `groups`. */
  poolFor(user: string, groups: string[], connections: number): Promise<Pool>;
  /** What poolFor is made of, for a pool in another thread. */
  credentialsFor(user: string, groups: string[]): Promise<Credentials>;
  /** (Re)starts the apiserver process with these extra flags, on the same etcd. */
  restart(flags: string[]): Promise<void>;
  stop(): Promise<void>;
}

/** VmRSS of a process in MiB (Linux /proc). */
export function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

export async function startApiserverProcess(flags: string[]): Promise<ApiserverProcess> {
  const etcd = await startEtcd();
  const dir = mkdtempSync(join(tmpdir(), 'tskube-bench-pki-'));
  await ensureClusterPki({ dir, server: 'https://127.0.0.1:6443' });
  const pki = clusterPkiPaths(dir);
  const ca = readFileSync(pki.caCert, 'utf8');
  const caKey = readFileSync(pki.caKey, 'utf8');
  const [securePort, plainPort] = [await freePort(), await freePort()];
  const plain = `http://127.0.0.1:${plainPort}`;
  let child: ChildProcess | undefined;
  const start = async (extra: string[]) => {
    child = spawn(process.execPath, [...(process.env.APISERVER_NODE_FLAGS?.split(' ').filter(Boolean) ?? []),
      'dist/apiserver/main.js', '--etcd-servers', etcd.endpoint, '--log-level', 'error',
      '--secure-port', String(securePort), '--bind-address', '127.0.0.1', '--advertise-address', '127.0.0.1',
      '--tls-cert-file', pki.apiserverCert, '--tls-private-key-file', pki.apiserverKey, '--client-ca-file', pki.caCert,
      '--service-account-key-file', pki.serviceAccountPub, '--service-account-signing-key-file', pki.serviceAccountKey,
      '--insecure-port', String(plainPort), ...extra,
    ], { stdio: ['ignore', 'inherit', 'inherit'] });
    await waitFor('apiserver ready', async () => (await fetch(`${plain}/readyz`).catch(() => undefined))?.ok, 60_000);
  };
  const stopChild = async () => {
    const c = child;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM');
    await exited;
  };
  await start(flags);
  const credentialsFor = async (user: string, groups: string[]): Promise<Credentials> => {
    const c = await issueCert({ cert: ca, key: caKey }, { commonName: user, organizations: groups, usages: ['client'] });
    return { url: `https://127.0.0.1:${securePort}`, ca, cert: c.cert, key: c.key };
  };
  return {
    etcd,
    get pid() {
      return child!.pid!;
    },
    plain,
    credentialsFor,
    async poolFor(user, groups, connections) {
      return poolOf(await credentialsFor(user, groups), connections);
    },
    async restart(extra) {
      await stopChild();
      await start(extra);
    },
    async stop() {
      await stopChild();
      await etcd.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A request's status code and body text. */
export async function send(pool: Pool, method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<{ code: number; text: string }> {
  const res = await pool.request({ method, path, ...(body !== undefined ? { body: JSON.stringify(body) } : {}), headers: { 'content-type': 'application/json' } });
  return { code: res.statusCode, text: await res.body.text() };
}

/** The p-th percentile (0–100) of latencies in ms. */
export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}
