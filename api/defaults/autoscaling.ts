// autoscaling/v2 HorizontalPodAutoscaler defaults (pkg/apis/autoscaling/v2/defaults.go):
// minReplicas 1, an 80% average CPU utilization metric when none is given, and — only when
// spec.behavior is set — its missing scaling rules filled from the defaults below. A nil
// scale-down stabilization window stays nil: the controller fills it from
// --horizontal-pod-autoscaler-downscale-stabilization, which defaulting cannot know.
import type { HPAScalingRules } from 'kubernetes-types/autoscaling/v2';
import { type Obj, ensureObj, isObj, setDefault } from './util.js';

/** Scale-up: at most max(4 pods, 100%) per 15 s, no stabilization. */
const DEFAULT_SCALE_UP: HPAScalingRules = {
  stabilizationWindowSeconds: 0,
  selectPolicy: 'Max',
  policies: [
    { type: 'Pods', value: 4, periodSeconds: 15 },
    { type: 'Percent', value: 100, periodSeconds: 15 },
  ],
};

/** Scale-down: up to 100% per 15 s (the stabilization window is what slows it). */
const DEFAULT_SCALE_DOWN: HPAScalingRules = {
  selectPolicy: 'Max',
  policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
};

/** copyHPAScalingRules: the given fields over a copy of the defaults. */
function withDefaults(from: HPAScalingRules | undefined, defaults: HPAScalingRules): HPAScalingRules {
  const to = structuredClone(defaults);
  if (!from) return to;
  if (from.selectPolicy != null) to.selectPolicy = from.selectPolicy;
  if (from.stabilizationWindowSeconds != null) to.stabilizationWindowSeconds = from.stabilizationWindowSeconds;
  if (from.policies != null) to.policies = from.policies;
  return to;
}

/** GenerateHPAScaleUpRules. */
export function hpaScaleUpRules(rules: HPAScalingRules | undefined): HPAScalingRules {
  return withDefaults(rules, DEFAULT_SCALE_UP);
}

/** GenerateHPAScaleDownRules. */
export function hpaScaleDownRules(rules: HPAScalingRules | undefined): HPAScalingRules {
  return withDefaults(rules, DEFAULT_SCALE_DOWN);
}

export function defaultHorizontalPodAutoscaler(obj: Obj): void {
  const spec = ensureObj(obj, 'spec');
  setDefault(spec, 'minReplicas', 1);
  if (!Array.isArray(spec['metrics']) || spec['metrics'].length === 0)
    spec['metrics'] = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }];
  const behavior = spec['behavior'];
  if (isObj(behavior)) {
    behavior['scaleUp'] = hpaScaleUpRules(isObj(behavior['scaleUp']) ? (behavior['scaleUp'] as HPAScalingRules) : undefined);
    behavior['scaleDown'] = hpaScaleDownRules(isObj(behavior['scaleDown']) ? (behavior['scaleDown'] as HPAScalingRules) : undefined);
  }
}
