// The CRD controller inside the apiserver (k8s apiextensions-apiserver's naming, establishing
// and finalizer controllers, plus the crdHandler's serving): for every CustomResourceDefinition
// it decides the accepted names and the NamesAccepted / Established conditions, serves the
// versions of established ones, and for a deleted one removes every object, then the
// `customresourcecleanup.apiextensions.k8s.io` finalizer, then stops serving it. Driven by the
// CRD watch cache, one CRD at a time, level-based.
import type { CustomResourceDefinition } from 'kubernetes-types/apiextensions/v1';
import type { Logger } from 'pino';
import { RESOURCES } from '../../api/resources.js';
import type { KObject } from '../../api/types.js';
import { parseListOptions } from '../registry/list-options.js';
import { nowTime } from '../registry/object-meta.js';
import type { ResourceStore } from '../registry/store.js';
import { setCondition } from './conditions.js';
import { CLEANUP_FINALIZER } from './crd-strategy.js';
import type { CustomResourceStores } from './cr-stores.js';
import { decideNames } from './naming.js';
import type { ResourceRegistry } from './registry.js';
import { customResourceInfos } from './resource-info.js';
import { isEstablished } from './validation.js';

const RETRY_MS = 1000;

export interface CRDControllerOptions {
  crds: ResourceStore;
  registry: ResourceRegistry;
  stores: CustomResourceStores;
  log: Logger;
}

export class CRDController {
  private readonly queue = new Set<string>();
  private running = false;
  private stopped = false;
  private unsubscribe: (() => void) | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly o: CRDControllerOptions) {}

  /** Serves the established CRDs once the CRD cache is filled, then follows its events. */
  async start(): Promise<void> {
    await this.o.crds.cache.ready;
    if (!this.stopped) this.subscribe();
    await this.drained();
  }

  private subscribe(): void {
    const cache = this.o.crds.cache;
    for (const e of cache.list()) this.enqueue(e.obj.metadata?.name ?? '');
    this.unsubscribe = cache.watch(cache.rv, {
      onEvent: (ev) => {
        const name = ev.entry.obj.metadata?.name ?? '';
        this.enqueue(name);
        // A CRD gone or renamed may free names another CRD of its group waits for.
        const group = (ev.entry.obj as unknown as CustomResourceDefinition).spec?.group;
        for (const other of cache.list()) if ((other.obj as unknown as CustomResourceDefinition).spec?.group === group) this.enqueue(other.obj.metadata?.name ?? '');
      },
      onReset: () => {
        // The cache relists after this returns; follow it again once it is ready.
        this.later(0, () => void this.o.crds.cache.ready.then(() => !this.stopped && this.subscribe()));
      },
    });
  }

  private later(ms: number, f: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      f();
    }, ms);
    this.timers.add(t);
  }

  private enqueue(name: string): void {
    if (!name || this.stopped) return;
    this.queue.add(name);
    void this.drain();
  }

  private drainedWaiters: (() => void)[] = [];

  private drained(): Promise<void> {
    if (!this.running && this.queue.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainedWaiters.push(resolve));
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    while (this.queue.size && !this.stopped) {
      const name = this.queue.values().next().value as string;
      this.queue.delete(name);
      try {
        const retry = await this.reconcile(name);
        if (retry) this.later(RETRY_MS, () => this.enqueue(name));
      } catch (e) {
        if (!this.stopped) this.o.log.warn({ err: e, crd: name }, 'CRD reconcile failed; retrying');
        this.later(RETRY_MS, () => this.enqueue(name));
      }
    }
    this.running = false;
    for (const w of this.drainedWaiters.splice(0)) w();
  }

  /** Returns true to be called again later (objects still being deleted). */
  private async reconcile(name: string): Promise<boolean> {
    const entry = this.o.crds.cache.get(name);
    if (!entry) {
      this.o.stores.setTerminating(name, false);
      await this.serve(name, undefined);
      return false;
    }
    const crd = entry.obj as unknown as CustomResourceDefinition;
    if (crd.metadata?.deletionTimestamp) return this.cleanUp(crd);
    await this.updateNames(crd);
    return false;
  }

  /**
   * Serves the CRD as decided, then writes acceptedNames, NamesAccepted and Established when
   * they differ: a client that sees Established=True finds the resource served.
   */
  private async updateNames(crd: CustomResourceDefinition): Promise<void> {
    const name = crd.metadata!.name!;
    const statusOf = (c: CustomResourceDefinition): Record<string, unknown> => {
      const others = this.o.crds.cache.list().map((e) => e.obj as unknown as CustomResourceDefinition);
      const d = decideNames(c, others, RESOURCES);
      let status: Record<string, unknown> = { ...(c.status ?? {}), acceptedNames: d.acceptedNames };
      status = setCondition(status, { ...d.namesAccepted, lastTransitionTime: nowTime() });
      status = setCondition(status, { ...d.established, lastTransitionTime: nowTime() });
      return status;
    };
    const status = statusOf(crd);
    await this.serve(name, { ...crd, status } as CustomResourceDefinition);
    if (JSON.stringify(status) === JSON.stringify(crd.status ?? {})) return;
    await this.o.crds.guaranteedUpdate(undefined, name, (cur) => {
      cur.status = statusOf(cur as unknown as CustomResourceDefinition);
      return cur;
    }, { subresource: 'status' });
  }

  /** Makes what is served match the CRD: its versions when established, nothing otherwise. */
  private async serve(name: string, crd: CustomResourceDefinition | undefined): Promise<void> {
    const infos = crd && isEstablished(crd as unknown as Record<string, unknown>) ? customResourceInfos(crd) : [];
    if (infos.length === 0) this.o.registry.set(name, []);
    await this.o.stores.sync(name, infos);
    if (infos.length) this.o.registry.set(name, infos);
  }

  /** Deletes every object of a terminating CRD, then lets the CRD go. */
  private async cleanUp(crd: CustomResourceDefinition): Promise<boolean> {
    const name = crd.metadata!.name!;
    if (!(crd.metadata?.finalizers ?? []).includes(CLEANUP_FINALIZER)) return false;
    this.o.stores.setTerminating(name, true);
    const store = this.o.stores.anyStore(name);
    if (store) {
      const all = async () => (await store.list(undefined, parseListOptions(store.info, {}))).items;
      const items = await all();
      for (const { obj } of items) await deleteIgnoringNotFound(store, obj);
      // Objects with finalizers of their own stay until those are removed: look again later.
      if (items.length && (await all()).length) return true;
    }
    this.o.registry.set(name, []);
    await this.o.stores.sync(name, []);
    await this.o.crds.guaranteedUpdate(undefined, name, (cur) => {
      cur.metadata = { ...cur.metadata, finalizers: (cur.metadata?.finalizers ?? []).filter((f) => f !== CLEANUP_FINALIZER) };
      return cur;
    }, { subresource: 'raw' });
    return false;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await this.drained();
  }
}

async function deleteIgnoringNotFound(store: ResourceStore, obj: KObject): Promise<void> {
  try {
    await store.delete(obj.metadata?.namespace, obj.metadata?.name ?? '');
  } catch (e) {
    if (!(e instanceof Error && 'code' in e && (e as { code: number }).code === 404)) throw e;
  }
}
