// kubectl describe node: status, capacity, the pods on it and what they request.
import type { Event, Node, Pod } from 'kubernetes-types/core/v1';
import type { Lease } from 'kubernetes-types/coordination/v1';
import { formatBytes, formatCpuMilli, parseBytes, parseCpuMilli } from '../../api/quantity.js';
import { byBytes } from '../../api/json.js';
import { DescribeWriter, rfc1123z, since, writeAnnotations, writeEvents, writeLabels } from './writer.js';

interface Totals {
  cpuReq: number;
  cpuLim: number;
  memReq: number;
  memLim: number;
  ephReq: number;
  ephLim: number;
}

/** PodRequestsAndLimits, simplified: the sum over app containers (init containers only when larger). */
export function podTotals(pod: Pod): Totals {
  const sum = (list: typeof pod.spec extends infer S ? (S extends { containers: infer C } ? C : never) : never, which: 'requests' | 'limits', res: string, parse: (s: string) => number): number =>
    (list ?? []).reduce((acc, c) => {
      const v = (c.resources?.[which] as Record<string, string> | undefined)?.[res];
      return acc + (v ? parse(v) : 0);
    }, 0);
  const containers = pod.spec?.containers ?? [];
  const init = pod.spec?.initContainers ?? [];
  const pick = (which: 'requests' | 'limits', res: string, parse: (s: string) => number): number =>
    Math.max(sum(containers, which, res, parse), ...init.map((c) => {
      const v = (c.resources?.[which] as Record<string, string> | undefined)?.[res];
      return v ? parse(v) : 0;
    }));
  return {
    cpuReq: pick('requests', 'cpu', parseCpuMilli),
    cpuLim: pick('limits', 'cpu', parseCpuMilli),
    memReq: pick('requests', 'memory', parseBytes),
    memLim: pick('limits', 'memory', parseBytes),
    ephReq: pick('requests', 'ephemeral-storage', parseBytes),
    ephLim: pick('limits', 'ephemeral-storage', parseBytes),
  };
}

const pct = (v: number, total: number): number => (total > 0 ? Math.trunc((v / total) * 100) : 0);

export function describeNode(node: Node, pods: Pod[], lease: Lease | string, events: Event[] | undefined, now = Date.now()): string {
  const w = new DescribeWriter();
  const m = node.metadata ?? {};
  const st = node.status ?? {};
  w.line(0, `Name:\t${m.name ?? ''}`);
  const roles = Object.keys(m.labels ?? {})
    .filter((k) => k.startsWith('node-role.kubernetes.io/'))
    .map((k) => k.slice('node-role.kubernetes.io/'.length))
    .filter(Boolean);
  w.line(0, `Roles:\t${roles.length ? roles.join(',') : '<none>'}`);
  writeLabels(w, 0, m.labels);
  writeAnnotations(w, 0, m.annotations);
  w.line(0, `CreationTimestamp:\t${rfc1123z(m.creationTimestamp)}`);
  const taints = node.spec?.taints ?? [];
  if (taints.length === 0) w.line(0, 'Taints:\t<none>');
  taints.forEach((t, i) => w.line(0, `${i === 0 ? 'Taints:' : ''}\t${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`));
  w.line(0, `Unschedulable:\t${!!node.spec?.unschedulable}`);
  if (typeof lease === 'string') {
    w.line(0, `Lease:\tFailed to get lease: ${lease}`);
  } else {
    w.line(0, 'Lease:');
    w.line(1, `HolderIdentity:\t${lease.spec?.holderIdentity ?? '<unset>'}`);
    w.line(1, `AcquireTime:\t${lease.spec?.acquireTime ? rfc1123z(lease.spec.acquireTime) : '<unset>'}`);
    w.line(1, `RenewTime:\t${lease.spec?.renewTime ? rfc1123z(lease.spec.renewTime) : '<unset>'}`);
  }
  if (st.conditions?.length) {
    w.line(0, 'Conditions:');
    w.line(1, 'Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage');
    w.line(1, '----\t------\t-----------------\t------------------\t------\t-------');
    for (const c of st.conditions) {
      w.line(1, `${c.type} \t${c.status} \t${rfc1123z(c.lastHeartbeatTime)} \t${rfc1123z(c.lastTransitionTime)} \t${c.reason ?? ''} \t${c.message ?? ''}`);
    }
  }
  w.line(0, 'Addresses:');
  for (const a of st.addresses ?? []) w.line(1, `${a.type}:\t${a.address}`);
  for (const [title, list] of [['Capacity', st.capacity], ['Allocatable', st.allocatable]] as const) {
    const keys = Object.keys(list ?? {}).sort(byBytes);
    if (keys.length === 0) continue;
    w.line(0, `${title}:`);
    for (const k of keys) w.line(1, `${k}:\t${(list as Record<string, string>)[k]}`);
  }
  const info = st.nodeInfo;
  w.line(0, 'System Info:');
  w.line(1, `Machine ID:\t${info?.machineID ?? ''}`);
  w.line(1, `System UUID:\t${info?.systemUUID ?? ''}`);
  w.line(1, `Boot ID:\t${info?.bootID ?? ''}`);
  w.line(1, `Kernel Version:\t${info?.kernelVersion ?? ''}`);
  w.line(1, `OS Image:\t${info?.osImage ?? ''}`);
  w.line(1, `Operating System:\t${info?.operatingSystem ?? ''}`);
  w.line(1, `Architecture:\t${info?.architecture ?? ''}`);
  w.line(1, `Container Runtime Version:\t${info?.containerRuntimeVersion ?? ''}`);
  w.line(1, `Kubelet Version:\t${info?.kubeletVersion ?? ''}`);
  w.line(1, `Kube-Proxy Version:\t${info?.kubeProxyVersion ?? ''}`);
  if (node.spec?.podCIDR) w.line(0, `PodCIDR:\t${node.spec.podCIDR}`);
  if (node.spec?.podCIDRs?.length) w.line(0, `PodCIDRs:\t${node.spec.podCIDRs.join(',')}`);
  if (node.spec?.providerID) w.line(0, `ProviderID:\t${node.spec.providerID}`);
  const alloc = (st.allocatable && Object.keys(st.allocatable).length ? st.allocatable : st.capacity ?? {}) as Record<string, string>;
  const cpuTotal = alloc.cpu ? parseCpuMilli(alloc.cpu) : 0;
  const memTotal = alloc.memory ? parseBytes(alloc.memory) : 0;
  const ephTotal = alloc['ephemeral-storage'] ? parseBytes(alloc['ephemeral-storage']) : 0;
  w.line(0, `Non-terminated Pods:\t(${pods.length} in total)`);
  w.line(1, 'Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge');
  w.line(1, '---------\t----\t\t------------\t----------\t---------------\t-------------\t---');
  const total: Totals = { cpuReq: 0, cpuLim: 0, memReq: 0, memLim: 0, ephReq: 0, ephLim: 0 };
  for (const p of pods) {
    const t = podTotals(p);
    for (const k of Object.keys(total) as (keyof Totals)[]) total[k] += t[k];
    w.line(
      1,
      `${p.metadata?.namespace}\t${p.metadata?.name}\t\t${formatCpuMilli(t.cpuReq)} (${pct(t.cpuReq, cpuTotal)}%)\t${formatCpuMilli(t.cpuLim)} (${pct(t.cpuLim, cpuTotal)}%)\t${formatBytes(t.memReq)} (${pct(t.memReq, memTotal)}%)\t${formatBytes(t.memLim)} (${pct(t.memLim, memTotal)}%)\t${since(p.metadata?.creationTimestamp, now)}`,
    );
  }
  w.line(0, 'Allocated resources:');
  w.line(1, '(Total limits may be over 100 percent, i.e., overcommitted.)');
  w.line(1, 'Resource\tRequests\tLimits');
  w.line(1, '--------\t--------\t------');
  w.line(1, `cpu\t${formatCpuMilli(total.cpuReq)} (${pct(total.cpuReq, cpuTotal)}%)\t${formatCpuMilli(total.cpuLim)} (${pct(total.cpuLim, cpuTotal)}%)`);
  w.line(1, `memory\t${formatBytes(total.memReq)} (${pct(total.memReq, memTotal)}%)\t${formatBytes(total.memLim)} (${pct(total.memLim, memTotal)}%)`);
  w.line(1, `ephemeral-storage\t${formatBytes(total.ephReq)} (${pct(total.ephReq, ephTotal)}%)\t${formatBytes(total.ephLim)} (${pct(total.ephLim, ephTotal)}%)`);
  writeEvents(w, events, now);
  return w.toString();
}
