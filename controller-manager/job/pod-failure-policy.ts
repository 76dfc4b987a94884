// spec.podFailurePolicy (pkg/controller/job/pod_failure_policy.go), pure: the first rule a
// failed pod matches decides — FailJob ends the Job (with the message Kubernetes writes),
// Ignore keeps the failure out of backoffLimit, Count counts it as usual.
import type { PodFailurePolicy, PodFailurePolicyOnExitCodesRequirement } from 'kubernetes-types/batch/v1';
import type { ContainerStatus, Pod, PodCondition } from 'kubernetes-types/core/v1';

export type PodFailurePolicyAction = 'FailJob' | 'Ignore' | 'Count' | 'FailIndex';

export interface PolicyMatch {
  /** Set when a FailJob rule matched: the Job's failure message. */
  failJobMessage?: string;
  /** False when an Ignore rule matched. */
  countFailed: boolean;
  action?: PodFailurePolicyAction;
}

function exitCodeMatches(code: number, req: PodFailurePolicyOnExitCodesRequirement): boolean {
  if (req.operator === 'In') return req.values.includes(code);
  if (req.operator === 'NotIn') return !req.values.includes(code);
  return false;
}

/** The first terminated, non-zero container (regular containers first, then init containers) the requirement matches. */
function matchOnExitCodes(pod: Pod, req: PodFailurePolicyOnExitCodesRequirement): ContainerStatus | undefined {
  for (const list of [pod.status?.containerStatuses ?? [], pod.status?.initContainerStatuses ?? []]) {
    const hit = list.find((s) => {
      const t = s.state?.terminated;
      if (!t || t.exitCode === 0) return false;
      if (req.containerName !== undefined && req.containerName !== null && req.containerName !== s.name) return false;
      return exitCodeMatches(t.exitCode, req);
    });
    if (hit) return hit;
  }
  return undefined;
}

function matchOnPodConditions(pod: Pod, patterns: readonly { type: string; status: string }[]): PodCondition | undefined {
  return (pod.status?.conditions ?? []).find((c) => patterns.some((p) => p.type === c.type && p.status === c.status));
}

/** matchPodFailurePolicy: what the policy says about one failed pod. */
export function matchPodFailurePolicy(policy: PodFailurePolicy | undefined, pod: Pod): PolicyMatch {
  if (!policy) return { countFailed: true };
  const who = `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
  for (const [index, rule] of (policy.rules ?? []).entries()) {
    const action = rule.action as PodFailurePolicyAction;
    let failMessage: string | undefined;
    if (rule.onExitCodes) {
      const s = matchOnExitCodes(pod, rule.onExitCodes);
      if (!s) continue;
      failMessage = `Container ${s.name} for pod ${who} failed with exit code ${s.state?.terminated?.exitCode ?? 0} matching ${action} rule at index ${index}`;
    } else if (rule.onPodConditions) {
      const c = matchOnPodConditions(pod, rule.onPodConditions);
      if (!c) continue;
      failMessage = `Pod ${who} has condition ${c.type} matching ${action} rule at index ${index}`;
    } else continue;
    if (action === 'Ignore') return { countFailed: false, action };
    if (action === 'Count') return { countFailed: true, action };
    if (action === 'FailJob') return { failJobMessage: failMessage, countFailed: true, action };
    // FailIndex needs backoffLimitPerIndex, which this controller does not implement: fall through as upstream does for an unknown action.
  }
  return { countFailed: true };
}
