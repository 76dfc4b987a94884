// The cluster the chaos harness breaks, as scripts/up describes it in $STATE/topology.json
// (see the HA contract). A state directory made before topology.json existed is read from its
// pid files and the TSKUBE_* port variables scripts/up was started with (single-node only).
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export interface EtcdMember {
  name: string;
  clientURL: string;
  peerURL?: string;
  dataDir?: string;
}

export interface Topology {
  mode: 'ha' | 'single';
  server: string;
  kubeconfig: string;
  caFile: string;
  etcd: EtcdMember[];
  apiservers: { name: string; url: string }[];
  schedulers: { name: string; metricsURL: string }[];
  controllerManagers: { name: string; metricsURL: string }[];
  /** gid: the kubelet's own group (null/absent: it runs without one, no partition fault). */
  kubelets: { name: string; node: string; gid?: number | null }[];
  kubeProxy: { name: string };
  haproxy?: { name: string; port: number };
  /** The state directory the topology was read from (pids/, logs/, pki/). */
  state: string;
}

/** Reads $STATE/topology.json, or derives the single-node topology when it is missing. */
export function readTopology(state: string, env: NodeJS.ProcessEnv = process.env): Topology {
  const file = join(state, 'topology.json');
  if (existsSync(file)) return { ...(JSON.parse(readFileSync(file, 'utf8')) as Omit<Topology, 'state'>), state };
  return deriveSingleTopology(state, env);
}

/** What scripts/up (single node) starts, from the same variables it reads. */
export function deriveSingleTopology(state: string, env: NodeJS.ProcessEnv = process.env): Topology {
  const port = env.TSKUBE_PORT ?? '6443';
  const etcdPort = env.TSKUBE_ETCD_PORT ?? '2379';
  const peerPort = env.TSKUBE_ETCD_PEER_PORT ?? '2380';
  const gids = (env.TSKUBE_KUBELET_GIDS ?? '').split(/\s+/).filter(Boolean).map(Number);
  const pids = existsSync(join(state, 'pids')) ? readdirSync(join(state, 'pids')) : [];
  const nodes = pids.filter((n) => n.startsWith('kubelet-')).map((n) => n.slice('kubelet-'.length));
  const kubeletNodes = nodes.length ? nodes.sort() : ['node-1', 'node-2'];
  return {
    mode: 'single',
    server: `https://127.0.0.1:${port}`,
    kubeconfig: join(state, 'kubeconfig'),
    caFile: join(state, 'pki/ca.crt'),
    etcd: [{ name: 'etcd', clientURL: `http://127.0.0.1:${etcdPort}`, peerURL: `http://127.0.0.1:${peerPort}`, dataDir: join(state, 'etcd') }],
    apiservers: [{ name: 'apiserver', url: `https://127.0.0.1:${port}` }],
    schedulers: [{ name: 'scheduler', metricsURL: `https://127.0.0.1:${env.TSKUBE_SCHED_PORT ?? '10259'}/metrics` }],
    controllerManagers: [{ name: 'controller-manager', metricsURL: `https://127.0.0.1:${env.TSKUBE_CM_PORT ?? '10257'}/metrics` }],
    kubelets: kubeletNodes.map((node, i) => ({ name: `kubelet-${node}`, node, ...(gids[i] ? { gid: gids[i] } : {}) })),
    kubeProxy: { name: 'kube-proxy' },
    state,
  };
}

/** Every process name of the topology (pid-file names). */
export function processNames(t: Topology): string[] {
  return [
    ...t.etcd.map((e) => e.name),
    ...t.apiservers.map((a) => a.name),
    ...t.schedulers.map((s) => s.name),
    ...t.controllerManagers.map((c) => c.name),
    ...t.kubelets.map((k) => k.name),
    t.kubeProxy.name,
    ...(t.haproxy ? [t.haproxy.name] : []),
  ];
}
