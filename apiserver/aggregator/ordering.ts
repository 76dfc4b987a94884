// How discovery orders aggregated groups and versions (kube-aggregator's apiservice sorting,
// pkg/apis/apiregistration/v1/helper): groups by the highest groupPriorityMinimum of their
// APIServices, then by name; versions inside a group by versionPriority, then by Kubernetes'
// version order (v2 > v1 > v1beta2 > v1beta1 > v1alpha1 > anything else, alphabetically).
import type { APIService } from '../../api/apiregistration.js';

const VERSION = /^v(\d+)(?:(alpha|beta)(\d+))?$/;

/** Kubernetes' CompareKubeAwareVersionStrings: >0 when `a` ranks above `b`. */
export function compareKubeVersions(a: string, b: string): number {
  const ma = VERSION.exec(a);
  const mb = VERSION.exec(b);
  if (!ma && !mb) return a < b ? 1 : a > b ? -1 : 0; // alphabetical: earlier ranks higher
  if (!ma) return -1;
  if (!mb) return 1;
  const stage = (m: RegExpExecArray) => (m[2] === undefined ? 2 : m[2] === 'beta' ? 1 : 0);
  if (stage(ma) !== stage(mb)) return stage(ma) - stage(mb);
  if (ma[1] !== mb[1]) return Number(ma[1]) - Number(mb[1]);
  return Number(ma[3] ?? 0) - Number(mb[3] ?? 0);
}

export interface SortedGroup {
  group: string;
  /** Versions, preferred first. */
  versions: APIService[];
}

/** The APIServices grouped by group: groups in discovery order, versions preferred first. */
export function sortedGroups(services: readonly APIService[]): SortedGroup[] {
  const byGroup = new Map<string, APIService[]>();
  for (const s of services) {
    const g = s.spec.group ?? '';
    const list = byGroup.get(g) ?? [];
    list.push(s);
    byGroup.set(g, list);
  }
  const groupPriority = (list: APIService[]) => Math.max(...list.map((s) => s.spec.groupPriorityMinimum));
  return [...byGroup.entries()]
    .sort(([ga, la], [gb, lb]) => groupPriority(lb) - groupPriority(la) || (ga < gb ? -1 : ga > gb ? 1 : 0))
    .map(([group, list]) => ({
      group,
      versions: [...list].sort((a, b) => b.spec.versionPriority - a.spec.versionPriority || compareKubeVersions(b.spec.version ?? '', a.spec.version ?? '')),
    }));
}
