// The service load-balancer controller (pkg/controller/service, "service-lb-controller")
// without a cloud: a `type: LoadBalancer` Service gets `status.loadBalancer.ingress` = the
// InternalIP of every Ready node, like k3s's built-in balancer — kube-proxy makes the
// service port answer on those addresses. Services that stop being LoadBalancers have the
// status cleared; services naming a `loadBalancerClass` belong to another implementation.
import type { LoadBalancerIngress, Node, Service } from 'kubernetes-types/core/v1';
import { WorkQueue, metaNamespaceKey, isNotFound, splitKey, type EventRecorder, type ResourceClient, type SharedInformer } from '../client/index.js';
import type { Controller, ControllerContext } from './controller.js';
import { controllerFlags, intFlag, type FlagDeclarations, type FlagValues } from './options.js';
import { runQueue } from './run-queue.js';
import { compareIPs } from '../api/net.js';

/** Nodes with this label are never load-balancer targets (k8s' well-known label). */
export const EXCLUDE_LB_LABEL = 'node.kubernetes.io/exclude-from-external-load-balancers';

export function nodeReady(node: Node): boolean {
  return (node.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/** The addresses a LoadBalancer service is reachable on: Ready nodes' InternalIPs, sorted. */
export function loadBalancerIngress(nodes: readonly Node[]): LoadBalancerIngress[] {
  const ips = new Set<string>();
  for (const n of nodes) {
    if (!nodeReady(n) || n.metadata?.labels?.[EXCLUDE_LB_LABEL] !== undefined) continue;
    for (const a of n.status?.addresses ?? []) if (a.type === 'InternalIP' && a.address) ips.add(a.address);
  }
  return [...ips].sort(compareIPs).map((ip) => ({ ip }));
}

export function managesLoadBalancer(svc: Service): boolean {
  return svc.spec?.type === 'LoadBalancer' && !svc.spec.loadBalancerClass;
}

/** The ingress list the service should show (empty for non-LoadBalancer services). */
export function desiredIngress(svc: Service, nodes: readonly Node[]): LoadBalancerIngress[] {
  return managesLoadBalancer(svc) ? loadBalancerIngress(nodes) : [];
}

const ingressKey = (list: readonly LoadBalancerIngress[] | undefined): string => JSON.stringify((list ?? []).map((i) => [i.ip ?? '', i.hostname ?? '']));

/** What about a node matters to load-balancer ingress. */
const nodeKey = (n: Node): string => JSON.stringify([nodeReady(n), n.status?.addresses ?? [], n.metadata?.labels?.[EXCLUDE_LB_LABEL]]);

export class ServiceLBController implements Controller {
  static readonly controllerName = 'service-lb';
  static readonly flags = {
    'concurrent-service-syncs': intFlag(1, 'LoadBalancer services synced at once'),
  } satisfies FlagDeclarations;
  readonly name = ServiceLBController.controllerName;
  private readonly flags: FlagValues<typeof ServiceLBController.flags>;
  private readonly recorder: EventRecorder;
  private readonly services: SharedInformer<Service>;
  private readonly nodes: SharedInformer<Node>;
  private readonly client: ResourceClient<Service>;
  private readonly queue = new WorkQueue<string>({ name: 'service' });

  constructor(private readonly ctx: ControllerContext) {
    this.flags = controllerFlags(ctx, ServiceLBController.flags);
    this.recorder = ctx.recorder('service-controller');
    this.services = ctx.factory.informerFor('services');
    this.nodes = ctx.factory.informerFor('nodes');
    this.client = ctx.client.resource('services');
    const enqueueAll = (): void => this.services.lister.list().forEach((svc) => this.enqueue(svc));
    this.services.addEventHandler({ onAdd: (svc) => this.enqueue(svc), onUpdate: (_o, svc) => this.enqueue(svc) });
    this.nodes.addEventHandler({
      onAdd: enqueueAll,
      onUpdate: (old, cur) => {
        if (nodeKey(old) !== nodeKey(cur)) enqueueAll();
      },
      onDelete: () => enqueueAll(),
    });
  }

  /** Only LoadBalancers, and others that still show a load balancer to clear. */
  private enqueue(svc: Service): void {
    if (managesLoadBalancer(svc) || (svc.status?.loadBalancer?.ingress ?? []).length) this.queue.add(metaNamespaceKey(svc));
  }

  async run(signal: AbortSignal): Promise<void> {
    try {
      await this.ctx.factory.waitForCacheSync(signal);
    } catch {
      return;
    }
    await runQueue(this.ctx, signal, { name: 'service-lb', queue: this.queue, workers: this.flags['concurrent-service-syncs'], reconcile: (key) => this.sync(key) });
  }

  private async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const svc = this.services.lister.getByName(namespace, name);
    if (!svc) return;
    if (svc.spec?.type === 'LoadBalancer' && svc.spec.loadBalancerClass) return;
    const want = desiredIngress(svc, this.nodes.lister.list());
    if (ingressKey(want) === ingressKey(svc.status?.loadBalancer?.ingress)) return;
    const next: Service = { ...structuredClone(svc), status: { ...svc.status, loadBalancer: want.length ? { ingress: want } : {} } };
    if (managesLoadBalancer(svc)) this.recorder.event(svc, 'Normal', 'EnsuringLoadBalancer', 'Ensuring load balancer');
    try {
      await this.client.inNamespace(namespace).updateStatus(next);
    } catch (e) {
      if (isNotFound(e)) return;
      throw e; // a Conflict is retried against the fresher cached object
    }
    this.ctx.log.info({ service: key, ingress: want.map((i) => i.ip) }, 'load balancer status updated');
    if (managesLoadBalancer(svc)) this.recorder.event(svc, 'Normal', 'EnsuredLoadBalancer', 'Ensured load balancer');
    else this.recorder.event(svc, 'Normal', 'DeletedLoadBalancer', 'Deleted load balancer');
  }
}
