// What starts once every watch cache is filled (k8s' post-start hooks): the bootstrap objects,
// the security setup's own start (RBAC bootstrap policy, node graph), the service allocation
// repair loop and the `kubernetes` Service's endpoint reconciler. /readyz waits for it.
import type { Logger } from 'pino';
import type { AllocationRepair } from '../alloc/repair.js';
import type { ResourceStores } from '../registry/stores.js';
import { bootstrap, type BootstrapOptions } from './bootstrap.js';
import type { EndpointReconciler } from './endpoint-reconciler.js';

export interface PostStartOptions {
  stores: ResourceStores;
  bootstrap: BootstrapOptions;
  security: { start(): Promise<void> };
  repair: AllocationRepair;
  endpoints?: EndpointReconciler;
  /** More hooks, run in order after the security setup (the aggregator, the authentication ConfigMap). */
  hooks?: (() => Promise<void>)[];
  log: Logger;
}

export class PostStartHooks {
  /** Resolves when the caches are ready and every hook has run. */
  readonly done: Promise<void>;
  private finished = false;
  private closing = false;

  constructor(private readonly o: PostStartOptions) {
    this.done = o.stores.ready().then(async () => {
      await this.untilDone('bootstrap', () => bootstrap(o.stores.get, o.log, o.bootstrap));
      await this.untilDone('security', () => o.security.start());
      for (const [i, hook] of (o.hooks ?? []).entries()) if (!this.closing) await this.untilDone(`hook ${i}`, hook);
      if (!this.closing) {
        o.repair.start();
        o.endpoints?.start();
      }
      this.finished = true;
    });
    this.done.catch((e: unknown) => o.log.error({ err: e }, 'apiserver start-up failed'));
  }

  /**
   * Runs one step until it succeeds, as k8s' post-start hooks poll: a step that loses a race with
   * another apiserver starting on the same etcd (a Conflict, an object created meanwhile, etcd
   * briefly unreachable) is tried again instead of leaving this apiserver never ready.
   */
  private async untilDone(step: string, fn: () => Promise<void>): Promise<void> {
    for (let delay = 200; ; delay = Math.min(delay * 2, 5000)) {
      try {
        await fn();
        return;
      } catch (e) {
        if (this.closing) throw e;
        this.o.log.warn({ err: e, step }, 'post-start step failed; retrying');
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  get ready(): boolean {
    return this.finished;
  }

  /** Stops the loops; a clean stop takes this apiserver out of the kubernetes Service (Kubernetes does too). */
  async stopEndpoints(): Promise<void> {
    this.closing = true;
    await this.o.endpoints?.stop(this.finished);
  }

  async stopRepair(): Promise<void> {
    await this.o.repair.stop();
  }
}
