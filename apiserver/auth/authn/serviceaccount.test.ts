import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { SignJWT, decodeJwt, type JWTPayload } from 'jose';
import {
  loadSigningKey,
  loadVerifyKeys,
  signBoundToken,
  signLegacyToken,
  type BoundTokenOptions,
  type SigningKey,
} from '../../../client/auth/serviceaccount-jwt.js';
import { AuthenticationError } from '../types.js';
import { ServiceAccountTokenAuthenticator } from './serviceaccount.js';
import { MemoryTokenGetter } from './testing.js';

const ISSUER = 'https://kubernetes.default.svc.cluster.local';
const NOW = new Date('2030-06-01T12:00:00Z');
const pem = (type: 'rsa' | 'ec') =>
  (type === 'rsa'
    ? generateKeyPairSync('rsa', { modulusLength: 2048 })
    : generateKeyPairSync('ec', { namedCurve: 'P-256' })
  ).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
const RSA = loadSigningKey(pem('rsa'));
const EC = loadSigningKey(pem('ec'));
const STRANGER = loadSigningKey(pem('rsa'));

function world() {
  const o = new MemoryTokenGetter();
  o.serviceAccounts.set('apps/builder', { metadata: { namespace: 'apps', name: 'builder', uid: 'sa-uid' } });
  o.pods.set('apps/web-0', { metadata: { namespace: 'apps', name: 'web-0', uid: 'pod-uid' }, spec: { containers: [], nodeName: 'n1' } });
  o.nodes.set('n1', { metadata: { name: 'n1', uid: 'node-uid' } });
  o.secrets.set('apps/bound', { metadata: { namespace: 'apps', name: 'bound', uid: 'secret-uid' } });
  return o;
}

function authenticator(o: MemoryTokenGetter, extra: Partial<ConstructorParameters<typeof ServiceAccountTokenAuthenticator>[0]> = {}) {
  return new ServiceAccountTokenAuthenticator({
    keys: loadVerifyKeys([exportPublic(RSA), exportPublic(EC)]),
    issuers: [ISSUER, 'https://old-issuer.example'],
    apiAudiences: ['https://kubernetes.default.svc.cluster.local', 'api'],
    getter: o,
    now: () => NOW,
    ...extra,
  });
}
function exportPublic(k: SigningKey): string {
  return k.publicKey.export({ type: 'spki', format: 'pem' }) as string;
}

const SA = { namespace: 'apps', name: 'builder', uid: 'sa-uid' };
const bound = (key: SigningKey, o: Partial<BoundTokenOptions> = {}) =>
  signBoundToken(key, { issuer: ISSUER, audiences: ['api'], expirationSeconds: 3600, serviceAccount: SA, now: NOW, ...o }).then((r) => r.token);
const podBound = (key: SigningKey, o: Partial<BoundTokenOptions> = {}) =>
  bound(key, { pod: { name: 'web-0', uid: 'pod-uid' }, node: { name: 'n1', uid: 'node-uid' }, ...o });

/** Asserts an AuthenticationError (never another exception) whose message matches. */
async function rejects(p: Promise<unknown>, message: RegExp) {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof AuthenticationError, `expected AuthenticationError, got ${String(err)}`);
    assert.match(err.message, message);
    return true;
  });
}

for (const [alg, key] of [['RS256', RSA], ['ES256', EC]] as const) {
  test(`bound token (${alg}): user, uid, groups, pod/node extra and credential id`, async () => {
    const token = await podBound(key);
    const jti = decodeJwt(token).jti;
    assert.deepEqual(await authenticator(world()).authenticateToken(token), {
      user: {
        username: 'system:serviceaccount:apps:builder',
        uid: 'sa-uid',
        groups: ['system:serviceaccounts', 'system:serviceaccounts:apps'],
        extra: {
          'authentication.kubernetes.io/pod-name': ['web-0'],
          'authentication.kubernetes.io/pod-uid': ['pod-uid'],
          'authentication.kubernetes.io/credential-id': [`JTI=${jti}`],
          'authentication.kubernetes.io/node-name': ['n1'],
          'authentication.kubernetes.io/node-uid': ['node-uid'],
        },
      },
      audiences: ['api'],
    });
  });
}

test('bound token: any configured issuer is accepted; audiences are those asked for that the token has', async () => {
  const a = authenticator(world());
  const old = await bound(EC, { issuer: 'https://old-issuer.example', audiences: ['vault', 'api'] });
  assert.deepEqual((await a.authenticateToken(old))?.audiences, ['api']);
  assert.deepEqual((await a.authenticateToken(old, ['vault']))?.audiences, ['vault'], 'TokenReview asking for another audience');
  await rejects(a.authenticateToken(old, ['elsewhere']), /token audiences \["vault","api"\] is invalid for the target audiences \["elsewhere"\]/);
});

test('bound token: an audience the apiserver does not accept is an AuthenticationError', async () => {
  await rejects(authenticator(world()).authenticateToken(await bound(RSA, { audiences: ['vault'] })), /token audiences \["vault"\] is invalid/);
});

test('bound token without a binding: only the service account is checked', async () => {
  const user = (await authenticator(world()).authenticateToken(await bound(RSA)))!.user;
  assert.deepEqual(Object.keys(user.extra ?? {}), ['authentication.kubernetes.io/credential-id']);
});

test('not ours: another issuer, a non-JWT, a JSON token → undefined (the next authenticator is asked)', async () => {
  const a = authenticator(world());
  assert.equal(await a.authenticateToken(await bound(RSA, { issuer: 'https://dex.example' })), undefined);
  assert.equal(await a.authenticateToken('abc123-static-token'), undefined);
  assert.equal(await a.authenticateToken('{"iss":"x"}.a.b'), undefined);
  assert.equal(await a.authenticateToken('a.b.c'), undefined);
});

test('wrong signature: unknown key, forged kid, edited payload', async () => {
  const a = authenticator(world());
  await rejects(a.authenticateToken(await podBound(STRANGER)), /invalid signature, no keys found/);
  const good = await podBound(RSA);
  const forged = await new SignJWT(decodeJwt(good)).setProtectedHeader({ alg: 'RS256', kid: RSA.keyId }).sign(STRANGER.privateKey);
  await rejects(a.authenticateToken(forged), /signature verification failed/);
  const [h, , s] = good.split('.');
  const payload = { ...decodeJwt(good), 'kubernetes.io': { namespace: 'kube-system', serviceaccount: { name: 'admin', uid: 'x' } } };
  await rejects(a.authenticateToken(`${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`), /signature verification failed/);
});

test('expired and not-yet-valid tokens (60 s leeway)', async () => {
  const token = await podBound(RSA, { expirationSeconds: 600 });
  const at = (ms: number) => authenticator(world(), { now: () => new Date(NOW.getTime() + ms) });
  assert.ok(await at((600 + 50) * 1000).authenticateToken(token));
  await rejects(at((600 + 70) * 1000).authenticateToken(token), /^service account token has expired$/);
  assert.ok(await at(-50 * 1000).authenticateToken(token));
  await rejects(at(-70 * 1000).authenticateToken(token), /^service account token is not valid yet$/);
});

test('malformed tokens of our issuer are AuthenticationErrors', async () => {
  const a = authenticator(world());
  const enc = (x: unknown) => Buffer.from(JSON.stringify(x)).toString('base64url');
  await rejects(a.authenticateToken(`${enc({ alg: 'RS256', kid: RSA.keyId })}.${enc({ iss: ISSUER })}.not-a-signature`), /signature/);
  await rejects(a.authenticateToken(`%%%.${enc({ iss: ISSUER })}.sig`), /malformed token/);
  const noClaim = await new SignJWT({ iss: ISSUER, aud: ['api'], sub: 'x' }).setProtectedHeader({ alg: 'ES256', kid: EC.keyId }).sign(EC.privateKey);
  await rejects(a.authenticateToken(noClaim), /no kubernetes.io claim/);
  const badClaim = await new SignJWT({ iss: ISSUER, aud: ['api'], 'kubernetes.io': { namespace: 'apps', serviceaccount: 'builder' } })
    .setProtectedHeader({ alg: 'ES256', kid: EC.keyId }).sign(EC.privateKey);
  await rejects(a.authenticateToken(badClaim), /invalid kubernetes.io claim/);
  const badExp = await new SignJWT({ iss: ISSUER, exp: 'tomorrow' } as unknown as JWTPayload).setProtectedHeader({ alg: 'ES256', kid: EC.keyId }).sign(EC.privateKey);
  await rejects(a.authenticateToken(badExp), /claims could not be validated/);
});

test('the service account: deleted, recreated with another uid, being deleted', async () => {
  const token = await podBound(RSA);
  const o = world();
  const a = authenticator(o);
  o.serviceAccounts.delete('apps/builder');
  await rejects(a.authenticateToken(token), /serviceaccounts "builder" not found/);
  o.serviceAccounts.set('apps/builder', { metadata: { namespace: 'apps', name: 'builder', uid: 'sa-uid-2' } });
  await rejects(a.authenticateToken(token), /service account UID \(sa-uid-2\) does not match claim \(sa-uid\)/);
  // Kubernetes: deleted more than the leeway ago invalidates; a deletion still in progress does not, yet.
  o.serviceAccounts.set('apps/builder', { metadata: { namespace: 'apps', name: 'builder', uid: 'sa-uid', deletionTimestamp: new Date(NOW.getTime() - 30_000).toISOString() } });
  assert.ok(await a.authenticateToken(token));
  o.serviceAccounts.set('apps/builder', { metadata: { namespace: 'apps', name: 'builder', uid: 'sa-uid', deletionTimestamp: new Date(NOW.getTime() - 90_000).toISOString() } });
  await rejects(a.authenticateToken(token), /service account apps\/builder has been deleted/);
});

test('the pod: deleted, recreated, being deleted (the deletionTimestamp + leeway rule)', async () => {
  const token = await podBound(EC);
  const o = world();
  const a = authenticator(o);
  const pod = (uid: string, deletionTimestamp?: Date) => ({
    metadata: { namespace: 'apps', name: 'web-0', uid, ...(deletionTimestamp ? { deletionTimestamp: deletionTimestamp.toISOString() } : {}) },
  });
  o.pods.delete('apps/web-0');
  await rejects(a.authenticateToken(token), /^service account token has been invalidated$/);
  o.pods.set('apps/web-0', pod('pod-uid-2'));
  await rejects(a.authenticateToken(token), /pod UID \(pod-uid-2\) does not match service account pod ref claim \(pod-uid\)/);
  // Graceful deletion: deletionTimestamp is when the grace period ends; tokens stay valid until a leeway after it.
  o.pods.set('apps/web-0', pod('pod-uid', new Date(NOW.getTime() + 30_000)));
  assert.ok(await a.authenticateToken(token));
  o.pods.set('apps/web-0', pod('pod-uid', new Date(NOW.getTime() - 59_000)));
  assert.ok(await a.authenticateToken(token));
  o.pods.set('apps/web-0', pod('pod-uid', new Date(NOW.getTime() - 61_000)));
  await rejects(a.authenticateToken(token), /^service account token has been invalidated$/);
});

test('a pod-bound token reports its node without checking it; a node-bound token checks the node', async () => {
  const o = world();
  const a = authenticator(o);
  o.nodes.clear();
  assert.equal((await a.authenticateToken(await podBound(RSA)))?.user.extra?.['authentication.kubernetes.io/node-name']?.[0], 'n1');
  const nodeToken = await bound(RSA, { node: { name: 'n1', uid: 'node-uid' } });
  await rejects(a.authenticateToken(nodeToken), /invalidated/);
  o.nodes.set('n1', { metadata: { name: 'n1', uid: 'other' } });
  await rejects(a.authenticateToken(nodeToken), /node UID \(other\) does not match service account node ref claim \(node-uid\)/);
  o.nodes.set('n1', { metadata: { name: 'n1', uid: 'node-uid' } });
  const extra = (await a.authenticateToken(nodeToken))?.user.extra ?? {};
  assert.deepEqual([extra['authentication.kubernetes.io/node-name'], extra['authentication.kubernetes.io/node-uid'], extra['authentication.kubernetes.io/pod-name']], [['n1'], ['node-uid'], undefined]);
});

test('a secret-bound token lives as long as its secret', async () => {
  const o = world();
  const a = authenticator(o);
  const token = await bound(EC, { secret: { name: 'bound', uid: 'secret-uid' } });
  assert.ok(await a.authenticateToken(token));
  o.secrets.set('apps/bound', { metadata: { namespace: 'apps', name: 'bound', uid: 'secret-uid-2' } });
  await rejects(a.authenticateToken(token), /secret UID \(secret-uid-2\) does not match/);
  o.secrets.delete('apps/bound');
  await rejects(a.authenticateToken(token), /invalidated/);
});

test('a getter that throws is an AuthenticationError, not another exception', async () => {
  const o = world();
  o.failWith = new TypeError('informer not synced');
  await rejects(authenticator(o).authenticateToken(await podBound(RSA)), /informer not synced/);
});

// ---- legacy tokens ---------------------------------------------------------------------

async function legacyWorld(key: SigningKey) {
  const o = world();
  const token = await signLegacyToken(key, SA, { name: 'builder-token-x7k2p' });
  o.secrets.set('apps/builder-token-x7k2p', {
    metadata: {
      namespace: 'apps', name: 'builder-token-x7k2p', uid: 'tok-secret-uid',
      annotations: { 'kubernetes.io/service-account.name': 'builder', 'kubernetes.io/service-account.uid': 'sa-uid' },
    },
    type: 'kubernetes.io/service-account-token',
    data: { token: Buffer.from(token).toString('base64'), namespace: Buffer.from('apps').toString('base64') },
  });
  return { o, token, secret: () => o.secrets.get('apps/builder-token-x7k2p')! };
}

test('legacy token: valid while its secret holds it; the API audiences', async () => {
  for (const key of [RSA, EC]) {
    const { o, token } = await legacyWorld(key);
    assert.deepEqual(await authenticator(o).authenticateToken(token), {
      user: { username: 'system:serviceaccount:apps:builder', uid: 'sa-uid', groups: ['system:serviceaccounts', 'system:serviceaccounts:apps'] },
      audiences: ['https://kubernetes.default.svc.cluster.local', 'api'],
    });
  }
});

test('legacy token: TokenReview for another audience fails (legacy tokens are for the apiserver only)', async () => {
  const { o, token } = await legacyWorld(RSA);
  await rejects(authenticator(o).authenticateToken(token, ['vault']), /is invalid for the target audiences \["vault"\]/);
});

test('legacy token: without its secret, or the secret being deleted or marked invalid', async () => {
  const { o, token, secret } = await legacyWorld(RSA);
  const a = authenticator(o);
  const s = secret();
  o.secrets.set('apps/builder-token-x7k2p', { ...s, metadata: { ...s.metadata, deletionTimestamp: NOW.toISOString() } });
  await rejects(a.authenticateToken(token), /invalidated/);
  o.secrets.set('apps/builder-token-x7k2p', { ...s, metadata: { ...s.metadata, labels: { 'kubernetes.io/legacy-token-invalid-since': '2030-01-01' } } });
  await rejects(a.authenticateToken(token), /invalidated/);
  o.secrets.delete('apps/builder-token-x7k2p');
  await rejects(a.authenticateToken(token), /invalidated/);
});

test('legacy token: the token replaced in the secret, or the secret re-annotated for another account', async () => {
  const { o, token, secret } = await legacyWorld(EC);
  const a = authenticator(o);
  const s = secret();
  const replacement = await signLegacyToken(EC, SA, { name: 'builder-token-x7k2p' });
  o.secrets.set('apps/builder-token-x7k2p', { ...s, data: { token: Buffer.from(replacement).toString('base64') } });
  await rejects(a.authenticateToken(token), /does not match server's copy/);
  assert.ok(await a.authenticateToken(replacement));
  o.secrets.set('apps/builder-token-x7k2p', { ...s, data: {} });
  await rejects(a.authenticateToken(token), /does not match server's copy/);
  o.secrets.set('apps/builder-token-x7k2p', { ...s, metadata: { ...s.metadata, annotations: { 'kubernetes.io/service-account.name': 'other' } } });
  await rejects(a.authenticateToken(token), /invalidated/);
  o.secrets.set('apps/builder-token-x7k2p', { ...s, metadata: { ...s.metadata, annotations: { 'kubernetes.io/service-account.name': 'builder', 'kubernetes.io/service-account.uid': 'old' } } });
  await rejects(a.authenticateToken(token), /invalidated/);
});

test('legacy token: the service account deleted or recreated', async () => {
  const { o, token } = await legacyWorld(RSA);
  const a = authenticator(o);
  o.serviceAccounts.set('apps/builder', { metadata: { namespace: 'apps', name: 'builder', uid: 'sa-uid', deletionTimestamp: NOW.toISOString() } });
  await rejects(a.authenticateToken(token), /has been deleted/);
  o.serviceAccounts.set('apps/builder', { metadata: { namespace: 'apps', name: 'builder', uid: 'new' } });
  await rejects(a.authenticateToken(token), /service account UID \(new\) does not match claim \(sa-uid\)/);
  o.serviceAccounts.delete('apps/builder');
  await rejects(a.authenticateToken(token), /not found/);
});

test('legacy token: inconsistent claims, and legacy tokens turned off', async () => {
  const { o, token } = await legacyWorld(RSA);
  const claims = decodeJwt(token);
  const sign = (c: object) => new SignJWT({ ...claims, ...c }).setProtectedHeader({ alg: 'RS256', kid: RSA.keyId }).sign(RSA.privateKey);
  const a = authenticator(o);
  await rejects(a.authenticateToken(await sign({ sub: 'system:serviceaccount:kube-system:builder' })), /sub claim is invalid/);
  await rejects(a.authenticateToken(await sign({ 'kubernetes.io/serviceaccount/secret.name': '' })), /secretName claim is missing/);
  // A legacy-issuer token whose signed iss differs from what was read unverified cannot exist; a bound issuer on a legacy layout is checked as bound.
  await rejects(a.authenticateToken(await sign({ iss: ISSUER, aud: ['api'] })), /no kubernetes.io claim/);
  assert.equal(await authenticator(o, { legacy: false }).authenticateToken(token), undefined);
});
