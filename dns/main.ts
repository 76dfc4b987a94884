#!/usr/bin/env node
// Cluster DNS: `node dist/dns/main.js --kubeconfig .tskube/kubeconfigs/dns.kubeconfig --port 53`.
// Every flag has an environment twin: --cluster-domain ⇔ TSKUBE_CLUSTER_DOMAIN.
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { newLogger, onShutdown, envTwins } from '../client/component-base/daemon.js';
import { clientConnectionFlags, clientConnectionFrom, servingTLSFrom, tlsFlags } from '../client/component-base/flags.js';
import { DEFAULT_DNS_SERVICE_IP } from './bootstrap.js';
import { startDns } from './dns.js';
import type { PodMode } from './records.js';

const argv = await envTwins(tlsFlags(clientConnectionFlags(yargs(hideBin(process.argv)).scriptName('tskube-dns')))
  .option('cluster-domain', { type: 'string', default: 'cluster.local', describe: 'The zone served: <svc>.<ns>.svc.<domain>' })
  .option('bind-address', { type: 'string', default: '0.0.0.0', describe: 'Address DNS listens on (UDP and TCP)' })
  .option('port', { type: 'number', default: 53, describe: 'DNS port, UDP and TCP (0 = random)' })
  .option('ttl', { type: 'number', default: 5, describe: 'TTL of answers and of negative answers (seconds)' })
  .option('pods', { choices: ['insecure', 'verified', 'disabled'], default: 'insecure', describe: 'Pod A records a-b-c-d.<ns>.pod.<domain>: any address, only existing pods, or none' })
  .option('upstream', { type: 'string', array: true, default: [] as string[], describe: 'host:port resolver for names outside the zone (repeatable); none = REFUSED' })
  .option('upstream-timeout', { type: 'number', default: 2000, describe: 'Milliseconds to wait for an upstream' })
  .option('register-service', { type: 'boolean', default: false, describe: 'Ensure the kube-system/kube-dns Service and publish this server as its endpoint' })
  .option('dns-service-ip', { type: 'string', default: DEFAULT_DNS_SERVICE_IP, describe: 'ClusterIP requested for kube-dns' })
  .option('advertise-address', { type: 'string', describe: 'Address published as the kube-dns endpoint (default: bind address, or the first non-loopback IPv4)' })
  .option('node-name', { type: 'string', describe: 'nodeName of the published endpoint' })
  .option('metrics-bind-address', { type: 'string', default: '127.0.0.1', describe: 'Address of the HTTPS port for /healthz (open) and /metrics (authorized)' })
  .option('metrics-port', { type: 'number', default: 9153, describe: 'Port of that HTTPS port (0 = random, -1 = off)' })
  .option('log-level', { type: 'string', default: 'info', describe: 'pino log level (debug logs every query)' })
  .strict()
  .help()
  ).parseAsync();

const log = newLogger('dns', argv['log-level']);
const handle = await startDns({
  ...clientConnectionFrom(argv),
  ...(argv['metrics-port'] >= 0 ? { servingTLS: await servingTLSFrom(argv) } : {}),
  clusterDomain: argv['cluster-domain'],
  bindAddress: argv['bind-address'],
  port: argv.port,
  ttl: argv.ttl,
  podMode: argv.pods as PodMode,
  upstreams: argv.upstream,
  upstreamTimeoutMs: argv['upstream-timeout'],
  registerService: argv['register-service'],
  dnsServiceIP: argv['dns-service-ip'],
  advertiseAddress: argv['advertise-address'],
  nodeName: argv['node-name'],
  metricsBindAddress: argv['metrics-bind-address'],
  metricsPort: argv['metrics-port'],
  logger: log,
});
onShutdown(log, () => handle.stop());
