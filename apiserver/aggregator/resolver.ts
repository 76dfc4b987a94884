// Where an APIService's backend is (kube-aggregator's ServiceResolver): with
// --enable-aggregator-routing a ready endpoint address of the Service (Endpoints, else
// EndpointSlices) on the port the Service port maps to — no kube-proxy needed; without it the
// Service's ClusterIP and port, as upstream. Pure: the caller hands in the objects. The
// failures carry the reasons the availability controller reports.
import type { Endpoints, Service } from 'kubernetes-types/core/v1';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1';
import type { ServiceReference } from '../../api/apiregistration.js';

export interface Target {
  host: string;
  port: number;
}

export type ResolveFailureReason = 'ServiceNotFound' | 'ServicePortError' | 'EndpointsNotFound' | 'MissingEndpoints';

export interface ResolveFailure {
  reason: ResolveFailureReason;
  message: string;
}

export interface ResolveInput {
  ref: Required<Pick<ServiceReference, 'namespace' | 'name'>> & { port: number };
  service: Service | undefined;
  endpoints: Endpoints | undefined;
  slices: EndpointSlice[];
  /** --enable-aggregator-routing */
  routing: boolean;
  /** Picks one of several ready addresses (upstream picks at random). */
  pick?: (n: number) => number;
}

const randomPick = (n: number) => Math.floor(Math.random() * n);

export function isFailure(r: Target | ResolveFailure): r is ResolveFailure {
  return (r as ResolveFailure).reason !== undefined;
}

export function resolveService(i: ResolveInput): Target | ResolveFailure {
  const { namespace, name, port } = i.ref;
  const svc = i.service;
  if (!svc) return { reason: 'ServiceNotFound', message: `service/${name} in "${namespace}" is not present` };
  if (svc.spec?.type === 'ExternalName') return { host: svc.spec.externalName ?? '', port };
  const svcPort = (svc.spec?.ports ?? []).find((p) => p.port === port);
  if (!svcPort) return { reason: 'ServicePortError', message: `service/${name} in "${namespace}" is not listening on port ${port}` };
  if (!i.routing) {
    const ip = svc.spec?.clusterIP;
    if (!ip || ip === 'None') return { reason: 'ServicePortError', message: `service/${name} in "${namespace}" has no cluster IP` };
    return { host: ip, port };
  }
  const pick = i.pick ?? randomPick;
  const portName = svcPort.name ?? '';
  const fromEndpoints = endpointAddresses(i.endpoints, portName);
  const fromSlices = i.endpoints ? [] : sliceAddresses(i.slices, portName);
  if (!i.endpoints && i.slices.length === 0) return { reason: 'EndpointsNotFound', message: `cannot find endpoints for service/${name} in "${namespace}"` };
  const candidates = i.endpoints ? fromEndpoints : fromSlices;
  if (candidates.length === 0) return { reason: 'MissingEndpoints', message: `endpoints for service/${name} in "${namespace}" have no addresses with port name "${portName}"` };
  return candidates[pick(candidates.length)]!;
}

function endpointAddresses(ep: Endpoints | undefined, portName: string): Target[] {
  const out: Target[] = [];
  for (const subset of ep?.subsets ?? []) {
    const p = (subset.ports ?? []).find((sp) => (sp.name ?? '') === portName);
    if (!p) continue;
    for (const a of subset.addresses ?? []) out.push({ host: a.ip, port: p.port });
  }
  return out;
}

function sliceAddresses(slices: EndpointSlice[], portName: string): Target[] {
  const out: Target[] = [];
  for (const s of slices) {
    const p = (s.ports ?? []).find((sp) => (sp.name ?? '') === portName);
    if (!p?.port) continue;
    for (const e of s.endpoints ?? []) {
      if (e.conditions?.ready === false) continue;
      for (const a of e.addresses) out.push({ host: a, port: p.port });
    }
  }
  return out;
}
