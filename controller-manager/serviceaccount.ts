// The ServiceAccount controller (pkg/controller/serviceaccount): every active namespace has a
// `default` ServiceAccount, created when the namespace appears and again if someone deletes it.
// Terminating namespaces are left alone (their content is being removed).
import type { Namespace, ServiceAccount } from 'kubernetes-types/core/v1';
import { WorkQueue, deletedObject, isAlreadyExists } from '../client/index.js';
import type { Controller, ControllerContext } from './controller.js';
import { namespaceTerminating } from './controller/controller-utils.js';
import { runQueue } from './run-queue.js';

export const DEFAULT_SERVICE_ACCOUNT = 'default';

/** Whether a namespace should have its service accounts (not being deleted). */
export function namespaceActive(ns: Namespace | undefined): boolean {
  return !!ns && !ns.metadata?.deletionTimestamp && ns.status?.phase !== 'Terminating';
}

export const serviceAccountController: Controller = {
  name: 'serviceaccount',
  async run(ctx: ControllerContext, signal: AbortSignal): Promise<void> {
    const log = ctx.log;
    const namespaces = ctx.factory.informerFor('namespaces');
    const accounts = ctx.factory.informerFor('serviceaccounts');
    const client = ctx.client.resource('serviceaccounts');
    const queue = new WorkQueue<string>({ name: 'serviceaccount' });
    namespaces.addEventHandler({
      onAdd: (ns) => queue.add(ns.metadata?.name ?? ''),
      onUpdate: (_o, ns) => queue.add(ns.metadata?.name ?? ''),
    });
    accounts.addEventHandler({
      onDelete: (obj) => {
        const sa = deletedObject(obj);
        if (sa.metadata?.name === DEFAULT_SERVICE_ACCOUNT) queue.add(sa.metadata.namespace ?? '');
      },
    });
    try {
      await ctx.factory.waitForCacheSync(signal);
    } catch {
      return;
    }
    const reconcile = async (namespace: string): Promise<void> => {
      if (!namespaceActive(namespaces.lister.getByName('', namespace))) return;
      if (accounts.lister.getByName(namespace, DEFAULT_SERVICE_ACCOUNT)) return;
      const sa: ServiceAccount = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: DEFAULT_SERVICE_ACCOUNT, namespace } };
      try {
        await client.create(sa);
        log.info({ serviceaccount: `${namespace}/${DEFAULT_SERVICE_ACCOUNT}` }, 'created service account');
      } catch (e) {
        // Already there (our cache lagged) or the namespace started terminating: nothing to do.
        if (isAlreadyExists(e) || namespaceTerminating(e)) return;
        throw e;
      }
    };
    await runQueue(ctx, signal, { name: 'serviceaccount', queue, workers: 1, reconcile });
  },
};
