#!/usr/bin/env node
// kube-scheduler: `node dist/scheduler/main.js --kubeconfig .tskube/kubeconfigs/kube-scheduler.kubeconfig`.
// Every flag has an environment twin: --leader-elect ⇔ TSKUBE_LEADER_ELECT.
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { newLogger, onShutdown, envTwins } from '../client/component-base/daemon.js';
import { clientConnectionFrom, controlPlaneFlags, leaderElectionFrom, servingTLSFrom } from '../client/component-base/flags.js';
import { DEFAULT_PROFILE } from './profile.js';
import { startScheduler } from './scheduler.js';

const argv = await envTwins(
  controlPlaneFlags(yargs(hideBin(process.argv)), 'kube-scheduler', { bindAddress: '127.0.0.1', port: 10259 })
  .option('pod-initial-backoff-seconds', { type: 'number', default: 1, describe: 'Initial backoff of an unschedulable pod' })
  .option('pod-max-backoff-seconds', { type: 'number', default: 10, describe: 'Maximum backoff of an unschedulable pod' })
  .option('percentage-of-nodes-to-score', { type: 'number', default: 0, describe: 'Share of nodes to find feasible before scoring (0: adaptive)' })
  .option('max-in-flight-binds', { type: 'number', default: 256, describe: 'Binding calls outstanding at once' })
  .strict()
  .help()
  ).parseAsync();

const log = newLogger('kube-scheduler', argv['log-level']);
const scheduler = await startScheduler({
  ...clientConnectionFrom(argv),
  profiles: [{ ...DEFAULT_PROFILE, percentageOfNodesToScore: argv['percentage-of-nodes-to-score'] }],
  leaderElect: argv['leader-elect'],
  leaderElection: leaderElectionFrom(argv),
  podInitialBackoffSeconds: argv['pod-initial-backoff-seconds'],
  podMaxBackoffSeconds: argv['pod-max-backoff-seconds'],
  maxInFlightBinds: argv['max-in-flight-binds'],
  bindAddress: argv['bind-address'],
  ...(argv['secure-port'] >= 0 ? { port: argv['secure-port'], servingTLS: await servingTLSFrom(argv) } : {}),
  logger: log,
  // A lost lease (e.g. etcd without quorum longer than the renew deadline) ends the term, not the
  // process: upstream exits and relies on the kubelet to restart its static pod, but scripts/up
  // has no supervisor, and each term starts from fresh informers, so the daemon campaigns again.
});
log.info({ port: scheduler.port, identity: scheduler.identity, leaderElect: argv['leader-elect'] }, 'kube-scheduler started');
onShutdown(log, () => scheduler.stop());
