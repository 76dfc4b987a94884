#!/usr/bin/env node
// kube-controller-manager: `node dist/controller-manager/main.js --kubeconfig .tskube/kubeconfigs/kube-controller-manager.kubeconfig`.
// Every flag has an environment twin: --leader-elect ⇔ TSKUBE_LEADER_ELECT.
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { newLogger, onShutdown, envTwins } from '../client/component-base/daemon.js';
import {
  clientConnectionFlags,
  clientConnectionFrom,
  leaderElectionFlags,
  leaderElectionFrom,
  loggingFlags,
  servingFlags,
  servingTLSFrom,
} from '../client/component-base/flags.js';
import { startControllerManager } from './manager.js';

/**
 * Flags handed to controllers (ControllerContext.options, by flag name). A controller that
 * needs a flag adds one line here; durations are Go-style strings (`40s`) as in Kubernetes.
 */
const CONTROLLER_FLAGS: Record<string, { type: 'number' | 'string' | 'boolean'; default: number | string | boolean; describe: string }> = {
  'concurrent-replicaset-syncs': { type: 'number', default: 5, describe: 'ReplicaSets synced at once' },
  'concurrent-rc-syncs': { type: 'number', default: 5, describe: 'ReplicationControllers synced at once' },
  'concurrent-deployment-syncs': { type: 'number', default: 5, describe: 'Deployments synced at once' },
  'concurrent-endpoint-syncs': { type: 'number', default: 5, describe: 'Services whose Endpoints are synced at once' },
  'concurrent-service-endpoint-syncs': { type: 'number', default: 5, describe: 'Services whose EndpointSlices are synced at once' },
  'max-endpoints-per-slice': { type: 'number', default: 100, describe: 'Endpoints per EndpointSlice' },
  'enable-garbage-collector': { type: 'boolean', default: true, describe: 'Run the ownerReferences garbage collector' },
  'concurrent-gc-syncs': { type: 'number', default: 20, describe: 'Garbage collector workers' },
  'concurrent-namespace-syncs': { type: 'number', default: 10, describe: 'Namespaces deleted at once' },
  'concurrent-service-syncs': { type: 'number', default: 1, describe: 'LoadBalancer services synced at once' },
  'concurrent-job-syncs': { type: 'number', default: 5, describe: 'Jobs synced at once' },
  'concurrent-cron-job-syncs': { type: 'number', default: 5, describe: 'CronJobs synced at once' },
  'concurrent-daemonset-syncs': { type: 'number', default: 2, describe: 'DaemonSets synced at once' },
  'concurrent-statefulset-syncs': { type: 'number', default: 5, describe: 'StatefulSets synced at once' },
  'node-monitor-period': { type: 'string', default: '5s', describe: 'How often node health is checked' },
  'node-monitor-grace-period': { type: 'string', default: '40s', describe: 'A node silent this long (no Lease renewal, no status) becomes Unknown' },
  'node-startup-grace-period': { type: 'string', default: '1m', describe: 'Grace for a node that never posted status' },
  'default-not-ready-toleration-seconds': { type: 'number', default: 300, describe: 'tolerationSeconds of the default not-ready:NoExecute toleration' },
  'default-unreachable-toleration-seconds': { type: 'number', default: 300, describe: 'tolerationSeconds of the default unreachable:NoExecute toleration' },
  'allocate-node-cidrs': { type: 'boolean', default: true, describe: 'Allocate spec.podCIDR to nodes from --cluster-cidr' },
  'cluster-cidr': { type: 'string', default: '10.244.0.0/16', describe: 'Pod CIDR range of the cluster (IPv4)' },
  'node-cidr-mask-size': { type: 'number', default: 24, describe: 'Prefix length of each node\'s pod CIDR' },
  'root-ca-file': { type: 'string', default: '', describe: 'CA bundle published as ConfigMap kube-root-ca.crt in every namespace and put in token Secrets as ca.crt (without it the root-ca-cert-publisher does not run, and token Secrets get the kubeconfig\'s CA)' },
  'service-account-private-key-file': { type: 'string', default: '', describe: 'PEM private key (RSA or ECDSA) that signs the tokens of service-account-token Secrets (without it the serviceaccount-token controller does not run)' },
  'concurrent-serviceaccount-token-syncs': { type: 'number', default: 5, describe: 'Service account token Secrets synced at once' },
};

let parser = loggingFlags(servingFlags(leaderElectionFlags(clientConnectionFlags(yargs(hideBin(process.argv)).scriptName('kube-controller-manager')), 'kube-controller-manager'), { bindAddress: '127.0.0.1', port: 10257 }))
  .option('controllers', {
    type: 'string',
    default: '*',
    describe: "Controllers to enable: '*' = all on by default, 'foo' enables foo, '-foo' disables foo",
  });
for (const [name, spec] of Object.entries(CONTROLLER_FLAGS)) parser = parser.option(name, spec);
const argv = await envTwins(parser.strict().help()).parseAsync();

const log = newLogger('kube-controller-manager', argv['log-level']);
const options = Object.fromEntries(Object.keys(CONTROLLER_FLAGS).map((name) => [name, argv[name] as string | number | boolean]));
const handle = await startControllerManager({
  ...clientConnectionFrom(argv),
  controllers: argv.controllers.split(','),
  leaderElect: argv['leader-elect'],
  leaderElection: leaderElectionFrom(argv),
  options,
  bindAddress: argv['bind-address'],
  ...(argv['secure-port'] >= 0 ? { port: argv['secure-port'], servingTLS: await servingTLSFrom(argv) } : {}),
  logger: log,
  // As kube-controller-manager: a lost lease ends the process (a supervisor restarts it clean).
  onLeadershipLost: () => process.exit(1),
});
log.info({ controllers: handle.controllers, port: handle.port, leaderElect: argv['leader-elect'] }, 'controller-manager started');
onShutdown(log, () => handle.stop());
