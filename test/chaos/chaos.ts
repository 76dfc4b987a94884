// A whole chaos run against a running cluster: print the seed and plan, start the workload,
// writers and watchers, run each planned fault (runner.ts), check the invariants at the end,
// clean up what the run created, and return the report.
import { isAlreadyExists } from '../../client/index.js';
import { adminAgent, adminClient, sleep } from './clients.js';
import { HttpProbe } from './http-probe.js';
import { checkInvariants, Monitors, unexpectedExits, pidSnapshot } from './invariants.js';
import { makePlan, type FaultName } from './plan.js';
import { seededRng } from './prng.js';
import { formatPlan, type ChaosReport } from './report.js';
import { runStep, type Harness, type StepResult } from './runner.js';
import { readTopology } from './topology.js';
import { Workload } from './workload.js';
import { Writers } from './writers.js';

export interface ChaosOptions {
  state: string;
  /** scripts/up's environment (ports) for restarts. */
  env: NodeJS.ProcessEnv;
  seed: number;
  rounds: number;
  faults: FaultName[];
  /** Upper bound of the fault phase; faults not started by then are skipped. */
  durationMs: number;
  writers: number;
  rollEveryMs: number;
  convergeDeadlineMs: number;
  clientTimeoutMs: number;
  keep: boolean;
  log: (msg: string) => void;
}

const NAMESPACE = 'chaos';

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(500);
  }
}

export async function runChaos(o: ChaosOptions): Promise<ChaosReport> {
  const topology = readTopology(o.state, o.env);
  const plan = makePlan(o.seed, o.rounds, o.faults, topology, seededRng(o.seed));
  o.log(formatPlan(plan, topology.mode));
  const client = adminClient(topology, { timeoutMs: o.clientTimeoutMs });
  const agent = adminAgent(topology);
  const run = `r${o.seed.toString(36)}-${Date.now().toString(36).slice(-5)}`;
  await client.resource('namespaces').create({ metadata: { name: NAMESPACE } }).catch((e: unknown) => {
    if (!isAlreadyExists(e)) throw e;
  });
  const workload = new Workload(client, NAMESPACE, `web-${run}`, run);
  const writers = new Writers({ client, namespace: NAMESPACE, run, writers: o.writers, counters: 3, intervalMs: 100 });
  const monitors = new Monitors(client, NAMESPACE, run);
  await workload.setup();
  const probe = new HttpProbe(workload.nodePort);
  const h: Harness = { topology, env: o.env, client, agent, clientTimeoutMs: o.clientTimeoutMs, namespace: NAMESPACE, run, writers, workload, monitors, probe, convergeDeadlineMs: o.convergeDeadlineMs, rollEveryMs: o.rollEveryMs, log: o.log, reported: new Map() };
  const steps: StepResult[] = [];
  try {
    o.log(`workload: deployment ${NAMESPACE}/${workload.name}, NodePort ${workload.nodePort}`);
    await waitUntil('the deployment to be available', () => workload.converged(), o.convergeDeadlineMs * 2);
    monitors.start();
    writers.start();
    probe.start();
    await waitUntil('the NodePort to answer', async () => probe.samples.some((s) => s.ok), 60_000);
    workload.startRolling(o.rollEveryMs);
    const until = Date.now() + o.durationMs;
    for (const [i, step] of plan.steps.entries()) {
      if (Date.now() > until) {
        o.log(`duration reached: ${plan.steps.length - i} faults not run`);
        break;
      }
      o.log(`[${i + 1}/${plan.steps.length}] ${step.fault} ${step.targets.join(', ')}`);
      steps.push(await runStep(h, step));
    }
    return await finish(o, h, plan, steps);
  } finally {
    await Promise.all([writers.stop(), workload.stopRolling(), probe.stop()]);
    await Promise.all([monitors.stop(), workload.podWatcher.stop(), workload.stopSampling()]);
    if (!o.keep) await cleanup(h).catch((e: unknown) => o.log(`cleanup: ${String(e)}`));
    await client.close();
    await agent.close();
  }
}

async function finish(o: ChaosOptions, h: Harness, plan: ChaosReport['plan'], steps: StepResult[]): Promise<ChaosReport> {
  const pids = pidSnapshot(h.topology);
  await Promise.all([h.writers.stop(), h.workload.stopRolling()]);
  const converged = await waitUntil('the final convergence', () => h.workload.converged(), o.convergeDeadlineMs).then(() => true, () => false);
  const final = await checkInvariants({ ...h, exits: unexpectedExits(h.topology, pids, []), convergedWithinDeadline: converged, readDeadlineMs: 30_000 });
  const served = h.probe.samples.length;
  const failed = h.probe.samples.filter((s) => !s.ok).length;
  const l = h.writers.ledger;
  const ok = final.every((x) => x.held) && steps.every((s) => !s.error && s.invariants.every((x) => x.held));
  return {
    seed: o.seed,
    mode: h.topology.mode,
    plan,
    steps,
    final,
    totals: {
      serviceRequests: served,
      serviceFailed: failed,
      serviceSuccessRate: served ? (served - failed) / served : 0,
      writesAcked: l.acks,
      writeConflicts: l.conflicts,
      writeFailures: l.failures,
      watchReconnects: h.monitors.cmWatcher.reconnects + h.workload.podWatcher.reconnects + h.monitors.leaseWatcher.reconnects,
      watchRelists: h.monitors.cmWatcher.relists + h.workload.podWatcher.relists + h.monitors.leaseWatcher.relists,
      watchEvents: h.monitors.cmWatcher.rv.events + h.workload.podWatcher.rv.events,
      leaseSamples: h.monitors.leaseSamples.length,
      maxLivePods: h.workload.maxLivePods,
      revisions: h.workload.revision,
    },
    ok,
  };
}

async function cleanup(h: Harness): Promise<void> {
  const sel = { labelSelector: `chaos-run=${h.run}` };
  await h.client.resource('deployments.apps', NAMESPACE).delete(h.workload.name, { propagationPolicy: 'Background' });
  await h.client.resource('services', NAMESPACE).delete(h.workload.name);
  await h.client.resource('configmaps', NAMESPACE).deleteCollection(sel);
}
