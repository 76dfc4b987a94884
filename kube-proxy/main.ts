#!/usr/bin/env node
// kube-proxy: `node dist/kube-proxy/main.js --kubeconfig .tskube/kubeconfigs/kube-proxy.kubeconfig`.
// Every flag has an environment twin: --proxy-mode ⇔ TSKUBE_PROXY_MODE.
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { newLogger, onShutdown, envTwins } from '../client/component-base/daemon.js';
import { clientConnectionFlags, clientConnectionFrom, loggingFlags, servingTLSFrom, tlsFlags } from '../client/component-base/flags.js';
import { runCommand } from './exec.js';
import { cleanupAll } from './iptables/applier.js';
import { DEFAULT_CLUSTER_CIDR, DEFAULT_SERVICE_CIDR, startKubeProxy, type ProxyMode } from './proxier.js';

const argv = await envTwins(loggingFlags(tlsFlags(clientConnectionFlags(yargs(hideBin(process.argv)).scriptName('kube-proxy'))))
  .option('proxy-mode', { type: 'string', choices: ['', 'iptables', 'userspace'], default: '', describe: 'iptables or userspace; empty = iptables when usable (root + iptables), else userspace' })
  .option('hostname-override', { type: 'string', describe: 'This node\'s name (default: the hostname)' })
  .option('cluster-cidr', { type: 'string', default: DEFAULT_CLUSTER_CIDR, describe: 'The pod network; traffic from outside it to a ClusterIP is masqueraded' })
  .option('service-cluster-ip-range', { type: 'string', default: DEFAULT_SERVICE_CIDR, describe: 'The service range the guard keeps on this host' })
  .option('nodeport-addresses', { type: 'string', describe: 'Comma-separated addresses the userspace mode opens NodePorts on (default all)' })
  .option('min-sync-period', { type: 'number', default: 1, describe: 'Seconds between syncs at least (batches changes)' })
  .option('sync-period', { type: 'number', default: 30, describe: 'Seconds between full resyncs at most' })
  .option('healthz-bind-address', { type: 'string', default: '0.0.0.0:10256', describe: 'ip:port of the HTTPS port for /healthz (open) and /metrics (authorized)' })
  .option('cleanup', { type: 'boolean', default: false, describe: 'Remove every rule, chain and route kube-proxy made, then exit' })
  .strict()
  .help()
  ).parseAsync();

const log = newLogger('kube-proxy', argv['log-level']);

if (argv.cleanup) {
  await cleanupAll(runCommand);
  log.info('cleaned up');
  process.exit(0);
}

const proxy = await startKubeProxy({
  ...clientConnectionFrom(argv),
  servingTLS: await servingTLSFrom(argv),
  proxyMode: argv['proxy-mode'] as ProxyMode | '',
  ...(argv['hostname-override'] ? { nodeName: argv['hostname-override'] } : {}),
  clusterCIDR: argv['cluster-cidr'],
  serviceClusterIPRange: argv['service-cluster-ip-range'],
  ...(argv['nodeport-addresses'] ? { nodePortAddresses: argv['nodeport-addresses'].split(',').map((s) => s.trim()).filter(Boolean) } : {}),
  minSyncPeriodMs: argv['min-sync-period'] * 1000,
  syncPeriodMs: argv['sync-period'] * 1000,
  healthzBindAddress: argv['healthz-bind-address'],
  logger: log,
});
log.info({ mode: proxy.mode, healthPort: proxy.healthPort }, 'kube-proxy running');
onShutdown(log, () => proxy.stop());
