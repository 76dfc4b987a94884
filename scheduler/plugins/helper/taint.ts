// pluginhelper.DoNotScheduleTaintsFilterFunc: the taints that keep pods off a node (as opposed
// to PreferNoSchedule, which only lowers its score).
import type { Taint } from 'kubernetes-types/core/v1';

export const doNotScheduleTaintsFilter = (t: Pick<Taint, 'effect'>): boolean => t.effect === 'NoSchedule' || t.effect === 'NoExecute';
