// N writers on ConfigMaps: creates, and read-modify-writes (GET, then PUT with the
// resourceVersion read, again on 409) of a few shared counters, so writers conflict with each
// other as controllers do. Every answer goes into the Ledger; checkWrites compares it with a
// consistent LIST of what the cluster holds.
import type { ConfigMap } from 'kubernetes-types/core/v1';
import { StatusError } from '../../api/status.js';
import { isAlreadyExists, isConflict, isNotFound, type RestClient } from '../../client/index.js';
import { sleep } from './clients.js';
import { Ledger, checkLedger, counterState, type CounterState } from './ledger.js';

const OPS_PER_COUNTER = 1500;

export interface WritersOptions {
  client: RestClient;
  namespace: string;
  /** Label value marking this run's objects. */
  run: string;
  writers: number;
  counters: number;
  /** Pause between one writer's operations. */
  intervalMs: number;
}

/** A definite "not applied": a 4xx other than a timeout. Anything else may have been applied. */
function definitelyNotApplied(e: unknown): boolean {
  return e instanceof StatusError && e.code >= 400 && e.code < 500 && e.code !== 408;
}

export class Writers {
  readonly ledger = new Ledger();
  private stopped = false;
  private loops: Promise<void>[] = [];
  private seq = 0;

  constructor(private readonly opts: WritersOptions) {}

  /** Counters rotate every OPS_PER_COUNTER operations so that none grows without bound. */
  counterName(n: number): string {
    return `counter-${this.opts.run}-${Math.floor(n / OPS_PER_COUNTER)}-${n % this.opts.counters}`;
  }

  private cms() {
    return this.opts.client.resource('configmaps', this.opts.namespace);
  }

  start(): void {
    for (let w = 0; w < this.opts.writers; w++) this.loops.push(this.loop(w));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.loops);
  }

  private async loop(w: number): Promise<void> {
    while (!this.stopped) {
      const n = this.seq++;
      // Two increments for one create: the read-modify-writes are where updates get lost.
      if (n % 3 === 0) await this.create(w, n);
      else await this.increment(w, n);
      await sleep(this.opts.intervalMs);
    }
  }

  private async create(w: number, n: number): Promise<void> {
    const name = `w${w}-${this.opts.run}-${n}`;
    try {
      await this.cms().create({ metadata: { name, labels: { 'chaos-run': this.opts.run } }, data: { writer: String(w) } });
      this.ledger.ackCreate(name);
    } catch (e) {
      if (definitelyNotApplied(e) && !isAlreadyExists(e)) this.ledger.failures++;
      else this.ledger.ambiguousCreate(name);
    }
  }

  private async increment(w: number, n: number): Promise<void> {
    const counter = this.counterName(n);
    const op = `w${w}.${n}`;
    this.ledger.sendOp(op);
    for (let attempt = 0; attempt < 20 && !this.stopped; attempt++) {
      let cm: ConfigMap;
      try {
        cm = await this.cms().get(counter);
      } catch (e) {
        if (isNotFound(e)) {
          if (await this.createCounter(counter, op)) return;
        } else this.ledger.failures++;
        await sleep(200);
        continue;
      }
      const st = counterState(cm.data);
      // A PUT whose answer was lost may have been applied: then this op is already in.
      if (st.ops.includes(op)) {
        this.ledger.ackOp(counter, op);
        return;
      }
      cm.data = { count: String(st.count + 1), ops: [...st.ops, op].join(',') };
      try {
        await this.cms().update(cm);
        this.ledger.ackOp(counter, op);
        return;
      } catch (e) {
        if (isConflict(e)) {
          this.ledger.conflicts++;
          continue;
        }
        if (definitelyNotApplied(e)) {
          this.ledger.failures++;
          return;
        }
        this.ledger.ambiguousOp(counter, op);
        await sleep(200);
      }
    }
  }

  /** The first increment creates its counter; AlreadyExists: another writer did, read it. */
  private async createCounter(name: string, op: string): Promise<boolean> {
    try {
      await this.cms().create({ metadata: { name, labels: { 'chaos-run': this.opts.run } }, data: { count: '1', ops: op } });
      this.ledger.ackOp(name, op);
      return true;
    } catch (e) {
      if (isAlreadyExists(e)) this.ledger.conflicts++;
      else if (definitelyNotApplied(e)) this.ledger.failures++;
      else this.ledger.ambiguousOp(name, op);
      return false;
    }
  }
}

/** Lists this run's ConfigMaps (a consistent read) and checks the ledger against them. */
export async function checkWrites(w: Writers, client: RestClient, namespace: string, run: string): Promise<string[]> {
  const acked = w.ledger.snapshot();
  const list = await client.resource('configmaps', namespace).list({ labelSelector: `chaos-run=${run}` });
  const existing = new Set(list.items.map((c) => c.metadata?.name ?? ''));
  const counters = new Map<string, CounterState>();
  for (const c of list.items) if (c.metadata?.name?.startsWith('counter-')) counters.set(c.metadata.name, counterState(c.data));
  return checkLedger(acked, w.ledger.sentOps, existing, counters);
}
