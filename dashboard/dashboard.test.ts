// The dashboard daemon against a real apiserver over real etcd: token login through a
// SelfSubjectReview, the one-time link, the proxy acting only as the session's user (RBAC
// refusals are the apiserver's own 403 Status; a browser's Impersonate-User is dropped), the
// CSRF header, the SSE watch (ADDED/MODIFIED/DELETED, Last-Event-ID resume, `expired`,
// apiserver down and back) and the exec WebSocket's refusal path.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { fetch } from 'undici';
import WebSocket from 'ws';
import { RestClient } from '../client/index.js';
import { startTestApiserver, type TestApiserver } from '../test/harness/apiserver.js';
import { Browser, serviceAccountToken } from '../test/harness/dashboard-client.js';
import { waitFor } from '../test/harness/ports.js';
import { startDashboard, type Dashboard } from './server/dashboard.js';
import { ExecBridge } from './server/exec.js';

let api: TestApiserver;
let admin: RestClient;
let dash: Dashboard;
let adminToken: string;
let viewerToken: string;
let onceFile: string;
/** The first apiserver's etcd, kept across the outage test's restart. */
let etcd: TestApiserver['etcd'] | undefined;
const NS = 'dash';

/** A GET with the path sent exactly as written. */
function rawGet(base: string, path: string, cookie: string): Promise<{ status: number; text: string }> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: u.hostname, port: u.port, path, headers: { cookie } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function startApiserver(port?: number): Promise<TestApiserver> {
  return startTestApiserver({ watchCacheSize: 20, ...(etcd ? { etcd } : {}), ...(port ? { port } : {}) });
}

before(async () => {
  api = await startApiserver();
  admin = new RestClient({ ...api.config, qps: 0 });
  await admin.resource('namespaces').create({ metadata: { name: NS } });
  adminToken = await serviceAccountToken(admin, NS, 'boss', 'cluster-admin', true);
  // `view` is an aggregated role (filled by the controller-manager, not running here): its rules.
  viewerToken = await serviceAccountToken(admin, NS, 'viewer', 'system:aggregate-to-view');
  // The RBAC authorizer learns bindings from a watch: wait until both are in force.
  for (const [token, path] of [[adminToken, '/api/v1/secrets'], [viewerToken, `/apis/apps/v1/namespaces/${NS}/deployments`]] as const) {
    const c = new RestClient({ server: api.url, ca: api.pki.ca.cert, token, qps: 0 });
    await waitFor(`RBAC for ${path}`, () => c.json({ method: 'GET', path }).then(() => true));
    await c.close();
  }
  const dir = mkdtempSync(join(tmpdir(), 'tskube-dash-'));
  onceFile = join(dir, 'login-once.json');
  dash = await startDashboard({
    apiserver: { server: api.url, ca: api.pki.ca.cert },
    host: '127.0.0.1',
    port: 0,
    staticDir: join(dir, 'public'),
    loginOnceFile: onceFile,
    log: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    heartbeatMs: 200,
    watchBackoff: { initialMs: 50, maxMs: 200 },
    upgrades: new ExecBridge(),
  });
});
after(async () => {
  await dash?.stop();
  await admin?.close();
  await api?.stop();
  await etcd?.stop();
});

describe('login', () => {
  test('/healthz is open; the app page is served (a placeholder before the web app is built)', async () => {
    const b = new Browser(dash.url);
    assert.equal((await b.request('GET', '/healthz')).text, 'ok');
    const page = await b.request('GET', '/');
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    assert.equal((await b.request('GET', '/assets/%2e%2e/%2e%2e/etc/passwd')).status, 404);
    const nope = await b.request('GET', '/nowhere');
    assert.equal(nope.status, 404);
    assert.equal(nope.body.kind, 'Status');
  });

  test('a good token logs in (SelfSubjectReview as the token); a bad one is 401; logout ends the session', async () => {
    const b = new Browser(dash.url);
    const bad = await b.login('not-a-token');
    assert.equal(bad.status, 401);
    assert.equal(bad.body.reason, 'Unauthorized');
    assert.equal(b.cookie, undefined);
    assert.equal((await b.request('POST', '/api/login', 'token=x', { 'content-type': 'application/x-www-form-urlencoded' })).status, 415);
    assert.equal((await b.request('POST', '/api/login', '{not json')).status, 400);
    assert.equal((await b.request('POST', '/api/login', { token: 42 })).status, 400);
    assert.equal((await b.request('GET', '/api/me')).status, 401);
    const ok = await b.login(viewerToken);
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.body.user.username, `system:serviceaccount:${NS}:viewer`);
    assert.ok(ok.body.user.groups.includes('system:serviceaccounts'));
    assert.match(ok.headers.get('set-cookie') ?? '', /^tskube_dashboard=[^;]+; Path=\/; HttpOnly; SameSite=Strict$/);
    assert.equal((await b.request('GET', '/api/me')).body.user.username, `system:serviceaccount:${NS}:viewer`);
    assert.equal((await b.request('POST', '/api/logout')).status, 200);
    assert.equal(b.cookie, undefined);
    const forged = new Browser(dash.url);
    forged.cookie = 'tskube_dashboard=made-up';
    assert.equal((await forged.request('GET', '/api/me')).status, 401);
  });

  test('the one-time link logs in once, then is 401', async () => {
    const nonce = 'n0nce-' + 'x'.repeat(24);
    writeFileSync(onceFile, JSON.stringify({ nonce, token: adminToken }), { mode: 0o600 });
    const b = new Browser(dash.url);
    assert.equal((await b.request('GET', '/login?once=wrong-nonce-xxxxxxxxxxxx')).status, 401);
    const first = await b.request('GET', `/login?once=${nonce}`);
    assert.equal(first.status, 302);
    assert.equal(first.headers.get('location'), '/');
    assert.equal((await b.request('GET', '/api/me')).body.user.username, `system:serviceaccount:${NS}:boss`);
    assert.equal(existsSync(onceFile), false, 'the used link file is removed');
    const again = await new Browser(dash.url).request('GET', `/login?once=${nonce}`);
    assert.equal(again.status, 401);
    assert.match(again.text, /already used or is not valid/);
  });
});

describe('/metrics', () => {
  test('only for a user the apiserver allows `get /metrics` (SelfSubjectAccessReview as the user)', async () => {
    assert.equal((await new Browser(dash.url).request('GET', '/metrics')).status, 401);
    const viewer = new Browser(dash.url);
    await viewer.login(viewerToken);
    const denied = await viewer.request('GET', '/metrics');
    assert.equal(denied.status, 403);
    assert.equal(denied.body.message, `forbidden: User "system:serviceaccount:${NS}:viewer" cannot get path "/metrics"`);
    const boss = new Browser(dash.url);
    await boss.login(adminToken);
    const ok = await boss.request('GET', '/metrics');
    assert.equal(ok.status, 200);
    assert.match(ok.text, /dashboard_http_requests_total\{route="\/api\/login",code="200"\} \d+/);
    assert.match(ok.text, /dashboard_sessions \d+/);
    const bearer = await new Browser(dash.url).request('GET', '/metrics', undefined, { authorization: `Bearer ${adminToken}` });
    assert.equal(bearer.status, 200, 'a scraper may use a bearer token');
  });
});

describe('API proxy', () => {
  test('acts as the session user: the apiserver itself refuses a view user\'s scale with its 403 Status', async () => {
    await admin.json({
      method: 'POST',
      path: `/apis/apps/v1/namespaces/${NS}/deployments`,
      body: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } } },
    });
    const viewer = new Browser(dash.url);
    await viewer.login(viewerToken);
    const list = await viewer.request('GET', `/api/k8s/apis/apps/v1/namespaces/${NS}/deployments`);
    assert.equal(list.status, 200, list.text);
    assert.equal(list.body.items.length, 1);
    const scale = `/api/k8s/apis/apps/v1/namespaces/${NS}/deployments/web/scale`;
    const patch = { spec: { replicas: 3 } };
    const denied = await viewer.request('PATCH', scale, patch, { 'content-type': 'application/merge-patch+json', 'x-tskube-dashboard': '1' });
    assert.equal(denied.status, 403, denied.text);
    assert.equal(denied.body.kind, 'Status');
    assert.equal(denied.body.message, `deployments.apps "web" is forbidden: User "system:serviceaccount:${NS}:viewer" cannot patch resource "deployments/scale" in API group "apps" in the namespace "${NS}"`);
    const boss = new Browser(dash.url);
    await boss.login(adminToken);
    const scaled = await boss.request('PATCH', scale, patch, { 'content-type': 'application/merge-patch+json', 'x-tskube-dashboard': '1' });
    assert.equal(scaled.status, 200, scaled.text);
    assert.equal(scaled.body.spec.replicas, 3);
  });

  test('Authorization and Impersonate-* sent by the browser are dropped: the request still runs as the session user', async () => {
    const viewer = new Browser(dash.url);
    await viewer.login(viewerToken);
    const who = await viewer.request('POST', '/api/k8s/apis/authentication.k8s.io/v1/selfsubjectreviews', { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }, {
      'x-tskube-dashboard': '1',
      authorization: `Bearer ${adminToken}`,
      'impersonate-user': 'system:admin',
      'impersonate-group': 'system:masters',
      'x-remote-user': 'system:admin',
    });
    assert.equal(who.status, 201, who.text);
    assert.equal(who.body.status.userInfo.username, `system:serviceaccount:${NS}:viewer`);
    const secrets = await viewer.request('GET', `/api/k8s/api/v1/namespaces/${NS}/secrets`, undefined, { 'impersonate-user': 'system:admin' });
    assert.equal(secrets.status, 403, 'view may not list secrets, whoever the browser names');
  });

  test('answers are streamed: a watch through the proxy delivers each event while the response is still open', async () => {
    const boss = new Browser(dash.url);
    await boss.login(adminToken);
    const path = `/api/v1/namespaces/${NS}/configmaps`;
    const list = await boss.request('GET', `/api/k8s${path}`);
    const ctrl = new AbortController();
    const res = await fetch(`${dash.url}/api/k8s${path}?watch=true&resourceVersion=${list.body.metadata.resourceVersion}`, { headers: { cookie: boss.cookie! }, signal: ctrl.signal });
    assert.equal(res.status, 200);
    let text = '';
    const reading = (async () => {
      try {
        for await (const chunk of res.body!) text += Buffer.from(chunk).toString();
      } catch {
        // aborted
      }
    })();
    await admin.json({ method: 'POST', path, body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'streamed' } } });
    await waitFor('the ADDED event through the proxy', () => text.includes('"streamed"'));
    assert.equal(JSON.parse(text.split('\n')[0]!).type, 'ADDED');
    ctrl.abort();
    await reading;
  });

  test('non-GET needs the CSRF header; no session is 401; bad paths are 400/404, never 5xx', async () => {
    const boss = new Browser(dash.url);
    await boss.login(adminToken);
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'csrf' } };
    const noHeader = await boss.request('POST', `/api/k8s/api/v1/namespaces/${NS}/configmaps`, cm);
    assert.equal(noHeader.status, 403);
    assert.match(noHeader.body.message, /X-Tskube-Dashboard/);
    assert.equal((await boss.request('POST', `/api/k8s/api/v1/namespaces/${NS}/configmaps`, cm, { 'x-tskube-dashboard': '1' })).status, 201);
    assert.equal((await new Browser(dash.url).request('GET', `/api/k8s/api/v1/namespaces/${NS}/configmaps`)).status, 401);
    // Raw paths (fetch would resolve the dot segments itself).
    for (const raw of ['/api/k8s/api/v1/namespaces/%2e%2e/x', '/api/k8s/api/v1/../../healthz', '/api/k8s/api/v1/namespaces/%zz']) {
      const r = await rawGet(dash.url, raw, boss.cookie!);
      assert.equal(r.status, 400, raw);
      assert.equal(JSON.parse(r.text).kind, 'Status');
    }
    assert.equal((await boss.request('GET', '/api/k8s/api/v1/namespaces/nope/pods/x')).status, 404);
  });
});

describe('watch (server-sent events)', () => {
  const cmPath = `/api/v1/namespaces/${NS}/configmaps`;
  const cm = (name: string, data: Record<string, string> = {}) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data });

  test('after a list: ADDED, MODIFIED, DELETED; a reconnect with Last-Event-ID loses nothing; heartbeats', async () => {
    const b = new Browser(dash.url);
    await b.login(adminToken);
    const list = await b.request('GET', `/api/k8s${cmPath}`);
    const s = await b.events(`/api/watch?path=${encodeURIComponent(cmPath)}&resourceVersion=${list.body.metadata.resourceVersion}`);
    assert.equal(s.status, 200);
    await admin.json({ method: 'POST', path: cmPath, body: cm('live') });
    await admin.json({ method: 'PATCH', path: `${cmPath}/live`, body: { data: { a: '1' } }, contentType: 'application/merge-patch+json' });
    await admin.json({ method: 'DELETE', path: `${cmPath}/live` });
    await waitFor('three events', () => s.named('DELETED', 'live').length === 1);
    assert.deepEqual(s.messages.filter((m) => m.event !== 'BOOKMARK').map((m) => m.event), ['ADDED', 'MODIFIED', 'DELETED']);
    for (const m of s.messages) assert.equal(m.id, JSON.parse(m.data).metadata.resourceVersion);
    await waitFor('a heartbeat comment', () => s.comments > 0);
    const lastId = s.messages.at(-1)!.id!;
    await s.close();
    // Changes while the browser is away arrive on the reconnect, as EventSource sends Last-Event-ID.
    await admin.json({ method: 'POST', path: cmPath, body: cm('while-away-1') });
    await admin.json({ method: 'POST', path: cmPath, body: cm('while-away-2') });
    const r = await b.events(`/api/watch?path=${encodeURIComponent(cmPath)}&resourceVersion=${list.body.metadata.resourceVersion}`, { 'last-event-id': lastId });
    await waitFor('both missed events', () => r.named('ADDED', 'while-away-2').length === 1);
    assert.deepEqual(r.messages.filter((m) => m.event !== 'BOOKMARK').map((m) => JSON.parse(m.data).metadata.name), ['while-away-1', 'while-away-2']);
    await r.close();
  });

  test('a resourceVersion the apiserver no longer has gives `event: expired`; bad requests are 400; no session 401', async () => {
    const b = new Browser(dash.url);
    await b.login(adminToken);
    const first = await admin.json<{ metadata: { resourceVersion: string } }>({ method: 'POST', path: cmPath, body: cm('churn') });
    for (let i = 0; i < 30; i++) await admin.json({ method: 'PATCH', path: `${cmPath}/churn`, body: { data: { i: String(i) } }, contentType: 'application/merge-patch+json' });
    const s = await b.events(`/api/watch?path=${encodeURIComponent(cmPath)}&resourceVersion=${first.metadata.resourceVersion}`);
    await waitFor('expired', () => s.messages.some((m) => m.event === 'expired'));
    assert.equal(JSON.parse(s.messages.find((m) => m.event === 'expired')!.data).code, 410);
    await s.close();
    for (const q of ['path=/etc/passwd', `path=${encodeURIComponent(cmPath)}&resourceVersion=abc`, 'path=' + encodeURIComponent('/api/v1/namespaces/x/pods?watch=0')]) {
      const bad = await b.request('GET', `/api/watch?${q}`);
      assert.equal(bad.status, 400, q);
      assert.equal(bad.body.kind, 'Status');
    }
    assert.equal((await new Browser(dash.url).request('GET', `/api/watch?path=${encodeURIComponent(cmPath)}`)).status, 401);
    const viewer = new Browser(dash.url);
    await viewer.login(viewerToken);
    const refused = await viewer.request('GET', `/api/watch?path=${encodeURIComponent('/api/v1/secrets')}`);
    assert.equal(refused.status, 403, 'the apiserver\'s refusal, as is');
    assert.equal(refused.body.reason, 'Forbidden');
  });
});

describe('exec', () => {
  function open(b: Browser, query: string, origin = dash.url): Promise<{ ws: WebSocket; frames: string[]; closed: Promise<void> } | { refused: number }> {
    return new Promise((resolve) => {
      const ws = new WebSocket(`${dash.url.replace('http', 'ws')}/api/exec?${query}`, { headers: { ...(b.cookie ? { cookie: b.cookie } : {}), origin } });
      const frames: string[] = [];
      const closed = new Promise<void>((done) => ws.once('close', () => done()));
      ws.on('message', (d: Buffer, binary: boolean) => frames.push(binary ? `binary:${d.toString()}` : d.toString()));
      ws.once('open', () => resolve({ ws, frames, closed }));
      ws.once('unexpected-response', (_req, res) => resolve({ refused: res.statusCode ?? 0 }));
      ws.once('error', () => undefined);
    });
  }

  test('refusals: no session 401, foreign Origin 403, bad query 400; the apiserver\'s 403 arrives as {type:error}', async () => {
    const q = `namespace=${NS}&pod=web-1&command=sh`;
    assert.deepEqual(await open(new Browser(dash.url), q), { refused: 401 });
    const viewer = new Browser(dash.url);
    await viewer.login(viewerToken);
    assert.deepEqual(await open(viewer, q, 'http://evil.example'), { refused: 403 });
    assert.deepEqual(await open(viewer, `namespace=${NS}&pod=Bad_Name&command=sh`), { refused: 400 });
    assert.deepEqual(await open(viewer, `namespace=${NS}&pod=web-1`), { refused: 400 });
    const c = await open(viewer, q);
    assert.ok('ws' in c);
    c.ws.send(JSON.stringify({ type: 'stdin', data: 'echo hi\n' }));
    await c.closed;
    assert.equal(c.frames.length, 1, c.frames.join());
    const m = JSON.parse(c.frames[0]!);
    assert.equal(m.type, 'error');
    assert.equal(m.status.code, 403);
    assert.match(m.status.message, /User "system:serviceaccount:dash:viewer" cannot (get|create) resource "pods\/exec"/);
  });
});

describe('apiserver outage', () => {
  test('a watch reports the apiserver down, then up, and resumes without loss; the proxy answers 503 meanwhile', async () => {
    const cmPath = `/api/v1/namespaces/${NS}/configmaps`;
    const b = new Browser(dash.url);
    await b.login(adminToken);
    const list = await b.request('GET', `/api/k8s${cmPath}`);
    const s = await b.events(`/api/watch?path=${encodeURIComponent(cmPath)}&resourceVersion=${list.body.metadata.resourceVersion}`);
    const port = Number(new URL(api.url).port);
    etcd = api.etcd;
    await api.server.close();
    await api.dispatcher.close();
    await waitFor('down event', () => s.messages.some((m) => m.event === 'apiserver' && JSON.parse(m.data).up === false));
    const during = await b.request('GET', `/api/k8s${cmPath}`);
    assert.equal(during.status, 503);
    assert.equal(during.body.reason, 'ServiceUnavailable');
    api = await startApiserver(port);
    await admin.close();
    admin = new RestClient({ ...api.config, qps: 0 });
    await admin.json({ method: 'POST', path: cmPath, body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'after-outage' } } });
    await waitFor('up event', () => s.messages.some((m) => m.event === 'apiserver' && JSON.parse(m.data).up === true));
    await waitFor('the change made after the outage', () => s.named('ADDED', 'after-outage').length === 1, 30_000);
    await s.close();
  });
});
