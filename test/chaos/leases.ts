// "No two leaders at once", from the Lease history: every version of the scheduler's and the
// controller-manager's Lease the watcher saw. A holder's tenure runs from its acquireTime to
// its last renewTime; a different holder's tenure must not begin before the previous one's
// last renewal (then both renewed as leader at the same time). leaseTransitions never drops.
import type { Lease } from 'kubernetes-types/coordination/v1';

export interface LeaseSample {
  lease: string;
  holder: string;
  acquireMs: number;
  renewMs: number;
  durationS: number;
  transitions: number;
  seenAt: number;
}

export interface Tenure {
  lease: string;
  holder: string;
  fromMs: number;
  lastRenewMs: number;
}

export function leaseSample(l: Lease, seenAt: number): LeaseSample | undefined {
  const s = l.spec;
  if (!s?.holderIdentity) return undefined;
  return {
    lease: `${l.metadata?.namespace}/${l.metadata?.name}`,
    holder: s.holderIdentity,
    acquireMs: Date.parse(s.acquireTime ?? s.renewTime ?? ''),
    renewMs: Date.parse(s.renewTime ?? s.acquireTime ?? ''),
    durationS: s.leaseDurationSeconds ?? 15,
    transitions: s.leaseTransitions ?? 0,
    seenAt,
  };
}

/** Folds samples (in the order seen) into tenures, one per (lease, holder, acquireTime). */
export function tenures(samples: readonly LeaseSample[]): Tenure[] {
  const out = new Map<string, Tenure>();
  for (const s of samples) {
    const k = `${s.lease}|${s.holder}|${s.acquireMs}`;
    const t = out.get(k);
    if (t) t.lastRenewMs = Math.max(t.lastRenewMs, s.renewMs);
    else out.set(k, { lease: s.lease, holder: s.holder, fromMs: s.acquireMs, lastRenewMs: s.renewMs });
  }
  return [...out.values()];
}

/** Overlapping tenures of different holders, and leaseTransitions going down. */
export function leaderViolations(samples: readonly LeaseSample[]): string[] {
  const out: string[] = [];
  const byLease = new Map<string, Tenure[]>();
  for (const t of tenures(samples)) byLease.set(t.lease, [...(byLease.get(t.lease) ?? []), t]);
  for (const [lease, ts] of byLease) {
    ts.sort((a, b) => a.fromMs - b.fromMs);
    for (let i = 0; i < ts.length; i++) {
      for (let j = i + 1; j < ts.length; j++) {
        const a = ts[i]!;
        const b = ts[j]!;
        if (a.holder !== b.holder && b.fromMs < a.lastRenewMs) {
          out.push(`${lease}: ${b.holder} acquired at ${iso(b.fromMs)} while ${a.holder} renewed until ${iso(a.lastRenewMs)}`);
        }
      }
    }
  }
  const lastTransitions = new Map<string, number>();
  for (const s of samples) {
    const prev = lastTransitions.get(s.lease);
    if (prev !== undefined && s.transitions < prev) out.push(`${s.lease}: leaseTransitions went from ${prev} to ${s.transitions}`);
    lastTransitions.set(s.lease, s.transitions);
  }
  return out;
}

const iso = (ms: number): string => new Date(ms).toISOString();
