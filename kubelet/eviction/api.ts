// The eviction API (pkg/kubelet/eviction/api): the signals the kubelet watches, a threshold
// on one of them ("memory.available<100Mi", "nodefs.available<10%"), and what a signal maps to
// — the node condition it raises and the resource evicting a pod reclaims.
import { formatBytes, parseQuantity, type Quantity } from '../../api/quantity.js';

export type Signal =
  | 'memory.available'
  | 'nodefs.available'
  | 'nodefs.inodesFree'
  | 'imagefs.available'
  | 'imagefs.inodesFree'
  | 'pid.available';

export const SIGNALS: readonly Signal[] = ['memory.available', 'nodefs.available', 'nodefs.inodesFree', 'imagefs.available', 'imagefs.inodesFree', 'pid.available'];

export type NodeConditionType = 'MemoryPressure' | 'DiskPressure' | 'PIDPressure';

/** signalToNodeCondition. */
export const SIGNAL_TO_NODE_CONDITION: Record<Signal, NodeConditionType> = {
  'memory.available': 'MemoryPressure',
  'nodefs.available': 'DiskPressure',
  'nodefs.inodesFree': 'DiskPressure',
  'imagefs.available': 'DiskPressure',
  'imagefs.inodesFree': 'DiskPressure',
  'pid.available': 'PIDPressure',
};

/** What evicting a pod frees for a signal (signalToResource); inodes and pids are the kubelet's own names. */
export type ReclaimResource = 'memory' | 'ephemeral-storage' | 'inodes' | 'pids';

export const SIGNAL_TO_RESOURCE: Record<Signal, ReclaimResource> = {
  'memory.available': 'memory',
  'nodefs.available': 'ephemeral-storage',
  'nodefs.inodesFree': 'inodes',
  'imagefs.available': 'ephemeral-storage',
  'imagefs.inodesFree': 'inodes',
  'pid.available': 'pids',
};

export function isSignal(s: string): s is Signal {
  return (SIGNALS as readonly string[]).includes(s);
}

/** A quantity, or a fraction of the signal's capacity (0.1 for "10%"). */
export type ThresholdValue = { quantity: Quantity; percentage?: undefined } | { percentage: number; quantity?: undefined };

export interface Threshold {
  signal: Signal;
  /** The only operator Kubernetes has: the signal is below the value. */
  operator: 'LessThan';
  value: ThresholdValue;
  /** 0 for a hard threshold; a soft one must be met this long before pods are evicted. */
  gracePeriodMs: number;
  minReclaim?: ThresholdValue;
}

/** --eviction-hard's default on Linux (DefaultEvictionHard). */
export const DEFAULT_EVICTION_HARD = 'memory.available<100Mi,nodefs.available<10%,imagefs.available<15%,nodefs.inodesFree<5%';

/** GetThresholdQuantity: the value in the signal's units, a percentage taken of `capacity`. */
export function thresholdQuantity(v: ThresholdValue, capacity: number): number {
  if (v.quantity) return Number(v.quantity.nanos / 1_000_000_000n);
  return Math.floor(capacity * v.percentage);
}

/** Memory and disk are binary quantities in k8s' canonical form ("100Mi", "23456789"); inodes and pids plain numbers. */
export function formatSignalQuantity(signal: Signal, n: number): string {
  const r = SIGNAL_TO_RESOURCE[signal];
  return r === 'memory' || r === 'ephemeral-storage' ? formatBytes(n) : String(n);
}

export function isHardEvictionThreshold(t: Threshold): boolean {
  return t.gracePeriodMs === 0;
}

/** A key identifying a threshold (thresholds are map keys upstream). */
export function thresholdKey(t: Threshold): string {
  const v = (x: ThresholdValue | undefined): string => (!x ? '' : x.quantity ? `q${x.quantity.nanos}` : `p${x.percentage}`);
  return `${t.signal}|${t.operator}|${v(t.value)}|${t.gracePeriodMs}|${v(t.minReclaim)}`;
}

/** For tests and callers that build thresholds by hand. */
export function quantityThreshold(signal: Signal, q: string, gracePeriodMs = 0): Threshold {
  return { signal, operator: 'LessThan', value: { quantity: parseQuantity(q) }, gracePeriodMs };
}

/**
 * hardEvictionReservation: what the hard memory.available and nodefs.available thresholds
 * hold back from allocatable (memory and ephemeral-storage), a percentage taken of capacity.
 */
export function hardEvictionReservation(thresholds: readonly Threshold[], capacity: { memoryBytes: number; ephemeralStorageBytes: number }): { memoryBytes: number; ephemeralStorageBytes: number } {
  let memoryBytes = 0;
  let ephemeralStorageBytes = 0;
  for (const t of thresholds) {
    if (!isHardEvictionThreshold(t)) continue;
    if (t.signal === 'memory.available') memoryBytes = thresholdQuantity(t.value, capacity.memoryBytes);
    else if (t.signal === 'nodefs.available') ephemeralStorageBytes = thresholdQuantity(t.value, capacity.ephemeralStorageBytes);
  }
  return { memoryBytes, ephemeralStorageBytes };
}
