#!/usr/bin/env node
// kube-scheduler: `node dist/scheduler/main.js --master http://127.0.0.1:8080 --leader-elect`.
// Every flag has an environment twin: --leader-elect ⇔ TSKUBE_LEADER_ELECT.
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { newLogger, onShutdown, envTwins } from '../client/daemon.js';
import { DEFAULT_PROFILE } from './profile.js';
import { startScheduler } from './scheduler.js';

const argv = await envTwins(yargs(hideBin(process.argv))
  .scriptName('kube-scheduler')
  .option('kubeconfig', { type: 'string', describe: 'Path to a kubeconfig (default: $KUBECONFIG, ~/.kube/config)' })
  .option('master', { type: 'string', describe: 'The apiserver URL (overrides the kubeconfig server)' })
  .option('kube-api-qps', { type: 'number', default: 50, describe: 'Client-side QPS to the apiserver (≤ 0: unlimited)' })
  .option('kube-api-burst', { type: 'number', default: 100, describe: 'Client-side burst to the apiserver' })
  .option('leader-elect', { type: 'boolean', default: true, describe: 'Take the kube-system/kube-scheduler Lease before scheduling' })
  .option('leader-elect-lease-duration', { type: 'number', default: 15, describe: 'Seconds a non-renewed lease stays valid' })
  .option('leader-elect-renew-deadline', { type: 'number', default: 10, describe: 'Seconds the leader keeps trying to renew' })
  .option('leader-elect-retry-period', { type: 'number', default: 2, describe: 'Seconds between lease attempts' })
  .option('leader-elect-resource-namespace', { type: 'string', default: 'kube-system', describe: 'Namespace of the lease' })
  .option('leader-elect-resource-name', { type: 'string', default: 'kube-scheduler', describe: 'Name of the lease' })
  .option('pod-initial-backoff-seconds', { type: 'number', default: 1, describe: 'Initial backoff of an unschedulable pod' })
  .option('pod-max-backoff-seconds', { type: 'number', default: 10, describe: 'Maximum backoff of an unschedulable pod' })
  .option('percentage-of-nodes-to-score', { type: 'number', default: 0, describe: 'Share of nodes to find feasible before scoring (0: adaptive)' })
  .option('max-in-flight-binds', { type: 'number', default: 256, describe: 'Binding calls outstanding at once' })
  .option('bind-address', { type: 'string', default: '127.0.0.1', describe: 'Address of the /healthz and /metrics server' })
  .option('port', { type: 'number', default: 10259, describe: 'Port of the /healthz and /metrics server (plain HTTP)' })
  .option('log-level', { type: 'string', default: 'info', describe: 'pino log level' })
  .strict()
  .help()
  ).parseAsync();

const log = newLogger('kube-scheduler', argv['log-level']);
const scheduler = await startScheduler({
  kubeconfig: argv.kubeconfig,
  master: argv.master,
  qps: argv['kube-api-qps'],
  burst: argv['kube-api-burst'],
  profiles: [{ ...DEFAULT_PROFILE, percentageOfNodesToScore: argv['percentage-of-nodes-to-score'] }],
  leaderElect: argv['leader-elect'],
  leaderElection: {
    namespace: argv['leader-elect-resource-namespace'],
    name: argv['leader-elect-resource-name'],
    leaseDurationMs: argv['leader-elect-lease-duration'] * 1000,
    renewDeadlineMs: argv['leader-elect-renew-deadline'] * 1000,
    retryPeriodMs: argv['leader-elect-retry-period'] * 1000,
  },
  podInitialBackoffSeconds: argv['pod-initial-backoff-seconds'],
  podMaxBackoffSeconds: argv['pod-max-backoff-seconds'],
  maxInFlightBinds: argv['max-in-flight-binds'],
  bindAddress: argv['bind-address'],
  port: argv.port,
  logger: log,
  // As kube-scheduler: losing the lease ends the process; a supervisor restarts it to campaign again.
  onLeadershipLost: () => process.exit(1),
});
log.info({ port: scheduler.port, identity: scheduler.identity, leaderElect: argv['leader-elect'] }, 'kube-scheduler started');
onShutdown(log, () => scheduler.stop());
