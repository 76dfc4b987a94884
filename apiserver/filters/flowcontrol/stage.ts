// Stage 5 with API Priority and Fairness (k8s' filters.WithPriorityAndFairness), in place of
// the plain in-flight limit: classify the request by FlowSchema, say which schema and level
// in the X-Kubernetes-PF-* headers, then hold it until its level has a seat (or answer 429
// with Retry-After: 1). Long-running requests (watch, exec, log -f, proxy) take no seat.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { ApiserverMetrics } from '../../server/metrics.js';
import { FLOW_SCHEMAS, PRIORITY_LEVELS } from './bootstrap.js';
import { FlowController } from './controller.js';
import { FlowcontrolMetrics } from './metrics.js';

export interface PriorityAndFairnessOptions {
  serverConcurrencyLimit: number;
  /** Default 15 s (a quarter of the 60 s request timeout, as Kubernetes). */
  queueWaitMs?: number;
  metrics: ApiserverMetrics;
}

export const priorityAndFairnessStage = fp(
  async (app: FastifyInstance, opts: PriorityAndFairnessOptions) => {
    const controller = new FlowController(
      { serverConcurrencyLimit: opts.serverConcurrencyLimit, queueWaitMs: opts.queueWaitMs ?? 15_000, schemas: FLOW_SCHEMAS, levels: PRIORITY_LEVELS },
      new FlowcontrolMetrics(opts.metrics.registry),
    );
    const seats = new WeakMap<FastifyRequest, () => void>();
    let inflight = 0;
    const release = (req: FastifyRequest) => {
      const give = seats.get(req);
      if (!give) return;
      seats.delete(req);
      give();
      opts.metrics.inflight.set(--inflight);
    };
    app.addHook('onRequest', async (req, reply) => {
      const user = req.k8s.user;
      if (req.k8s.longRunning || !user) return;
      const d = controller.classify(user, req.k8s.attributes);
      if (!d) return;
      reply.header('X-Kubernetes-PF-FlowSchema-UID', d.schema.metadata.uid);
      reply.header('X-Kubernetes-PF-PriorityLevel-UID', d.level.config.metadata.uid);
      const gone = new AbortController();
      const onClose = () => gone.abort();
      reply.raw.once('close', onClose);
      try {
        seats.set(req, await controller.acquire(d, gone.signal));
        opts.metrics.inflight.set(++inflight);
      } finally {
        reply.raw.off('close', onClose);
      }
      // The client left while the seat was being granted: give it back now.
      if (gone.signal.aborted) release(req);
    });
    app.addHook('onResponse', async (req) => release(req));
    app.addHook('onRequestAbort', async (req) => release(req));
  },
  { name: 'tskube-priority-and-fairness' },
);
