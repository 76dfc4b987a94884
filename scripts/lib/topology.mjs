// Writes $STATE/topology.json for scripts/up: which processes make up the cluster and where
// they listen, so the chaos harness and the tests can find (and kill) any one of them by its
// pid-file name. Input from the environment, one record per line, fields separated by tabs:
//   TOPO_MODE ha|single, TOPO_SERVER, TOPO_STATE, TOPO_HAPROXY_PORT (ha only)
//   TOPO_ETCD        name clientURL peerURL dataDir
//   TOPO_APISERVERS  name url
//   TOPO_SCHEDULERS / TOPO_CONTROLLER_MANAGERS  name metricsURL
//   TOPO_KUBELETS    name node gid ('' when the kubelet runs without its own group)
//   TOPO_DASHBOARD   the dashboard's URL (one dashboard in either mode)
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const env = process.env;
const rows = (name) => (env[name] ?? '').split('\n').filter(Boolean).map((l) => l.split('\t'));
const state = env.TOPO_STATE;
if (!state || !env.TOPO_MODE || !env.TOPO_SERVER) throw new Error('TOPO_STATE, TOPO_MODE and TOPO_SERVER are required');

const topology = {
  mode: env.TOPO_MODE,
  server: env.TOPO_SERVER,
  kubeconfig: join(state, 'kubeconfig'),
  caFile: join(state, 'pki', 'ca.crt'),
  etcd: rows('TOPO_ETCD').map(([name, clientURL, peerURL, dataDir]) => ({ name, clientURL, peerURL, dataDir })),
  apiservers: rows('TOPO_APISERVERS').map(([name, url]) => ({ name, url })),
  schedulers: rows('TOPO_SCHEDULERS').map(([name, metricsURL]) => ({ name, metricsURL })),
  controllerManagers: rows('TOPO_CONTROLLER_MANAGERS').map(([name, metricsURL]) => ({ name, metricsURL })),
  kubelets: rows('TOPO_KUBELETS').map(([name, node, gid]) => ({ name, node, gid: gid ? Number(gid) : null })),
  kubeProxy: { name: 'kube-proxy' },
  ...(env.TOPO_DASHBOARD ? { dashboard: { name: 'dashboard', url: env.TOPO_DASHBOARD } } : {}),
  ...(env.TOPO_MODE === 'ha' ? { haproxy: { name: 'haproxy', port: Number(env.TOPO_HAPROXY_PORT) } } : {}),
};
// Written whole, then renamed: a reader never sees half a file.
const file = join(state, 'topology.json');
writeFileSync(`${file}.tmp`, `${JSON.stringify(topology, null, 2)}\n`);
renameSync(`${file}.tmp`, file);
