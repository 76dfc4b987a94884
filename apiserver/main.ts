#!/usr/bin/env node
// kube-apiserver: `node dist/apiserver/main.js --etcd-servers http://127.0.0.1:2379`.
// Every flag has an environment twin: --etcd-servers ⇔ TSKUBE_ETCD_SERVERS.
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { pino } from 'pino';
import { createApiserver, DEFAULT_OPTIONS } from './server.js';
import { envTwins } from '../client/daemon.js';

const argv = await envTwins(yargs(hideBin(process.argv))
  .scriptName('apiserver')
  .option('etcd-servers', { type: 'string', default: 'http://127.0.0.1:2379', describe: 'Comma-separated etcd endpoints' })
  .option('etcd-prefix', { type: 'string', default: DEFAULT_OPTIONS.etcdPrefix, describe: 'Key prefix of every object in etcd' })
  .option('bind-address', { type: 'string', default: '127.0.0.1', describe: 'Address to serve plain HTTP on' })
  .option('port', { type: 'number', default: 8080, describe: 'Port to serve plain HTTP on' })
  .option('service-cluster-ip-range', { type: 'string', default: '10.96.0.0/12', describe: 'CIDR of Service ClusterIPs' })
  .option('service-node-port-range', { type: 'string', default: '30000-32767', describe: 'Port range of NodePorts' })
  .option('max-requests-inflight', { type: 'number', default: DEFAULT_OPTIONS.maxRequestsInflight, describe: 'Requests served at once before 429' })
  .option('watch-cache-size', { type: 'number', default: DEFAULT_OPTIONS.watchCacheSize, describe: 'Events kept per resource for watchers' })
  .option('etcd-compaction-interval', { type: 'number', default: DEFAULT_OPTIONS.compactionIntervalSeconds, describe: 'Seconds between etcd compactions (0 = off)' })
  .option('min-request-timeout', { type: 'number', default: DEFAULT_OPTIONS.minRequestTimeoutSeconds, describe: 'Minimum watch timeout in seconds' })
  .option('encryption-provider-config', { type: 'string', describe: 'EncryptionConfiguration file: which resources are encrypted in etcd, and how' })
  .option('log-level', { type: 'string', default: 'info', describe: 'pino log level' })
  .strict()
  .help()
  ).parseAsync();

const logger = pino({ level: argv['log-level'], base: { component: 'apiserver' } });
const server = await createApiserver({
  ...DEFAULT_OPTIONS,
  etcdServers: argv['etcd-servers'].split(',').map((s) => s.trim()).filter(Boolean),
  etcdPrefix: argv['etcd-prefix'],
  logger,
  maxRequestsInflight: argv['max-requests-inflight'],
  watchCacheSize: argv['watch-cache-size'],
  compactionIntervalSeconds: argv['etcd-compaction-interval'],
  minRequestTimeoutSeconds: argv['min-request-timeout'],
  serviceClusterIPRange: argv['service-cluster-ip-range'],
  serviceNodePortRange: argv['service-node-port-range'],
  encryptionProviderConfig: argv['encryption-provider-config'],
});
await server.app.listen({ host: argv['bind-address'], port: argv.port });
logger.info({ address: `http://${argv['bind-address']}:${argv.port}` }, 'apiserver listening');

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down');
  await server.close().catch((e: unknown) => logger.error({ err: String(e) }, 'shutdown error'));
  process.exit(0);
};
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
