// API aggregation end to end on real etcd: a tiny HTTPS backend (test/harness/wardle.ts)
// registered through a selector-less Service, hand-written Endpoints and an APIService, then
// proxied with the front-proxy certificate and X-Remote-* headers; discovery (legacy and
// aggregated); the Available condition; 503 for the group alone when the backend is down;
// requestheader authentication on the apiserver itself; 422 for invalid APIServices.
import assert from 'node:assert/strict';
import { connect } from 'node:tls';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { startTestApiserver, dispatcherFor, type TestApiserver } from '../test/harness/apiserver.js';
import { http } from '../test/harness/http.js';
import { openWatch } from '../test/harness/http.js';
import { testPki } from '../test/harness/pki.js';
import { kubectlFor } from '../test/harness/kubectl.js';
import { startWardle, WARDLE_GROUP, type WardleBackend } from '../test/harness/wardle.js';

let api: TestApiserver;
let backend: WardleBackend;
let admin: ReturnType<typeof http>;

const GV = `${WARDLE_GROUP}/v1alpha1`;
const NAME = `v1alpha1.${WARDLE_GROUP}`;

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function available(name: string): Promise<{ status: string; reason: string; message: string } | undefined> {
  const r = await admin('GET', `/apis/apiregistration.k8s.io/v1/apiservices/${name}`);
  return r.body?.status?.conditions?.find((c: { type: string }) => c.type === 'Available');
}

function waitAvailable(name: string, status: string, reason?: string) {
  return until(`${name} Available=${status}${reason ? `/${reason}` : ''}`, async () => {
    const c = await available(name);
    return c && c.status === status && (!reason || c.reason === reason) ? c : undefined;
  });
}

async function register(port: number): Promise<void> {
  const pki = await testPki();
  assert.equal((await admin('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'wardle' } })).status, 201);
  const svc = await admin('POST', '/api/v1/namespaces/wardle/services', {
    apiVersion: 'v1', kind: 'Service', metadata: { name: 'wardle' }, spec: { ports: [{ name: 'https', port: 443, targetPort: port }] },
  });
  assert.equal(svc.status, 201, svc.text);
  const ep = await admin('POST', '/api/v1/namespaces/wardle/endpoints', {
    apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'wardle' }, subsets: [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'https', port }] }],
  });
  assert.equal(ep.status, 201, ep.text);
  const r = await admin('POST', '/apis/apiregistration.k8s.io/v1/apiservices', {
    apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', metadata: { name: NAME },
    spec: { group: WARDLE_GROUP, version: 'v1alpha1', service: { namespace: 'wardle', name: 'wardle' }, caBundle: Buffer.from(pki.ca.cert).toString('base64'), groupPriorityMinimum: 1000, versionPriority: 15 },
  });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.spec.service.port, 443, 'port defaults to 443');
}

before(async () => {
  const pki = await testPki();
  api = await startTestApiserver({ aggregator: { proxyClient: { cert: pki.frontProxyClient.cert, key: pki.frontProxyClient.key }, enableAggregatorRouting: true, availabilityIntervalMs: 300 } });
  admin = http({ url: api.url, dispatcher: api.dispatcher });
  backend = await startWardle(pki);
  await register(backend.port);
});
after(async () => {
  await backend?.close();
  await api?.stop();
});

describe('APIServices', () => {
  test('every built-in group-version has a Local APIService that is Available', async () => {
    const list = await admin('GET', '/apis/apiregistration.k8s.io/v1/apiservices');
    const names = list.body.items.map((s: { metadata: { name: string } }) => s.metadata.name);
    for (const n of ['v1.', 'v1.apps', 'v1.apiregistration.k8s.io', 'v1.rbac.authorization.k8s.io']) assert.ok(names.includes(n), n);
    const apps = list.body.items.find((s: { metadata: { name: string } }) => s.metadata.name === 'v1.apps');
    assert.deepEqual(apps.spec, { group: 'apps', version: 'v1', groupPriorityMinimum: 17800, versionPriority: 15 });
    const c = await waitAvailable('v1.apps', 'True', 'Local');
    assert.equal(c.message, 'Local APIServices are always available');
  });

  test('the backend passes the discovery check', async () => {
    const c = await waitAvailable(NAME, 'True', 'Passed');
    assert.equal(c.message, 'all checks passed');
  });

  test('invalid APIServices are 422 with field causes', async () => {
    const r = await admin('POST', '/apis/apiregistration.k8s.io/v1/apiservices', {
      apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', metadata: { name: 'v1.foo.example.com' },
      spec: { group: 'bar.example.com', version: 'v1', service: { namespace: 'x', name: 'y', port: 70000 }, caBundle: 'Zm9v', insecureSkipTLSVerify: true, groupPriorityMinimum: 0, versionPriority: 1001 },
    });
    assert.equal(r.status, 422, r.text);
    assert.equal(r.body.reason, 'Invalid');
    const fields = r.body.details.causes.map((c: { field: string }) => c.field).sort();
    assert.deepEqual(fields, ['metadata.name', 'spec.groupPriorityMinimum', 'spec.insecureSkipTLSVerify', 'spec.service.port', 'spec.versionPriority']);
    assert.match(r.body.message, /^APIService.apiregistration.k8s.io "v1.foo.example.com" is invalid: \[metadata.name: Invalid value: "v1.foo.example.com": must be `spec.version\+"."\+spec.group`: "v1.bar.example.com", /);
    const local = await admin('POST', '/apis/apiregistration.k8s.io/v1/apiservices', {
      apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', metadata: { name: 'v1.local.example.com' },
      spec: { group: 'local.example.com', version: 'v1', insecureSkipTLSVerify: true, groupPriorityMinimum: 100, versionPriority: 1 },
    });
    assert.equal(local.status, 422);
    assert.equal(local.body.details.causes[0].field, 'spec.insecureSkipTLSVerify');
  });
});

describe('proxy', () => {
  test('requests reach the backend as the authenticated user, with client-sent identity headers stripped', async () => {
    const alice = await api.configFor('alice', ['system:masters', 'devs']);
    const as = http({ url: api.url, dispatcher: dispatcherFor(api.pki, { cert: alice.cert!, key: alice.key! }) });
    // The client certificate authenticates (it comes first); the Authorization header is dropped.
    const ok = await as('GET', `/apis/${GV}/namespaces/default/flunders/one`, undefined, {
      'X-Remote-User': 'mallory',
      'X-Remote-Group': 'system:masters',
      'X-Remote-Extra-Scopes': 'everything',
      Authorization: 'Bearer not-forwarded',
    });
    assert.equal(ok.status, 200, ok.text);
    const seen = ok.body.metadata.annotations;
    assert.equal(seen['x-remote-user'], 'alice');
    assert.equal(seen['x-remote-group'], 'system:masters|devs|system:authenticated', 'one header per group');
    assert.equal(seen['x-remote-extra-scopes'], undefined);
    assert.match(seen['x-remote-extra-authentication.kubernetes.io%2fcredential-id'] ?? '', /^X509SHA256=/);
    const last = backend.requests.filter((r) => r.path.includes('/flunders/one')).at(-1)!;
    assert.equal(last.headers.authorization, undefined);
    assert.equal(backend.refused, 0);
  });

  test('a user RBAC does not allow is refused before the backend is asked', async () => {
    // The availability controller's probes also reach the backend: count resource requests only.
    const flunderRequests = () => backend.requests.filter((r) => r.path.includes('/flunders')).length;
    const before = flunderRequests();
    const bob = await api.configFor('bob');
    const r = await http({ url: api.url, dispatcher: dispatcherFor(api.pki, { cert: bob.cert!, key: bob.key! }) })('GET', `/apis/${GV}/namespaces/default/flunders`);
    assert.equal(r.status, 403);
    assert.match(r.body.message, /flunders.wardle.example.com is forbidden/);
    assert.equal(flunderRequests(), before);
  });

  test('watches stream through', async () => {
    const w = await openWatch(`${api.url}/apis/${GV}/namespaces/default/flunders?watch=true`, {}, api.dispatcher);
    assert.equal(w.status, 200);
    // The first event arrives while the backend still holds the stream open.
    await until('the first event', async () => (w.events.length >= 1 ? true : undefined));
    assert.equal(w.ended, false);
    assert.equal(w.events[0]!.object.metadata.name, 'watched-1');
    await until('the stream to end', async () => (w.ended ? true : undefined));
    assert.deepEqual(w.events.map((e) => e.object.metadata.name), ['watched-1', 'watched-2']);
    await w.close();
  });

  test('upgrade requests are spliced through to the backend', async () => {
    const socket = connect({ host: '127.0.0.1', port: Number(new URL(api.url).port), ca: api.pki.ca.cert, cert: api.pki.admin.cert, key: api.pki.admin.key, servername: 'localhost' });
    let got = '';
    socket.on('data', (d: Buffer) => (got += d.toString()));
    socket.write(`GET /apis/${GV}/namespaces/default/flunders/f1/attach HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n`);
    await until('the 101', async () => (got.includes('\r\n\r\n') ? true : undefined));
    assert.match(got, /^HTTP\/1.1 101 /);
    assert.match(got, /X-Seen-User: kubernetes-admin\r\n/);
    socket.write('ping');
    await until('the echo', async () => (got.endsWith('ping') ? true : undefined));
    socket.destroy();
  });
});

describe('discovery', () => {
  test('/apis lists the aggregated group; /apis/<group> and /apis/<group>/<version> answer', async () => {
    const groups = await admin('GET', '/apis');
    const g = groups.body.groups.find((x: { name: string }) => x.name === WARDLE_GROUP);
    assert.deepEqual(g, { name: WARDLE_GROUP, versions: [{ groupVersion: GV, version: 'v1alpha1' }], preferredVersion: { groupVersion: GV, version: 'v1alpha1' } });
    const names = groups.body.groups.map((x: { name: string }) => x.name);
    assert.ok(names.indexOf('apps') < names.indexOf(WARDLE_GROUP), 'ordered by groupPriorityMinimum');
    const group = await admin('GET', `/apis/${WARDLE_GROUP}`);
    assert.equal(group.body.kind, 'APIGroup');
    assert.equal(group.body.preferredVersion.version, 'v1alpha1');
    const list = await admin('GET', `/apis/${GV}`);
    assert.equal(list.body.kind, 'APIResourceList');
    assert.equal(list.body.resources[0].name, 'flunders');
  });

  test('the aggregated discovery document carries the backend\'s resources', async () => {
    const accept = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json';
    const item = await until('wardle in aggregated discovery', async () => {
      const r = await admin('GET', '/apis', undefined, { accept });
      return r.body.items.find((i: { metadata: { name: string } }) => i.metadata.name === WARDLE_GROUP);
    });
    const v = item.versions[0];
    assert.equal(v.version, 'v1alpha1');
    assert.equal(v.freshness, 'Current');
    assert.deepEqual(v.resources[0], {
      resource: 'flunders',
      responseKind: { group: WARDLE_GROUP, version: 'v1alpha1', kind: 'Flunder' },
      scope: 'Namespaced',
      singularResource: 'flunder',
      verbs: ['get', 'list', 'watch'],
      shortNames: ['fl'],
      subresources: [{ subresource: 'status', responseKind: { group: WARDLE_GROUP, version: 'v1alpha1', kind: 'Flunder' }, verbs: ['get'] }],
    });
  });
});

/** An APIService manifest for `<version>.<group>` with `spec` lines (two-space indented under spec). */
function apiServiceYaml(group: string, version: string, spec: string[]): string {
  return ['apiVersion: apiregistration.k8s.io/v1', 'kind: APIService', 'metadata:', `  name: ${version}.${group}`, 'spec:', `  group: ${group}`, `  version: ${version}`, ...spec.map((l) => `  ${l}`), ''].join('\n');
}

describe('OpenAPI v3', () => {
  test('the index lists the aggregated group-version and its document comes from the backend', async () => {
    const path = `apis/${GV}`;
    const entry = await until('the OpenAPI index entry', async () => (await admin('GET', '/openapi/v3')).body.paths[path]);
    assert.match(entry.serverRelativeURL, new RegExp(`^/openapi/v3/${path}\\?hash=[0-9A-F]+$`));
    assert.ok((await admin('GET', '/openapi/v3')).body.paths['apis/apps/v1'], 'built-in group-versions stay');
    const doc = await admin('GET', entry.serverRelativeURL);
    assert.equal(doc.status, 200);
    assert.ok(doc.body.components.schemas['com.example.wardle.v1alpha1.Flunder']);
  });
});

describe('kubectl 1.32', () => {
  test('get apiservices shows the service and availability', async () => {
    const k = kubectlFor(api.config);
    const r = await k.run(['get', 'apiservices']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^NAME\s+SERVICE\s+AVAILABLE\s+AGE$/m);
    assert.match(r.stdout, /^v1\.apps\s+Local\s+True\s+/m);
    assert.match(r.stdout, /^v1alpha1\.wardle\.example\.com\s+wardle\/wardle\s+True\s+/m);
  });

  test('api-resources lists the aggregated resource and get goes through the proxy', async () => {
    const k = kubectlFor(api.config);
    const res = await k.run(['api-resources', `--api-group=${WARDLE_GROUP}`]);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /^flunders\s+fl\s+wardle\.example\.com\/v1alpha1\s+true\s+Flunder$/m);
    const get = await k.run(['get', 'fl', '-n', 'default']);
    assert.equal(get.code, 0, get.stderr);
    assert.match(get.stdout, /^f1\s/m);
    const json = await k.run(['get', `flunders.${WARDLE_GROUP}`, 'f1', '-n', 'default', '-o', 'json']);
    assert.equal(json.code, 0, json.stderr);
    assert.equal(JSON.parse(json.stdout).metadata.annotations['x-remote-user'], 'kubernetes-admin');
  });

  test('explain reads the aggregated kind\'s schema', async () => {
    await until('the OpenAPI index entry', async () => (await admin('GET', '/openapi/v3')).body.paths[`apis/${GV}`]);
    const r = await kubectlFor(api.config).run(['explain', 'flunders.spec']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^KIND:\s+Flunder$/m);
    assert.match(r.stdout, /What the flunder wants\./);
    assert.match(r.stdout, /reference\s+<string>/);
  });

  test('explain apiservices reads the APIService schema', async () => {
    const r = await kubectlFor(api.config).run(['explain', 'apiservices.spec.service']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^GROUP:\s+apiregistration.k8s.io$/m);
    assert.match(r.stdout, /port\s+<integer>/);
  });

  test('kubectl 1.20 (legacy discovery, one request per group-version) finds and gets the resource too', async () => {
    const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
    const k = kubectlFor(api.config, process.env.KUBECTL_1_20 ?? join(root, '.tskube', 'tools', 'kubectl-1.20', 'usr', 'bin', 'kubectl'));
    const res = await k.run(['api-resources', `--api-group=${WARDLE_GROUP}`]);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /^flunders\s+fl\s+wardle\.example\.com\/v1alpha1\s+true\s+Flunder$/m);
    const get = await k.run(['get', 'fl', 'f1', '-n', 'default', '-o', 'jsonpath={.metadata.name}']);
    assert.equal(get.code, 0, get.stderr);
    assert.equal(get.stdout, 'f1');
  });

  test('apply -f registers an APIService the way metrics-server\'s manifest does', async () => {
    const k = kubectlFor(api.config);
    const manifest = apiServiceYaml('applied.example.com', 'v1beta1', ['service:', '  name: applied', '  namespace: wardle', 'insecureSkipTLSVerify: true', 'groupPriorityMinimum: 100', 'versionPriority: 100']);
    const r = await k.run(['apply', '-f', '-'], manifest);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /apiservice.apiregistration.k8s.io\/v1beta1.applied.example.com created/);
    const again = await k.run(['apply', '-f', '-'], manifest.replace('versionPriority: 100', 'versionPriority: 50'));
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /configured/);
    const del = await k.run(['delete', 'apiservice', 'v1beta1.applied.example.com']);
    assert.equal(del.code, 0, del.stderr);
  });

  test('create -f of an invalid APIService prints the 422', async () => {
    const k = kubectlFor(api.config);
    const bad = apiServiceYaml('bad.example.com', 'v1', ['groupPriorityMinimum: 100', 'versionPriority: 0']);
    const r = await k.run(['create', '-f', '-'], bad);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /The APIService "v1.bad.example.com" is invalid: spec.versionPriority: Invalid value: 0: must be positive and less than 1000/);
  });
});

describe('requestheader authentication', () => {
  const frontProxy = async () => http({ url: api.url, dispatcher: dispatcherFor(api.pki, api.pki.frontProxyClient) });

  test('the front-proxy certificate with X-Remote-* headers is that user', async () => {
    const fp = await frontProxy();
    const r = await fp('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }, {
      'X-Remote-User': 'carol', 'X-Remote-Group': 'ops', 'X-Remote-Extra-Reason': 'on-call',
    });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.body.status.userInfo.username, 'carol');
    assert.deepEqual(r.body.status.userInfo.groups, ['ops', 'system:authenticated']);
    assert.deepEqual(r.body.status.userInfo.extra, { reason: ['on-call'] });
  });

  test('the same connection can speak for different users', async () => {
    const fp = await frontProxy();
    const who = async (user: string) => (await fp('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }, { 'X-Remote-User': user })).body.status.userInfo.username;
    assert.equal(await who('dave'), 'dave');
    assert.equal(await who('erin'), 'erin');
  });

  test('the front-proxy certificate without headers, or a cluster-CA certificate with them, is not trusted', async () => {
    const fp = await frontProxy();
    assert.equal((await fp('GET', '/api/v1/namespaces')).status, 401);
    const r = await admin('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }, { 'X-Remote-User': 'mallory' });
    assert.equal(r.body.status.userInfo.username, 'kubernetes-admin');
  });

  test('extension-apiserver-authentication is published in kube-system', async () => {
    const cm = await admin('GET', '/api/v1/namespaces/kube-system/configmaps/extension-apiserver-authentication');
    assert.equal(cm.status, 200);
    assert.equal(cm.body.data['client-ca-file'], api.pki.ca.cert);
    assert.equal(cm.body.data['requestheader-client-ca-file'], api.pki.frontProxyCA.cert);
    assert.equal(cm.body.data['requestheader-allowed-names'], '["front-proxy-client"]');
    assert.equal(cm.body.data['requestheader-username-headers'], '["X-Remote-User"]');
    assert.equal(cm.body.data['requestheader-group-headers'], '["X-Remote-Group"]');
    assert.equal(cm.body.data['requestheader-extra-headers-prefix'], '["X-Remote-Extra-"]');
    const role = await admin('GET', '/apis/rbac.authorization.k8s.io/v1/namespaces/kube-system/roles/extension-apiserver-authentication-reader');
    assert.deepEqual(role.body.rules, [{ verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['extension-apiserver-authentication'] }]);
  });
});

describe('unavailable backends', () => {
  test('a missing Service or missing Endpoints make the APIService unavailable with upstream reasons', async () => {
    const mk = (group: string, svc: string) => admin('POST', '/apis/apiregistration.k8s.io/v1/apiservices', {
      apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', metadata: { name: `v1.${group}` },
      spec: { group, version: 'v1', service: { namespace: 'wardle', name: svc }, insecureSkipTLSVerify: true, groupPriorityMinimum: 100, versionPriority: 10 },
    });
    assert.equal((await mk('nosvc.example.com', 'nothere')).status, 201);
    const c1 = await waitAvailable('v1.nosvc.example.com', 'False', 'ServiceNotFound');
    assert.equal(c1.message, 'service/nothere in "wardle" is not present');
    assert.equal((await admin('POST', '/api/v1/namespaces/wardle/services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'noeps' }, spec: { ports: [{ port: 443 }] } })).status, 201);
    assert.equal((await mk('noeps.example.com', 'noeps')).status, 201);
    const c2 = await waitAvailable('v1.noeps.example.com', 'False', 'EndpointsNotFound');
    assert.equal(c2.message, 'cannot find endpoints for service/noeps in "wardle"');
    const r = await admin('GET', '/apis/noeps.example.com/v1/things');
    assert.equal(r.status, 503);
    assert.equal(r.body.reason, 'ServiceUnavailable');
    for (const n of ['v1.nosvc.example.com', 'v1.noeps.example.com']) assert.equal((await admin('DELETE', `/apis/apiregistration.k8s.io/v1/apiservices/${n}`)).status, 200);
  });

  test('a backend that goes away is a 503 for its group only, and comes back', async () => {
    await backend.close();
    const c = await waitAvailable(NAME, 'False', 'FailedDiscoveryCheck');
    assert.match(c.message, new RegExp(`^failing or missing response from https://127.0.0.1:${backend.port}/apis/${GV}: .*ECONNREFUSED`));
    const r = await admin('GET', `/apis/${GV}/namespaces/default/flunders`);
    assert.equal(r.status, 503);
    assert.equal(r.body.kind, 'Status');
    assert.equal(r.body.reason, 'ServiceUnavailable');
    assert.equal((await admin('GET', '/api/v1/pods')).status, 200);
    assert.equal((await admin('GET', '/apis/apps/v1/deployments')).status, 200);
    const k = kubectlFor(api.config);
    const pods = await k.run(['get', 'pods', '-A']);
    assert.equal(pods.code, 0, pods.stderr);
    // kubectl leaves Stale group-versions out of its RESTMapper, as against any cluster.
    const fl = await k.run(['get', 'flunders', '-n', 'default']);
    assert.equal(fl.code, 1);
    assert.match(fl.stderr, /the server doesn't have a resource type "flunders"/);
    // Discovery keeps the group's last resources, marked Stale.
    const accept = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
    const d = await admin('GET', '/apis', undefined, { accept });
    assert.equal(d.body.items.find((i: { metadata: { name: string } }) => i.metadata.name === WARDLE_GROUP).versions[0].freshness, 'Stale');

    backend = await startWardle(await testPki(), undefined, backend.port);
    await waitAvailable(NAME, 'True', 'Passed');
    assert.equal((await admin('GET', `/apis/${GV}/namespaces/default/flunders`)).status, 200);
  });
});
