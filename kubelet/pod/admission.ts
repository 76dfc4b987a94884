// Whether the kubelet can run a pod at all (the kubelet's admit handlers, with the
// scheduler's GeneralPredicates run again on the node): pod count, CPU/memory requests
// against allocatable, host ports, and volume types this kubelet supports. A rejected pod is
// set to phase Failed with the reason; it is never retried. Pure.
import type { Pod } from 'kubernetes-types/core/v1';
import { parseBytes, parseCpuMilli } from '../../api/quantity.js';
import { volumeType } from '../volumes/sources.js';

export interface NodeAllocatable {
  pods: number;
  cpuMilli: number;
  memoryBytes: number;
}

export interface AdmitResult {
  admit: boolean;
  reason?: string;
  message?: string;
}

/** The pod's effective request: max(sum of app containers, largest init container), as the scheduler computes it. */
export function podRequests(pod: Pod): { cpuMilli: number; memoryBytes: number } {
  let cpu = 0;
  let mem = 0;
  for (const c of pod.spec?.containers ?? []) {
    const r = c.resources?.requests ?? {};
    if (r.cpu !== undefined) cpu += parseCpuMilli(String(r.cpu));
    if (r.memory !== undefined) mem += parseBytes(String(r.memory));
  }
  for (const c of pod.spec?.initContainers ?? []) {
    const r = c.resources?.requests ?? {};
    if (r.cpu !== undefined) cpu = Math.max(cpu, parseCpuMilli(String(r.cpu)));
    if (r.memory !== undefined) mem = Math.max(mem, parseBytes(String(r.memory)));
  }
  return { cpuMilli: cpu, memoryBytes: mem };
}

function hostPorts(pod: Pod): string[] {
  const out: string[] = [];
  for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]) {
    for (const p of c.ports ?? []) {
      if (p.hostPort) out.push(`${p.protocol ?? 'TCP'}/${p.hostIP || '0.0.0.0'}/${p.hostPort}`);
    }
  }
  return out;
}

function portsConflict(a: string, b: string): boolean {
  const [pa, ia, na] = a.split('/');
  const [pb, ib, nb] = b.split('/');
  return pa === pb && na === nb && (ia === ib || ia === '0.0.0.0' || ib === '0.0.0.0');
}

/** `active`: the pods already admitted and not terminated (in admission order). */
export function admitPod(pod: Pod, active: Pod[], alloc: NodeAllocatable): AdmitResult {
  for (const v of pod.spec?.volumes ?? []) {
    if (!volumeType(v)) {
      return { admit: false, reason: 'UnsupportedVolume', message: `Pod was rejected: volume "${v.name}" has a type this kubelet does not support` };
    }
  }
  if (active.length + 1 > alloc.pods) {
    return {
      admit: false,
      reason: 'OutOfpods',
      message: `Node didn't have enough resource: pods, requested: 1, used: ${active.length}, capacity: ${alloc.pods}`,
    };
  }
  const want = podRequests(pod);
  let cpu = 0;
  let mem = 0;
  for (const p of active) {
    const r = podRequests(p);
    cpu += r.cpuMilli;
    mem += r.memoryBytes;
  }
  if (want.cpuMilli > 0 && cpu + want.cpuMilli > alloc.cpuMilli) {
    return {
      admit: false,
      reason: 'OutOfcpu',
      message: `Node didn't have enough resource: cpu, requested: ${want.cpuMilli}, used: ${cpu}, capacity: ${alloc.cpuMilli}`,
    };
  }
  if (want.memoryBytes > 0 && mem + want.memoryBytes > alloc.memoryBytes) {
    return {
      admit: false,
      reason: 'OutOfmemory',
      message: `Node didn't have enough resource: memory, requested: ${want.memoryBytes}, used: ${mem}, capacity: ${alloc.memoryBytes}`,
    };
  }
  const used = active.flatMap(hostPorts);
  for (const port of hostPorts(pod)) {
    if (used.some((u) => portsConflict(u, port))) {
      return { admit: false, reason: 'NodePorts', message: `Pod was rejected: node(s) didn't have free ports for the requested pod ports (${port})` };
    }
  }
  return { admit: true };
}
