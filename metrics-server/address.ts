// Where a node's kubelet is reached (metrics-server's NodeAddressResolver, and the apiserver's
// own choice for pods/log and nodes/proxy): the first of the node's status addresses in the
// preferred type order, and the port the kubelet reports in status.daemonEndpoints. Pure.
import type { Node } from 'kubernetes-types/core/v1';

/** The order tskube's apiserver dials kubelets in (apiserver/streaming/pod.ts). */
export const DEFAULT_ADDRESS_TYPES = ['InternalIP', 'Hostname', 'InternalDNS', 'ExternalIP', 'ExternalDNS'];
export const NODE_ADDRESS_TYPES = new Set(['Hostname', 'InternalIP', 'InternalDNS', 'ExternalIP', 'ExternalDNS']);
export const DEFAULT_KUBELET_PORT = 10250;

export interface KubeletAddress {
  host: string;
  port: number;
}

/** The kubelet's address, or an error message saying why there is none. */
export function kubeletAddress(node: Node, preferred: readonly string[], fallbackPort = DEFAULT_KUBELET_PORT, useStatusPort = true): KubeletAddress | string {
  const addresses = node.status?.addresses ?? [];
  for (const type of preferred) {
    const a = addresses.find((x) => x.type === type && x.address);
    if (!a) continue;
    const port = node.status?.daemonEndpoints?.kubeletEndpoint?.Port;
    const usable = useStatusPort && Number.isInteger(port) && port! > 0 && port! < 65536;
    return { host: a.address, port: usable ? port! : fallbackPort };
  }
  return `node ${node.metadata?.name ?? ''} has no address of type ${preferred.join(', ')}`;
}

/** `https://host:port/path`, IPv6 bracketed. */
export function kubeletURL(a: KubeletAddress, path: string): string {
  return `https://${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}${path}`;
}

/** Parses `--kubelet-preferred-address-types`; throws on an unknown type. */
export function parseAddressTypes(v: string | readonly string[]): string[] {
  const types = (typeof v === 'string' ? v.split(',') : v.flatMap((x) => x.split(','))).map((t) => t.trim()).filter(Boolean);
  for (const t of types) if (!NODE_ADDRESS_TYPES.has(t)) throw new Error(`--kubelet-preferred-address-types: unknown address type ${t} (one of ${[...NODE_ADDRESS_TYPES].join(', ')})`);
  if (types.length === 0) throw new Error('--kubelet-preferred-address-types: at least one type');
  return types;
}
