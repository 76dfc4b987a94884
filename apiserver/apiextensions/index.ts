// apiextensions-apiserver inside tskube's apiserver: CustomResourceDefinitions are stored like
// any built-in (with their own strategy), and this package serves what they define — the
// registry routing, discovery and OpenAPI consult, a store per served version, and the CRD
// controller that keeps both in step with the CRDs.
import type { Logger } from 'pino';
import type { AdmissionPlugin } from '../admission/interfaces.js';
import type { RESTStrategy } from '../registry/rest-strategy.js';
import type { ResourceStore } from '../registry/store.js';
import type { Storage } from '../storage/storage.js';
import { CRDController } from './controller.js';
import { crdStrategy } from './crd-strategy.js';
import { CustomResourceStores } from './cr-stores.js';
import { ResourceRegistry } from './registry.js';

/** The strategies apiextensions gives built-in stores: the CRD's own. */
export const APIEXTENSIONS_STRATEGIES: Record<string, RESTStrategy> = {
  'apiextensions.k8s.io/customresourcedefinitions': crdStrategy,
};

export interface ApiExtensionsOptions {
  storage: Storage;
  etcdPrefix: string;
  admission: AdmissionPlugin[];
  watchCacheSize: number;
  /** The CustomResourceDefinition store. */
  crds: ResourceStore;
  log: Logger;
}

export class ApiExtensions {
  readonly registry = new ResourceRegistry();
  private readonly stores: CustomResourceStores;
  private readonly controller: CRDController;

  constructor(o: ApiExtensionsOptions) {
    this.stores = new CustomResourceStores(o.storage, o.etcdPrefix, o.admission, o.log, o.watchCacheSize);
    this.controller = new CRDController({ crds: o.crds, registry: this.registry, stores: this.stores, log: o.log.child({ controller: 'crd' }) });
  }

  /** The store of a served custom resource version, if any. */
  store(group: string, resource: string, version: string): ResourceStore | undefined {
    return this.stores.get(group, resource, version);
  }

  /** Resolves once the CRDs stored at start-up are served. */
  start(): Promise<void> {
    return this.controller.start();
  }

  async stop(): Promise<void> {
    await this.controller.stop();
    await this.stores.stop();
  }
}
