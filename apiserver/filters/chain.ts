// The handler chain in Kubernetes' order (DefaultBuildHandlerChain): request info →
// authentication → audit → impersonation → in-flight limit (API Priority and Fairness, or
// the plain max-in-flight limit when it is off) → authorization; then the routes,
// where admission and storage follow. Each stage is a fastify plugin whose onRequest hook
// runs in the order registered here, so "where is X checked" is answered by the stage's name.
import type { FastifyInstance } from 'fastify';
import type { UserInfo } from '../../api/user.js';
import { auditPlugin, type AuditOptions } from '../audit/plugin.js';
import type { Authenticator, Authorizer } from '../auth/types.js';
import type { ApiserverMetrics } from '../server/metrics.js';
import { authenticationStage } from './authentication.js';
import { authorizationStage } from './authorization.js';
import { requestContextStage } from './context.js';
import { priorityAndFairnessStage } from './flowcontrol/stage.js';
import { impersonationStage } from './impersonation.js';
import { maxInFlightStage, requestMetricsStage } from './inflight.js';

export interface HandlerChainOptions {
  authenticator: Authenticator;
  authorizer: Authorizer;
  /** `--audit-policy-file` + `--audit-log-path`; no audit when absent. */
  audit?: AuditOptions;
  /** The audit index's sink (audit/index-store.ts): a second audit stage with its own fixed policy. */
  auditIndex?: AuditOptions;
  maxRequestsInflight: number;
  /** API Priority and Fairness in place of the plain in-flight limit (k8s' default). */
  priorityAndFairness?: { serverConcurrencyLimit: number };
  metrics: ApiserverMetrics;
  /** The unsafe plain-HTTP port's identity, and how to tell its requests apart. */
  insecure?: { user: UserInfo; isInsecure: NonNullable<Parameters<typeof authenticationStage>[1]['isInsecure']> };
  /** Headers that name the user per request (requestheader authentication). */
  identityHeaders?: string[];
}

export async function registerHandlerChain(app: FastifyInstance, o: HandlerChainOptions): Promise<void> {
  await app.register(requestContextStage);
  await app.register(requestMetricsStage, { metrics: o.metrics });
  await app.register(authenticationStage, { authenticator: o.authenticator, ...(o.identityHeaders ? { identityHeaders: o.identityHeaders } : {}), ...(o.insecure ? { insecureUser: o.insecure.user, isInsecure: o.insecure.isInsecure } : {}) });
  // Awaited: a plugin loads later than a plain hook, and the stages after audit must follow it.
  if (o.audit) await app.register(auditPlugin, o.audit);
  if (o.auditIndex) await app.register(auditPlugin, o.auditIndex);
  await app.register(impersonationStage, { authorizer: o.authorizer });
  if (o.priorityAndFairness) await app.register(priorityAndFairnessStage, { ...o.priorityAndFairness, metrics: o.metrics });
  else await app.register(maxInFlightStage, { maxRequestsInflight: o.maxRequestsInflight, metrics: o.metrics });
  await app.register(authorizationStage, { authorizer: o.authorizer });
}
