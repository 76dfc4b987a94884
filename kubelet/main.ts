#!/usr/bin/env node
// kubelet: `node dist/kubelet/main.js --kubeconfig .tskube/kubeconfigs/kubelet-node-1.kubeconfig --node-name node-1 --tls-cert-file …`.
// Every flag has an environment twin: --node-name ⇔ TSKUBE_NODE_NAME.
import { hostname } from 'node:os';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { RestClient } from '../client/index.js';
import { clientConnectionFlags, clientConnectionFrom, loggingFlags, servingTLSFrom, tlsFlags } from '../client/component-base/flags.js';
import { componentRestConfig } from '../client/component-base/rest-config.js';
import { DelegatingAuth } from '../client/component-base/delegating-auth.js';
import { newLogger, newRegistry, onShutdown, startHealthServer, envTwins } from '../client/component-base/daemon.js';
import { DEFAULT_POD_INFRA_IMAGE, DEFAULT_POD_NETWORK } from './runtime/docker/runtime.js';
import { validClusterId } from './runtime/docker/scope.js';
import { startKubelet } from './kubelet.js';
import { serveKubelet } from './server/serve.js';
import { DEFAULTS, defaultRootDir, type KubeletOptions } from './options.js';
import { EvictionConfigError, parseThresholdConfig } from './eviction/config.js';
import { parseDurationMs } from '../client/duration.js';

const argv = await envTwins(loggingFlags(tlsFlags(clientConnectionFlags(yargs(hideBin(process.argv)).scriptName('kubelet'))))
  .option('node-name', { type: 'string', default: hostname(), describe: 'Name of the Node this kubelet registers' })
  .option('runtime-cluster-id', { type: 'string', default: '', describe: 'Identity of this node\'s cluster: labels its containers io.tskube.cluster-id and scopes what the kubelet lists and garbage-collects to it, so clusters sharing a Docker Engine and node names leave each other alone (tskube\'s own; "" = node name only)' })
  .option('docker-host', { type: 'string', default: DEFAULTS.dockerHost, describe: 'Docker Engine API endpoint' })
  .option('pod-network', { type: 'string', default: DEFAULT_POD_NETWORK.name, describe: 'Docker bridge network every pod joins (shared by all kubelets on the host)' })
  .option('pod-network-cidr', { type: 'string', default: DEFAULT_POD_NETWORK.subnet, describe: 'Subnet of the pod network when it has to be created' })
  .option('pod-infra-container-image', { type: 'string', default: DEFAULT_POD_INFRA_IMAGE, describe: 'Image of the sandbox (pause) container' })
  .option('max-pods', { type: 'number', default: DEFAULTS.maxPods, describe: 'Pods this kubelet runs at most' })
  .option('address', { type: 'string', default: '0.0.0.0', describe: 'Address of the kubelet\'s HTTPS server (logs, exec, port-forward, stats, metrics)' })
  .option('port', { type: 'number', default: DEFAULTS.port, describe: 'Port of the kubelet\'s HTTPS server (reported in the Node status)' })
  .option('healthz-bind-address', { type: 'string', default: '127.0.0.1', describe: 'Address of the plain-HTTP /healthz port' })
  .option('healthz-port', { type: 'number', default: 10248, describe: 'Port of /healthz (0 = off)' })
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
  .option('eviction-hard', { type: 'string', default: DEFAULTS.evictionHard, describe: 'Hard eviction thresholds, signal<value pairs (a quantity or a percentage); "" for none' })
  .option('eviction-soft', { type: 'string', default: '', describe: 'Soft eviction thresholds, signal<value pairs; each needs --eviction-soft-grace-period' })
  .option('eviction-soft-grace-period', { type: 'string', default: '', describe: 'How long each soft threshold must hold before pods are evicted: signal=duration pairs (memory.available=1m30s)' })
  .option('eviction-minimum-reclaim', { type: 'string', default: '', describe: 'What must be free beyond a met threshold before it counts as resolved: signal=quantity pairs' })
  .option('eviction-max-pod-grace-period', { type: 'number', default: DEFAULTS.evictionMaxPodGracePeriodSeconds, describe: 'Grace period (seconds) a pod gets when a soft threshold evicts it' })
  .option('eviction-pressure-transition-period', { type: 'string', default: '5m0s', describe: 'How long a pressure condition stays True after its threshold was last met' })
  .option('eviction-monitoring-interval', { type: 'string', default: '10s', describe: 'How often the eviction manager looks at the signals (fixed at 10s upstream)' })
  .strict()
  .help()
  ).parseAsync();

const eviction = evictionOptions(argv);
if (!validClusterId(argv['runtime-cluster-id'])) {
  process.stderr.write(`kubelet: invalid argument "${argv['runtime-cluster-id']}" for "--runtime-cluster-id" flag: want letters, digits, '_', '.', '-' (at most 63, starting with a letter or digit)\n`);
  process.exit(1);
}
const log = newLogger('kubelet', argv['log-level']);
const client = new RestClient(componentRestConfig(clientConnectionFrom(argv), `kubelet/v1.32.0-tskube (${argv['node-name']})`));
const registry = newRegistry();
const nodeName = argv['node-name'];

const kubelet = await startKubelet({
  nodeName,
  client,
  runtimeClusterId: argv['runtime-cluster-id'],
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
  ...eviction,
  logger: log,
  registry,
});

// 10250: HTTPS; callers are authenticated by client certificate or TokenReview and authorized
// by SubjectAccessReview on nodes/<subresource> (Kubernetes' webhook mode; no anonymous).
const secure = { tls: await servingTLSFrom(argv), auth: new DelegatingAuth({ client }) };
const server = await serveKubelet(kubelet, { bindAddress: argv.address, port: argv.port, registry, log, secure });

// 10248: plain HTTP, /healthz only (open, as in Kubernetes).
const health =
  argv['healthz-port'] > 0
    ? await startHealthServer({ bindAddress: argv['healthz-bind-address'], port: argv['healthz-port'] })
    : undefined;
if (health) log.info({ address: `http://${argv['healthz-bind-address']}:${health.port}` }, 'serving /healthz');

onShutdown(log, async () => {
  // Pods keep running: a restarted kubelet adopts them.
  await health?.close();
  await server.stop();
  await kubelet.stop();
});

/** The eviction flags, checked before anything starts: a bad one is one line on stderr and exit 1. */
function evictionOptions(a: {
  'eviction-hard': string;
  'eviction-soft': string;
  'eviction-soft-grace-period': string;
  'eviction-minimum-reclaim': string;
  'eviction-max-pod-grace-period': number;
  'eviction-pressure-transition-period': string;
  'eviction-monitoring-interval': string;
}): Partial<KubeletOptions> {
  const fail = (msg: string): never => {
    process.stderr.write(`kubelet: ${msg}\n`);
    process.exit(1);
  };
  const duration = (flag: 'eviction-pressure-transition-period' | 'eviction-monitoring-interval'): number => {
    const ms = parseDurationMs(a[flag]);
    return ms !== undefined && ms >= 0 ? ms : fail(`invalid argument "${a[flag]}" for "--${flag}" flag: time: invalid duration "${a[flag]}"`);
  };
  const flags = {
    evictionHard: a['eviction-hard'],
    evictionSoft: a['eviction-soft'],
    evictionSoftGracePeriod: a['eviction-soft-grace-period'],
    evictionMinimumReclaim: a['eviction-minimum-reclaim'],
  };
  try {
    parseThresholdConfig(flags);
  } catch (e) {
    if (e instanceof EvictionConfigError) fail(`invalid eviction thresholds: ${e.message}`);
    throw e;
  }
  const interval = duration('eviction-monitoring-interval');
  if (interval <= 0) fail(`invalid argument "${a['eviction-monitoring-interval']}" for "--eviction-monitoring-interval" flag: must be positive`);
  const grace = a['eviction-max-pod-grace-period'];
  if (!Number.isInteger(grace) || grace < 0) fail(`invalid argument "${grace}" for "--eviction-max-pod-grace-period" flag: must be a non-negative integer`);
  return {
    ...flags,
    evictionMaxPodGracePeriodSeconds: grace,
    evictionPressureTransitionPeriodMs: duration('eviction-pressure-transition-period'),
    evictionMonitoringIntervalMs: interval,
  };
}
