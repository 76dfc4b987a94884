// How pods reach cluster DNS.
//
// In kubeadm clusters CoreDNS runs as pods behind the `kube-dns` Service, whose selector lets
// the EndpointSlice controller list those pods. tskube runs its DNS server as a host process
// instead (like k3s's embedded components): nothing for a selector to match. So the Service
// is *selector-less* and the DNS server publishes its own endpoint, the way Kubernetes lets
// any out-of-cluster backend sit behind a Service:
//
//   kube-system/kube-dns  Service        clusterIP 10.96.0.10, ports 53/UDP `dns`, 53/TCP `dns-tcp`
//                                        (targetPort = the port the server really listens on)
//   kube-system/kube-dns-<address>  EndpointSlice  labelled kubernetes.io/service-name=kube-dns,
//                                        managed-by tskube-dns: one endpoint, this host's address
//                                        pods can reach (e.g. the pod bridge's gateway), ready
//                                        while the server runs
//   kube-system/kube-dns  Endpoints      the same address for v1 Endpoints readers, labelled
//                                        endpointslice.kubernetes.io/skip-mirror so a mirroring
//                                        controller does not publish it twice
//
// A pod's resolv.conf says `nameserver 10.96.0.10`; kube-proxy DNATs 10.96.0.10:53 to the
// endpoint, i.e. to this process. Because the EndpointSlice controller only manages slices of
// services *with* a selector, it leaves ours alone. One slice per server address lets several
// DNS servers (one per host) share the Service. The ClusterIP is requested explicitly;
// the allocator honours a requested free IP and keeps `.10` of the range for DNS.
import type { Endpoints, EndpointPort as CoreEndpointPort, EndpointSubset, Service, ServicePort } from 'kubernetes-types/core/v1';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1';
import { isIPv6 } from 'node:net';
import { isAlreadyExists, isConflict, isNotFound, type RestClient } from '../client/index.js';
import type { Logger } from 'pino';
import { SERVICE_NAME_LABEL } from '../api/discovery.js';
import { dashedIp } from './names.js';
import { KUBE_DNS_NAMESPACE, KUBE_DNS_SERVICE } from './records.js';

export const DEFAULT_DNS_SERVICE_IP = '10.96.0.10';
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
export const MANAGED_BY = 'tskube-dns';
export const SKIP_MIRROR_LABEL = 'endpointslice.kubernetes.io/skip-mirror';

export interface KubeDnsRegistration {
  /** The ClusterIP to request for the Service. */
  clusterIP: string;
  /** The address of this server that pods (through kube-proxy's DNAT) can reach. */
  address: string;
  /** The port the server listens on (UDP and TCP). */
  port: number;
  nodeName?: string;
}

export function kubeDnsService(reg: Pick<KubeDnsRegistration, 'clusterIP' | 'port'>): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: KUBE_DNS_SERVICE,
      namespace: KUBE_DNS_NAMESPACE,
      labels: { 'k8s-app': 'kube-dns', 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'KubeDNS' },
    },
    spec: { type: 'ClusterIP', clusterIP: reg.clusterIP, ports: servicePorts(reg.port) },
  };
}

function servicePorts(port: number): ServicePort[] {
  return [
    { name: 'dns', port: 53, protocol: 'UDP', targetPort: port },
    { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: port },
  ];
}

function endpointPorts(port: number): CoreEndpointPort[] {
  return [
    { name: 'dns', port, protocol: 'UDP' },
    { name: 'dns-tcp', port, protocol: 'TCP' },
  ];
}

export function kubeDnsEndpointSliceName(address: string): string {
  return `${KUBE_DNS_SERVICE}-${dashedIp(address)}`;
}

export function kubeDnsEndpointSlice(reg: KubeDnsRegistration, ready: boolean, owner?: Service): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: kubeDnsEndpointSliceName(reg.address),
      namespace: KUBE_DNS_NAMESPACE,
      labels: { [SERVICE_NAME_LABEL]: KUBE_DNS_SERVICE, [MANAGED_BY_LABEL]: MANAGED_BY, 'k8s-app': 'kube-dns' },
      ...(owner?.metadata?.uid
        ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: KUBE_DNS_SERVICE, uid: owner.metadata.uid, controller: true, blockOwnerDeletion: true }] }
        : {}),
    },
    addressType: isIPv6(reg.address) ? 'IPv6' : 'IPv4',
    endpoints: [
      {
        addresses: [reg.address],
        conditions: { ready, serving: ready, terminating: false },
        ...(reg.nodeName ? { nodeName: reg.nodeName } : {}),
      },
    ],
    ports: endpointPorts(reg.port),
  };
}

/**
 * The Endpoints subsets with `ip` (re)filed as ready or not-ready under our ports, other
 * servers' addresses kept as they are. Pure: the read-modify-write below applies it.
 */
export function subsetsWithAddress(subsets: readonly EndpointSubset[], ip: string, port: number, ready: boolean): EndpointSubset[] {
  const ports = endpointPorts(port);
  const samePorts = (s: EndpointSubset) =>
    (s.ports ?? []).length === ports.length && ports.every((p) => (s.ports ?? []).some((q) => q.name === p.name && q.port === p.port && q.protocol === p.protocol));
  const out: EndpointSubset[] = subsets.map((s) => ({
    ...s,
    addresses: (s.addresses ?? []).filter((a) => a.ip !== ip),
    notReadyAddresses: (s.notReadyAddresses ?? []).filter((a) => a.ip !== ip),
  }));
  let mine = out.find(samePorts);
  if (!mine) {
    mine = { addresses: [], notReadyAddresses: [], ports };
    out.push(mine);
  }
  (ready ? (mine.addresses ??= []) : (mine.notReadyAddresses ??= [])).push({ ip });
  return out
    .filter((s) => (s.addresses?.length ?? 0) + (s.notReadyAddresses?.length ?? 0) > 0)
    .map((s) => ({
      ...(s.addresses?.length ? { addresses: s.addresses } : {}),
      ...(s.notReadyAddresses?.length ? { notReadyAddresses: s.notReadyAddresses } : {}),
      ports: s.ports,
    }));
}

/** Creates or refreshes the kube-dns Service, our EndpointSlice and our Endpoints address. Idempotent. */
export async function registerKubeDns(client: RestClient, reg: KubeDnsRegistration, log: Logger): Promise<void> {
  const service = await ensureService(client, reg, log);
  await setKubeDnsEndpoint(client, reg, true, service);
  log.info({ service: `${KUBE_DNS_NAMESPACE}/${KUBE_DNS_SERVICE}`, clusterIP: service.spec?.clusterIP, endpoint: `${reg.address}:${reg.port}` }, 'registered kube-dns');
}

async function ensureService(client: RestClient, reg: KubeDnsRegistration, log: Logger): Promise<Service> {
  const services = client.resource('services', KUBE_DNS_NAMESPACE);
  for (let attempt = 0; ; attempt++) {
    let current: Service;
    try {
      current = await services.get(KUBE_DNS_SERVICE);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      try {
        return await services.create(kubeDnsService(reg));
      } catch (e) {
        if (isAlreadyExists(e) && attempt < 3) continue;
        throw e;
      }
    }
    if (current.spec?.clusterIP !== reg.clusterIP) {
      // clusterIP is immutable: an existing Service keeps its address; resolv.conf must follow it.
      log.warn({ service: `${KUBE_DNS_NAMESPACE}/${KUBE_DNS_SERVICE}`, clusterIP: current.spec?.clusterIP, wanted: reg.clusterIP }, 'kube-dns Service exists with another clusterIP');
    }
    const wantPorts = servicePorts(reg.port);
    const havePorts = current.spec?.ports ?? [];
    const portsMatch = havePorts.length === wantPorts.length && wantPorts.every((w) => havePorts.some((h) => h.name === w.name && h.port === w.port && h.protocol === w.protocol && h.targetPort === w.targetPort));
    if (portsMatch && !current.spec?.selector) return current;
    const next = structuredClone(current) as Service & { spec: NonNullable<Service['spec']> };
    next.spec.ports = wantPorts;
    delete next.spec.selector;
    try {
      return await services.update(next);
    } catch (e) {
      if (isConflict(e) && attempt < 5) continue;
      throw e;
    }
  }
}

/** Marks this server's endpoint ready (serving) or not (shutting down) in the EndpointSlice and the Endpoints. */
export async function setKubeDnsEndpoint(client: RestClient, reg: KubeDnsRegistration, ready: boolean, owner?: Service): Promise<void> {
  const slices = client.resource('endpointslices.discovery.k8s.io', KUBE_DNS_NAMESPACE);
  const desired = kubeDnsEndpointSlice(reg, ready, owner);
  await upsert(
    () => slices.get(desired.metadata?.name ?? ''),
    () => slices.create(desired),
    (cur) => slices.update({ ...desired, metadata: { ...desired.metadata, resourceVersion: cur.metadata?.resourceVersion } }),
  );

  const endpoints = client.resource('endpoints', KUBE_DNS_NAMESPACE);
  const labels = { 'k8s-app': 'kube-dns', [SKIP_MIRROR_LABEL]: 'true' };
  await upsert(
    () => endpoints.get(KUBE_DNS_SERVICE),
    () => endpoints.create({ metadata: { name: KUBE_DNS_SERVICE, namespace: KUBE_DNS_NAMESPACE, labels }, subsets: subsetsWithAddress([], reg.address, reg.port, ready) }),
    (cur: Endpoints) =>
      endpoints.update({
        ...cur,
        metadata: { ...cur.metadata, labels: { ...cur.metadata?.labels, ...labels } },
        subsets: subsetsWithAddress(cur.subsets ?? [], reg.address, reg.port, ready),
      }),
  );
}

/** get → create when missing, else update; retried on the races (409s) another writer causes. */
async function upsert<T>(get: () => Promise<T>, create: () => Promise<T>, update: (cur: T) => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      let cur: T;
      try {
        cur = await get();
      } catch (err) {
        if (!isNotFound(err)) throw err;
        return await create();
      }
      return await update(cur);
    } catch (err) {
      if ((isConflict(err) || isAlreadyExists(err)) && attempt < 5) continue;
      throw err;
    }
  }
}
