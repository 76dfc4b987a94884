// The Endpoints controller (pkg/controller/endpoint): for every Service with a selector, an
// Endpoints object of the same name listing the pods it selects — ready pods under
// `addresses`, the others under `notReadyAddresses` — grouped into subsets by the ports each
// pod offers (a named targetPort resolves per pod). Services without a selector are left to
// whoever manages their Endpoints.
import type { EndpointAddress, EndpointPort, EndpointSubset, Endpoints, Pod, Service } from 'kubernetes-types/core/v1';
import { zeroValueEqual } from '../api/validation/equal.js';
import {
  WorkQueue,
  metaNamespaceKey,
  deletedObject,
  isNotFound,
  splitKey,
  type ResourceClient,
  type SharedInformer,
} from '../client/index.js';
import type { Controller, ControllerContext } from './controller.js';
import { isPodReady, namespaceTerminating } from './controller/controller-utils.js';
import {
  enqueueServicesOfPods,
  findPort,
  hasSelector,
  isHeadless,
  selectedPods,
  serviceDerivedLabels,
  shouldPodBeInEndpoints,
  shouldSetHostname,
} from './controller/endpoint-util.js';
import { controllerFlags, intFlag, type FlagDeclarations, type FlagValues } from './options.js';
import { runQueue } from './run-queue.js';

/** More addresses than this are truncated, and the object says so (k8s maxCapacity). */
export const MAX_ENDPOINTS_CAPACITY = 1000;
export const OVER_CAPACITY_ANNOTATION = 'endpoints.kubernetes.io/over-capacity';
// ---- the pure core: subsets from a service and its pods ----

function podAddress(pod: Pod, svc: Service): EndpointAddress {
  const addr: EndpointAddress = {
    ip: pod.status?.podIP ?? pod.status?.podIPs?.[0]?.ip ?? '',
    targetRef: { kind: 'Pod', namespace: pod.metadata?.namespace, name: pod.metadata?.name, uid: pod.metadata?.uid },
  };
  if (pod.spec?.nodeName) addr.nodeName = pod.spec.nodeName;
  if (shouldSetHostname(pod, svc)) addr.hostname = pod.spec?.hostname;
  return addr;
}

function lessAddress(a: EndpointAddress, b: EndpointAddress): number {
  if (a.ip !== b.ip) return a.ip < b.ip ? -1 : 1;
  const ua = a.targetRef?.uid ?? '';
  const ub = b.targetRef?.uid ?? '';
  return ua < ub ? -1 : ua > ub ? 1 : 0;
}

const portKey = (p: EndpointPort): string => JSON.stringify([p.name ?? '', p.port, p.protocol ?? 'TCP', p.appProtocol ?? '']);

/**
 * endpoints.RepackSubsets: expands (address × port), then groups ports that are offered by
 * exactly the same addresses into one subset. Not-ready wins over ready for an address.
 * Sorted, so equal inputs give equal outputs and the controller can skip no-op writes.
 * A port of -1 stands for "no ports" (headless services may have none).
 */
export function repackSubsets(entries: { address: EndpointAddress; ready: boolean; ports: EndpointPort[] }[]): EndpointSubset[] {
  const ports = new Map<string, { port: EndpointPort; addrs: Map<string, { address: EndpointAddress; ready: boolean }> }>();
  for (const e of entries) {
    const addrKey = `${e.address.ip}/${e.address.targetRef?.uid ?? ''}`;
    for (const port of e.ports.length ? e.ports : [{ port: -1 }]) {
      const pk = portKey(port);
      let entry = ports.get(pk);
      if (!entry) ports.set(pk, (entry = { port, addrs: new Map() }));
      const prev = entry.addrs.get(addrKey);
      if (!prev || prev.ready) entry.addrs.set(addrKey, { address: e.address, ready: e.ready });
    }
  }
  // Ports sharing an identical (address, ready) set form one subset.
  const groups = new Map<string, { addrs: { address: EndpointAddress; ready: boolean }[]; ports: EndpointPort[] }>();
  for (const { port, addrs } of ports.values()) {
    const list = [...addrs.values()].sort((a, b) => lessAddress(a.address, b.address));
    const key = JSON.stringify(list.map((a) => [a.address.ip, a.address.targetRef?.uid ?? '', a.ready]));
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { addrs: list, ports: [] }));
    g.ports.push(port);
  }
  const subsets: EndpointSubset[] = [];
  for (const g of groups.values()) {
    const subset: EndpointSubset = {};
    const ready = g.addrs.filter((a) => a.ready).map((a) => a.address);
    const notReady = g.addrs.filter((a) => !a.ready).map((a) => a.address);
    if (ready.length) subset.addresses = ready;
    if (notReady.length) subset.notReadyAddresses = notReady;
    const realPorts = g.ports.filter((p) => p.port !== -1).sort((a, b) => (portKey(a) < portKey(b) ? -1 : 1));
    if (realPorts.length) subset.ports = realPorts;
    subsets.push(subset);
  }
  return subsets.sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
}

/** The subsets of a service's Endpoints, and whether they had to be truncated. */
export function computeEndpointSubsets(svc: Service, pods: readonly Pod[]): { subsets: EndpointSubset[]; truncated: boolean } {
  const publishNotReady = svc.spec?.publishNotReadyAddresses === true;
  const entries: { address: EndpointAddress; ready: boolean; ports: EndpointPort[] }[] = [];
  const svcPorts = svc.spec?.ports ?? [];
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, publishNotReady)) continue;
    const address = podAddress(pod, svc);
    const ready = publishNotReady || isPodReady(pod);
    if (svcPorts.length === 0) {
      // Only headless services may have no ports; their addresses still publish.
      if (isHeadless(svc)) entries.push({ address, ready, ports: [] });
      continue;
    }
    for (const sp of svcPorts) {
      const port = findPort(pod, sp);
      if (port === undefined) continue; // this pod does not offer that named port
      const ep: EndpointPort = { port, protocol: sp.protocol ?? 'TCP' };
      if (sp.name) ep.name = sp.name;
      if (sp.appProtocol) ep.appProtocol = sp.appProtocol;
      entries.push({ address, ready, ports: [ep] });
    }
  }
  const subsets = repackSubsets(entries);
  return truncateSubsets(subsets, MAX_ENDPOINTS_CAPACITY);
}

/** Keeps at most `max` addresses over all subsets, ready ones first (k8s truncateEndpoints, simplified). */
export function truncateSubsets(subsets: EndpointSubset[], max: number): { subsets: EndpointSubset[]; truncated: boolean } {
  const total = subsets.reduce((n, s) => n + (s.addresses?.length ?? 0) + (s.notReadyAddresses?.length ?? 0), 0);
  if (total <= max) return { subsets, truncated: false };
  let budget = max;
  const take = (list: EndpointAddress[] | undefined): EndpointAddress[] | undefined => {
    if (!list) return undefined;
    const kept = list.slice(0, Math.max(0, budget));
    budget -= kept.length;
    return kept.length ? kept : undefined;
  };
  const ready = subsets.map((s) => take(s.addresses));
  const out = subsets.map((s, i) => ({ ...s, addresses: ready[i], notReadyAddresses: take(s.notReadyAddresses) }));
  return { subsets: out.filter((s) => s.addresses || s.notReadyAddresses), truncated: true };
}

/** The Endpoints object a service should have (name, labels, subsets), without server fields. */
export function desiredEndpoints(svc: Service, pods: readonly Pod[]): Endpoints {
  const { subsets, truncated } = computeEndpointSubsets(svc, pods);
  const ep: Endpoints = {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: svc.metadata?.name, namespace: svc.metadata?.namespace, labels: serviceDerivedLabels(svc) },
    subsets,
  };
  if (truncated) ep.metadata = { ...ep.metadata, annotations: { [OVER_CAPACITY_ANNOTATION]: 'truncated' } };
  return ep;
}

/** Whether the stored Endpoints already say what `desired` says (so no write is needed). */
export function endpointsUpToDate(current: Endpoints, desired: Endpoints): boolean {
  const over = (e: Endpoints): string | undefined => e.metadata?.annotations?.[OVER_CAPACITY_ANNOTATION];
  return zeroValueEqual(current.subsets, desired.subsets) && zeroValueEqual(current.metadata?.labels, desired.metadata?.labels) && over(current) === over(desired);
}

// ---- the controller ----

export class EndpointsController implements Controller {
  static readonly controllerName = 'endpoints';
  static readonly flags = {
    'concurrent-endpoint-syncs': intFlag(5, 'Services whose Endpoints are synced at once'),
  } satisfies FlagDeclarations;
  readonly name = EndpointsController.controllerName;
  private readonly flags: FlagValues<typeof EndpointsController.flags>;
  private readonly services: SharedInformer<Service>;
  private readonly pods: SharedInformer<Pod>;
  private readonly endpoints: SharedInformer<Endpoints>;
  private readonly client: ResourceClient<Endpoints>;
  private readonly queue = new WorkQueue<string>({ name: 'endpoint' });

  constructor(private readonly ctx: ControllerContext) {
    this.flags = controllerFlags(ctx, EndpointsController.flags);
    this.services = ctx.factory.informerFor('services');
    this.pods = ctx.factory.informerFor('pods');
    this.endpoints = ctx.factory.informerFor('endpoints');
    this.client = ctx.client.resource('endpoints');
    const enqueue = (key: string): void => this.queue.add(key);
    this.services.addEventHandler({
      onAdd: (s) => enqueue(metaNamespaceKey(s)),
      onUpdate: (_o, s) => enqueue(metaNamespaceKey(s)),
      onDelete: (s) => enqueue(metaNamespaceKey(deletedObject(s))),
    });
    enqueueServicesOfPods(this.services, this.pods, enqueue);
    // Someone deleted "our" Endpoints: put them back.
    this.endpoints.addEventHandler({ onDelete: (e) => enqueue(metaNamespaceKey(deletedObject(e))) });
  }

  async run(signal: AbortSignal): Promise<void> {
    try {
      await this.ctx.factory.waitForCacheSync(signal);
    } catch {
      return;
    }
    // Endpoints left over from services deleted while no controller ran (checkLeftoverEndpoints).
    for (const ep of this.endpoints.lister.list()) {
      if (!this.services.lister.get(metaNamespaceKey(ep)) && !ep.metadata?.annotations?.['control-plane.alpha.kubernetes.io/leader']) this.queue.add(metaNamespaceKey(ep));
    }
    await runQueue(this.ctx, signal, { name: 'endpoints', queue: this.queue, workers: this.flags['concurrent-endpoint-syncs'], reconcile: (key) => this.sync(key) });
  }

  private async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const svc = this.services.lister.getByName(namespace, name);
    if (!svc) {
      // The service is gone: so are its Endpoints.
      if (!this.endpoints.lister.getByName(namespace, name)) return;
      await this.client.inNamespace(namespace).delete(name).catch((e: unknown) => {
        if (!isNotFound(e)) throw e;
      });
      return;
    }
    if (!hasSelector(svc)) return;
    const desired = desiredEndpoints(svc, selectedPods(this.pods, svc));
    const current = this.endpoints.lister.getByName(namespace, name);
    if (current && endpointsUpToDate(current, desired)) return;
    if (!current) {
      this.ctx.log.debug({ service: key }, 'creating endpoints');
      await this.client.create(desired).catch((e: unknown) => {
        // Creating in a namespace being deleted fails; the namespace controller cleans up.
        if (namespaceTerminating(e)) return;
        throw e;
      });
      return;
    }
    const next: Endpoints = structuredClone(current) as Endpoints;
    const annotations = { ...(next.metadata?.annotations ?? {}) };
    delete annotations[OVER_CAPACITY_ANNOTATION];
    Object.assign(annotations, desired.metadata?.annotations ?? {});
    next.metadata = { ...next.metadata, labels: desired.metadata?.labels, annotations };
    next.subsets = desired.subsets;
    await this.client.inNamespace(namespace).update(next);
  }
}
