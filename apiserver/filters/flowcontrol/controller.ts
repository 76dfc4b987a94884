// API Priority and Fairness' controller (k8s' apf_controller): each priority level gets its
// share of the server's concurrency limit and a QueueSet; a classified request takes a seat
// at once, waits in its queue for at most the queue wait limit, or is rejected with 429.
// Borrowing between levels (lendablePercent) is not done: each level keeps its nominal seats.
import type { UserInfo } from '../../../api/user.js';
import { errors, type StatusError } from '../../../api/status.js';
import type { RequestAttributes } from '../../auth/context.js';
import { classify, matchingOrder } from './classify.js';
import type { FlowcontrolMetrics } from './metrics.js';
import { QueueSet } from './queueset.js';
import { flowHash } from './shuffle-shard.js';
import type { FlowSchema, PriorityLevelConfiguration } from './types.js';

export interface FlowcontrolConfig {
  /** --max-requests-inflight + --max-mutating-requests-inflight, as Kubernetes sums them. */
  serverConcurrencyLimit: number;
  /** Longest a request waits in a queue (k8s: a quarter of --request-timeout, 15 s). */
  queueWaitMs: number;
  schemas: readonly FlowSchema[];
  levels: readonly PriorityLevelConfiguration[];
}

export interface Level {
  config: PriorityLevelConfiguration;
  queues: QueueSet;
}

export interface Dispatch {
  schema: FlowSchema;
  level: Level;
  flow: string;
}

/** Seats per limited level: ceil(serverCL × shares / Σ shares) (k8s' nominal concurrency limit). */
export function nominalLimits(levels: readonly PriorityLevelConfiguration[], serverConcurrencyLimit: number): Map<string, number> {
  const shares = (l: PriorityLevelConfiguration) => (l.spec.type === 'Limited' ? l.spec.limited.nominalConcurrencyShares : 0);
  const total = levels.reduce((s, l) => s + shares(l), 0);
  const out = new Map<string, number>();
  for (const l of levels) out.set(l.metadata.name, l.spec.type === 'Exempt' ? Infinity : Math.max(1, Math.ceil((serverConcurrencyLimit * shares(l)) / total)));
  return out;
}

export class FlowController {
  private readonly ordered: FlowSchema[];
  private readonly levels = new Map<string, Level>();

  constructor(
    private readonly cfg: FlowcontrolConfig,
    private readonly metrics: FlowcontrolMetrics,
  ) {
    this.ordered = matchingOrder(cfg.schemas);
    const limits = nominalLimits(cfg.levels, cfg.serverConcurrencyLimit);
    for (const config of cfg.levels) {
      const limit = limits.get(config.metadata.name)!;
      const lr = config.spec.type === 'Limited' ? config.spec.limited.limitResponse : undefined;
      this.levels.set(config.metadata.name, { config, queues: new QueueSet(limit, lr?.type === 'Queue' ? lr.queuing : undefined) });
      if (Number.isFinite(limit)) metrics.nominalLimit.set({ priority_level: config.metadata.name }, limit);
    }
  }

  /** The schema, level and flow of a request; undefined only when no schema matches (unreachable with catch-all). */
  classify(user: UserInfo, attributes: RequestAttributes): Dispatch | undefined {
    const c = classify(this.ordered, user, attributes);
    const level = c && this.levels.get(c.schema.spec.priorityLevelConfiguration.name);
    return c && level ? { schema: c.schema, level, flow: c.flow } : undefined;
  }

  /**
   * Waits for a seat; resolves with the function that gives it back when the request is done.
   * Rejects with a 429 StatusError when the flow's queue is full, the wait times out, or the
   * client goes away (`aborted`).
   */
  async acquire(d: Dispatch, aborted: AbortSignal): Promise<() => void> {
    const labels = { priority_level: d.level.config.metadata.name, flow_schema: d.schema.metadata.name };
    const started = process.hrtime.bigint();
    const waited = () => Number(process.hrtime.bigint() - started) / 1e9;
    const granted = (): (() => void) => {
      this.metrics.dispatched.inc(labels);
      this.metrics.executing.inc(labels);
      this.metrics.waitDuration.observe({ ...labels, execute: 'true' }, waited());
      let done = false;
      return () => {
        if (done) return;
        done = true;
        this.metrics.executing.dec(labels);
        d.level.queues.finish();
      };
    };
    const rejected = (reason: string): StatusError => {
      this.metrics.rejected.inc({ ...labels, reason });
      this.metrics.waitDuration.observe({ ...labels, execute: 'false' }, waited());
      return errors.tooManyRequests();
    };
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const onAbort = () => giveUp('cancelled');
      const admission = d.level.queues.admit(flowHash(d.flow), () => {
        clearTimeout(timer);
        aborted.removeEventListener('abort', onAbort);
        this.metrics.inqueue.dec(labels);
        resolve(granted());
      });
      if (admission.kind === 'run') return resolve(granted());
      if (admission.kind === 'reject') return reject(rejected(admission.reason));
      const giveUp = (reason: string) => {
        if (!admission.cancel()) return;
        clearTimeout(timer);
        aborted.removeEventListener('abort', onAbort);
        this.metrics.inqueue.dec(labels);
        reject(rejected(reason));
      };
      this.metrics.inqueue.inc(labels);
      timer = setTimeout(() => giveUp('time-out'), this.cfg.queueWaitMs);
      aborted.addEventListener('abort', onAbort, { once: true });
      if (aborted.aborted) giveUp('cancelled');
    });
  }
}
