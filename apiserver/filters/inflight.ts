// Stage 5: the in-flight limit (k8s' filters.WithMaxInFlightLimit): at most N requests that
// are not long-running are served at once; the rest get 429 with Retry-After, which clients
// retry. Also the request metrics, which count every request whatever stage ended it.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { errors } from '../../api/status.js';
import type { ApiserverMetrics } from '../server/metrics.js';

/** The metric labels of a request: Kubernetes' upper-case verb and resource[/subresource]. */
function labels(req: FastifyRequest): { verb: string; resource: string } {
  const a = req.k8s.attributes;
  const resource = !a.resourceRequest ? 'other' : a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const verb = a.resourceRequest ? (a.verb === 'create' ? 'POST' : a.verb === 'update' ? 'PUT' : a.verb.toUpperCase()) : req.method;
  return { verb, resource };
}

export const requestMetricsStage = fp(
  async (app: FastifyInstance, opts: { metrics: ApiserverMetrics }) => {
    const started = new WeakMap<FastifyRequest, bigint>();
    app.addHook('onRequest', async (req) => {
      started.set(req, process.hrtime.bigint());
    });
    const done = (req: FastifyRequest, code: number) => {
      const t0 = started.get(req);
      if (t0 === undefined || !req.k8s) return;
      started.delete(req);
      const l = labels(req);
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      if (!req.k8s.longRunning) opts.metrics.latency.observe(l, seconds);
      opts.metrics.requests.inc({ ...l, code: String(code) });
      req.log.debug({ ...l, url: req.url, code, ms: seconds * 1000, user: req.k8s.user?.username }, 'request');
    };
    app.addHook('onResponse', async (req, reply) => done(req, reply.statusCode));
    app.addHook('onRequestAbort', async (req) => done(req, 499));
  },
  { name: 'tskube-request-metrics', dependencies: ['tskube-request-info'] },
);

export const maxInFlightStage = fp(
  async (app: FastifyInstance, opts: { maxRequestsInflight: number; metrics: ApiserverMetrics }) => {
    let inflight = 0;
    const holding = new WeakSet<FastifyRequest>();
    const release = (req: FastifyRequest) => {
      if (!holding.delete(req)) return;
      inflight--;
      opts.metrics.inflight.set(inflight);
    };
    app.addHook('onRequest', async (req) => {
      if (req.k8s.longRunning) return;
      if (opts.maxRequestsInflight > 0 && inflight >= opts.maxRequestsInflight) throw errors.tooManyRequests();
      inflight++;
      holding.add(req);
      opts.metrics.inflight.set(inflight);
    });
    app.addHook('onResponse', async (req) => release(req));
    app.addHook('onRequestAbort', async (req) => release(req));
  },
  { name: 'tskube-max-in-flight' },
);
