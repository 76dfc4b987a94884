// A pod's QoS class, as Kubernetes' GetPodQOS (pkg/apis/core/v1/helper/qos) computes it.
// Only cpu and memory count; quantities compare by value, so `1` and `1000m` are equal.
import { compareQuantities, parseQuantity, type Quantity } from './quantity.js';

export type PodQOSClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

interface ContainerLike {
  resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> };
}
interface PodLike {
  spec?: { containers?: readonly ContainerLike[]; initContainers?: readonly ContainerLike[] };
}

const QOS_RESOURCES = ['cpu', 'memory'] as const;

function positive(v: unknown): Quantity | undefined {
  if (typeof v !== 'string' && typeof v !== 'number') return undefined;
  try {
    const q = parseQuantity(String(v));
    return q.nanos > 0n ? q : undefined;
  } catch {
    return undefined;
  }
}

function add(sum: Map<string, Quantity>, name: string, q: Quantity): void {
  const prev = sum.get(name);
  sum.set(name, prev ? { ...q, nanos: prev.nanos + q.nanos } : q);
}

/**
 * Guaranteed when every container limits both cpu and memory and the pod's summed requests equal
 * its summed limits; BestEffort when nothing requests or limits cpu or memory; else Burstable.
 * A request left unset takes its limit, as API defaulting does for a created pod.
 */
export function podQOSClass(pod: PodLike): PodQOSClass {
  const requests = new Map<string, Quantity>();
  const limits = new Map<string, Quantity>();
  let guaranteed = true;
  for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]) {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    let limited = 0;
    for (const name of QOS_RESOURCES) {
      const l = positive(lim[name]);
      const r = req[name] === undefined ? l : positive(req[name]);
      if (r) add(requests, name, r);
      if (l) {
        add(limits, name, l);
        limited++;
      }
    }
    if (limited < QOS_RESOURCES.length) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  if (guaranteed) {
    for (const [name, r] of requests) {
      const l = limits.get(name);
      if (!l || compareQuantities(l, r) !== 0) guaranteed = false;
    }
  }
  return guaranteed && requests.size === limits.size ? 'Guaranteed' : 'Burstable';
}
