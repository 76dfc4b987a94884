// Helpers the Endpoints and EndpointSlice controllers share (Kubernetes'
// pkg/controller/util/endpoint and pkg/api/v1/pod): which pods belong in a service's endpoints,
// a pod's port for a service port, the labels derived from the service, and the pod→service
// event wiring both controllers use.
import { isDeepStrictEqual } from 'node:util';
import type { Pod, Service, ServicePort } from 'kubernetes-types/core/v1';
import { selectorFromSet } from '../../api/labels.js';
import { deletedObject, metaNamespaceKey, type SharedInformer } from '../../client/index.js';
import { isPodReady } from './controller-utils.js';

export const HEADLESS_LABEL = 'service.kubernetes.io/headless';

export function isPodTerminal(pod: Pod): boolean {
  return pod.status?.phase === 'Failed' || pod.status?.phase === 'Succeeded';
}

/** endpointutil.ShouldPodBeInEndpoints: not finished, has an IP, and (unless asked) not terminating. */
export function shouldPodBeInEndpoints(pod: Pod, includeTerminating: boolean): boolean {
  if (isPodTerminal(pod)) return false;
  if (!pod.status?.podIP && !(pod.status?.podIPs ?? []).length) return false;
  if (!includeTerminating && pod.metadata?.deletionTimestamp) return false;
  return true;
}

/**
 * podutil.FindPort: the pod's port for a service port. A named targetPort is the containerPort
 * of that name and protocol; a pod without one has no port for it (undefined).
 */
export function findPort(pod: Pod, port: ServicePort): number | undefined {
  const target = port.targetPort ?? port.port;
  if (typeof target === 'number') return target;
  const protocol = port.protocol ?? 'TCP';
  const containers = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always')];
  for (const c of containers) {
    for (const p of c.ports ?? []) if (p.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
  }
  return undefined;
}

/** A pod's hostname is published only for the headless service named by its subdomain. */
export function shouldSetHostname(pod: Pod, svc: Service): boolean {
  return !!pod.spec?.hostname && pod.spec.subdomain === svc.metadata?.name && pod.metadata?.namespace === svc.metadata?.namespace;
}

export function isHeadless(svc: Service): boolean {
  return svc.spec?.clusterIP === 'None';
}

/** The labels k8s puts on Endpoints / EndpointSlices of a service: its own, plus the headless marker. */
export function serviceDerivedLabels(svc: Service): Record<string, string> {
  const labels: Record<string, string> = { ...(svc.metadata?.labels ?? {}) };
  delete labels[HEADLESS_LABEL];
  if (isHeadless(svc)) labels[HEADLESS_LABEL] = '';
  return labels;
}

/** What about a pod matters to endpoints; updates that change none of it are ignored. */
export function podEndpointFingerprint(pod: Pod): string {
  return JSON.stringify([
    pod.status?.podIP,
    pod.status?.podIPs,
    isPodReady(pod),
    isPodTerminal(pod),
    !!pod.metadata?.deletionTimestamp,
    pod.spec?.nodeName,
    pod.spec?.hostname,
    pod.spec?.subdomain,
    (pod.spec?.containers ?? []).map((c) => c.ports ?? []),
  ]);
}

/** Services in the pod's namespace whose selector matches the pod's labels. */
export function servicesForPod(services: SharedInformer<Service>, pod: Pod): Service[] {
  return services.lister
    .byIndex('namespace', pod.metadata?.namespace ?? '')
    .filter((s) => s.spec?.selector && Object.keys(s.spec.selector).length && selectorFromSet(s.spec.selector).matches(pod.metadata?.labels ?? {}));
}

/** Enqueues the services of a pod on add/delete, and on updates that change endpoints or labels. */
export function enqueueServicesOfPods(services: SharedInformer<Service>, pods: SharedInformer<Pod>, enqueue: (key: string) => void): void {
  const forPod = (pod: Pod): void => {
    for (const s of servicesForPod(services, pod)) enqueue(metaNamespaceKey(s));
  };
  pods.addEventHandler({
    onAdd: forPod,
    onUpdate: (old, cur) => {
      const labelsChanged = !isDeepStrictEqual(old.metadata?.labels ?? {}, cur.metadata?.labels ?? {});
      if (!labelsChanged && podEndpointFingerprint(old) === podEndpointFingerprint(cur)) return;
      forPod(cur);
      if (labelsChanged) forPod(old);
    },
    onDelete: (obj) => forPod(deletedObject(obj)),
  });
}

export function selectedPods(pods: SharedInformer<Pod>, svc: Service): Pod[] {
  const sel = selectorFromSet(svc.spec?.selector ?? {});
  return pods.lister.byIndex('namespace', svc.metadata?.namespace ?? '').filter((p) => sel.matches(p.metadata?.labels ?? {}));
}

export function hasSelector(svc: Service): boolean {
  return !!svc.spec?.selector && Object.keys(svc.spec.selector).length > 0;
}
