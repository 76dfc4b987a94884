// The hollow cluster the dashboard benchmark looks at (kubemark's approach: API objects with
// nobody running them): one apiserver process on a fresh etcd (bench/apiserver-process.ts),
// two Nodes with capacity and a Ready condition, N pods bound to them with status Running
// written through /status (no scheduler, no kubelet), a ServiceAccount bound to cluster-admin
// with a TokenRequest token (the dashboard has no credentials of its own: the user logs in
// with a token), and the dashboard daemon as its own process with a kubeconfig holding only
// the server and its CA.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { startApiserverProcess, type ApiserverProcess, type Credentials } from './apiserver-process.js';
import { freePort, waitFor } from '../test/harness/ports.js';

export const NAMESPACE = 'default';
export const NODES = ['node-1', 'node-2'];

export interface HollowCluster {
  api: ApiserverProcess;
  /** The secure port, as system:masters (for the plain watch client, the same TLS path as the dashboard's). */
  admin: Credentials;
  /** A cluster-admin ServiceAccount's bearer token. */
  token: string;
  /** POST/PUT/PATCH/GET on the apiserver's unsafe port (setup as system:masters); throws on an unexpected code. */
  call(method: string, path: string, body?: unknown, contentType?: string): Promise<unknown>;
  stop(): Promise<void>;
}

export async function startHollowCluster(): Promise<HollowCluster> {
  const api = await startApiserverProcess(['--max-requests-inflight', '1000', '--max-mutating-requests-inflight', '500']);
  const pool = new Pool(api.plain, { connections: 64 });
  const call = async (method: string, path: string, body?: unknown, contentType = 'application/json') => {
    const res = await pool.request({ method: method as 'GET', path, headers: { 'content-type': contentType }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const text = await res.body.text();
    if (res.statusCode >= 300) throw new Error(`${method} ${path}: ${res.statusCode} ${text}`);
    return JSON.parse(text) as unknown;
  };
  try {
    for (const name of NODES) {
      const node = { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name } } };
      const created = (await call('POST', '/api/v1/nodes', node)) as { metadata: object };
      const capacity = { cpu: '8', memory: '16Gi', pods: '1100' };
      await call('PUT', `/api/v1/nodes/${name}/status`, {
        ...node, metadata: created.metadata,
        status: { capacity, allocatable: capacity, conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'hollow node', lastHeartbeatTime: new Date().toISOString(), lastTransitionTime: new Date().toISOString() }], addresses: [{ type: 'InternalIP', address: '127.0.0.1' }, { type: 'Hostname', address: name }] },
      });
    }
    // The ServiceAccount admission wants the namespace's `default` account (the controller-manager's job in a cluster).
    await call('POST', `/api/v1/namespaces/${NAMESPACE}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default' } });
    const sa = 'bench-dashboard-admin';
    await call('POST', '/api/v1/namespaces/kube-system/serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: sa } });
    await call('POST', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: sa },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: [{ kind: 'ServiceAccount', name: sa, namespace: 'kube-system' }],
    });
    const tr = (await call('POST', `/api/v1/namespaces/kube-system/serviceaccounts/${sa}/token`, { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } })) as { status: { token: string } };
    const admin = await api.credentialsFor('bench-watcher', ['system:masters']);
    return {
      api, admin, token: tr.status.token, call,
      async stop() {
        await pool.close();
        await api.stop();
      },
    };
  } catch (e) {
    await pool.close();
    await api.stop();
    throw e;
  }
}

/** A pod bound to a node, with a request so the overview's allocation bars have something to show. */
export function hollowPod(name: string, node: string): Record<string, unknown> {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: NAMESPACE, labels: { app: 'hollow' } },
    spec: { nodeName: node, containers: [{ name: 'main', image: 'busybox:1.35', command: ['sleep', '3600'], resources: { requests: { cpu: '5m', memory: '8Mi' } } }] },
  };
}

/** status.phase Running with one running container that has restarted `restarts` times. */
export function runningStatus(restarts: number, started: string): Record<string, unknown> {
  return {
    phase: 'Running', podIP: '10.244.0.10', hostIP: '127.0.0.1', startTime: started,
    conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: started }],
    containerStatuses: [{ name: 'main', image: 'busybox:1.35', imageID: '', ready: true, started: true, restartCount: restarts, state: { running: { startedAt: started } } }],
  };
}

/** Creates `count` pods spread over the nodes (64 at a time) and marks each Running through /status. */
export async function createHollowPods(c: HollowCluster, count: number, prefix = 'hollow'): Promise<void> {
  const started = new Date().toISOString();
  const one = async (i: number) => {
    const name = `${prefix}-${String(i).padStart(4, '0')}`;
    await c.call('POST', `/api/v1/namespaces/${NAMESPACE}/pods`, hollowPod(name, NODES[i % NODES.length]!));
    await c.call('PATCH', `/api/v1/namespaces/${NAMESPACE}/pods/${name}/status`, { status: runningStatus(0, started) }, 'application/merge-patch+json');
  };
  let next = 0;
  await Promise.all(Array.from({ length: 64 }, async () => {
    while (next < count) await one(next++);
  }));
}

export interface DashboardProcess {
  base: string;
  pid: number;
  stop(): Promise<void>;
}

/** The dashboard daemon (dist/dashboard/main.js) on a random loopback port, for the apiserver of `server` with CA `ca`. */
export async function startDashboard(server: string, ca: string): Promise<DashboardProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'tskube-bench-dashboard-'));
  const kubeconfig = join(dir, 'kubeconfig');
  // Server and CA only: every request the dashboard makes carries the logged-in user's token.
  writeFileSync(kubeconfig, JSON.stringify({
    apiVersion: 'v1', kind: 'Config', 'current-context': 'bench',
    clusters: [{ name: 'bench', cluster: { server, 'certificate-authority-data': Buffer.from(ca).toString('base64') } }],
    contexts: [{ name: 'bench', context: { cluster: 'bench', user: 'nobody' } }],
    users: [{ name: 'nobody', user: {} }],
  }));
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, ['dist/dashboard/main.js', '--listen', `127.0.0.1:${port}`, '--kubeconfig', kubeconfig], { stdio: ['ignore', 'ignore', 'inherit'] });
  const base = `http://127.0.0.1:${port}`;
  const exited = new Promise((r) => child.once('exit', r));
  await waitFor('dashboard /healthz', async () => {
    if (child.exitCode !== null) throw new Error(`dashboard exited ${child.exitCode}`);
    return (await fetch(`${base}/healthz`).catch(() => undefined))?.ok;
  }, 30_000, 100);
  return {
    base,
    pid: child.pid!,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
