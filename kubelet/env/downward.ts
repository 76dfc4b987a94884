// The downward API: values of a pod's own fields (fieldRef) and of a container's resources
// (resourceFieldRef), as env vars and downwardAPI volume files read them. Pure.
import type { Container, ObjectFieldSelector, Pod, ResourceFieldSelector } from 'kubernetes-types/core/v1';
import { parseBytes, parseCpuMilli, quantityValue } from '../../api/quantity.js';

/** What the pod object does not say yet but the kubelet knows. */
export interface DownwardContext {
  podIP?: string;
  hostIP?: string;
  nodeName: string;
  /** Node allocatable, used for a limit the container does not set (as k8s does). */
  nodeAllocatable: { cpuMilli: number; memoryBytes: number; ephemeralStorageBytes: number };
}

export class DownwardError extends Error {}

/** `k="v"` lines sorted by key, as k8s formats metadata.labels / metadata.annotations. */
export function formatMap(m: Record<string, string> | undefined): string {
  return Object.keys(m ?? {})
    .sort()
    .map((k) => `${k}=${JSON.stringify((m ?? {})[k])}`)
    .join('\n');
}

const SUBSCRIPT = /^metadata\.(labels|annotations)\['(.+)'\]$/;

export function fieldRefValue(pod: Pod, sel: ObjectFieldSelector, ctx: DownwardContext): string {
  const path = sel.fieldPath;
  const m = SUBSCRIPT.exec(path);
  if (m) {
    const map = m[1] === 'labels' ? pod.metadata?.labels : pod.metadata?.annotations;
    return map?.[m[2]] ?? '';
  }
  switch (path) {
    case 'metadata.name':
      return pod.metadata?.name ?? '';
    case 'metadata.namespace':
      return pod.metadata?.namespace ?? '';
    case 'metadata.uid':
      return pod.metadata?.uid ?? '';
    case 'metadata.labels':
      return formatMap(pod.metadata?.labels);
    case 'metadata.annotations':
      return formatMap(pod.metadata?.annotations);
    case 'spec.nodeName':
      return pod.spec?.nodeName ?? ctx.nodeName;
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName ?? '';
    case 'status.hostIP':
    case 'status.hostIPs':
      return ctx.hostIP ?? '';
    case 'status.podIP':
    case 'status.podIPs':
      return ctx.podIP ?? '';
    default:
      throw new DownwardError(`unsupported fieldPath: ${path}`);
  }
}

function ceilDiv(a: number, b: number): number {
  return Math.ceil(a / b);
}

export function resourceFieldValue(pod: Pod, sel: ResourceFieldSelector, ctx: DownwardContext, self?: Container): string {
  const name = sel.containerName;
  const c = (name ? [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].find((x) => x.name === name) : self) ?? self;
  if (!c) throw new DownwardError(`resourceFieldRef: container ${name ?? ''} not found`);
  const limits = c.resources?.limits ?? {};
  const requests = c.resources?.requests ?? {};
  const divisor = sel.divisor !== undefined ? String(sel.divisor) : '1';
  const alloc = ctx.nodeAllocatable;
  const get = (m: Record<string, unknown>, k: string): string | undefined => (m[k] !== undefined ? String(m[k]) : undefined);
  switch (sel.resource) {
    case 'limits.cpu': {
      const v = get(limits, 'cpu');
      return String(ceilDiv(v ? parseCpuMilli(v) : alloc.cpuMilli, parseCpuMilli(divisor)));
    }
    case 'requests.cpu': {
      const v = get(requests, 'cpu') ?? get(limits, 'cpu');
      return String(ceilDiv(v ? parseCpuMilli(v) : 0, parseCpuMilli(divisor)));
    }
    case 'limits.memory': {
      const v = get(limits, 'memory');
      return String(ceilDiv(v ? parseBytes(v) : alloc.memoryBytes, quantityValue(divisor)));
    }
    case 'requests.memory': {
      const v = get(requests, 'memory') ?? get(limits, 'memory');
      return String(ceilDiv(v ? parseBytes(v) : 0, quantityValue(divisor)));
    }
    case 'limits.ephemeral-storage': {
      const v = get(limits, 'ephemeral-storage');
      return String(ceilDiv(v ? parseBytes(v) : alloc.ephemeralStorageBytes, quantityValue(divisor)));
    }
    case 'requests.ephemeral-storage': {
      const v = get(requests, 'ephemeral-storage') ?? get(limits, 'ephemeral-storage');
      return String(ceilDiv(v ? parseBytes(v) : 0, quantityValue(divisor)));
    }
    default:
      throw new DownwardError(`unsupported resource: ${sel.resource}`);
  }
}
