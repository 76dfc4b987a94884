// The token controller against a real apiserver, run by the controller-manager under its own
// identity (system:kube-controller-manager): Secrets of type kubernetes.io/service-account-token
// are filled with a legacy token the apiserver accepts, and cleaned up with their account.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { fetch, type Dispatcher } from 'undici';
import type { Secret, ServiceAccount } from 'kubernetes-types/core/v1';
import type { SubjectAccessReview } from 'kubernetes-types/authorization/v1';
import { RestClient, isNotFound } from '../client/index.js';
import { loadSigningKey, signLegacyToken, type SigningKey } from '../client/auth/serviceaccount-jwt.js';
import { newServiceAccountKeyPair } from '../client/cert/x509.js';
import { dispatcherFor, startTestApiserver, type TestApiserver } from '../test/harness/apiserver.js';
import { waitFor } from '../test/harness/ports.js';
import { startControllerManager, type ControllerManagerHandle } from './manager.js';
import {
  SERVICE_ACCOUNT_NAME_KEY,
  SERVICE_ACCOUNT_TOKEN_TYPE,
  SERVICE_ACCOUNT_UID_KEY,
  isServiceAccountToken,
  secretUpdateNeeded,
  tokenValidFor,
  withTokenData,
  type TokenSigner,
} from './serviceaccount-token.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const unb64 = (s: string | undefined) => (s === undefined ? undefined : Buffer.from(s, 'base64').toString('utf8'));

function tokenSecret(namespace: string, name: string, saName: string, extra: Partial<Secret> = {}): Secret {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: SERVICE_ACCOUNT_TOKEN_TYPE,
    ...extra,
    metadata: { name, namespace, ...extra.metadata, annotations: { [SERVICE_ACCOUNT_NAME_KEY]: saName, ...extra.metadata?.annotations } },
  };
}

describe('token secret decisions', () => {
  let key: SigningKey;
  let otherKey: SigningKey;
  let signer: TokenSigner;
  const sa: ServiceAccount = { metadata: { namespace: 'apps', name: 'builder', uid: 'sa-uid' } };
  const ref = { namespace: 'apps', name: 'builder', uid: 'sa-uid' };
  before(async () => {
    key = loadSigningKey((await newServiceAccountKeyPair('ES256')).privateKey);
    otherKey = loadSigningKey((await newServiceAccountKeyPair('ES256')).privateKey);
    signer = { key, rootCA: 'CA-PEM' };
  });

  test('a token Secret belongs to an account by name, and by uid once it has one', () => {
    assert.equal(isServiceAccountToken(tokenSecret('apps', 's', 'builder'), ref), true);
    assert.equal(isServiceAccountToken(tokenSecret('apps', 's', 'other'), ref), false);
    assert.equal(isServiceAccountToken(tokenSecret('apps', 's', 'builder', { metadata: { annotations: { [SERVICE_ACCOUNT_UID_KEY]: 'sa-uid' } } }), ref), true);
    assert.equal(isServiceAccountToken(tokenSecret('apps', 's', 'builder', { metadata: { annotations: { [SERVICE_ACCOUNT_UID_KEY]: 'old' } } }), ref), false);
    assert.equal(isServiceAccountToken({ ...tokenSecret('apps', 's', 'builder'), type: 'Opaque' }, ref), false);
  });

  test('an empty Secret needs everything; once filled, nothing', async () => {
    const empty = tokenSecret('apps', 'builder-token', 'builder');
    const needed = await secretUpdateNeeded(empty, sa, signer);
    assert.deepEqual(needed, { ca: true, namespace: true, token: true, uid: true, any: true });
    const filled = await withTokenData(empty, sa, needed, signer);
    assert.deepEqual([unb64(filled.data?.['ca.crt']), unb64(filled.data?.namespace)], ['CA-PEM', 'apps']);
    assert.equal(filled.metadata?.annotations?.[SERVICE_ACCOUNT_UID_KEY], 'sa-uid');
    assert.equal(empty.data, undefined, 'the input is not modified');
    assert.equal(await tokenValidFor(unb64(filled.data?.token)!, key, ref, 'builder-token'), true);
    assert.deepEqual(await secretUpdateNeeded(filled, sa, signer), { ca: false, namespace: false, token: false, uid: false, any: false });
    // No CA configured: ca.crt is neither required nor touched.
    assert.equal((await secretUpdateNeeded({ ...filled, data: { ...filled.data, 'ca.crt': b64('old') } }, sa, { key, rootCA: '' })).any, false);
  });

  test('a token that would not authenticate as this account and Secret is replaced; a changed CA too', async () => {
    const base = await withTokenData(tokenSecret('apps', 'builder-token', 'builder'), sa, { ca: true, namespace: true, token: true, uid: true, any: true }, signer);
    const withToken = async (token: string) => (await secretUpdateNeeded({ ...base, data: { ...base.data, token: b64(token) } }, sa, signer)).token;
    assert.equal(await withToken('garbage'), true);
    assert.equal(await withToken(await signLegacyToken(otherKey, ref, { name: 'builder-token' })), true, 'another key');
    assert.equal(await withToken(await signLegacyToken(key, { ...ref, uid: 'old-uid' }, { name: 'builder-token' })), true, 'another account uid');
    assert.equal(await withToken(await signLegacyToken(key, ref, { name: 'copied-from' })), true, 'another Secret');
    assert.equal(await withToken(await signLegacyToken(key, ref, { name: 'builder-token' })), false, 'a fresh valid token is fine');
    const caChanged = await secretUpdateNeeded(base, sa, { key, rootCA: 'NEW-CA' });
    assert.deepEqual([caChanged.ca, caChanged.token, caChanged.any], [true, false, true]);
  });
});

describe('serviceaccount-token controller', () => {
  let api: TestApiserver;
  let client: RestClient;
  let cm: ControllerManagerHandle;
  let dir: string;
  /** Trusts the test CA, presents no certificate: the bearer token is the only credential. */
  let anonymous: Dispatcher;
  const secrets = (ns: string) => client.resource('secrets', ns);
  const accounts = (ns: string) => client.resource('serviceaccounts', ns);
  const filled = (ns: string, name: string) =>
    waitFor(`${ns}/${name} filled`, async () => {
      const s = await secrets(ns).get(name).catch(() => undefined);
      return s?.data?.token ? s : undefined;
    });
  const gone = (ns: string, name: string) => waitFor(`${ns}/${name} deleted`, () => secrets(ns).get(name).then(() => false, (e: unknown) => isNotFound(e)));
  /** POST a SelfSubjectReview with the bearer token: the username it authenticates as, or the HTTP status. */
  const whoAmI = async (token: string): Promise<string | number> => {
    const res = await fetch(`${api.url}/apis/authentication.k8s.io/v1/selfsubjectreviews`, {
      method: 'POST',
      dispatcher: anonymous,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }),
    });
    if (!res.ok) return res.status;
    return ((await res.json()) as { status?: { userInfo?: { username?: string } } }).status?.userInfo?.username ?? '';
  };

  before(async () => {
    api = await startTestApiserver();
    client = new RestClient({ ...api.config, qps: 0 });
    anonymous = dispatcherFor(api.pki);
    dir = mkdtempSync(join(tmpdir(), 'tskube-tokens-'));
    writeFileSync(join(dir, 'sa.key'), api.pki.serviceAccount.privateKey);
    writeFileSync(join(dir, 'ca.crt'), api.pki.ca.cert);
    cm = await startControllerManager({
      config: await api.configFor('system:kube-controller-manager'),
      controllers: ['serviceaccount-token', 'root-ca-cert-publisher'],
      options: { 'service-account-private-key-file': join(dir, 'sa.key'), 'root-ca-file': join(dir, 'ca.crt') },
      logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    });
    await client.resource('namespaces').create({ metadata: { name: 'tok' } });
  });

  after(async () => {
    await cm?.stop();
    await anonymous?.close();
    await client?.close();
    await api?.stop();
  });

  test('the bootstrap policy lets system:kube-controller-manager do what both controllers do', async () => {
    const sar = client.resource<SubjectAccessReview>('subjectaccessreviews.authorization.k8s.io');
    const wanted: [string, string][] = [
      ...['create', 'update', 'list', 'watch'].map((v): [string, string] => [v, 'configmaps']),
      ...['get', 'list', 'watch', 'update', 'delete'].map((v): [string, string] => [v, 'secrets']),
      ...['get', 'list', 'watch', 'update'].map((v): [string, string] => [v, 'serviceaccounts']),
      ['list', 'namespaces'],
      ['watch', 'namespaces'],
    ];
    for (const [verb, resource] of wanted) {
      const review = await sar.create({
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SubjectAccessReview',
        spec: { user: 'system:kube-controller-manager', groups: ['system:authenticated'], resourceAttributes: { verb, resource, namespace: 'tok' } },
      });
      assert.equal(review.status?.allowed, true, `${verb} ${resource}`);
    }
  });

  test('a token Secret for an existing account is filled, and its token authenticates as that account', async () => {
    const sa = await accounts('tok').create({ metadata: { name: 'builder' } });
    await secrets('tok').create(tokenSecret('tok', 'builder-token', 'builder'));
    const s = await filled('tok', 'builder-token');
    assert.equal(unb64(s.data?.['ca.crt']), api.pki.ca.cert);
    assert.equal(unb64(s.data?.namespace), 'tok');
    assert.equal(s.metadata?.annotations?.[SERVICE_ACCOUNT_UID_KEY], sa.metadata?.uid);
    assert.equal(await whoAmI(unb64(s.data?.token)!), 'system:serviceaccount:tok:builder');
  });

  test('a filled Secret is left alone; a broken token or CA is put right', async () => {
    await accounts('tok').create({ metadata: { name: 'steady' } });
    await secrets('tok').create(tokenSecret('tok', 'steady-token', 'steady'));
    const first = await filled('tok', 'steady-token');
    // A later Secret being filled shows the controller has been through the first one's events.
    await secrets('tok').create(tokenSecret('tok', 'steady-sentinel', 'steady'));
    await filled('tok', 'steady-sentinel');
    assert.equal((await secrets('tok').get('steady-token')).metadata?.resourceVersion, first.metadata?.resourceVersion, 'not rewritten');

    await secrets('tok').update({ ...first, data: { ...first.data, token: b64('not-a-jwt'), 'ca.crt': b64('stale CA') } });
    const fixed = await waitFor('repaired', async () => {
      const s = await secrets('tok').get('steady-token');
      return unb64(s.data?.token) !== 'not-a-jwt' && unb64(s.data?.['ca.crt']) === api.pki.ca.cert ? s : undefined;
    });
    assert.equal(await whoAmI(unb64(fixed.data?.token)!), 'system:serviceaccount:tok:steady');
  });

  test('deleting the account deletes its token Secrets, and the token stops authenticating', async () => {
    await accounts('tok').create({ metadata: { name: 'leaving' } });
    await secrets('tok').create(tokenSecret('tok', 'leaving-token', 'leaving'));
    await secrets('tok').create(tokenSecret('tok', 'leaving-token-2', 'leaving'));
    // Another account's token in the same namespace stays.
    await accounts('tok').create({ metadata: { name: 'staying' } });
    await secrets('tok').create(tokenSecret('tok', 'staying-token', 'staying'));
    const s = await filled('tok', 'leaving-token');
    await filled('tok', 'leaving-token-2');
    await filled('tok', 'staying-token');
    const token = unb64(s.data?.token)!;
    assert.equal(await whoAmI(token), 'system:serviceaccount:tok:leaving');

    await accounts('tok').delete('leaving');
    await gone('tok', 'leaving-token');
    await gone('tok', 'leaving-token-2');
    // The apiserver caches a successful authentication for a few seconds, as Kubernetes does.
    await waitFor('token rejected', async () => (await whoAmI(token)) === 401);
    assert.ok(await secrets('tok').get('staying-token'));
  });

  test('a Secret naming a missing account, or the account under another uid, is deleted', async () => {
    await secrets('tok').create(tokenSecret('tok', 'nobody-token', 'nobody'));
    await gone('tok', 'nobody-token');

    await accounts('tok').create({ metadata: { name: 'reborn' } });
    await secrets('tok').create(tokenSecret('tok', 'reborn-token', 'reborn', { metadata: { annotations: { [SERVICE_ACCOUNT_UID_KEY]: 'an-older-uid' } } }));
    await gone('tok', 'reborn-token');
  });

  test('a deleted token Secret is dropped from serviceAccount.secrets', async () => {
    await accounts('tok').create({ metadata: { name: 'listed' }, secrets: [{ name: 'listed-token' }, { name: 'other-secret' }] });
    await secrets('tok').create(tokenSecret('tok', 'listed-token', 'listed'));
    await filled('tok', 'listed-token');
    await secrets('tok').delete('listed-token');
    await waitFor('reference removed', async () => {
      const sa = await accounts('tok').get('listed');
      return !sa.secrets?.some((r) => r.name === 'listed-token');
    });
    assert.deepEqual((await accounts('tok').get('listed')).secrets, [{ name: 'other-secret' }]);
  });
});

describe('serviceaccount-token without --service-account-private-key-file', () => {
  test('does not run, says why once, and the manager runs its other controllers', async () => {
    const api = await startTestApiserver();
    const client = new RestClient({ ...api.config, qps: 0 });
    const dir = mkdtempSync(join(tmpdir(), 'tskube-tokens-'));
    writeFileSync(join(dir, 'ca.crt'), api.pki.ca.cert);
    const lines: Record<string, unknown>[] = [];
    const logger = pino({ level: 'info' }, { write: (l: string) => void lines.push(JSON.parse(l) as Record<string, unknown>) });
    const cm = await startControllerManager({
      config: await api.configFor('system:kube-controller-manager'),
      controllers: ['serviceaccount-token', 'root-ca-cert-publisher'],
      options: { 'root-ca-file': join(dir, 'ca.crt') },
      logger,
    });
    try {
      await client.resource('namespaces').create({ metadata: { name: 'nokey' } });
      await client.resource('serviceaccounts', 'nokey').create({ metadata: { name: 'sa' } });
      await client.resource('secrets', 'nokey').create(tokenSecret('nokey', 'sa-token', 'sa'));
      // The publisher runs: the namespace gets its CA.
      await waitFor('published', () => client.resource('configmaps', 'nokey').get('kube-root-ca.crt').catch(() => undefined));
      assert.equal((await client.resource('secrets', 'nokey').get('sa-token')).data?.token, undefined);
      const why = lines.filter((l) => l.controller === 'serviceaccount-token' && /disabled: no --service-account-private-key-file/.test(String(l.msg)));
      assert.equal(why.length, 1);
      assert.equal(lines.filter((l) => l.msg === 'controller failed').length, 0);
    } finally {
      await cm.stop();
      await client.close();
      await api.stop();
    }
  });
});
