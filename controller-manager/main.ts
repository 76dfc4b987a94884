#!/usr/bin/env node
// kube-controller-manager: `node dist/controller-manager/main.js --kubeconfig .tskube/kubeconfigs/kube-controller-manager.kubeconfig`.
// Every flag has an environment twin: --leader-elect ⇔ TSKUBE_LEADER_ELECT.
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { newLogger, onShutdown, envTwins } from '../client/component-base/daemon.js';
import { clientConnectionFrom, controlPlaneFlags, leaderElectionFrom, servingTLSFrom } from '../client/component-base/flags.js';
import { controllerFlagDeclarations, startControllerManager } from './manager.js';
import { yargsOption } from './options.js';

/** Every controller's flags, declared by the controllers themselves (see options.ts). */
const CONTROLLER_FLAGS = controllerFlagDeclarations();

let parser = controlPlaneFlags(yargs(hideBin(process.argv)), 'kube-controller-manager', { bindAddress: '127.0.0.1', port: 10257 })
  .option('controllers', {
    type: 'string',
    default: '*',
    describe: "Controllers to enable: '*' = all on by default, 'foo' enables foo, '-foo' disables foo",
  });
for (const [name, decl] of Object.entries(CONTROLLER_FLAGS)) parser = parser.option(name, yargsOption(decl));
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
  // A lost lease (e.g. etcd without quorum longer than the renew deadline) ends the term, not the
  // process: upstream exits and relies on the kubelet to restart its static pod, but scripts/up
  // has no supervisor, and each term starts from fresh informers, so the daemon campaigns again.
});
log.info({ controllers: handle.controllers, port: handle.port, leaderElect: argv['leader-elect'] }, 'controller-manager started');
onShutdown(log, () => handle.stop());
