// Objects every cluster starts with: the system namespaces (k8s' SystemNamespaces controller),
// the system PriorityClasses (k8s' scheduling post-start hook)
// and the `kubernetes` Service in `default` on the first address of the service range (k8s'
// bootstrap controller).
import type { Logger } from 'pino';
import { StatusError } from '../../api/status.js';
import type { ResourceStore } from '../registry/store.js';
import type { KObject } from '../../api/types.js';
import { systemPriorityClasses } from '../../api/scheduling/priority.js';

export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export interface BootstrapOptions {
  /** The `kubernetes` Service's ClusterIP; no Service is made without it. */
  kubernetesServiceIP?: string;
}

export async function bootstrap(store: (group: string, resource: string) => ResourceStore, log: Logger, opts: BootstrapOptions = {}): Promise<void> {
  const namespaces = store('', 'namespaces');
  for (const name of SYSTEM_NAMESPACES) {
    try {
      await namespaces.create(undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
      log.info({ namespace: name }, 'created system namespace');
    } catch (e) {
      if (!(e instanceof StatusError && e.code === 409)) throw e;
    }
  }
  await ensureSystemPriorityClasses(store('scheduling.k8s.io', 'priorityclasses'), log);
  if (opts.kubernetesServiceIP) await ensureKubernetesService(store('', 'services'), opts.kubernetesServiceIP, log);
}

/**
 * The Service pods find the apiserver by. Kubernetes' own shape (https/443 → 6443, no
 * selector); tskube has no endpoint reconciler for it yet, so it has no endpoints.
 */
async function ensureKubernetesService(services: ResourceStore, ip: string, log: Logger): Promise<void> {
  // Looked up first, as the bootstrap controller does: a create of an existing Service fails
  // in IP allocation (422, its own address is taken) before the name's 409, and every
  // restart logged that as a warning.
  try {
    await services.get('default', 'kubernetes');
    return;
  } catch (e) {
    if (!(e instanceof StatusError && e.code === 404)) throw e;
  }
  try {
    await services.create('default', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
      spec: { type: 'ClusterIP', clusterIP: ip, ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }], sessionAffinity: 'None' },
    });
    log.info({ service: 'default/kubernetes', clusterIP: ip }, 'created the kubernetes service');
  } catch (e) {
    if (e instanceof StatusError && e.code === 409) return;
    // Another Service holds the address (e.g. the range changed): serve anyway, say so.
    if (e instanceof StatusError && e.code === 422) {
      log.warn({ service: 'default/kubernetes', err: e }, 'could not create the kubernetes service');
      return;
    }
    throw e;
  }
}

/** The scheduling post-start hook (pkg/registry/scheduling/rest AddSystemPriorityClasses). */
async function ensureSystemPriorityClasses(classes: ResourceStore, log: Logger): Promise<void> {
  for (const pc of systemPriorityClasses()) {
    try {
      await classes.create(undefined, pc as unknown as KObject);
      log.info({ priorityClass: pc.metadata?.name }, 'created system priority class');
    } catch (e) {
      if (!(e instanceof StatusError && e.code === 409)) throw e;
    }
  }
}
