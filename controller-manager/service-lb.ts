// The service load-balancer controller (pkg/controller/service, "service-lb-controller")
// without a cloud: a `type: LoadBalancer` Service gets `status.loadBalancer.ingress` = the
// InternalIP of every Ready node, like k3s's built-in balancer — kube-proxy makes the
// service port answer on those addresses. Services that stop being LoadBalancers have the
// status cleared; services naming a `loadBalancerClass` belong to another implementation.
import type { LoadBalancerIngress, Node, Service } from 'kubernetes-types/core/v1';
import { WorkQueue, metaNamespaceKey, isNotFound, splitKey } from '../client/index.js';
import type { Controller, ControllerContext } from './controller.js';
import { intOption } from './options.js';
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

export const serviceLBController: Controller = {
  name: 'service-lb',
  async run(ctx: ControllerContext, signal: AbortSignal): Promise<void> {
    const log = ctx.log;
    const recorder = ctx.recorder('service-controller');
    const services = ctx.factory.informerFor('services');
    const nodes = ctx.factory.informerFor('nodes');
    const client = ctx.client.resource('services');
    const queue = new WorkQueue<string>({ name: 'service' });
    const enqueue = (svc: Service): void => {
      // Only LoadBalancers, and others that still show a load balancer to clear.
      if (managesLoadBalancer(svc) || (svc.status?.loadBalancer?.ingress ?? []).length) queue.add(metaNamespaceKey(svc));
    };
    const enqueueAll = (): void => services.lister.list().forEach(enqueue);
    services.addEventHandler({ onAdd: enqueue, onUpdate: (_o, s) => enqueue(s) });
    nodes.addEventHandler({
      onAdd: enqueueAll,
      onUpdate: (old, cur) => {
        if (nodeKey(old) !== nodeKey(cur)) enqueueAll();
      },
      onDelete: () => enqueueAll(),
    });
    try {
      await ctx.factory.waitForCacheSync(signal);
    } catch {
      return;
    }
    const reconcile = async (key: string): Promise<void> => {
      const { namespace, name } = splitKey(key);
      const svc = services.lister.getByName(namespace, name);
      if (!svc) return;
      if (svc.spec?.type === 'LoadBalancer' && svc.spec.loadBalancerClass) return;
      const want = desiredIngress(svc, nodes.lister.list());
      if (ingressKey(want) === ingressKey(svc.status?.loadBalancer?.ingress)) return;
      const next: Service = { ...structuredClone(svc), status: { ...svc.status, loadBalancer: want.length ? { ingress: want } : {} } };
      if (managesLoadBalancer(svc)) recorder.event(svc, 'Normal', 'EnsuringLoadBalancer', 'Ensuring load balancer');
      try {
        await client.inNamespace(namespace).updateStatus(next);
      } catch (e) {
        if (isNotFound(e)) return;
        throw e; // a Conflict is retried against the fresher cached object
      }
      log.info({ service: key, ingress: want.map((i) => i.ip) }, 'load balancer status updated');
      if (managesLoadBalancer(svc)) recorder.event(svc, 'Normal', 'EnsuredLoadBalancer', 'Ensured load balancer');
      else recorder.event(svc, 'Normal', 'DeletedLoadBalancer', 'Deleted load balancer');
    };
    await runQueue(ctx, signal, { name: 'service-lb', queue, workers: intOption(ctx, 'concurrent-service-syncs', 1), reconcile });
  },
};
