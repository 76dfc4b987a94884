// The audit index's read-only API (index-store.ts keeps the events):
//   GET /apis/audit.tskube.io/v1alpha1/namespaces/{ns}/auditevents?uid=<uid>  (that namespace's)
//   GET /apis/audit.tskube.io/v1alpha1/auditevents?uid=<uid>                  (all: cluster-scoped objects)
// answered with an audit.k8s.io/v1 EventList. Authorization is the handler chain's, as for any
// resource path: verb list on `auditevents` in group `audit.tskube.io` (only cluster-admin has
// it by the bootstrap roles). Discovery lists the group with that one resource and the verb
// list, so `kubectl api-resources` shows it; it has no OpenAPI schema (it stores nothing, and
// Kubernetes publishes none for audit.k8s.io either).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { errors } from '../../api/status.js';
import { q1, qBool, type Query } from '../registry/list-options.js';
import { sendRaw } from '../handlers/responses.js';
import type { AuditIndex } from './index-store.js';
import { AUDIT_API_VERSION } from './types.js';

export const AUDIT_INDEX_GROUP = 'audit.tskube.io';
export const AUDIT_INDEX_VERSION = 'v1alpha1';
export const AUDIT_INDEX_RESOURCE = 'auditevents';
const GROUP_VERSION = `${AUDIT_INDEX_GROUP}/${AUDIT_INDEX_VERSION}`;
const BASE = `/apis/${GROUP_VERSION}`;
const VERBS = ['list'];
const RESPONSE_KIND = { group: 'audit.k8s.io', version: 'v1', kind: 'Event' };

function groupDoc(): { name: string; versions: object[]; preferredVersion: object } {
  const version = { groupVersion: GROUP_VERSION, version: AUDIT_INDEX_VERSION };
  return { name: AUDIT_INDEX_GROUP, versions: [version], preferredVersion: version };
}

/** The legacy /apis/audit.tskube.io/v1alpha1 (APIResourceList). */
export function auditIndexResourceList(): object {
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: GROUP_VERSION,
    resources: [{ name: AUDIT_INDEX_RESOURCE, singularName: 'auditevent', namespaced: true, ...RESPONSE_KIND, verbs: VERBS }],
  };
}

/** Discovery with the audit index's group added (after the built-in groups, before aggregated ones). */
export const auditIndexDiscovery = {
  groupList(base: object): object {
    const b = base as { groups?: object[] };
    return { ...b, groups: [...(b.groups ?? []), groupDoc()] };
  },
  aggregated(base: object): object {
    const b = base as { items?: object[] };
    const item = {
      metadata: { name: AUDIT_INDEX_GROUP, creationTimestamp: null },
      versions: [
        {
          version: AUDIT_INDEX_VERSION,
          resources: [{ resource: AUDIT_INDEX_RESOURCE, responseKind: RESPONSE_KIND, scope: 'Namespaced', singularResource: 'auditevent', verbs: VERBS }],
          freshness: 'Current',
        },
      ],
    };
    return { ...b, items: [...(b.items ?? []), item] };
  },
};

function listEvents(index: AuditIndex, req: FastifyRequest, reply: FastifyReply, namespace: string | undefined): FastifyReply {
  if (req.method !== 'GET') throw errors.methodNotAllowed(`${req.method} is not supported on ${AUDIT_INDEX_RESOURCE}: it is read-only`);
  const query = req.query as Query;
  if (qBool(query, 'watch')) throw errors.methodNotAllowed(`watch is not supported on ${AUDIT_INDEX_RESOURCE}`);
  const uid = q1(query, 'uid');
  if (!uid) throw errors.badRequest(`the uid query parameter is required: ${AUDIT_INDEX_RESOURCE} are listed by the uid of the object they wrote`);
  const items = index.list(uid, namespace);
  return sendRaw(reply, 200, 'application/json', JSON.stringify({ kind: 'EventList', apiVersion: AUDIT_API_VERSION, metadata: {}, items }));
}

/** The routes; register after the handler chain (which authenticates, audits and authorizes them). */
export const auditIndexRoutes = fp(
  async (app: FastifyInstance, opts: { index: AuditIndex }) => {
    const json = (body: object) => async (_req: FastifyRequest, reply: FastifyReply) => sendRaw(reply, 200, 'application/json', JSON.stringify(body));
    app.get(`/apis/${AUDIT_INDEX_GROUP}`, json({ kind: 'APIGroup', apiVersion: 'v1', ...groupDoc() }));
    app.get(BASE, json(auditIndexResourceList()));
    app.all(`${BASE}/${AUDIT_INDEX_RESOURCE}`, async (req, reply) => listEvents(opts.index, req, reply, undefined));
    app.all(`${BASE}/namespaces/:namespace/${AUDIT_INDEX_RESOURCE}`, async (req, reply) =>
      listEvents(opts.index, req, reply, (req.params as { namespace: string }).namespace),
    );
  },
  { name: 'tskube-audit-index-routes' },
);
