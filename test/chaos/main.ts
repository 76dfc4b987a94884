// npm run chaos: breaks a running tskube cluster on purpose and reports what survived.
//   npm run chaos -- --state .tskube                # the cluster scripts/up made
//   npm run chaos -- --start ha --seed 42 --rounds 2
//   npm run chaos -- --start single --faults apiserver-kill,kubelet-kill --json
// The seed and the plan are printed first; the same seed on the same topology repeats the plan.
import { resolve } from 'node:path';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { parseDurationMs } from '../../client/duration.js';
import { runChaos } from './chaos.js';
import { FAULTS, parseFaults } from './plan.js';
import { formatReport } from './report.js';
import { lockHostNetwork } from '../harness/host-lock.js';
import { runPendingUndos } from './processes.js';
import { startCluster, type StartedCluster } from './start-cluster.js';

const duration = (flag: string) => (v: string): number => {
  const ms = parseDurationMs(v);
  if (ms === undefined || ms <= 0) throw new Error(`--${flag}: invalid duration ${v}`);
  return ms;
};

const argv = yargs(hideBin(process.argv))
  .scriptName('npm run chaos --')
  .option('state', { type: 'string', describe: 'State directory of a running cluster made by scripts/up (default .tskube)' })
  .option('start', { choices: ['single', 'ha'] as const, describe: 'Start a cluster of its own on random ports, stop it after' })
  .option('seed', { type: 'number', describe: 'Seed of the fault plan (default: random, printed)' })
  .option('rounds', { type: 'number', default: 1, describe: 'Each round runs every fault once, in seeded order' })
  .option('faults', { type: 'string', default: 'all', describe: `Comma list of: ${FAULTS.join(', ')}` })
  .option('duration', { type: 'string', default: '30m', coerce: duration('duration'), describe: 'Bound of the fault phase (Go duration)' })
  .option('writers', { type: 'number', default: 4, describe: 'Concurrent ConfigMap writers' })
  .option('roll-every', { type: 'string', default: '10s', coerce: duration('roll-every'), describe: 'A new Deployment revision this often' })
  .option('converge-deadline', { type: 'string', default: '3m', coerce: duration('converge-deadline'), describe: 'How long recovery may take' })
  .option('client-timeout', { type: 'string', default: '5s', coerce: duration('client-timeout'), describe: 'The harness clients\' request timeout (a pause lasts longer)' })
  .option('keep', { type: 'boolean', default: false, describe: 'Leave the workload and the ConfigMaps in the cluster' })
  .option('json', { type: 'boolean', default: false, describe: 'Print the report as JSON' })
  .conflicts('state', 'start')
  .check((a) => {
    if (!Number.isInteger(a.rounds) || a.rounds < 1) throw new Error('--rounds must be a positive integer');
    if (!Number.isInteger(a.writers) || a.writers < 1) throw new Error('--writers must be a positive integer');
    parseFaults(a.faults);
    return true;
  })
  .strict()
  .help()
  .parseSync();

const log = (m: string): void => void process.stderr.write(`${m}\n`);
const seed = argv.seed ?? Math.floor(Math.random() * 2 ** 31);
let started: StartedCluster | undefined;
let release: (() => Promise<void>) | undefined;
let code = 1;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    // Undo a pause or a partition in place, so an interrupted run leaves the cluster whole.
    runPendingUndos();
    log(`chaos: ${sig}, faults undone${started ? `; the cluster in ${started.state} is left running (scripts/down --purge)` : ''}`);
    process.exit(130);
  });
}
try {
  if (argv.start) {
    // kube-proxy rewrites the host's iptables: one such cluster at a time (as the e2e tests).
    release = await lockHostNetwork();
    started = await startCluster(argv.start, log);
  }
  const state = started?.state ?? resolve(argv.state ?? process.env.TSKUBE_STATE ?? '.tskube');
  const report = await runChaos({
    state,
    env: started?.env ?? { ...process.env, TSKUBE_STATE: state },
    seed,
    rounds: argv.rounds,
    faults: parseFaults(argv.faults),
    durationMs: argv.duration,
    writers: argv.writers,
    rollEveryMs: argv['roll-every'],
    convergeDeadlineMs: argv['converge-deadline'],
    clientTimeoutMs: argv['client-timeout'],
    keep: argv.keep,
    log,
  });
  process.stdout.write(argv.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report)}\n`);
  code = report.ok ? 0 : 1;
} catch (e) {
  log(`chaos: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
} finally {
  await started?.stop();
  await release?.();
}
process.exit(code);
