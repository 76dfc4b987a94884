// Audit in the apiserver's handler chain (the plugin itself is tested in apiserver/audit/):
// with the shipped default policy, events carry the authenticated user, the impersonated one,
// the authorizer's decision, and never a Secret's data.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { startTestApiserver, type TestApiserver } from '../../test/harness/apiserver.js';
import { http } from '../../test/harness/http.js';
import { waitFor } from '../../test/harness/ports.js';

const POLICY = fileURLToPath(new URL('../../../apiserver/audit/default-policy.yaml', import.meta.url));
let api: TestApiserver;
let log: string;

type Event = { stage: string; verb: string; level: string; auditID: string; user: { username: string }; impersonatedUser?: { username: string }; objectRef?: { resource?: string; name?: string }; responseStatus?: { code: number }; requestObject?: unknown; annotations?: Record<string, string> };
const events = (): Event[] => readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Event);

before(async () => {
  log = join(mkdtempSync(join(tmpdir(), 'tskube-audit-')), 'audit.log');
  api = await startTestApiserver({ security: { audit: { policyFile: POLICY, logPath: log } } });
});
after(async () => {
  await api?.stop();
});

test('a create, a Secret, an impersonated request and a denial, as audit events', async () => {
  const req = http(api);
  const cm = await req('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'audited' }, data: { k: 'v' } });
  assert.equal(cm.status, 201);
  const auditID = cm.headers.get('audit-id');
  assert.ok(auditID, 'the reply names its audit event');
  await req('POST', '/api/v1/namespaces/default/secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'audited-secret' }, stringData: { password: 'hunter2-audit' } });
  const asJane = await req('GET', '/api/v1/namespaces/default/pods', undefined, { 'impersonate-user': 'jane' });
  assert.equal(asJane.status, 403);
  const all = await waitFor('the events are written', () => {
    const es = events();
    return es.some((e) => e.impersonatedUser?.username === 'jane' && e.stage === 'ResponseComplete') && es.some((e) => e.objectRef?.name === 'audited-secret') ? es : undefined;
  });
  const create = all.find((e) => e.auditID === auditID && e.stage === 'ResponseComplete')!;
  assert.equal(create.verb, 'create');
  assert.equal(create.user.username, 'kubernetes-admin');
  assert.equal(create.objectRef?.resource, 'configmaps');
  assert.equal(create.responseStatus?.code, 201);
  assert.equal(create.annotations?.['authorization.k8s.io/decision'], 'allow');
  const secret = all.find((e) => e.objectRef?.name === 'audited-secret' && e.stage === 'ResponseComplete')!;
  assert.equal(secret.level, 'Metadata');
  assert.equal(secret.requestObject, undefined);
  assert.equal(readFileSync(log, 'utf8').includes('hunter2-audit'), false, 'no Secret data in the log');
  const denied = all.find((e) => e.impersonatedUser?.username === 'jane' && e.stage === 'ResponseComplete')!;
  assert.equal(denied.user.username, 'kubernetes-admin');
  assert.equal(denied.responseStatus?.code, 403);
  assert.equal(denied.annotations?.['authorization.k8s.io/decision'], 'forbid');
  assert.equal(all.filter((e) => e.stage === 'RequestReceived').length, 0, 'the default policy omits RequestReceived');
});
