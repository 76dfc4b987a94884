// The ServiceAccount controller (pkg/controller/serviceaccount): every active namespace has a
// `default` ServiceAccount, created when the namespace appears and again if someone deletes it.
// Terminating namespaces are left alone (their content is being removed).
import type { Namespace, ServiceAccount } from 'kubernetes-types/core/v1';
import { WorkQueue, deletedObject, isAlreadyExists, type SharedInformer } from '../client/index.js';
import type { FlagDeclarations } from './options.js';
import type { Controller, ControllerContext } from './controller.js';
import { namespaceTerminating } from './controller/controller-utils.js';
import { runQueue } from './run-queue.js';

export const DEFAULT_SERVICE_ACCOUNT = 'default';

/** Whether a namespace should have its service accounts (not being deleted). */
export function namespaceActive(ns: Namespace | undefined): boolean {
  return !!ns && !ns.metadata?.deletionTimestamp && ns.status?.phase !== 'Terminating';
}

export class ServiceAccountsController implements Controller {
  static readonly controllerName = 'serviceaccount';
  static readonly flags = {} satisfies FlagDeclarations;
  readonly name = ServiceAccountsController.controllerName;
  private readonly namespaces: SharedInformer<Namespace>;
  private readonly accounts: SharedInformer<ServiceAccount>;
  private readonly queue = new WorkQueue<string>({ name: 'serviceaccount' });

  constructor(private readonly ctx: ControllerContext) {
    this.namespaces = ctx.factory.informerFor('namespaces');
    this.accounts = ctx.factory.informerFor('serviceaccounts');
    this.namespaces.addEventHandler({
      onAdd: (ns) => this.queue.add(ns.metadata?.name ?? ''),
      onUpdate: (_o, ns) => this.queue.add(ns.metadata?.name ?? ''),
    });
    this.accounts.addEventHandler({
      onDelete: (obj) => {
        const sa = deletedObject(obj);
        if (sa.metadata?.name === DEFAULT_SERVICE_ACCOUNT) this.queue.add(sa.metadata.namespace ?? '');
      },
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    try {
      await this.ctx.factory.waitForCacheSync(signal);
    } catch {
      return;
    }
    await runQueue(this.ctx, signal, { name: 'serviceaccount', queue: this.queue, workers: 1, reconcile: (ns) => this.sync(ns) });
  }

  private async sync(namespace: string): Promise<void> {
    if (!namespaceActive(this.namespaces.lister.getByName('', namespace))) return;
    if (this.accounts.lister.getByName(namespace, DEFAULT_SERVICE_ACCOUNT)) return;
    const sa: ServiceAccount = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: DEFAULT_SERVICE_ACCOUNT, namespace } };
    try {
      await this.ctx.client.resource('serviceaccounts').create(sa);
      this.ctx.log.info({ serviceaccount: `${namespace}/${DEFAULT_SERVICE_ACCOUNT}` }, 'created service account');
    } catch (e) {
      // Already there (our cache lagged) or the namespace started terminating: nothing to do.
      if (isAlreadyExists(e) || namespaceTerminating(e)) return;
      throw e;
    }
  }
}
