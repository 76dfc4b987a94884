// The dashboard's own Prometheus metrics, and who may read them: a logged-in user (or a bearer
// token, for a scraper) whom the apiserver allows `get` on the non-resource URL /metrics,
// asked with a SelfSubjectAccessReview made as that user — the dashboard holds no rights itself.
import { Counter, Gauge, type Registry } from 'prom-client';
import { errors, type StatusError } from '../../api/status.js';
import { newRegistry } from '../../client/component-base/daemon.js';
import type { Apiserver } from './apiserver.js';
import { apiserverUnavailable } from './reply.js';

export interface DashboardMetrics {
  registry: Registry;
  requests: Counter<'route' | 'code'>;
  logins: Counter<'result'>;
  sessions: Gauge;
  watches: Gauge;
  execs: Gauge;
}

export function newDashboardMetrics(sessionCount: () => number): DashboardMetrics {
  const registry = newRegistry();
  return {
    registry,
    requests: new Counter({ name: 'dashboard_http_requests_total', help: 'Requests answered, by route and HTTP code', labelNames: ['route', 'code'], registers: [registry] }),
    logins: new Counter({ name: 'dashboard_logins_total', help: 'Login attempts, by result', labelNames: ['result'], registers: [registry] }),
    sessions: new Gauge({
      name: 'dashboard_sessions',
      help: 'Live browser sessions',
      registers: [registry],
      collect() {
        this.set(sessionCount());
      },
    }),
    watches: new Gauge({ name: 'dashboard_watch_streams', help: 'Open /api/watch event streams', registers: [registry] }),
    execs: new Gauge({ name: 'dashboard_exec_sessions', help: 'Open exec terminals', registers: [registry] }),
  };
}

interface SelfSubjectAccessReview {
  status?: { allowed?: boolean; reason?: string };
}

/** undefined when `token` may get /metrics; else the Status to answer (401, 403, 503). */
export async function authorizeMetrics(api: Apiserver, token: string | undefined, username?: string): Promise<StatusError | undefined> {
  if (!token) return errors.unauthorized();
  let r: Awaited<ReturnType<Apiserver['json']>>;
  try {
    r = await api.json<SelfSubjectAccessReview>('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', token, {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectAccessReview',
      spec: { nonResourceAttributes: { verb: 'get', path: '/metrics' } },
    });
  } catch (e) {
    return apiserverUnavailable(e);
  }
  if (r.status === 401) return errors.unauthorized();
  if (r.status >= 500) return errors.serviceUnavailable(`the apiserver answered ${r.status}`);
  if ((r.body as SelfSubjectAccessReview | undefined)?.status?.allowed === true) return undefined;
  const who = username ? `User ${JSON.stringify(username)}` : 'the caller';
  return errors.forbidden({ group: '', resource: '' }, '', `${who} cannot get path "/metrics"`);
}
