#!/usr/bin/env node
// kubelet: `node dist/kubelet/main.js --master http://127.0.0.1:8080 --node-name node-1`.
// Every flag has an environment twin: --node-name ⇔ TSKUBE_NODE_NAME.
import { hostname } from 'node:os';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { RestClient, loadKubeconfig } from '../client/index.js';
import { newLogger, newRegistry, onShutdown, startHealthServer, envTwins } from '../client/daemon.js';
import { DEFAULT_POD_INFRA_IMAGE, DEFAULT_POD_NETWORK } from './docker.js';
import { startKubelet } from './kubelet.js';
import { serveKubelet } from './serve.js';
import { DEFAULTS, defaultRootDir } from './options.js';

const argv = await envTwins(yargs(hideBin(process.argv))
  .scriptName('kubelet')
  .option('node-name', { type: 'string', default: hostname(), describe: 'Name of the Node this kubelet registers' })
  .option('kubeconfig', { type: 'string', describe: 'Path to a kubeconfig file' })
  .option('master', { type: 'string', describe: 'The apiserver URL (overrides the kubeconfig server)' })
  .option('docker-host', { type: 'string', default: DEFAULTS.dockerHost, describe: 'Docker Engine API endpoint' })
  .option('pod-network', { type: 'string', default: DEFAULT_POD_NETWORK.name, describe: 'Docker bridge network every pod joins (shared by all kubelets on the host)' })
  .option('pod-network-cidr', { type: 'string', default: DEFAULT_POD_NETWORK.subnet, describe: 'Subnet of the pod network when it has to be created' })
  .option('pod-infra-container-image', { type: 'string', default: DEFAULT_POD_INFRA_IMAGE, describe: 'Image of the sandbox (pause) container' })
  .option('max-pods', { type: 'number', default: DEFAULTS.maxPods, describe: 'Pods this kubelet runs at most' })
  .option('address', { type: 'string', default: '0.0.0.0', describe: 'Address the kubelet server (logs, exec, port-forward, stats) listens on' })
  .option('port', { type: 'number', default: DEFAULTS.port, describe: 'Port of the kubelet server (reported in the Node status)' })
  .option('healthz-bind-address', { type: 'string', default: '127.0.0.1', describe: 'Address of /healthz and /metrics' })
  .option('healthz-port', { type: 'number', default: 10248, describe: 'Port of /healthz and /metrics (0 = off)' })
  .option('root-dir', { type: 'string', describe: 'Directory for pod volumes (default /var/lib/tskube-kubelet/<node-name>)' })
  .option('cluster-dns', { type: 'string', default: '', describe: 'Comma-separated DNS server IPs for ClusterFirst pods' })
  .option('cluster-domain', { type: 'string', default: DEFAULTS.clusterDomain, describe: 'Cluster domain pods search' })
  .option('node-ip', { type: 'string', describe: 'The InternalIP to report (default: first non-virtual interface address)' })
  .option('resolv-conf', { type: 'string', default: DEFAULTS.resolvConf, describe: 'Resolver configuration Default-policy pods get' })
  .option('node-status-update-frequency', { type: 'number', default: DEFAULTS.nodeStatusUpdateFrequencyMs / 1000, describe: 'Seconds between node status checks' })
  .option('node-status-report-frequency', { type: 'number', default: DEFAULTS.nodeStatusReportFrequencyMs / 1000, describe: 'Seconds between unchanged node status posts' })
  .option('node-lease-renew-interval', { type: 'number', default: DEFAULTS.nodeLeaseRenewIntervalMs / 1000, describe: 'Seconds between node lease renewals' })
  .option('sync-frequency', { type: 'number', default: DEFAULTS.syncFrequencyMs / 1000, describe: 'Seconds between full resyncs of every pod' })
  .option('max-concurrent-syncs', { type: 'number', default: DEFAULTS.maxConcurrentSyncs, describe: 'Pod syncs running at once' })
  .option('log-level', { type: 'string', default: 'info', describe: 'pino log level' })
  .strict()
  .help()
  ).parseAsync();

const log = newLogger('kubelet', argv['log-level']);
const { config } = loadKubeconfig({ ...(argv.kubeconfig ? { kubeconfig: argv.kubeconfig } : {}), ...(argv.master ? { server: argv.master } : {}) });
const client = new RestClient({ ...config, userAgent: `kubelet/v1.32.0-tskube (${argv['node-name']})` });
const registry = newRegistry();
const nodeName = argv['node-name'];

const kubelet = await startKubelet({
  nodeName,
  client,
  dockerHost: argv['docker-host'],
  podNetwork: { name: argv['pod-network'], subnet: argv['pod-network-cidr'] },
  podInfraContainerImage: argv['pod-infra-container-image'],
  maxPods: argv['max-pods'],
  port: argv.port,
  rootDir: argv['root-dir'] ?? defaultRootDir(nodeName),
  clusterDNS: argv['cluster-dns'].split(',').map((s) => s.trim()).filter(Boolean),
  clusterDomain: argv['cluster-domain'],
  ...(argv['node-ip'] ? { nodeIP: argv['node-ip'] } : {}),
  resolvConf: argv['resolv-conf'],
  nodeStatusUpdateFrequencyMs: argv['node-status-update-frequency'] * 1000,
  nodeStatusReportFrequencyMs: argv['node-status-report-frequency'] * 1000,
  nodeLeaseRenewIntervalMs: argv['node-lease-renew-interval'] * 1000,
  syncFrequencyMs: argv['sync-frequency'] * 1000,
  maxConcurrentSyncs: argv['max-concurrent-syncs'],
  logger: log,
  registry,
});

const server = await serveKubelet(kubelet, { bindAddress: argv.address, port: argv.port, registry, log });

const health =
  argv['healthz-port'] > 0
    ? await startHealthServer({ bindAddress: argv['healthz-bind-address'], port: argv['healthz-port'], registry })
    : undefined;
if (health) log.info({ address: `http://${argv['healthz-bind-address']}:${health.port}` }, 'serving /healthz and /metrics');

onShutdown(log, async () => {
  // Pods keep running: a restarted kubelet adopts them.
  await health?.close();
  await server.stop();
  await kubelet.stop();
});
