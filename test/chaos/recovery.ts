// Time to recover, each from the moment the fault was injected: the cluster's server answers
// /readyz and acknowledges writes again; both leader Leases are renewed after the fault (for a
// leader kill: by another holder); the Deployment meets its spec (each fault lands mid-rollout).
// Polled from the injection on, so that a standby taking over during the fault counts; the
// time reported is when a condition last became true, and all three must hold together after
// the fault was undone.
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
  /** Holders before the fault: a leader kill is over when another identity renews. */
  holdersBefore: Map<string, string>;
  leaderKill?: string;
  deadlineMs: number;
}

const CONDITIONS = ['readyMs', 'leaderMs', 'convergedMs'] as const;

export class RecoveryMeter {
  private readonly since: Record<(typeof CONDITIONS)[number], number | undefined> = { readyMs: undefined, leaderMs: undefined, convergedMs: undefined };
  private restoredAt: number | undefined;
  private readonly done: Promise<Recovery>;

  constructor(private readonly i: RecoveryInputs) {
    this.done = this.loop();
  }

  /** The fault is undone; the meter ends once everything holds again (or at the deadline). */
  restored(): Promise<Recovery> {
    this.restoredAt = Date.now();
    return this.done;
  }

  private async leaders(): Promise<boolean> {
    for (const lease of LEADER_LEASES) {
      const h = await leaseHolder(this.i.client, lease).catch(() => undefined);
      if (!h || !(h.renewMs > this.i.injectedAt)) return false;
      if (lease === this.i.leaderKill && h.holder === this.i.holdersBefore.get(lease)) return false;
    }
    return true;
  }

  private async ready(acksBefore: number): Promise<boolean> {
    const [code] = await adminGet(this.i.agent, `${this.i.server}/readyz`);
    return code === 200 && this.i.writers.ledger.acks > acksBefore;
  }

  private async loop(): Promise<Recovery> {
    // Let the fault bite before the first look.
    await sleep(500);
    for (;;) {
      const pollStart = Date.now();
      const acksBefore = this.i.writers.ledger.acks;
      await sleep(250);
      const now = { readyMs: await this.ready(acksBefore), leaderMs: await this.leaders(), convergedMs: await this.i.workload.converged().catch(() => false) };
      for (const c of CONDITIONS) {
        if (!now[c]) this.since[c] = undefined;
        else this.since[c] ??= pollStart;
      }
      const after = this.restoredAt !== undefined && pollStart >= this.restoredAt;
      if (after && CONDITIONS.every((c) => now[c])) break;
      if (this.restoredAt !== undefined && Date.now() > this.restoredAt + this.i.deadlineMs) break;
    }
    const r: Recovery = {};
    for (const c of CONDITIONS) if (this.since[c] !== undefined) r[c] = Math.max(0, this.since[c]! - this.i.injectedAt);
    return r;
  }
}
