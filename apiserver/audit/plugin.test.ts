// The audit stage in a real fastify app: an earlier hook fills req.k8s as request info and
// authentication would, a later one plays impersonation and authorization, routes answer
// JSON, errors, a hijacked log stream and a watch; events land in a temp file through the
// real log backend and are read back as JSON lines.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { errors, StatusError } from '../../api/status.js';
import type { UserInfo } from '../../api/user.js';
import type { RequestContext } from '../auth/context.js';
import { waitFor } from '../../test/harness/ports.js';
import WebSocket from 'ws';
import { acceptWebSocket, routeUpgrades } from '../streaming/upgrade.js';
import { LogBackend } from './backend.js';
import { auditPlugin } from './plugin.js';
import type { AuditEvent, Policy, PolicyRule } from './types.js';

// ---- the fixture: request info + authentication before audit, impersonation + authorization after

/** Request info for the few URL shapes the routes below serve (k8s' RequestInfoFactory, in small). */
function requestAttributes(method: string, url: string): RequestContext['attributes'] {
  const [path, query = ''] = url.split('?') as [string, string?];
  const parts = path.split('/').filter(Boolean);
  const base = { path, namespace: '', apiGroup: '', apiVersion: '', resource: '', subresource: '', name: '' };
  if (parts[0] !== 'api') return { ...base, verb: method.toLowerCase(), resourceRequest: false };
  let rest = parts.slice(2);
  let namespace = '';
  if (rest[0] === 'namespaces' && rest.length > 2) {
    namespace = rest[1]!;
    rest = rest.slice(2);
  }
  const [resource = '', name = '', subresource = ''] = rest;
  const watch = /(^|&)watch=true/.test(query ?? '');
  const verbs: Record<string, string> = { POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };
  const verb = verbs[method] ?? (watch ? 'watch' : name ? 'get' : 'list');
  return { ...base, verb, resourceRequest: true, apiVersion: parts[1]!, namespace, resource, name, subresource };
}

function authenticate(req: FastifyRequest): UserInfo | 'unauthorized' {
  if (req.headers.authorization === 'Bearer bad') return 'unauthorized';
  const username = String(req.headers['x-user'] ?? 'system:anonymous');
  const groups = String(req.headers['x-groups'] ?? 'system:authenticated').split(',');
  return { username, uid: `uid-${username}`, groups, extra: { scopes: ['a', 'b'] } };
}

const sendStatus = (reply: { code(c: number): unknown; header(k: string, v: string): unknown; send(b: Buffer): unknown }, e: StatusError) => {
  reply.code(e.code);
  reply.header('content-type', 'application/json');
  return reply.send(Buffer.from(JSON.stringify(e.status)));
};

const pod = (name: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', uid: 'pod-uid', resourceVersion: '7', managedFields: [{ manager: 'kubectl', operation: 'Update' }] },
  spec: { containers: [{ name: 'c', image: 'nginx' }] },
});

async function buildApp(policy: Policy, backend: LogBackend): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, forceCloseConnections: true });
  routeUpgrades(app);
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.setErrorHandler((err, _req, reply) => sendStatus(reply, err instanceof StatusError ? err : errors.internal((err as Error).message)));

  // Request info and authentication (the stages before audit).
  app.addHook('onRequest', async (req, reply) => {
    const attributes = requestAttributes(req.method, req.url);
    const user = authenticate(req);
    req.k8s = {
      auditID: String(req.headers['audit-id'] ?? randomUUID()),
      receivedAt: new Date(),
      attributes,
      longRunning: attributes.verb === 'watch' || attributes.subresource === 'log' || attributes.subresource === 'exec',
      sourceIPs: ['10.0.0.9', req.ip],
      userAgent: String(req.headers['user-agent'] ?? ''),
      auditAnnotations: {},
      ...(user === 'unauthorized' ? {} : { authenticatedUser: user, user }),
    };
    if (user === 'unauthorized') return sendStatus(reply, new StatusError(401, 'Unauthorized', 'Unauthorized'));
  });
  await app.register(auditPlugin, { policy, backend });
  // Impersonation and authorization (after audit, in the same request).
  app.addHook('onRequest', async (req, reply) => {
    const ctx = req.k8s;
    const as = req.headers['impersonate-user'];
    if (typeof as === 'string') {
      ctx.impersonatedUser = { username: as, groups: ['system:authenticated'] };
      ctx.user = ctx.impersonatedUser;
    }
    if (ctx.user?.username === 'mallory') {
      ctx.auditAnnotations['authorization.k8s.io/decision'] = 'forbid';
      ctx.auditAnnotations['authorization.k8s.io/reason'] = '';
      const a = ctx.attributes;
      return sendStatus(reply, errors.forbidden({ group: a.apiGroup, resource: a.resource }, a.name, `User "mallory" cannot ${a.verb} resource "${a.resource}" in API group "" in the namespace "${a.namespace}"`));
    }
    ctx.auditAnnotations['authorization.k8s.io/decision'] = 'allow';
    ctx.auditAnnotations['authorization.k8s.io/reason'] = 'RBAC: allowed by test';
  });

  const json = (code: number, body: unknown) => ({ code, body: Buffer.from(JSON.stringify(body)) });
  const reply = (r: { code(c: number): unknown; header(k: string, v: string): unknown; send(b: Buffer): unknown }, x: { code: number; body: Buffer }) => {
    r.code(x.code);
    r.header('content-type', 'application/json');
    return r.send(x.body);
  };
  app.get('/api/v1/namespaces/:ns/pods/:name', async (req, r) => {
    const { name } = req.params as { name: string };
    if (name === 'missing') throw errors.notFound({ group: '', resource: 'pods' }, name);
    return reply(r, json(200, pod(name)));
  });
  app.post('/api/v1/namespaces/:ns/pods', async (req, r) => {
    const body = JSON.parse((req.body as Buffer).toString()) as ReturnType<typeof pod>;
    return reply(r, json(201, { ...body, metadata: { ...body.metadata, uid: 'new-uid', managedFields: [{ manager: 'test' }] } }));
  });
  app.post('/api/v1/namespaces/:ns/secrets', async (req, r) => reply(r, json(201, JSON.parse((req.body as Buffer).toString()))));
  app.get('/api/v1/namespaces/:ns/secrets/:name', async (_req, r) => reply(r, json(200, { kind: 'Secret', apiVersion: 'v1', metadata: { name: 's' }, data: { password: 'c2VjcmV0LXZhbHVl' } })));
  app.get('/api/v1/nodes/:name', async () => {
    // A bug: what a Go panic is in Kubernetes.
    throw new TypeError("Cannot read properties of undefined (reading 'spec')");
  });
  // pods/log: hijacked, written raw, ended by the server.
  app.get('/api/v1/namespaces/:ns/pods/:name/log', async (_req, r) => {
    r.hijack();
    r.raw.writeHead(200, { 'content-type': 'text/plain' });
    r.raw.write('line 1\n');
    setImmediate(() => r.raw.end('line 2\n'));
  });
  // A watch: hijacked, open until the client goes away.
  app.get('/api/v1/namespaces/:ns/configmaps', async (_req, r) => {
    r.hijack();
    r.raw.writeHead(200, { 'content-type': 'application/json' });
    r.raw.write('{"type":"ADDED","object":{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"a"}}}\n');
  });
  // pods/exec over a WebSocket, through the apiserver's own upgrade routing.
  app.get('/api/v1/namespaces/:ns/pods/:name/exec', async (req, r) => {
    const ws = await acceptWebSocket(req, r, 'v5.channel.k8s.io');
    ws.send(Buffer.from([1, ...Buffer.from('hello\n')]));
    return r;
  });
  app.get('/healthz', async (_req, r) => r.type('text/plain').send('ok'));
  app.get('/version', async () => ({ major: '1', minor: '32' }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  return app;
}

interface Fixture {
  url: string;
  file: string;
  /** Every event written so far. */
  events(): AuditEvent[];
  /** Polls until the request's events include `stage` (deadline 10 s). */
  waitFor(auditID: string, stage: string): Promise<AuditEvent[]>;
  close(): Promise<void>;
}

async function start(rules: PolicyRule[], extra: Partial<Policy> = {}): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), 'audit-plugin-'));
  const file = join(dir, 'logs', 'audit.log');
  const backend = await LogBackend.open(file);
  const app = await buildApp({ apiVersion: 'audit.k8s.io/v1', kind: 'Policy', rules, ...extra }, backend);
  const addr = app.server.address();
  const url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  const events = (): AuditEvent[] => {
    const text = readFileSync(file, 'utf8');
    return text
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as AuditEvent);
  };
  return {
    url,
    file,
    events,
    waitFor: (auditID, stage) =>
      waitFor(`${stage} of ${auditID}`, () => {
        const mine = events().filter((e) => e.auditID === auditID);
        return mine.some((e) => e.stage === stage) ? mine : undefined;
      }, 10_000),
    close: () => app.close(),
  };
}

const fixtures: Fixture[] = [];
after(async () => {
  await Promise.all(fixtures.map((f) => f.close()));
});
async function fixture(rules: PolicyRule[], extra: Partial<Policy> = {}): Promise<Fixture> {
  const f = await start(rules, extra);
  fixtures.push(f);
  return f;
}

async function call(f: Fixture, method: string, path: string, opts: { body?: unknown; headers?: Record<string, string> } = {}) {
  const res = await fetch(f.url + path, {
    method,
    headers: { 'x-user': 'alice', 'x-groups': 'devs,system:authenticated', 'user-agent': 'kubectl/v1.32.0', ...(opts.body ? { 'content-type': 'application/json' } : {}), ...opts.headers },
    ...(opts.body ? { body: JSON.stringify(opts.body) } : {}),
  });
  const text = await res.text();
  const auditID = res.headers.get('audit-id');
  assert.ok(auditID, 'the Audit-Id header is set');
  return { status: res.status, auditID, text };
}

/**
 * Events are written in the order they happen, so once a later request's ResponseComplete is
 * in the log, everything an earlier finished request would write is there too.
 */
async function settle(f: Fixture): Promise<void> {
  const { auditID } = await call(f, 'GET', '/api/v1/namespaces/default/pods/sentinel');
  await f.waitFor(auditID, 'ResponseComplete');
}

const MICRO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;
const stages = (evs: AuditEvent[]) => evs.map((e) => e.stage);

// ---- tests ------------------------------------------------------------------------------------

describe('audit plugin', () => {
  test('a create at RequestResponse: stages in order, one auditID, user, objectRef, bodies, annotations', async () => {
    const f = await fixture([{ level: 'RequestResponse' }]);
    const created = pod('web');
    const { status, auditID } = await call(f, 'POST', '/api/v1/namespaces/default/pods', { body: created });
    assert.equal(status, 201);
    const evs = await f.waitFor(auditID, 'ResponseComplete');
    assert.deepEqual(stages(evs), ['RequestReceived', 'ResponseComplete']);
    const [received, complete] = evs as [AuditEvent, AuditEvent];
    for (const e of evs) {
      assert.equal(e.kind, 'Event');
      assert.equal(e.apiVersion, 'audit.k8s.io/v1');
      assert.equal(e.level, 'RequestResponse');
      assert.equal(e.verb, 'create');
      assert.equal(e.requestURI, '/api/v1/namespaces/default/pods');
      assert.deepEqual(e.user, { username: 'alice', uid: 'uid-alice', groups: ['devs', 'system:authenticated'], extra: { scopes: ['a', 'b'] } });
      assert.equal(e.userAgent, 'kubectl/v1.32.0');
      assert.equal(e.sourceIPs?.[0], '10.0.0.9');
      assert.match(e.requestReceivedTimestamp, MICRO_TIME);
      assert.match(e.stageTimestamp, MICRO_TIME);
    }
    assert.equal(received.stageTimestamp, received.requestReceivedTimestamp);
    assert.ok(complete.stageTimestamp >= complete.requestReceivedTimestamp);
    // RequestReceived comes before the body is read and the reply exists.
    assert.equal(received.requestObject, undefined);
    assert.equal(received.responseStatus, undefined);
    // The create's name, uid and resourceVersion come from the body, as in Kubernetes.
    assert.deepEqual(complete.objectRef, { resource: 'pods', namespace: 'default', name: 'web', uid: 'pod-uid', apiVersion: 'v1', resourceVersion: '7' });
    assert.deepEqual(complete.responseStatus, { metadata: {}, code: 201 });
    assert.deepEqual(complete.requestObject, created);
    assert.equal((complete.responseObject as { metadata: { uid: string } }).metadata.uid, 'new-uid');
    // Authorization ran after audit; its annotations still make the last event.
    assert.deepEqual(complete.annotations, { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': 'RBAC: allowed by test' });
    assert.equal(complete.impersonatedUser, undefined);
  });

  test('bodies only at the levels that carry them', async () => {
    const f = await fixture([
      { level: 'Metadata', users: ['meta'] },
      { level: 'Request', users: ['req'] },
      { level: 'RequestResponse', users: ['rr'] },
    ]);
    const seen: Record<string, AuditEvent> = {};
    for (const user of ['meta', 'req', 'rr']) {
      const { auditID } = await call(f, 'POST', '/api/v1/namespaces/default/pods', { body: pod(`p-${user}`), headers: { 'x-user': user } });
      seen[user] = (await f.waitFor(auditID, 'ResponseComplete')).find((e) => e.stage === 'ResponseComplete')!;
    }
    assert.equal(seen.meta!.requestObject, undefined);
    assert.equal(seen.meta!.responseObject, undefined);
    assert.equal(seen.meta!.objectRef?.name, 'p-meta', 'Metadata still names the created object');
    assert.ok(seen.req!.requestObject);
    assert.equal(seen.req!.responseObject, undefined);
    assert.ok(seen.rr!.requestObject);
    assert.ok(seen.rr!.responseObject);
  });

  test('Secret bodies never reach the log, even under RequestResponse for everything', async () => {
    const f = await fixture([{ level: 'RequestResponse' }]);
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db' }, stringData: { password: 'hunter2-plaintext' } };
    const created = await call(f, 'POST', '/api/v1/namespaces/default/secrets', { body: secret });
    const read = await call(f, 'GET', '/api/v1/namespaces/default/secrets/db');
    assert.match(read.text, /c2VjcmV0LXZhbHVl/);
    for (const id of [created.auditID, read.auditID]) {
      const complete = (await f.waitFor(id, 'ResponseComplete')).at(-1)!;
      assert.equal(complete.level, 'Metadata');
      assert.equal(complete.requestObject, undefined);
      assert.equal(complete.responseObject, undefined);
      assert.equal(complete.objectRef?.name, 'db');
    }
    const log = readFileSync(f.file, 'utf8');
    assert.ok(!log.includes('hunter2-plaintext'));
    assert.ok(!log.includes('c2VjcmV0LXZhbHVl'));
  });

  test('a 403 from authorization is audited with its Status and the forbid annotation', async () => {
    const f = await fixture([{ level: 'Metadata' }]);
    const { status, auditID } = await call(f, 'GET', '/api/v1/namespaces/default/pods/web', { headers: { 'x-user': 'mallory' } });
    assert.equal(status, 403);
    const evs = await f.waitFor(auditID, 'ResponseComplete');
    assert.deepEqual(stages(evs), ['RequestReceived', 'ResponseComplete']);
    const complete = evs[1]!;
    assert.equal(complete.user.username, 'mallory');
    assert.equal(complete.responseStatus?.code, 403);
    assert.equal(complete.responseStatus?.status, 'Failure');
    assert.equal(complete.responseStatus?.reason, 'Forbidden');
    assert.match(complete.responseStatus?.message ?? '', /pods "web" is forbidden: User "mallory" cannot get/);
    assert.equal(complete.annotations?.['authorization.k8s.io/decision'], 'forbid');
    // An error reply is not a response object below RequestResponse.
    assert.equal(complete.responseObject, undefined);
  });

  test('a handler error: the Status in responseStatus (and as responseObject at RequestResponse)', async () => {
    const f = await fixture([{ level: 'RequestResponse' }]);
    const { status, auditID } = await call(f, 'GET', '/api/v1/namespaces/default/pods/missing');
    assert.equal(status, 404);
    const complete = (await f.waitFor(auditID, 'ResponseComplete')).at(-1)!;
    assert.deepEqual(complete.responseStatus, { metadata: {}, status: 'Failure', message: 'pods "missing" not found', reason: 'NotFound', details: { name: 'missing', kind: 'pods' }, code: 404 });
    assert.equal((complete.responseObject as { kind: string }).kind, 'Status');
  });

  test('impersonation: user stays the authenticated one, impersonatedUser is added', async () => {
    const f = await fixture([{ level: 'Metadata' }]);
    const { auditID } = await call(f, 'GET', '/api/v1/namespaces/default/pods/web', { headers: { 'impersonate-user': 'bob' } });
    const [received, complete] = (await f.waitFor(auditID, 'ResponseComplete')) as [AuditEvent, AuditEvent];
    assert.equal(received.impersonatedUser, undefined, 'not known yet when the request arrives');
    assert.equal(complete.user.username, 'alice');
    assert.deepEqual(complete.impersonatedUser, { username: 'bob', groups: ['system:authenticated'] });
  });

  test('omitStages of the policy and of the rule', async () => {
    const f = await fixture([{ level: 'Metadata', users: ['quiet'], omitStages: ['ResponseComplete'] }, { level: 'Metadata' }], { omitStages: ['RequestReceived'] });
    const loud = await call(f, 'GET', '/api/v1/namespaces/default/pods/web');
    assert.deepEqual(stages(await f.waitFor(loud.auditID, 'ResponseComplete')), ['ResponseComplete']);
    const quiet = await call(f, 'GET', '/api/v1/namespaces/default/pods/web', { headers: { 'x-user': 'quiet' } });
    await settle(f);
    assert.deepEqual(f.events().filter((e) => e.auditID === quiet.auditID), []);
  });

  test('level None: no events, but the Audit-Id header', async () => {
    const f = await fixture([{ level: 'None', nonResourceURLs: ['/healthz*'] }, { level: 'Metadata' }]);
    const { auditID, text } = await call(f, 'GET', '/healthz');
    assert.equal(text, 'ok');
    await settle(f);
    assert.deepEqual(f.events().filter((e) => e.auditID === auditID), []);
  });

  test("a client's Audit-ID is kept and echoed", async () => {
    const f = await fixture([{ level: 'Metadata' }]);
    const { auditID } = await call(f, 'GET', '/api/v1/namespaces/default/pods/web', { headers: { 'audit-id': 'client-chosen-id' } });
    assert.equal(auditID, 'client-chosen-id');
    await f.waitFor('client-chosen-id', 'ResponseComplete');
  });

  test('non-resource requests: no objectRef, no bodies', async () => {
    const f = await fixture([{ level: 'RequestResponse' }]);
    const { auditID } = await call(f, 'GET', '/version');
    const complete = (await f.waitFor(auditID, 'ResponseComplete')).at(-1)!;
    assert.equal(complete.verb, 'get');
    assert.equal(complete.objectRef, undefined);
    assert.equal(complete.responseObject, undefined);
    assert.deepEqual(complete.responseStatus, { metadata: {}, code: 200 });
  });

  test('omitManagedFields drops metadata.managedFields from both bodies', async () => {
    const f = await fixture([{ level: 'RequestResponse', omitManagedFields: true }]);
    const { auditID } = await call(f, 'POST', '/api/v1/namespaces/default/pods', { body: pod('m') });
    const complete = (await f.waitFor(auditID, 'ResponseComplete')).at(-1)!;
    const req = complete.requestObject as { metadata: Record<string, unknown> };
    const res = complete.responseObject as { metadata: Record<string, unknown> };
    assert.equal(req.metadata.name, 'm');
    assert.ok(!('managedFields' in req.metadata));
    assert.ok(!('managedFields' in res.metadata));
  });

  test('a hijacked long-running reply: RequestReceived, ResponseStarted, ResponseComplete', async () => {
    const f = await fixture([{ level: 'RequestResponse' }]);
    const { status, auditID, text } = await call(f, 'GET', '/api/v1/namespaces/default/pods/web/log?follow=true');
    assert.equal(status, 200);
    assert.equal(text, 'line 1\nline 2\n');
    const evs = await f.waitFor(auditID, 'ResponseComplete');
    assert.deepEqual(stages(evs), ['RequestReceived', 'ResponseStarted', 'ResponseComplete']);
    assert.deepEqual(evs[1]!.responseStatus, { metadata: {}, code: 200 });
    assert.deepEqual(evs[2]!.responseStatus, { metadata: {}, code: 200 });
    assert.deepEqual(evs[2]!.objectRef, { resource: 'pods', namespace: 'default', name: 'web', apiVersion: 'v1', subresource: 'log' });
    assert.equal(evs[2]!.responseObject, undefined, 'a stream is not a response object');
    assert.ok(evs[1]!.stageTimestamp <= evs[2]!.stageTimestamp);
  });

  test('a watch the client walks away from still gets its ResponseComplete', async () => {
    const f = await fixture([{ level: 'Metadata' }]);
    const ctrl = new AbortController();
    const res = await fetch(`${f.url}/api/v1/namespaces/default/configmaps?watch=true`, { headers: { 'x-user': 'alice' }, signal: ctrl.signal });
    const auditID = res.headers.get('audit-id');
    assert.ok(auditID, 'the Audit-Id header is on a hijacked reply too');
    const reader = res.body!.getReader();
    await reader.read();
    await f.waitFor(auditID, 'ResponseStarted');
    ctrl.abort();
    const evs = await f.waitFor(auditID, 'ResponseComplete');
    assert.deepEqual(stages(evs), ['RequestReceived', 'ResponseStarted', 'ResponseComplete']);
    assert.equal(evs[0]!.verb, 'watch');
    assert.equal(evs[2]!.responseStatus?.code, 200);
  });

  test('exec over a WebSocket: ResponseStarted with 101 when the socket is taken, ResponseComplete when it closes', async () => {
    const f = await fixture([{ level: 'Metadata' }]);
    const auditID = randomUUID();
    const ws = new WebSocket(`${f.url.replace('http', 'ws')}/api/v1/namespaces/default/pods/web/exec?command=sh&stdout=true`, ['v5.channel.k8s.io'], {
      headers: { 'x-user': 'alice', 'audit-id': auditID },
    });
    const first = await new Promise<Buffer>((resolve, reject) => {
      ws.once('message', (data) => resolve(data as Buffer));
      ws.once('error', reject);
    });
    assert.equal(first.subarray(1).toString(), 'hello\n');
    const started = await f.waitFor(auditID, 'ResponseStarted');
    assert.deepEqual(stages(started), ['RequestReceived', 'ResponseStarted']);
    assert.equal(started[1]!.responseStatus?.code, 101);
    ws.close();
    const evs = await f.waitFor(auditID, 'ResponseComplete');
    assert.deepEqual(stages(evs), ['RequestReceived', 'ResponseStarted', 'ResponseComplete']);
    assert.equal(evs[2]!.responseStatus?.code, 101);
    assert.equal(evs[2]!.objectRef?.subresource, 'exec');
  });

  test('an unexpected handler error is a Panic event instead of ResponseComplete', async () => {
    const f = await fixture([{ level: 'Metadata' }]);
    const { status, auditID } = await call(f, 'GET', '/api/v1/nodes/n1');
    assert.equal(status, 500);
    const evs = await f.waitFor(auditID, 'Panic');
    await settle(f);
    assert.deepEqual(stages(f.events().filter((e) => e.auditID === auditID)), ['RequestReceived', 'Panic']);
    const panic = evs.at(-1)!;
    assert.equal(panic.responseStatus?.code, 500);
    assert.equal(panic.responseStatus?.reason, 'InternalError');
    assert.match(panic.responseStatus?.message ?? '', /^APIServer panic'd: Cannot read properties of undefined/);
  });

  test('failed authentication: one ResponseStarted event with the 401 and no user', async () => {
    const f = await fixture([{ level: 'Metadata' }]);
    const res = await fetch(`${f.url}/api/v1/namespaces/default/pods`, { headers: { authorization: 'Bearer bad' } });
    assert.equal(res.status, 401);
    const auditID = res.headers.get('audit-id');
    assert.ok(auditID, 'the Audit-Id header is on replies of earlier stages too');
    await f.waitFor(auditID, 'ResponseStarted');
    await settle(f);
    const evs = f.events().filter((e) => e.auditID === auditID);
    assert.equal(evs.length, 1);
    const ev = evs[0]!;
    assert.equal(ev.stage, 'ResponseStarted');
    assert.deepEqual(ev.user, {});
    assert.equal(ev.verb, 'list');
    assert.equal(ev.responseStatus?.reason, 'Unauthorized');
  });

  test('closing the app: open watches end and their ResponseComplete is written before the log closes', async () => {
    const f = await start([{ level: 'Metadata' }]);
    const res = await fetch(`${f.url}/api/v1/namespaces/default/configmaps?watch=true`, { headers: { 'x-user': 'alice' } });
    const auditID = res.headers.get('audit-id')!;
    void res.body!.getReader().read();
    await f.waitFor(auditID, 'ResponseStarted');
    await f.close();
    const mine = f.events().filter((e) => e.auditID === auditID);
    assert.deepEqual(stages(mine), ['RequestReceived', 'ResponseStarted', 'ResponseComplete']);
  });

  test('the log file is created 0600 and holds one JSON object per line', async () => {
    const f = await fixture([{ level: 'Metadata' }]);
    const { auditID } = await call(f, 'GET', '/api/v1/namespaces/default/pods/web');
    await f.waitFor(auditID, 'ResponseComplete');
    assert.equal(statSync(f.file).mode & 0o777, 0o600);
    for (const line of readFileSync(f.file, 'utf8').split('\n').filter(Boolean)) assert.equal(typeof JSON.parse(line), 'object');
  });
});
