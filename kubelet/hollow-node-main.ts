#!/usr/bin/env node
// hollow-node: `node dist/kubelet/hollow-node-main.js --master http://127.0.0.1:8080 --count 100`
// registers N Ready nodes that mark their pods Running without containers (scale tests only).
// Every flag has an environment twin: --count ⇔ TSKUBE_COUNT.
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { RestClient } from '../client/index.js';
import { clientConnectionFlags, clientConnectionFrom, loggingFlags, servingTLSFrom, tlsFlags } from '../client/component-base/flags.js';
import { componentRestConfig } from '../client/component-base/rest-config.js';
import { DelegatingAuth } from '../client/component-base/delegating-auth.js';
import { newLogger, newRegistry, onShutdown, startHealthServer, envTwins } from '../client/component-base/daemon.js';
import { startHollowNodes } from './hollow-node.js';

const argv = await envTwins(loggingFlags(tlsFlags(clientConnectionFlags(yargs(hideBin(process.argv)).scriptName('hollow-node'), { qps: 0 })))
  .option('count', { type: 'number', default: 10, describe: 'Number of hollow nodes' })
  .option('name-prefix', { type: 'string', default: 'hollow-node-', describe: 'Nodes are named <prefix><index>' })
  .option('cpu', { type: 'string', default: '4', describe: 'CPU capacity of each node' })
  .option('memory', { type: 'string', default: '16Gi', describe: 'Memory capacity of each node' })
  .option('max-pods', { type: 'number', default: 110, describe: 'Pod capacity of each node' })
  .option('zones', { type: 'number', default: 0, describe: 'Spread nodes over N topology.kubernetes.io/zone values' })
  .option('node-labels', { type: 'string', default: '', describe: 'Extra labels, k=v,k2=v2' })
  .option('node-lease-duration-seconds', { type: 'number', default: 40, describe: 'Lease duration (renewed every quarter)' })
  .option('delete-nodes-on-exit', { type: 'boolean', default: false, describe: 'Delete the Node objects on shutdown' })
  .option('bind-address', { type: 'string', default: '127.0.0.1', describe: 'Address of the /healthz and /metrics server' })
  .option('healthz-port', { type: 'number', default: 10248, describe: 'Port of the /healthz and /metrics server' })
  .strict()
  .help()
  ).parseAsync();

const log = newLogger('hollow-node', argv['log-level']);
const client = new RestClient(componentRestConfig(clientConnectionFrom(argv), 'hollow-node/v0.1.0 tskube'));
const labels = Object.fromEntries(
  argv['node-labels']
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((kv) => [kv.slice(0, kv.indexOf('=') < 0 ? kv.length : kv.indexOf('=')), kv.includes('=') ? kv.slice(kv.indexOf('=') + 1) : '']),
);
const nodes = await startHollowNodes({
  client,
  count: argv.count,
  namePrefix: argv['name-prefix'],
  capacity: { cpu: argv.cpu, memory: argv.memory, pods: String(argv['max-pods']) },
  zones: argv.zones,
  labels,
  leaseDurationSeconds: argv['node-lease-duration-seconds'],
  deleteNodesOnStop: argv['delete-nodes-on-exit'],
  logger: log,
});
const registry = newRegistry();
const health = await startHealthServer({ bindAddress: argv['bind-address'], port: argv['healthz-port'], registry, secure: { tls: await servingTLSFrom(argv), auth: new DelegatingAuth({ client }) } });
log.info({ nodes: nodes.nodeNames.length, port: health.port }, 'hollow nodes registered');
onShutdown(log, async () => {
  await nodes.stop();
  await health.close();
  await client.close();
});
