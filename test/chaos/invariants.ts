// The invariants, checked after every fault and at the end. Each check returns violations
// (empty: held). Counters in the monitors only grow, so a check reports what is new since the
// previous one as well as the totals.
import type { ConfigMap } from 'kubernetes-types/core/v1';
import type { Lease } from 'kubernetes-types/coordination/v1';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { RestClient } from '../../client/index.js';
import { sleep } from './clients.js';
import { leaderViolations, leaseSample, type LeaseSample } from './leases.js';
import { alive, pidOf } from './processes.js';
import { processNames, type Topology } from './topology.js';
import { ResumingWatcher } from './watcher.js';
import type { Workload } from './workload.js';
import { checkWrites, type Writers } from './writers.js';

export const LEADER_LEASES = ['kube-scheduler', 'kube-controller-manager'];

export interface InvariantResult {
  name: string;
  held: boolean;
  detail: string[];
}

/** The watches the invariants need: ConfigMaps (RV order) and Leases (leader history). */
export class Monitors {
  readonly cmWatcher: ResumingWatcher<ConfigMap>;
  readonly leaseWatcher: ResumingWatcher<Lease>;
  readonly leaseSamples: LeaseSample[] = [];

  constructor(client: RestClient, namespace: string, run: string) {
    this.cmWatcher = new ResumingWatcher<ConfigMap>(client, 'configmaps', { namespace, labelSelector: `chaos-run=${run}` });
    const record = (l: Lease): void => {
      if (!LEADER_LEASES.includes(l.metadata?.name ?? '')) return;
      const s = leaseSample(l, Date.now());
      if (s) this.leaseSamples.push(s);
    };
    this.leaseWatcher = new ResumingWatcher<Lease>(client, 'leases.coordination.k8s.io', {
      namespace: 'kube-system',
      onList: (items) => items.forEach(record),
      onEvent: (e) => e.type !== 'DELETED' && record(e.object),
    });
  }

  start(): void {
    this.cmWatcher.start();
    this.leaseWatcher.start();
  }

  async stop(): Promise<void> {
    await Promise.all([this.cmWatcher.stop(), this.leaseWatcher.stop()]);
  }
}

/** Pids of every process now: the topology's and any other pid file (dns, metrics-server). */
export function pidSnapshot(t: Topology): Map<string, number | undefined> {
  const dir = join(t.state, 'pids');
  const names = new Set([...processNames(t), ...(existsSync(dir) ? readdirSync(dir).filter((n) => !n.includes('.')) : [])]);
  return new Map([...names].map((n) => [n, pidOf(t.state, n)]));
}

/** Processes that died (or were started again under a new pid) without being a victim. */
export function unexpectedExits(t: Topology, before: Map<string, number | undefined>, victims: readonly string[]): string[] {
  const out: string[] = [];
  for (const [name, pid] of before) {
    if (victims.includes(name) || !pid) continue;
    const now = pidOf(t.state, name);
    if (now !== pid) out.push(`${name} was restarted (pid ${pid} → ${now}): it exited`);
    else if (!alive(pid)) out.push(`${name} (pid ${pid}) exited`);
  }
  return out;
}

export interface InvariantInputs {
  client: RestClient;
  namespace: string;
  run: string;
  writers: Writers;
  monitors: Monitors;
  workload: Workload;
  exits: string[];
  convergedWithinDeadline: boolean;
  /** Consistent reads can fail for a while after a fault: retry until this deadline. */
  readDeadlineMs: number;
}

export async function checkInvariants(i: InvariantInputs): Promise<InvariantResult[]> {
  let writes: string[] = [];
  const deadline = Date.now() + i.readDeadlineMs;
  for (;;) {
    try {
      writes = await checkWrites(i.writers, i.client, i.namespace, i.run);
      break;
    } catch (e) {
      if (Date.now() > deadline) {
        writes = [`could not read the ConfigMaps back: ${String(e)}`];
        break;
      }
      await sleep(500);
    }
  }
  const watchView = await i.workload.watchMatchesList();
  const rv = [...i.monitors.cmWatcher.rv.violations, ...i.workload.podWatcher.rv.violations].map((v) => `${v.key}: RV ${v.from} → ${v.to} (${v.via})`);
  const result = (name: string, detail: string[]): InvariantResult => ({ name, held: detail.length === 0, detail });
  return [
    result('no acked write lost, no lost update', writes),
    result('watch RVs never go backwards', rv),
    result('the watch misses no event (its pods = a LIST)', watchView),
    result(`pods ≤ replicas+maxSurge (max seen ${i.workload.maxLivePods})`, i.workload.surgeViolations),
    result('deployment converged within the deadline', i.convergedWithinDeadline ? [] : ['not converged']),
    result('no daemon exited but the victims', i.exits),
    result('never two leaders (Lease history)', leaderViolations(i.monitors.leaseSamples)),
  ];
}
