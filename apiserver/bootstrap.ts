// Objects every cluster starts with: the system namespaces (k8s' SystemNamespaces controller).
import type { Logger } from 'pino';
import { StatusError } from '../api/status.js';
import type { ResourceStore } from './registry.js';

export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export async function bootstrap(store: (group: string, resource: string) => ResourceStore, log: Logger): Promise<void> {
  const namespaces = store('', 'namespaces');
  for (const name of SYSTEM_NAMESPACES) {
    try {
      await namespaces.create(undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
      log.info({ namespace: name }, 'created system namespace');
    } catch (e) {
      if (!(e instanceof StatusError && e.code === 409)) throw e;
    }
  }
}
