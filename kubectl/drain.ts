// Which pods `kc drain` may evict, as kubectl's drain filters decide: mirror pods are
// skipped, DaemonSet pods need --ignore-daemonsets, pods with emptyDir need
// --delete-emptydir-data, pods without a controller need --force. Finished pods always go.
import type { Pod } from 'kubernetes-types/core/v1';

export interface DrainOptions {
  ignoreDaemonsets: boolean;
  deleteEmptyDirData: boolean;
  force: boolean;
}

export interface DrainPlan {
  evict: Pod[];
  /** Printed as one `Warning: …` line. */
  warnings: string[];
  /** Any error stops the drain of this node. */
  errors: string[];
}

const key = (p: Pod): string => `${p.metadata?.namespace}/${p.metadata?.name}`;

export function planDrain(pods: Pod[], o: DrainOptions): DrainPlan {
  const groups = new Map<string, string[]>();
  const add = (kind: 'warning' | 'error', msg: string, p: Pod): void => {
    const k = `${kind}\u0000${msg}`;
    groups.set(k, [...(groups.get(k) ?? []), key(p)]);
  };
  const evict: Pod[] = [];
  for (const p of pods) {
    if (p.metadata?.annotations?.['kubernetes.io/config.mirror']) continue;
    const finished = p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
    const controller = p.metadata?.ownerReferences?.find((r) => r.controller);
    if (controller?.kind === 'DaemonSet') {
      if (o.ignoreDaemonsets) add('warning', 'ignoring DaemonSet-managed Pods', p);
      else add('error', 'cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore)', p);
      continue;
    }
    let blocked = false;
    if (!finished && (p.spec?.volumes ?? []).some((v) => v.emptyDir)) {
      if (o.deleteEmptyDirData) add('warning', 'deleting Pods with local storage', p);
      else {
        add('error', 'cannot delete Pods with local storage (use --delete-emptydir-data to override)', p);
        blocked = true;
      }
    }
    if (!finished && !controller) {
      if (o.force) add('warning', 'deleting Pods that declare no controller', p);
      else {
        add('error', 'cannot delete Pods that declare no controller (use --force to override)', p);
        blocked = true;
      }
    }
    if (!blocked) evict.push(p);
  }
  const warnings: string[] = [];
  const errors: string[] = [];
  for (const [k, list] of groups) {
    const [kind, msg] = k.split('\u0000') as [string, string];
    (kind === 'warning' ? warnings : errors).push(`${msg}: ${list.join(', ')}`);
  }
  return { evict: errors.length > 0 ? [] : evict, warnings, errors };
}
