// The eviction manager's admit handler (managerImpl.Admit) and which pods it never touches
// (kubelettypes.IsCriticalPod). Under memory pressure alone a BestEffort pod is rejected unless
// it tolerates the memory-pressure taint; under any other pressure every pod is — critical pods
// excepted, since the node needs them to stay healthy. Pure.
import type { Pod } from 'kubernetes-types/core/v1';
import { podQOSClass } from '../../api/qos.js';
import { SYSTEM_CRITICAL_PRIORITY } from '../../api/scheduling/priority.js';
import { tolerationsTolerateTaint } from '../../api/scheduling/taints.js';
import type { NodeConditionType } from './api.js';

/** The status reason of an evicted or pressure-rejected pod. */
export const REASON_EVICTED = 'Evicted';
export const TAINT_NODE_MEMORY_PRESSURE = 'node.kubernetes.io/memory-pressure';

const CONFIG_SOURCE_ANNOTATION = 'kubernetes.io/config.source';
const CONFIG_MIRROR_ANNOTATION = 'kubernetes.io/config.mirror';

/** IsCriticalPod: a static or mirror pod, or one at system-critical priority (system-cluster-critical, system-node-critical). */
export function isCriticalPod(pod: Pod): boolean {
  const a = pod.metadata?.annotations ?? {};
  const source = a[CONFIG_SOURCE_ANNOTATION];
  if (source !== undefined && source !== 'api') return true;
  if (a[CONFIG_MIRROR_ANNOTATION] !== undefined) return true;
  return pod.spec?.priority !== undefined && pod.spec.priority >= SYSTEM_CRITICAL_PRIORITY;
}

export interface PressureAdmitResult {
  admit: boolean;
  reason?: string;
  message?: string;
}

/** Admit: `conditions` are the pressure conditions the node reports now. */
export function admitUnderPressure(pod: Pod, conditions: readonly NodeConditionType[]): PressureAdmitResult {
  if (conditions.length === 0 || isCriticalPod(pod)) return { admit: true };
  if (conditions.length === 1 && conditions[0] === 'MemoryPressure') {
    if (podQOSClass(pod) !== 'BestEffort') return { admit: true };
    if (tolerationsTolerateTaint(pod.spec?.tolerations ?? [], { key: TAINT_NODE_MEMORY_PRESSURE, effect: 'NoSchedule' })) return { admit: true };
  }
  // Go prints the []NodeConditionType as "[MemoryPressure DiskPressure]".
  return { admit: false, reason: REASON_EVICTED, message: `The node had condition: [${conditions.join(' ')}]. ` };
}
