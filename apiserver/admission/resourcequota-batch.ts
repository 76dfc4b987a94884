// How ResourceQuota admission charges quotas (upstream's quotaEvaluator work queue in
// plugin/pkg/admission/resourcequota/controller.go): requests for one namespace wait while a
// round is in flight, then the next round takes them all, evaluates them one after another
// against each quota's current status.used, and writes each quota once — a compare-and-swap
// (resourceVersion precondition) that, on conflict, reads the quota again and re-evaluates the
// whole batch. One write per quota per round keeps concurrent creates fast; the swap keeps them
// exact across apiservers.
import type { KObject } from '../../api/types.js';
import type { Evaluator } from '../../api/quota/evaluators.js';
import { charge, QuotaDenied, quotaView, restrictedResources } from '../../api/quota/quota.js';
import { formatResourceList, type ResourceList } from '../../api/quota/resource-list.js';
import type { ResourceStore } from '../registry/store.js';

type Rec = Record<string, unknown>;

export interface ChargeRequest {
  evaluator: Evaluator;
  obj: Rec;
  delta: ResourceList;
  /** The quotas (by name) the cached look found applying. */
  quotas: string[];
}

interface Waiter extends ChargeRequest {
  /** Set when a quota refused it; later quotas of the round skip it. */
  denied?: QuotaDenied;
  done: (err?: unknown) => void;
}

export class QuotaChargeBatcher {
  private readonly pending = new Map<string, Waiter[]>();
  private readonly running = new Set<string>();
  /**
   * The last status each quota got from this batcher: the next round's first guess, since the
   * watch cache may not have seen that write yet (a stale guess costs a failed swap and a read).
   */
  private readonly written = new Map<string, KObject>();

  constructor(private readonly quotas: () => ResourceStore) {}

  /** Resolves once charged on every quota; rejects with QuotaDenied when one refuses it. */
  charge(namespace: string, req: ChargeRequest): Promise<void> {
    return new Promise((resolve, reject) => {
      const list = this.pending.get(namespace) ?? [];
      list.push({ ...req, done: (err) => (err === undefined ? resolve() : reject(err)) });
      this.pending.set(namespace, list);
      if (!this.running.has(namespace)) void this.drain(namespace);
    });
  }

  private async drain(namespace: string): Promise<void> {
    this.running.add(namespace);
    try {
      for (;;) {
        const batch = this.pending.get(namespace);
        if (!batch?.length) break;
        this.pending.delete(namespace);
        try {
          await this.round(namespace, batch);
          for (const w of batch) w.done(w.denied);
        } catch (err) {
          for (const w of batch) w.done(w.denied ?? err);
        }
      }
    } finally {
      this.running.delete(namespace);
    }
  }

  /** One write per quota the batch touches, in name order. */
  private async round(namespace: string, batch: Waiter[]): Promise<void> {
    const names = [...new Set(batch.flatMap((w) => w.quotas))].sort();
    for (const name of names) {
      const waiters = batch.filter((w) => w.quotas.includes(name));
      let refused = new Map<Waiter, QuotaDenied>();
      const key = `${namespace}/${name}`;
      try {
        const { obj } = await this.quotas().guaranteedUpdate(namespace, name, (cur) => {
          // Re-run on every conflict: decide the batch afresh against this version.
          refused = new Map();
          let view = quotaView(cur as Rec);
          let changed = false;
          for (const w of waiters) {
            if (w.denied) continue;
            try {
              if (restrictedResources(w.evaluator, view, w.obj) === undefined) continue;
              view = { ...view, used: charge(view, w.delta) };
              changed = true;
            } catch (err) {
              if (!(err instanceof QuotaDenied)) throw err;
              refused.set(w, err);
            }
          }
          if (!changed) return cur;
          const status = (cur as Rec)['status'] as Rec;
          status['used'] = { ...(status['used'] as Rec), ...formatResourceList(view.used) };
          return cur as KObject;
        }, { subresource: 'status', ...(this.written.has(key) ? { guess: this.written.get(key)! } : {}) });
        this.written.set(key, obj);
      } catch (err) {
        this.written.delete(key);
        // A quota deleted meanwhile limits nothing any more.
        if ((err as { code?: number }).code !== 404) throw err;
      }
      for (const [w, err] of refused) w.denied = err;
    }
  }
}
