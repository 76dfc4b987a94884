// One fault, start to end: note the pids, inject, hold, restore (always, in a finally),
// measure the recovery with the roller paused (a Deployment can only converge on a fixed
// spec), check every invariant, and give back one row of the report.
import type { Agent } from 'undici';
import type { RestClient } from '../../client/index.js';
import { inject, type FaultContext, type Injected } from './faults.js';
import { LEADER_LEASES, checkInvariants, pidSnapshot, unexpectedExits, type InvariantResult, type Monitors } from './invariants.js';
import type { PlannedFault } from './plan.js';
import type { HttpProbe } from './http-probe.js';
import { RecoveryMeter, type Recovery } from './recovery.js';
import { leaseHolder } from './leader.js';
import type { Topology } from './topology.js';
import type { Workload } from './workload.js';
import type { Writers } from './writers.js';

const LEADER_KILLS: Partial<Record<string, string>> = {
  'scheduler-leader-kill': 'kube-scheduler',
  'controller-manager-leader-kill': 'kube-controller-manager',
};

export interface StepResult extends Recovery {
  round: number;
  fault: string;
  detail: string;
  error?: string;
  serviceRequests: number;
  serviceFailed: number;
  writeFailures: number;
  invariants: InvariantResult[];
}

export interface Harness {
  topology: Topology;
  env: NodeJS.ProcessEnv;
  client: RestClient;
  agent: Agent;
  clientTimeoutMs: number;
  namespace: string;
  run: string;
  writers: Writers;
  workload: Workload;
  monitors: Monitors;
  probe: HttpProbe;
  convergeDeadlineMs: number;
  rollEveryMs: number;
  log: (msg: string) => void;
  /** Violations already reported by an earlier step (per invariant): a step shows what is new. */
  reported: Map<number, Set<string>>;
}

/** Keeps only the violations no earlier step reported: each row says what this fault broke. */
function newSince(h: Harness, results: InvariantResult[]): InvariantResult[] {
  return results.map((r, i) => {
    const seen = h.reported.get(i) ?? new Set<string>();
    h.reported.set(i, seen);
    const fresh = r.detail.filter((d) => !seen.has(d));
    fresh.forEach((d) => seen.add(d));
    return { ...r, held: fresh.length === 0, detail: fresh };
  });
}

export async function runStep(h: Harness, step: PlannedFault): Promise<StepResult> {
  const ctx: FaultContext = { topology: h.topology, env: h.env, client: h.client, agent: h.agent, clientTimeoutMs: h.clientTimeoutMs };
  const pids = pidSnapshot(h.topology);
  const failuresBefore = h.writers.ledger.failures;
  const holdersBefore = new Map<string, string>();
  for (const lease of LEADER_LEASES) {
    const l = await leaseHolder(h.client, lease).catch(() => undefined);
    if (l) holdersBefore.set(lease, l.holder);
  }
  // Every fault lands in the middle of a rolling update, which must then complete.
  await h.workload.stopRolling();
  await h.workload.roll();
  const injectedAt = Date.now();
  const meter = new RecoveryMeter({
    server: h.topology.server,
    client: h.client,
    agent: h.agent,
    writers: h.writers,
    workload: h.workload,
    injectedAt,
    holdersBefore,
    leaderKill: LEADER_KILLS[step.fault],
    deadlineMs: h.convergeDeadlineMs,
  });
  let injected: Injected | undefined;
  let error: string | undefined;
  const exits: string[] = [];
  try {
    injected = await inject(ctx, step);
    h.log(`  ${step.fault}: ${injected.detail}`);
    await injected.hold();
    exits.push(...unexpectedExits(h.topology, pids, injected.victims));
  } catch (e) {
    error = String(e);
    h.log(`  ${step.fault}: ${error}`);
  } finally {
    // Whatever happened, the fault is undone (SIGCONT, the iptables rule, restarts).
    await injected?.restore().catch((e: unknown) => {
      error = `${error ?? ''} restore: ${String(e)}`.trim();
    });
  }
  const recovery = await meter.restored();
  const svc = h.probe.window(injectedAt, Date.now());
  for (const x of unexpectedExits(h.topology, pids, injected?.victims ?? [])) if (!exits.includes(x)) exits.push(x);
  const invariants = await checkInvariants({
    client: h.client,
    namespace: h.namespace,
    run: h.run,
    writers: h.writers,
    monitors: h.monitors,
    workload: h.workload,
    exits,
    convergedWithinDeadline: recovery.convergedMs !== undefined,
    readDeadlineMs: 30_000,
  });
  h.workload.startRolling(h.rollEveryMs);
  return {
    round: step.round,
    fault: step.fault,
    detail: injected?.detail ?? '',
    ...(error ? { error } : {}),
    ...recovery,
    serviceRequests: svc.total,
    serviceFailed: svc.failed,
    writeFailures: h.writers.ledger.failures - failuresBefore,
    invariants: newSince(h, invariants),
  };
}
