// Pure rules about what a Service holds and needs from the IP and NodePort ranges (k8s'
// needsClusterIP / needsNodePort / needsHCNodePort and the collect* helpers of
// pkg/registry/core/service/storage/alloc.go).
import { isObject, type KObject } from '../../api/types.js';

export type Spec = Record<string, unknown>;

export function specOf(svc: KObject | undefined): Spec {
  return svc && isObject(svc.spec) ? svc.spec : {};
}

export function portsOf(spec: Spec): Record<string, unknown>[] {
  return Array.isArray(spec.ports) ? spec.ports.filter(isObject) : [];
}

/** Every type but ExternalName has cluster IPs (or is headless). */
export function needsClusterIP(spec: Spec): boolean {
  return spec.type !== 'ExternalName';
}

export function needsNodePort(spec: Spec): boolean {
  return spec.type === 'NodePort' || (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts !== false);
}

/** A LoadBalancer with externalTrafficPolicy Local gets a health-check node port. */
export function needsHealthCheckNodePort(spec: Spec): boolean {
  return spec.type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local';
}

/** The real IPs in spec.clusterIPs (or clusterIP), never 'None'. */
export function clusterIPs(spec: Spec): string[] {
  const list = Array.isArray(spec.clusterIPs) ? spec.clusterIPs : typeof spec.clusterIP === 'string' && spec.clusterIP ? [spec.clusterIP] : [];
  return list.filter((ip): ip is string => typeof ip === 'string' && ip !== '' && ip !== 'None');
}

export function isHeadless(spec: Spec): boolean {
  const first = Array.isArray(spec.clusterIPs) ? spec.clusterIPs[0] : spec.clusterIP;
  return first === 'None';
}

/** Node ports set on the ports (deduplicated: TCP and UDP may share one number). */
export function nodePorts(spec: Spec): number[] {
  const out = new Set<number>();
  for (const p of portsOf(spec)) if (typeof p.nodePort === 'number' && p.nodePort > 0) out.add(p.nodePort);
  return [...out];
}

export function healthCheckNodePort(spec: Spec): number | undefined {
  return typeof spec.healthCheckNodePort === 'number' && spec.healthCheckNodePort > 0 ? spec.healthCheckNodePort : undefined;
}

/** What a stored Service holds: its IPs and every node port (including the health check's). */
export function heldItems(svc: KObject): { ips: string[]; ports: string[] } {
  const spec = specOf(svc);
  const ips = needsClusterIP(spec) ? clusterIPs(spec) : [];
  const ports = nodePorts(spec).map(String);
  const hc = healthCheckNodePort(spec);
  if (hc !== undefined && !ports.includes(String(hc))) ports.push(String(hc));
  return { ips, ports };
}

/** An UPDATE that removes the object (the last finalizer went, grace is over). */
export function isFinalDelete(obj: KObject): boolean {
  const meta = obj.metadata ?? {};
  return !!meta.deletionTimestamp && (meta.finalizers ?? []).length === 0 && (meta.deletionGracePeriodSeconds ?? 0) === 0;
}
