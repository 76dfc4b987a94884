#!/usr/bin/env node
// metrics-server: `node dist/metrics-server/main.js --kubeconfig .tskube/kubeconfigs/metrics-server.kubeconfig
//   --tls-cert-file … --requestheader-client-ca-file …`. Flags as upstream's; every flag has an
// environment twin: --metric-resolution ⇔ TSKUBE_METRIC_RESOLUTION.
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { envTwins, newLogger, onShutdown } from '../client/component-base/daemon.js';
import { clientConnectionFlags, clientConnectionFrom, loggingFlags, readFlagFile, requestHeaderFlags, requestHeaderFrom, servingTLSFrom, tlsFlags } from '../client/component-base/flags.js';
import { parseDurationMs } from '../client/duration.js';
import { DEFAULT_ADDRESS_TYPES, DEFAULT_KUBELET_PORT, parseAddressTypes } from './address.js';
import { startMetricsServer } from './metrics-server.js';


function duration(flag: string, v: string): number {
  const ms = parseDurationMs(v);
  if (ms === undefined || ms <= 0) throw new Error(`--${flag}: invalid duration ${v}`);
  return ms;
}


const argv = await envTwins(
  requestHeaderFlags(loggingFlags(tlsFlags(clientConnectionFlags(yargs(hideBin(process.argv)).scriptName('metrics-server')))))
    .option('bind-address', { type: 'string', default: '0.0.0.0', describe: 'Address of the HTTPS port' })
    .option('secure-port', { type: 'number', default: 4443, describe: 'HTTPS port serving metrics.k8s.io (0 = random)' })
    .option('metric-resolution', { type: 'string', default: '15s', describe: 'How often metrics are scraped from the kubelets' })
    .option('kubelet-request-timeout', { type: 'string', default: '10s', describe: 'Deadline of one kubelet request' })
    .option('kubelet-preferred-address-types', { type: 'string', default: DEFAULT_ADDRESS_TYPES.join(','), describe: 'Node address types to reach kubelets on, in order' })
    .option('kubelet-port', { type: 'number', default: DEFAULT_KUBELET_PORT, describe: 'Kubelet port when the node status does not give one' })
    .option('kubelet-use-node-status-port', { type: 'boolean', default: true, describe: 'Use the port in node.status.daemonEndpoints.kubeletEndpoint' })
    .option('kubelet-insecure-tls', { type: 'boolean', default: false, describe: 'Do not verify the kubelets\' serving certificates' })
    .option('kubelet-certificate-authority', { type: 'string', describe: 'CA of the kubelets\' serving certificates (default: the kubeconfig\'s CA)' })
    .option('kubelet-client-certificate', { type: 'string', describe: 'Client certificate for the kubelets (default: the kubeconfig\'s credentials)' })
    .option('kubelet-client-key', { type: 'string', describe: 'Key of --kubelet-client-certificate' })
    .option('node-selector', { type: 'string', describe: 'Only nodes with these labels are scraped and served' })
    .check((a) => {
      duration('metric-resolution', a['metric-resolution']);
      duration('kubelet-request-timeout', a['kubelet-request-timeout']);
      parseAddressTypes(a['kubelet-preferred-address-types']);
      if (!!a['kubelet-client-certificate'] !== !!a['kubelet-client-key']) throw new Error('--kubelet-client-certificate and --kubelet-client-key go together');
      return true;
    })
    .strict()
    .help(),
).parseAsync();

const log = newLogger('metrics-server', argv['log-level']);
const tls = await servingTLSFrom(argv);
const requestHeader = requestHeaderFrom(argv);
const ms = await startMetricsServer({
  ...clientConnectionFrom(argv),
  metricResolutionMs: duration('metric-resolution', argv['metric-resolution']),
  kubeletRequestTimeoutMs: duration('kubelet-request-timeout', argv['kubelet-request-timeout']),
  kubelet: {
    addressTypes: parseAddressTypes(argv['kubelet-preferred-address-types']),
    port: argv['kubelet-port'],
    useNodeStatusPort: argv['kubelet-use-node-status-port'],
    insecure: argv['kubelet-insecure-tls'],
    ...(argv['kubelet-certificate-authority'] ? { ca: readFlagFile('kubelet-certificate-authority', argv['kubelet-certificate-authority']) } : {}),
    ...(argv['kubelet-client-certificate'] ? { cert: readFlagFile('kubelet-client-certificate', argv['kubelet-client-certificate']), key: readFlagFile('kubelet-client-key', argv['kubelet-client-key']) } : {}),
  },
  bindAddress: argv['bind-address'],
  securePort: argv['secure-port'],
  tls: { cert: tls.cert, key: tls.key },
  ...(tls.clientCA ? { clientCA: tls.clientCA } : {}),
  ...(requestHeader ? { requestHeader } : {}),
  ...(argv['node-selector'] ? { nodeSelector: argv['node-selector'] } : {}),
  log,
});
onShutdown(log, () => ms.stop());
