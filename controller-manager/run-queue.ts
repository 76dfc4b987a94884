// How a controller runs its workqueue inside the controller-manager: N workers over the queue
// until the manager's signal aborts, with the metrics kube-controller-manager exposes for every
// queue (depth, reconcile latency, errors). Every controller uses it so /metrics is uniform.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { runWorkers, type ReconcileResult, type WorkQueue } from '../client/index.js';
import type { ControllerContext } from './controller.js';

interface QueueMetrics {
  depth: Gauge<'name'>;
  duration: Histogram<'controller' | 'result'>;
  errors: Counter<'controller'>;
  adds: Counter<'name'>;
}

/** Registered once per registry (prom-client refuses a second metric of the same name). */
const metricsByRegistry = new WeakMap<Registry, { metrics: QueueMetrics; queues: Map<string, WorkQueue<unknown>> }>();

function metricsFor(registry: Registry): { metrics: QueueMetrics; queues: Map<string, WorkQueue<unknown>> } {
  let entry = metricsByRegistry.get(registry);
  if (entry) return entry;
  const queues = new Map<string, WorkQueue<unknown>>();
  const metrics: QueueMetrics = {
    // Depth is read at scrape time so it is exact, not sampled.
    depth: new Gauge({
      name: 'workqueue_depth',
      help: 'Current depth of workqueue',
      labelNames: ['name'],
      registers: [registry],
      collect() {
        for (const [name, q] of queues) this.set({ name }, q.len());
      },
    }),
    duration: new Histogram({
      name: 'controller_reconcile_duration_seconds',
      help: 'Time one reconcile (sync) of a key took',
      labelNames: ['controller', 'result'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    errors: new Counter({
      name: 'controller_reconcile_errors_total',
      help: 'Reconciles that failed and were requeued with backoff',
      labelNames: ['controller'],
      registers: [registry],
    }),
    adds: new Counter({
      name: 'workqueue_reconciles_total',
      help: 'Keys processed by the workqueue',
      labelNames: ['name'],
      registers: [registry],
    }),
  };
  entry = { metrics, queues };
  metricsByRegistry.set(registry, entry);
  return entry;
}

export interface RunQueueOptions<T> {
  /** The controller name (metrics label). */
  name: string;
  queue: WorkQueue<T>;
  workers: number;
  reconcile: (item: T) => Promise<ReconcileResult | void> | ReconcileResult | void;
}

/**
 * Runs `workers` loops over the queue until `signal` aborts, then drains the queue (a key
 * being reconciled finishes) and resolves.
 */
export async function runQueue<T>(ctx: ControllerContext, signal: AbortSignal, opts: RunQueueOptions<T>): Promise<void> {
  const { metrics, queues } = metricsFor(ctx.registry);
  queues.set(opts.queue.name, opts.queue as WorkQueue<unknown>);
  const stop = (): void => opts.queue.shutDown();
  if (signal.aborted) stop();
  else signal.addEventListener('abort', stop, { once: true });
  try {
    await runWorkers(
      opts.queue,
      opts.workers,
      async (item) => {
        const end = metrics.duration.startTimer({ controller: opts.name });
        metrics.adds.inc({ name: opts.queue.name });
        try {
          const result = await opts.reconcile(item);
          end({ result: 'success' });
          return result;
        } catch (e) {
          end({ result: 'error' });
          metrics.errors.inc({ controller: opts.name });
          throw e;
        }
      },
      { logger: ctx.log },
    );
  } finally {
    signal.removeEventListener('abort', stop);
    queues.delete(opts.queue.name);
  }
}
