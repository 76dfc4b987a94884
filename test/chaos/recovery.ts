// Time to recover after a fault, each from the moment it was injected: the cluster's server
// answers /readyz and writes are acknowledged again; both leader Leases are renewed by a live
// leader after the fault ended; the Deployment meets its spec.
import type { Agent } from 'undici';
import type { RestClient } from '../../client/index.js';
import { adminGet, sleep } from './clients.js';
import { LEADER_LEASES } from './invariants.js';
import { leaseHolder } from './leader.js';
import type { Workload } from './workload.js';
import type { Writers } from './writers.js';

export interface Recovery {
  readyMs?: number;
  leaderMs?: number;
  convergedMs?: number;
}

export interface RecoveryInputs {
  server: string;
  client: RestClient;
  agent: Agent;
  writers: Writers;
  workload: Workload;
  injectedAt: number;
  restoredAt: number;
  deadlineMs: number;
}

async function leadersRenewedSince(client: RestClient, since: number): Promise<boolean> {
  for (const lease of LEADER_LEASES) {
    const h = await leaseHolder(client, lease).catch(() => undefined);
    if (!h || !(h.renewMs >= since)) return false;
  }
  return true;
}

/** Polls until all three conditions held once, or the deadline passes (then some stay unset). */
export async function measureRecovery(i: RecoveryInputs): Promise<Recovery> {
  const r: Recovery = {};
  const acksAtRestore = i.writers.ledger.acks;
  const deadline = i.restoredAt + i.deadlineMs;
  // renewTime has microsecond text but the leaders' clocks are this host's: a renewal after
  // the restore (minus a second of rounding) counts.
  const since = i.restoredAt - 1000;
  while (Date.now() < deadline && (r.readyMs === undefined || r.leaderMs === undefined || r.convergedMs === undefined)) {
    const now = (): number => Date.now() - i.injectedAt;
    if (r.readyMs === undefined) {
      const [code] = await adminGet(i.agent, `${i.server}/readyz`);
      if (code === 200 && i.writers.ledger.acks > acksAtRestore) r.readyMs = now();
    }
    if (r.leaderMs === undefined && (await leadersRenewedSince(i.client, since))) r.leaderMs = now();
    if (r.convergedMs === undefined && (await i.workload.converged().catch(() => false))) r.convergedMs = now();
    await sleep(250);
  }
  return r;
}
