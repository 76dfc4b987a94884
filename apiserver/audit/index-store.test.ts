// The audit index alone: its bound (oldest out first, per uid), its order (stageTimestamp),
// the namespace filter, what it keeps (ResponseComplete with a uid), its fixed policy — and,
// through the audit stage in a small fastify app, that its events carry the handler's uid
// while a log backend on the same request keeps Kubernetes' objectRef.
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, test } from 'node:test';
import Fastify from 'fastify';
import type { RequestContext } from '../auth/context.js';
import { LogBackend } from './backend.js';
import { AuditIndex, AUDIT_INDEX_POLICY, auditIndexSink } from './index-store.js';
import { auditPlugin } from './plugin.js';
import { PolicyRuleEvaluator } from './policy.js';
import type { AuditEvent, Stage } from './types.js';
import { waitFor } from '../../test/harness/ports.js';

let seq = 0;
function ev(uid: string | undefined, opts: { ns?: string; stage?: Stage; at?: string; verb?: string } = {}): AuditEvent {
  seq++;
  return {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'Metadata',
    auditID: `id-${seq}`,
    stage: opts.stage ?? 'ResponseComplete',
    requestURI: '/x',
    verb: opts.verb ?? 'update',
    user: { username: 'u' },
    objectRef: { resource: 'configmaps', ...(opts.ns !== undefined ? { namespace: opts.ns } : { namespace: 'default' }), ...(uid ? { uid } : {}) },
    requestReceivedTimestamp: '2026-12-03T10:00:00.000000Z',
    stageTimestamp: opts.at ?? `2026-12-03T10:00:${String(seq % 60).padStart(2, '0')}.000000Z`,
  };
}

describe('AuditIndex', () => {
  test('keeps ResponseComplete events with a uid, per uid', () => {
    const index = new AuditIndex(10);
    index.processEvents([ev('a'), ev('b'), ev(undefined), ev('a', { stage: 'RequestReceived' }), ev('a', { stage: 'Panic' })]);
    assert.equal(index.size, 2);
    assert.equal(index.list('a').length, 1);
    assert.equal(index.list('b').length, 1);
    assert.deepEqual(index.list('nope'), []);
  });

  test('is bounded: the oldest events go first, and a uid with none left is forgotten', () => {
    const index = new AuditIndex(3);
    const [a1, b1, a2, c1, c2] = [ev('a'), ev('b'), ev('a'), ev('c'), ev('c')];
    index.processEvents([a1, b1, a2]);
    index.processEvents([c1]);
    assert.equal(index.size, 3);
    assert.deepEqual(index.list('a').map((e) => e.auditID), [a2.auditID], 'a1 was the oldest');
    index.processEvents([c2]);
    assert.deepEqual(index.list('b'), [], 'b1 dropped next');
    assert.deepEqual(index.list('c').map((e) => e.auditID), [c1.auditID, c2.auditID]);
  });

  test('stays bounded over many events (the drop queue compacts)', () => {
    const index = new AuditIndex(100);
    for (let i = 0; i < 5000; i++) index.processEvents([ev(`u${i % 7}`)]);
    assert.equal(index.size, 100);
    const total = Array.from({ length: 7 }, (_, i) => index.list(`u${i}`).length).reduce((x, y) => x + y, 0);
    assert.equal(total, 100);
  });

  test('lists by stageTimestamp, whatever the arrival order; filters by namespace', () => {
    const index = new AuditIndex(10);
    const late = ev('a', { at: '2026-12-03T10:00:05.000002Z' });
    const early = ev('a', { at: '2026-12-03T10:00:05.000001Z' });
    const other = ev('a', { ns: 'other', at: '2026-12-03T10:00:01.000000Z' });
    index.processEvents([late, early, other]);
    assert.deepEqual(index.list('a').map((e) => e.auditID), [other.auditID, early.auditID, late.auditID]);
    assert.deepEqual(index.list('a', 'default').map((e) => e.auditID), [early.auditID, late.auditID]);
    assert.deepEqual(index.list('a', 'other').map((e) => e.auditID), [other.auditID]);
  });
});

describe('the index policy', () => {
  const policy = new PolicyRuleEvaluator(AUDIT_INDEX_POLICY);
  const attrs = (verb: string, resource: string, apiGroup = '', subresource = '') => ({
    verb, resource, apiGroup, subresource, resourceRequest: true, path: '/x', namespace: 'default', apiVersion: 'v1', name: 'n',
  });
  test('writes at Metadata, subresources included; reads, Events and Leases not at all', () => {
    for (const [verb, resource, group, sub] of [['create', 'pods', '', ''], ['create', 'pods', '', 'binding'], ['patch', 'pods', '', 'status'], ['update', 'deployments', 'apps', 'scale'], ['delete', 'configmaps', '', ''], ['deletecollection', 'pods', '', ''], ['create', 'pods', '', 'eviction']] as const) {
      const c = policy.evaluatePolicyRule(attrs(verb, resource, group, sub));
      assert.equal(c.level, 'Metadata', `${verb} ${resource}/${sub}`);
      assert.ok(c.omitStages.includes('RequestReceived') && c.omitStages.includes('ResponseStarted'));
    }
    for (const [verb, resource, group] of [['get', 'pods', ''], ['list', 'pods', ''], ['watch', 'pods', ''], ['create', 'events', ''], ['create', 'events', 'events.k8s.io'], ['update', 'leases', 'coordination.k8s.io']] as const) {
      assert.equal(policy.evaluatePolicyRule(attrs(verb, resource, group)).level, 'None', `${verb} ${group}/${resource}`);
    }
  });
});

describe('the index sink in the audit stage', () => {
  test("takes the handler's uid; the log backend's events keep the body's (none for a create)", async () => {
    const index = new AuditIndex(10);
    const out = new PassThrough();
    let logged = '';
    out.on('data', (c: Buffer) => (logged += c.toString()));
    const app = Fastify({ logger: false });
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    app.addHook('onRequest', async (req) => {
      const ctx: RequestContext = {
        auditID: 'audit-1',
        receivedAt: new Date(),
        attributes: { verb: 'create', resourceRequest: true, path: req.url, namespace: 'default', apiGroup: '', apiVersion: 'v1', resource: 'configmaps', subresource: '', name: '' },
        longRunning: false,
        sourceIPs: ['127.0.0.1'],
        userAgent: 'test',
        auditAnnotations: {},
        authenticatedUser: { username: 'alice', groups: ['system:authenticated'] },
      };
      req.k8s = ctx;
    });
    await app.register(auditPlugin, { policy: AUDIT_INDEX_POLICY, backend: LogBackend.toStream(out) });
    await app.register(auditPlugin, auditIndexSink(index));
    app.post('/api/v1/namespaces/default/configmaps', async (req, reply) => {
      req.k8s.objectUID = 'made-uid'; // as noteObjectUID does
      req.k8s.objectName = 'cm';
      return reply.code(201).send({ kind: 'ConfigMap', metadata: { name: 'cm', uid: 'made-uid' } });
    });
    const res = await app.inject({ method: 'POST', url: '/api/v1/namespaces/default/configmaps', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ kind: 'ConfigMap', metadata: { name: 'cm' } }) });
    assert.equal(res.statusCode, 201);
    const [e] = await waitFor('the index has the create', () => (index.list('made-uid').length ? index.list('made-uid') : undefined));
    assert.equal(e!.verb, 'create');
    assert.equal(e!.user.username, 'alice');
    assert.deepEqual(e!.objectRef, { resource: 'configmaps', namespace: 'default', name: 'cm', uid: 'made-uid', apiVersion: 'v1' });
    await waitFor('the log has the create', () => logged || undefined);
    const fromLog = JSON.parse(logged.trim()) as AuditEvent;
    assert.equal(fromLog.objectRef?.uid, undefined, "the log backend's objectRef is Kubernetes' own");
    await app.close();
  });
});
