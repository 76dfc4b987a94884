// Kubernetes' PriorityClass constants (pkg/apis/scheduling/types.go and
// pkg/apis/scheduling/v1/defaults.go SystemPriorityClasses): shared by validation, the
// apiserver's bootstrap, the Priority admission plugin and its tests.
import type { PriorityClass } from 'kubernetes-types/scheduling/v1';

/** Classes whose names start with this are reserved for the system. */
export const SYSTEM_PRIORITY_CLASS_PREFIX = 'system-';
/** The highest value a user-defined class may have. */
export const HIGHEST_USER_DEFINABLE_PRIORITY = 1_000_000_000;
/** The base of the system classes' values. */
export const SYSTEM_CRITICAL_PRIORITY = 2 * HIGHEST_USER_DEFINABLE_PRIORITY;
export const SYSTEM_CLUSTER_CRITICAL = 'system-cluster-critical';
export const SYSTEM_NODE_CRITICAL = 'system-node-critical';
/** A pod's priority when it names no class and no class is the global default. */
export const DEFAULT_PRIORITY_WHEN_NO_DEFAULT_CLASS_EXISTS = 0;
export const PREEMPTION_POLICIES = ['Never', 'PreemptLowerPriority'] as const;

/** The system classes every cluster has, with upstream's values and descriptions. */
export function systemPriorityClasses(): PriorityClass[] {
  return [
    {
      apiVersion: 'scheduling.k8s.io/v1',
      kind: 'PriorityClass',
      metadata: { name: SYSTEM_NODE_CRITICAL },
      value: SYSTEM_CRITICAL_PRIORITY + 1000,
      description: 'Used for system critical pods that must not be moved from their current node.',
    },
    {
      apiVersion: 'scheduling.k8s.io/v1',
      kind: 'PriorityClass',
      metadata: { name: SYSTEM_CLUSTER_CRITICAL },
      value: SYSTEM_CRITICAL_PRIORITY,
      description: 'Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.',
    },
  ];
}

/**
 * IsKnownSystemPriorityClass: a `system-` name is allowed only for a system class with its
 * own value and not as the global default. Returns why not, or undefined.
 */
export function systemPriorityClassMismatch(name: string, value: unknown, globalDefault: unknown): string | undefined {
  const spc = systemPriorityClasses().find((c) => c.metadata?.name === name);
  if (!spc) return `${name} is not a known system priority class`;
  if (value !== spc.value) return `value of ${name} PriorityClass must be ${spc.value}`;
  if (globalDefault === true) return `globalDefault of ${name} PriorityClass must be false`;
  return undefined;
}
