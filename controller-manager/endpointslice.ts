// The EndpointSlice controller (pkg/controller/endpointslice): for every Service with a
// selector, discovery.k8s.io/v1 EndpointSlices of at most --max-endpoints-per-slice endpoints
// each, one set per address family and per distinct port list (a named targetPort can
// resolve to different numbers on different pods). Terminating pods stay listed with
// `terminating: true`. Existing slices are reused in place so kube-proxy sees few changes,
// and nothing is written when nothing changed.
import type { Node, Pod, Service } from 'kubernetes-types/core/v1';
import type { EndpointSlice, Endpoint, EndpointPort } from 'kubernetes-types/discovery/v1';
import { WorkQueue, metaNamespaceKey, deletedObject, isNotFound, splitKey, type ReconcileResult, type ResourceClient, type SharedInformer } from '../client/index.js';
import type { Controller, ControllerContext } from './controller.js';
import {
  enqueueServicesOfPods,
  findPort,
  hasSelector,
  selectedPods,
  serviceDerivedLabels,
  shouldPodBeInEndpoints,
  shouldSetHostname,
} from './controller/endpoint-util.js';
import { isPodReady, namespaceTerminating } from './controller/controller-utils.js';
import { controllerFlags, intFlag, type FlagDeclarations, type FlagValues } from './options.js';
import { zeroValueEqual } from '../api/validation/equal.js';
import { runQueue } from './run-queue.js';
import { MANAGED_BY_LABEL, SERVICE_NAME_LABEL } from '../api/discovery.js';

export const CONTROLLER_NAME = 'endpointslice-controller.k8s.io';
export const DEFAULT_MAX_ENDPOINTS_PER_SLICE = 100;
const ZONE_LABEL = 'topology.kubernetes.io/zone';

type AddressType = 'IPv4' | 'IPv6';

/** The endpoints a service should have, grouped by address type and port list. */
export interface EndpointGroup {
  addressType: AddressType;
  ports: EndpointPort[];
  endpoints: Endpoint[];
}

export interface SlicePlan {
  create: EndpointSlice[];
  update: EndpointSlice[];
  delete: EndpointSlice[];
}

const familyOf = (ip: string): AddressType => (ip.includes(':') ? 'IPv6' : 'IPv4');

function addressTypes(svc: Service): AddressType[] {
  const fams = (svc.spec?.ipFamilies ?? []).filter((f): f is AddressType => f === 'IPv4' || f === 'IPv6');
  return fams.length ? fams : ['IPv4'];
}

export const portsKey = (ports: readonly EndpointPort[] | undefined): string =>
  JSON.stringify((ports ?? []).map((p) => [p.name ?? '', p.port ?? 0, p.protocol ?? 'TCP', p.appProtocol ?? '']));

const groupKey = (addressType: string, ports: readonly EndpointPort[] | undefined): string => `${addressType}|${portsKey(ports)}`;

/** An endpoint's identity across syncs: its pod, else its address. */
const endpointId = (ep: Endpoint): string => ep.targetRef?.uid ?? ep.addresses[0] ?? '';

/** endpointslice podToEndpoint: one pod as an endpoint with ready/serving/terminating conditions. */
export function podToEndpoint(pod: Pod, svc: Service, addressType: AddressType, zoneOf: (node: string) => string | undefined = () => undefined): Endpoint | undefined {
  const ips = (pod.status?.podIPs ?? []).map((p) => p.ip).concat(pod.status?.podIP ? [pod.status.podIP] : []);
  const ip = ips.find((a) => a && familyOf(a) === addressType);
  if (!ip) return undefined;
  const serving = isPodReady(pod);
  const terminating = !!pod.metadata?.deletionTimestamp;
  // A terminating pod is never "ready", unless the service publishes not-ready addresses.
  const ready = svc.spec?.publishNotReadyAddresses === true || (serving && !terminating);
  const ep: Endpoint = {
    addresses: [ip],
    conditions: { ready, serving, terminating },
    targetRef: { kind: 'Pod', namespace: pod.metadata?.namespace, name: pod.metadata?.name, uid: pod.metadata?.uid },
  };
  if (pod.spec?.nodeName) {
    ep.nodeName = pod.spec.nodeName;
    const zone = zoneOf(pod.spec.nodeName);
    if (zone) ep.zone = zone;
  }
  if (shouldSetHostname(pod, svc)) ep.hostname = pod.spec?.hostname;
  return ep;
}

/** The ports a pod offers for the service's ports; named ports it lacks are left out. */
export function podEndpointPorts(pod: Pod, svc: Service): EndpointPort[] {
  const out: EndpointPort[] = [];
  for (const sp of svc.spec?.ports ?? []) {
    const port = findPort(pod, sp);
    if (port === undefined) continue;
    const p: EndpointPort = { name: sp.name ?? '', port, protocol: sp.protocol ?? 'TCP' };
    if (sp.appProtocol) p.appProtocol = sp.appProtocol;
    out.push(p);
  }
  return out;
}

/** Every endpoint the service should have, grouped by (address type, port list). */
export function desiredEndpointGroups(svc: Service, pods: readonly Pod[], zoneOf?: (node: string) => string | undefined): EndpointGroup[] {
  const groups = new Map<string, EndpointGroup>();
  for (const addressType of addressTypes(svc)) {
    for (const pod of pods) {
      if (!shouldPodBeInEndpoints(pod, true)) continue;
      const ep = podToEndpoint(pod, svc, addressType, zoneOf);
      if (!ep) continue;
      const ports = podEndpointPorts(pod, svc);
      // A pod offering none of several ports would serve nothing; a port-less headless service is fine.
      if (ports.length === 0 && (svc.spec?.ports ?? []).length > 0) continue;
      const key = groupKey(addressType, ports);
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { addressType, ports, endpoints: [] }));
      g.endpoints.push(ep);
    }
  }
  return [...groups.values()];
}

/** The labels every slice of the service carries. */
export function sliceLabels(svc: Service): Record<string, string> {
  const labels = serviceDerivedLabels(svc);
  delete labels[SERVICE_NAME_LABEL];
  delete labels[MANAGED_BY_LABEL];
  return { ...labels, [SERVICE_NAME_LABEL]: svc.metadata?.name ?? '', [MANAGED_BY_LABEL]: CONTROLLER_NAME };
}

function ownerRef(svc: Service): NonNullable<EndpointSlice['metadata']>['ownerReferences'] {
  return [{ apiVersion: 'v1', kind: 'Service', name: svc.metadata?.name ?? '', uid: svc.metadata?.uid ?? '', controller: true, blockOwnerDeletion: true }];
}

const ownedBy = (slice: EndpointSlice, svc: Service): boolean => (slice.metadata?.ownerReferences ?? []).some((r) => r.uid === svc.metadata?.uid && r.controller);

function newSlice(svc: Service, addressType: AddressType, ports: EndpointPort[], endpoints: Endpoint[]): EndpointSlice {
  // k8s' prefix: the service name, shortened so generated names stay valid.
  const prefix = `${(svc.metadata?.name ?? '').slice(0, 57)}-`;
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { generateName: prefix, namespace: svc.metadata?.namespace, labels: sliceLabels(svc), ownerReferences: ownerRef(svc) },
    addressType,
    endpoints,
    ports,
  };
}

/**
 * The reconciler's plan (endpointslice/reconciler.go, simplified): slices not owned by the
 * service or of an address type / port list no longer wanted are deleted; endpoints stay in
 * the slice that already has them (updated in place when their conditions change); new
 * endpoints fill existing slices with room first, then new slices of at most `maxPerSlice`.
 * A service with no endpoints at all keeps one empty placeholder slice, as k8s does.
 */
export function planSlices(svc: Service, groups: readonly EndpointGroup[], existing: readonly EndpointSlice[], maxPerSlice = DEFAULT_MAX_ENDPOINTS_PER_SLICE): SlicePlan {
  const plan: SlicePlan = { create: [], update: [], delete: [] };
  const labels = sliceLabels(svc);
  const wanted = new Map(groups.map((g) => [groupKey(g.addressType, g.ports), { group: g, todo: new Map(g.endpoints.map((e) => [endpointId(e), e])) }]));
  const totalWanted = groups.reduce((n, g) => n + g.endpoints.length, 0);
  const kept: { slice: EndpointSlice; endpoints: Endpoint[]; changed: boolean; key: string }[] = [];
  let placeholder: EndpointSlice | undefined;

  for (const slice of existing) {
    const isPlaceholder = !(slice.endpoints ?? []).length && !(slice.ports ?? []).length;
    if (!ownedBy(slice, svc)) {
      plan.delete.push(slice);
      continue;
    }
    if (isPlaceholder && totalWanted === 0 && !placeholder && addressTypes(svc).includes(slice.addressType as AddressType)) {
      placeholder = slice;
      continue;
    }
    const key = groupKey(slice.addressType, slice.ports);
    const w = wanted.get(key);
    if (!w) {
      plan.delete.push(slice);
      continue;
    }
    const endpoints: Endpoint[] = [];
    let changed = !zeroValueEqual(slice.metadata?.labels, labels);
    for (const ep of slice.endpoints ?? []) {
      const want = w.todo.get(endpointId(ep));
      if (!want) {
        changed = true;
        continue;
      }
      w.todo.delete(endpointId(ep));
      if (!zeroValueEqual(ep, want)) changed = true;
      endpoints.push(want);
    }
    kept.push({ slice, endpoints, changed, key });
  }

  // New endpoints: into existing slices of their group with room (fullest first, fewer slices change), then new slices.
  for (const [key, w] of wanted) {
    let rest = [...w.todo.values()];
    const candidates = kept.filter((k) => k.key === key && k.endpoints.length < maxPerSlice).sort((a, b) => b.endpoints.length - a.endpoints.length);
    for (const k of candidates) {
      if (!rest.length) break;
      const room = maxPerSlice - k.endpoints.length;
      k.endpoints.push(...rest.slice(0, room));
      rest = rest.slice(room);
      k.changed = true;
    }
    for (let i = 0; i < rest.length; i += maxPerSlice) {
      plan.create.push(newSlice(svc, w.group.addressType, w.group.ports, rest.slice(i, i + maxPerSlice)));
    }
  }

  for (const k of kept) {
    if (k.endpoints.length === 0) plan.delete.push(k.slice);
    else if (k.changed) {
      const next = structuredClone(k.slice) as EndpointSlice;
      next.metadata = { ...next.metadata, labels };
      next.endpoints = k.endpoints;
      plan.update.push(next);
    }
  }

  if (totalWanted === 0) {
    if (!placeholder) plan.create.push(newSlice(svc, addressTypes(svc)[0], [], []));
    else if (!zeroValueEqual(placeholder.metadata?.labels, labels)) plan.update.push({ ...structuredClone(placeholder), metadata: { ...placeholder.metadata, labels } } as EndpointSlice);
  }
  reuseDeletedSlices(svc, plan);
  return plan;
}

/**
 * finalize() in k8s' reconciler: a slice of ours about to be deleted takes the place of a new
 * one of the same address type (an update instead of a create and a delete), so readers never
 * see the old and the new slice side by side — e.g. the placeholder and the first real slice.
 */
function reuseDeletedSlices(svc: Service, plan: SlicePlan): void {
  for (let i = 0; i < plan.delete.length && plan.create.length > 0; ) {
    const old = plan.delete[i]!;
    const j = plan.create.findIndex((c) => c.addressType === old.addressType);
    if (j < 0 || !ownedBy(old, svc)) {
      i++;
      continue;
    }
    const [fresh] = plan.create.splice(j, 1);
    const next = structuredClone(old) as EndpointSlice;
    next.metadata = { ...next.metadata, labels: fresh!.metadata?.labels };
    next.ports = fresh!.ports;
    next.endpoints = fresh!.endpoints;
    plan.update.push(next);
    plan.delete.splice(i, 1);
  }
}

/**
 * Remembers what this controller last wrote per slice, so a sync that runs before the
 * informer has caught up with our own writes waits instead of acting on stale state (which
 * would create duplicate slices) — k8s' endpointSliceTracker. Resource versions are etcd
 * revisions here, so "has the cache caught up" is a numeric comparison.
 */
export class SliceTracker {
  private readonly expected = new Map<string, Map<string, bigint | 'deleted'>>();

  wrote(serviceUid: string, slice: EndpointSlice): void {
    this.forService(serviceUid).set(slice.metadata?.name ?? '', BigInt(slice.metadata?.resourceVersion ?? '0'));
  }

  deleted(serviceUid: string, name: string): void {
    this.forService(serviceUid).set(name, 'deleted');
  }

  /** True while some write of ours is not yet visible in `cached`. */
  stale(serviceUid: string, cached: readonly EndpointSlice[]): boolean {
    const exp = this.expected.get(serviceUid);
    if (!exp) return false;
    const byName = new Map(cached.map((s) => [s.metadata?.name ?? '', s]));
    for (const [name, want] of exp) {
      const have = byName.get(name);
      const caughtUp = want === 'deleted' ? !have : !!have && BigInt(have.metadata?.resourceVersion ?? '0') >= want;
      if (caughtUp) exp.delete(name);
    }
    if (exp.size === 0) this.expected.delete(serviceUid);
    return exp.size > 0;
  }

  forget(serviceUid: string): void {
    this.expected.delete(serviceUid);
  }

  private forService(uid: string): Map<string, bigint | 'deleted'> {
    let m = this.expected.get(uid);
    if (!m) this.expected.set(uid, (m = new Map()));
    return m;
  }
}

export class EndpointSliceController implements Controller {
  static readonly controllerName = 'endpointslice';
  static readonly flags = {
    'concurrent-service-endpoint-syncs': intFlag(5, 'Services whose EndpointSlices are synced at once'),
    'max-endpoints-per-slice': intFlag(DEFAULT_MAX_ENDPOINTS_PER_SLICE, 'Endpoints per EndpointSlice'),
  } satisfies FlagDeclarations;
  readonly name = EndpointSliceController.controllerName;
  private readonly flags: FlagValues<typeof EndpointSliceController.flags>;
  private readonly services: SharedInformer<Service>;
  private readonly pods: SharedInformer<Pod>;
  private readonly nodes: SharedInformer<Node>;
  private readonly slices: SharedInformer<EndpointSlice>;
  private readonly client: ResourceClient<EndpointSlice>;
  private readonly tracker = new SliceTracker();
  private readonly queue = new WorkQueue<string>({ name: 'endpoint_slice' });

  constructor(private readonly ctx: ControllerContext) {
    this.flags = controllerFlags(ctx, EndpointSliceController.flags);
    this.services = ctx.factory.informerFor('services');
    this.pods = ctx.factory.informerFor('pods');
    this.nodes = ctx.factory.informerFor('nodes');
    this.slices = ctx.factory.informerFor('endpointslices.discovery.k8s.io');
    this.client = ctx.client.resource('endpointslices.discovery.k8s.io');
    const enqueue = (key: string): void => this.queue.add(key);
    this.services.addEventHandler({
      onAdd: (s) => enqueue(metaNamespaceKey(s)),
      onUpdate: (_o, s) => enqueue(metaNamespaceKey(s)),
      onDelete: (s) => {
        this.tracker.forget(deletedObject(s).metadata?.uid ?? '');
        enqueue(metaNamespaceKey(deletedObject(s)));
      },
    });
    enqueueServicesOfPods(this.services, this.pods, enqueue);
    const forSlice = (s: EndpointSlice): void => {
      const svc = s.metadata?.labels?.[SERVICE_NAME_LABEL];
      if (svc && s.metadata?.labels?.[MANAGED_BY_LABEL] === CONTROLLER_NAME) enqueue(`${s.metadata?.namespace}/${svc}`);
    };
    this.slices.addEventHandler({ onAdd: forSlice, onUpdate: (_o, s) => forSlice(s), onDelete: (s) => forSlice(deletedObject(s)) });
  }

  async run(signal: AbortSignal): Promise<void> {
    try {
      await this.ctx.factory.waitForCacheSync(signal);
    } catch {
      return;
    }
    await runQueue(this.ctx, signal, { name: 'endpointslice', queue: this.queue, workers: this.flags['concurrent-service-endpoint-syncs'], reconcile: (key) => this.sync(key) });
  }

  private zoneOf(node: string): string | undefined {
    return this.nodes.lister.getByName('', node)?.metadata?.labels?.[ZONE_LABEL];
  }

  private async sync(key: string): Promise<ReconcileResult | void> {
    const { namespace, name } = splitKey(key);
    const svc = this.services.lister.getByName(namespace, name);
    // A deleted service's slices go with it through their ownerReferences (the garbage collector).
    if (!svc || !hasSelector(svc)) return;
    const uid = svc.metadata?.uid ?? '';
    const mine = this.slices.lister
      .byIndex('namespace', namespace)
      .filter((s) => s.metadata?.labels?.[SERVICE_NAME_LABEL] === name && s.metadata?.labels?.[MANAGED_BY_LABEL] === CONTROLLER_NAME);
    // Our last writes are not in the cache yet: their watch events will bring us back (the
    // timer is only a safety net). Acting now would duplicate slices.
    if (this.tracker.stale(uid, mine)) return { requeueAfterMs: 1000 };
    // Slices already being deleted are out of our hands.
    const live = mine.filter((s) => !s.metadata?.deletionTimestamp);
    const groups = desiredEndpointGroups(svc, selectedPods(this.pods, svc), (node) => this.zoneOf(node));
    const plan = planSlices(svc, groups, live, this.flags['max-endpoints-per-slice']);
    const ns = this.client.inNamespace(namespace);
    // Create and update before deleting, so consumers never see a moment with fewer endpoints.
    for (const s of plan.create) {
      try {
        this.tracker.wrote(uid, await ns.create(s));
      } catch (e) {
        if (namespaceTerminating(e)) return;
        throw e;
      }
    }
    for (const s of plan.update) this.tracker.wrote(uid, await ns.update(s));
    for (const s of plan.delete) {
      await ns.delete(s.metadata?.name ?? '').catch((e: unknown) => {
        if (!isNotFound(e)) throw e;
      });
      this.tracker.deleted(uid, s.metadata?.name ?? '');
    }
    if (plan.create.length || plan.update.length || plan.delete.length) {
      this.ctx.log.debug({ service: key, created: plan.create.length, updated: plan.update.length, deleted: plan.delete.length }, 'synced endpoint slices');
    }
  }
}
