// kubectl describe service (endpoints from the Service's EndpointSlices).
import type { Event, Service } from 'kubernetes-types/core/v1';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1';
import { formatLabels } from '../../api/go-format.js';
import { DescribeWriter, writeAnnotations, writeEvents, writeLabels } from './writer.js';

/** Ready addresses serving the named port: `ip:port` (three at most, then "+ N more..."). */
export function formatEndpoints(slices: EndpointSlice[], portName: string | undefined): string {
  const list: string[] = [];
  for (const s of slices) {
    const port = (s.ports ?? []).find((p) => (p.name ?? '') === (portName ?? ''));
    if (!port) continue;
    for (const e of s.endpoints ?? []) {
      if (e.conditions?.ready === false) continue;
      for (const a of e.addresses) list.push(`${a}:${port.port}`);
    }
  }
  if (list.length === 0) return '<none>';
  const shown = list.slice(0, 3).join(',');
  return list.length > 3 ? `${shown} + ${list.length - 3} more...` : shown;
}

export function describeService(svc: Service, slices: EndpointSlice[], events: Event[] | undefined, now = Date.now()): string {
  const w = new DescribeWriter();
  const m = svc.metadata ?? {};
  const spec = svc.spec ?? {};
  w.line(0, `Name:\t${m.name ?? ''}`);
  w.line(0, `Namespace:\t${m.namespace ?? ''}`);
  writeLabels(w, 0, m.labels);
  writeAnnotations(w, 0, m.annotations);
  w.line(0, `Selector:\t${spec.selector && Object.keys(spec.selector).length ? formatLabels(spec.selector) : ''}`);
  w.line(0, `Type:\t${spec.type ?? ''}`);
  if (spec.ipFamilyPolicy) w.line(0, `IP Family Policy:\t${spec.ipFamilyPolicy}`);
  w.line(0, `IP Families:\t${spec.ipFamilies?.length ? spec.ipFamilies.join(',') : '<none>'}`);
  w.line(0, `IP:\t${spec.clusterIP ?? ''}`);
  w.line(0, `IPs:\t${spec.clusterIPs?.length ? spec.clusterIPs.join(',') : '<none>'}`);
  if (spec.externalIPs?.length) w.line(0, `External IPs:\t${spec.externalIPs.join(',')}`);
  if (spec.type === 'ExternalName') w.line(0, `External Name:\t${spec.externalName ?? ''}`);
  for (const p of spec.ports ?? []) {
    const name = p.name || '<unset>';
    w.line(0, `Port:\t${name}\t${p.port}/${p.protocol ?? 'TCP'}`);
    w.line(0, `TargetPort:\t${p.targetPort ?? p.port}/${p.protocol ?? 'TCP'}`);
    if (p.nodePort) w.line(0, `NodePort:\t${name}\t${p.nodePort}/${p.protocol ?? 'TCP'}`);
    w.line(0, `Endpoints:\t${formatEndpoints(slices, p.name)}`);
  }
  if (spec.sessionAffinity) w.line(0, `Session Affinity:\t${spec.sessionAffinity}`);
  if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') w.line(0, `External Traffic Policy:\t${spec.externalTrafficPolicy ?? ''}`);
  if (spec.internalTrafficPolicy) w.line(0, `Internal Traffic Policy:\t${spec.internalTrafficPolicy}`);
  writeEvents(w, events, now);
  return w.toString();
}
