// The fault plan: which fault, in which order, against which process — all from the seed and
// the topology, printed before the run so that `--seed N` repeats it exactly.
import type { Rng } from './prng.js';
import type { Topology } from './topology.js';

export const FAULTS = [
  'apiserver-kill',
  'apiserver-pause',
  'etcd-member-kill',
  'etcd-quorum-loss',
  'scheduler-leader-kill',
  'controller-manager-leader-kill',
  'kubelet-kill',
  'kube-proxy-kill',
  'kubelet-partition',
  'dockerd-restart',
] as const;
export type FaultName = (typeof FAULTS)[number];

export interface PlannedFault {
  round: number;
  fault: FaultName;
  /** Process names the fault acts on ('leader' ones are found when the fault runs). */
  targets: string[];
}

export interface Plan {
  seed: number;
  steps: PlannedFault[];
  /** Faults asked for that this topology cannot have, with the reason. */
  notApplicable: { fault: FaultName; why: string }[];
}

/** Why a fault cannot run on this topology, or undefined when it can. */
export function notApplicableReason(fault: FaultName, t: Topology): string | undefined {
  switch (fault) {
    case 'etcd-member-kill':
      return t.etcd.length < 3 ? 'one etcd member: killing it loses quorum (see etcd-quorum-loss)' : undefined;
    case 'kubelet-partition':
      return t.kubelets.some((k) => typeof k.gid === 'number') ? undefined : 'kubelets run without a per-node gid (topology.json has none)';
    default:
      return undefined;
  }
}

function targetsFor(fault: FaultName, t: Topology, rng: Rng): string[] {
  switch (fault) {
    case 'apiserver-kill':
    case 'apiserver-pause':
      return [rng.pick(t.apiservers).name];
    case 'etcd-member-kill':
      return [rng.pick(t.etcd).name];
    case 'etcd-quorum-loss': {
      // A majority: 2 of 3 (or the only one).
      const n = Math.floor(t.etcd.length / 2) + 1;
      return rng.shuffle(t.etcd.map((e) => e.name)).slice(0, n).sort();
    }
    case 'scheduler-leader-kill':
    case 'controller-manager-leader-kill':
      return ['<leader>'];
    case 'kubelet-kill':
      return [rng.pick(t.kubelets).name];
    case 'kubelet-partition':
      return [rng.pick(t.kubelets.filter((k) => typeof k.gid === 'number')).name];
    case 'kube-proxy-kill':
      return [t.kubeProxy.name];
    case 'dockerd-restart':
      return ['dockerd'];
  }
}

/** Each round runs every applicable fault once, in an order drawn from the seed. */
export function makePlan(seed: number, rounds: number, faults: readonly FaultName[], t: Topology, rng: Rng): Plan {
  const notApplicable: Plan['notApplicable'] = [];
  const usable: FaultName[] = [];
  for (const f of faults) {
    const why = notApplicableReason(f, t);
    if (why) notApplicable.push({ fault: f, why });
    else usable.push(f);
  }
  const steps: PlannedFault[] = [];
  for (let round = 1; round <= rounds; round++) {
    for (const fault of rng.shuffle(usable)) steps.push({ round, fault, targets: targetsFor(fault, t, rng) });
  }
  return { seed, steps, notApplicable };
}

export function parseFaults(list: string | undefined): FaultName[] {
  if (!list || list === 'all') return [...FAULTS];
  const names = list.split(',').map((s) => s.trim()).filter(Boolean);
  for (const n of names) if (!(FAULTS as readonly string[]).includes(n)) throw new Error(`unknown fault ${n}; known: ${FAULTS.join(', ')}`);
  return names as FaultName[];
}
