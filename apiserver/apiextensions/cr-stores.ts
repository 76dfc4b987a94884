// One ResourceStore per served version of each CRD (as k8s' crdHandler keeps one storage per
// version): the generic store, handlers, watch cache, selectors and resourceVersion semantics of
// the built-ins, over the key prefix /registry/<group>/<plural>/. Objects are kept at the CRD's
// storage version; each version's store sees them at its own (conversion None: only apiVersion
// changes), through a codec at the etcd edge.
import type { Logger } from 'pino';
import type { ResourceInfo } from '../../api/resources.js';
import type { KObject } from '../../api/types.js';
import { errors } from '../../api/status.js';
import type { AdmissionPlugin } from '../admission/interfaces.js';
import { ResourceStore } from '../registry/store.js';
import type { ObjectCodec, Storage } from '../storage/storage.js';
import { customResourceStrategy } from './cr-strategy.js';

/** conversion: None — the object as it is, under another apiVersion of its group. */
export function noneConverter(group: string, servedVersion: string, storageVersion: string): ObjectCodec {
  const withVersion = (v: string) => (obj: KObject): KObject => {
    const apiVersion = `${group}/${v}`;
    return obj.apiVersion === apiVersion ? obj : { ...obj, apiVersion };
  };
  return { toStorage: withVersion(storageVersion), fromStorage: withVersion(servedVersion) };
}

interface Served {
  info: ResourceInfo;
  store: ResourceStore;
  /** What the store was built from: a CRD update that changes it gets a new store. */
  fingerprint: string;
}

export class CustomResourceStores {
  private readonly byCRD = new Map<string, Served[]>();
  private readonly byPath = new Map<string, ResourceStore>();
  /** CRDs being deleted: their objects are being removed, and no new ones may be created. */
  private readonly terminating = new Set<string>();
  /** As k8s' crdHandler: no creates for a terminating CRD. */
  private readonly refuseTerminating: AdmissionPlugin = {
    admit: (op, info) => {
      if (op === 'CREATE' && this.terminating.has(`${info.resource}.${info.group}`)) {
        throw errors.methodNotAllowed('create not allowed while custom resource definition is terminating');
      }
    },
  };

  constructor(
    private readonly storage: Storage,
    private readonly etcdPrefix: string,
    private readonly admission: AdmissionPlugin[],
    private readonly log: Logger,
    private readonly watchCacheSize: number,
  ) {}

  /** The store of one served version, if the CRD is served. */
  get(group: string, resource: string, version: string): ResourceStore | undefined {
    return this.byPath.get(`${group}/${version}/${resource}`);
  }

  setTerminating(crdName: string, terminating: boolean): void {
    if (terminating) this.terminating.add(crdName);
    else this.terminating.delete(crdName);
  }

  /** Any store of a CRD (they all read the same keys), for the cleanup of its objects. */
  anyStore(crdName: string): ResourceStore | undefined {
    return this.byCRD.get(crdName)?.[0]?.store;
  }

  /** Makes the stores match `infos` (the CRD's served versions); stores no longer wanted stop. */
  async sync(crdName: string, infos: ResourceInfo[]): Promise<void> {
    const old = this.byCRD.get(crdName) ?? [];
    const next: Served[] = [];
    for (const info of infos) {
      const fingerprint = JSON.stringify(info);
      const keep = old.find((s) => s.fingerprint === fingerprint);
      next.push(keep ?? { info, store: this.newStore(info), fingerprint });
    }
    const dropped = old.filter((s) => !next.includes(s));
    for (const s of old) this.byPath.delete(pathOf(s.info));
    for (const s of next) this.byPath.set(pathOf(s.info), s.store);
    if (next.length) this.byCRD.set(crdName, next);
    else this.byCRD.delete(crdName);
    await Promise.all(dropped.map((s) => s.store.cache.stop()));
    await Promise.all(next.map((s) => s.store.cache.ready));
  }

  private newStore(info: ResourceInfo): ResourceStore {
    const custom = info.custom!;
    const storage = this.storage.withCodec(noneConverter(info.group, info.version, custom.storageVersion));
    const log = this.log.child({ resource: `${info.resource}.${info.group}`, version: info.version });
    // The shared chain is complete by now: CRD stores are made once the apiserver is built.
    const admission = [this.refuseTerminating, ...this.admission];
    return new ResourceStore(info, storage, this.etcdPrefix, admission, log, this.watchCacheSize, customResourceStrategy(info));
  }

  async stop(): Promise<void> {
    const all = [...this.byCRD.values()].flat();
    this.byCRD.clear();
    this.byPath.clear();
    await Promise.all(all.map((s) => s.store.cache.stop()));
  }
}

function pathOf(info: ResourceInfo): string {
  return `${info.group}/${info.version}/${info.resource}`;
}
