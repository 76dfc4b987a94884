// Writes pod statuses to the apiserver (pkg/kubelet/status/status_manager.go): a merge patch
// of the pods/status subresource, only when the status differs from what the apiserver has
// and from what we wrote last; and the final delete (grace 0) once a terminating pod's
// containers are gone.
import type { Pod, PodStatus } from 'kubernetes-types/core/v1';
import type { Logger } from 'pino';
import { isConflict, isNotFound, type RestClient } from '../../client/index.js';

/** Status fields the kubelet owns: absent from a new status, they are cleared (null in the patch). */
const OWNED = ['phase', 'conditions', 'message', 'reason', 'hostIP', 'hostIPs', 'podIP', 'podIPs', 'startTime', 'initContainerStatuses', 'containerStatuses'] as const;

/** JSON with sorted keys, so equal statuses compare equal whatever their key order. */
export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v ?? null);
}

function ownedPart(s: PodStatus | undefined): string {
  const o: Record<string, unknown> = {};
  for (const k of OWNED) if (s?.[k] !== undefined) o[k] = s[k];
  return canonical(o);
}

export function statusPatch(status: PodStatus, old: PodStatus | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = { ...status };
  for (const k of OWNED) if (status[k] === undefined && old?.[k] !== undefined) out[k] = null;
  return { status: out };
}

export class StatusManager {
  private readonly written = new Map<string, string>();

  constructor(
    private readonly client: RestClient,
    private readonly log: Logger,
  ) {}

  /** Writes `status` unless nothing changed; returns whether it wrote. */
  async setPodStatus(pod: Pod, status: PodStatus): Promise<boolean> {
    const uid = pod.metadata?.uid ?? '';
    const next = ownedPart(status);
    if (this.written.get(uid) === next || ownedPart(pod.status) === next) {
      this.written.set(uid, next);
      return false;
    }
    const ns = pod.metadata?.namespace ?? 'default';
    const name = pod.metadata?.name ?? '';
    try {
      await this.client.resource('pods', ns).patch(name, 'merge', statusPatch(status, pod.status), { subresource: 'status' });
      this.written.set(uid, next);
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  /** The last status written for a pod, if any (canonical JSON). */
  hasWritten(uid: string): boolean {
    return this.written.has(uid);
  }

  forget(uid: string): void {
    this.written.delete(uid);
  }

  /** Removes the pod object for good once it is terminated on this node. */
  async deletePod(pod: Pod): Promise<void> {
    const ns = pod.metadata?.namespace ?? 'default';
    const name = pod.metadata?.name ?? '';
    try {
      await this.client.resource('pods', ns).delete(name, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata?.uid } });
      this.log.info({ pod: `${ns}/${name}` }, 'pod deleted');
    } catch (err) {
      if (isNotFound(err) || isConflict(err)) return;
      throw err;
    }
  }
}
