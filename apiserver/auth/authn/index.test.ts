import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PeerCertificate } from 'node:tls';
import { loadSigningKey, signBoundToken, signLegacyToken, type SigningKey } from '../../../client/auth/serviceaccount-jwt.js';
import { AuthenticationError, type AuthenticationRequest } from '../types.js';
import { buildAuthenticator, readServiceAccountKeyFile, type AuthenticatorOptions } from './index.js';
import { MemoryTokenGetter } from './testing.js';

const ISSUER = 'https://kubernetes.default.svc.cluster.local';
let dir: string;
let key: SigningKey;
let files: { tokens: string; basic: string; saKey: string; ca: string; badKey: string };
const objects = new MemoryTokenGetter();

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'authn-index-'));
  const pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }) as string;
  key = loadSigningKey(pem);
  files = {
    tokens: join(dir, 'tokens.csv'), basic: join(dir, 'basic.csv'), saKey: join(dir, 'sa.key'), ca: join(dir, 'ca.crt'), badKey: join(dir, 'bad.key'),
  };
  writeFileSync(files.tokens, 'admin-token,admin,admin-uid,system:masters\n');
  writeFileSync(files.basic, 'hunter2,bob,bob-uid,dev\n');
  writeFileSync(files.saKey, pem); // a private key file verifies too, as in Kubernetes
  writeFileSync(files.ca, 'presence only');
  writeFileSync(files.badKey, 'not a key');
  objects.serviceAccounts.set('default/app', { metadata: { namespace: 'default', name: 'app', uid: 'sa-uid' } });
});
after(() => rmSync(dir, { recursive: true, force: true }));

const options = (o: Partial<AuthenticatorOptions> = {}): AuthenticatorOptions => ({
  clientCA: false, tokenAuthFile: files.tokens, serviceAccountKeys: [readServiceAccountKeyFile(files.saKey)], serviceAccountIssuers: [ISSUER],
  apiAudiences: [], anonymous: false, getter: objects, ...o,
});
const bearer = (token: string): AuthenticationRequest => ({ headers: { authorization: `Bearer ${token}` } });
const saToken = (audiences = [ISSUER]) =>
  signBoundToken(key, { issuer: ISSUER, audiences, expirationSeconds: 600, serviceAccount: { namespace: 'default', name: 'app', uid: 'sa-uid' } }).then((r) => r.token);

test('build: API audiences default to the first issuer', () => {
  assert.deepEqual(buildAuthenticator(options()).apiAudiences, [ISSUER]);
  assert.deepEqual(buildAuthenticator(options({ apiAudiences: ['api'] })).apiAudiences, ['api']);
  assert.deepEqual(buildAuthenticator(options({ serviceAccountIssuers: [] })).apiAudiences, []);
});

test('build: token file and service-account tokens through the bearer header, with system:authenticated', async () => {
  const { authenticator } = buildAuthenticator(options());
  assert.deepEqual(await authenticator.authenticate(bearer('admin-token')), {
    user: { username: 'admin', uid: 'admin-uid', groups: ['system:masters', 'system:authenticated'] }, audiences: [ISSUER],
  });
  const sa = await authenticator.authenticate(bearer(await saToken()));
  assert.equal(sa?.user.username, 'system:serviceaccount:default:app');
  assert.deepEqual(sa?.user.groups, ['system:serviceaccounts', 'system:serviceaccounts:default', 'system:authenticated']);
  await assert.rejects(Promise.resolve(authenticator.authenticate(bearer('nope'))), (e: unknown) => e instanceof AuthenticationError && e.message === 'invalid bearer token');
  assert.equal(await authenticator.authenticate({ headers: {} }), undefined);
});

test('build: legacy tokens verify with the same key files', async () => {
  const token = await signLegacyToken(key, { namespace: 'default', name: 'app', uid: 'sa-uid' }, { name: 'app-token-1' });
  objects.secrets.set('default/app-token-1', {
    metadata: { namespace: 'default', name: 'app-token-1', annotations: { 'kubernetes.io/service-account.name': 'app', 'kubernetes.io/service-account.uid': 'sa-uid' } },
    data: { token: Buffer.from(token).toString('base64') },
  });
  assert.equal((await buildAuthenticator(options()).authenticator.authenticate(bearer(token)))?.user.uid, 'sa-uid');
});

test('build: the WebSocket subprotocol form', async () => {
  const { authenticator } = buildAuthenticator(options());
  const headers = {
    connection: 'Upgrade', upgrade: 'websocket',
    'sec-websocket-protocol': `base64url.bearer.authorization.k8s.io.${Buffer.from('admin-token').toString('base64url')}, v5.channel.k8s.io`,
  };
  assert.equal((await authenticator.authenticate({ headers }))?.user.username, 'admin');
  assert.equal(headers['sec-websocket-protocol'], 'v5.channel.k8s.io');
});

test('build: anonymous on — no credential is system:anonymous; a bad one is still an error', async () => {
  const { authenticator } = buildAuthenticator(options({ anonymous: true }));
  assert.deepEqual(await authenticator.authenticate({ headers: {} }), { user: { username: 'system:anonymous', groups: ['system:unauthenticated'] } });
  await assert.rejects(Promise.resolve(authenticator.authenticate(bearer('nope'))), AuthenticationError);
  const none = buildAuthenticator({ clientCA: false, serviceAccountKeys: [], serviceAccountIssuers: [], apiAudiences: [], anonymous: true, getter: objects });
  assert.equal((await none.authenticator.authenticate(bearer('x')))?.user.username, 'system:anonymous');
  const off = buildAuthenticator({ clientCA: false, serviceAccountKeys: [], serviceAccountIssuers: [], apiAudiences: [], anonymous: false, getter: objects });
  assert.equal(await off.authenticator.authenticate(bearer('x')), undefined);
});

test('build: basic auth only when its file is given; client certificates only with a client CA', async () => {
  const basic = { headers: { authorization: `Basic ${Buffer.from('bob:hunter2').toString('base64')}` } };
  assert.equal(await buildAuthenticator(options()).authenticator.authenticate(basic), undefined);
  assert.deepEqual((await buildAuthenticator(options({ basicAuthFile: files.basic })).authenticator.authenticate(basic))?.user.groups, ['dev', 'system:authenticated']);

  const cert = { raw: Buffer.from([1, 2, 3]), subject: { CN: 'carol', O: 'ops' }, serialNumber: '01' } as unknown as PeerCertificate;
  const tls: AuthenticationRequest = { headers: {}, peerCertificate: cert, peerCertificateAuthorized: true };
  assert.equal(await buildAuthenticator(options()).authenticator.authenticate(tls), undefined);
  assert.deepEqual((await buildAuthenticator(options({ clientCA: true })).authenticator.authenticate(tls))?.user.groups, ['ops', 'system:authenticated']);
  // A bad certificate next to a good token: the token wins (union).
  const both = { ...tls, peerCertificateAuthorized: false, peerCertificateError: 'CERT_HAS_EXPIRED', headers: { authorization: 'Bearer admin-token' } };
  assert.equal((await buildAuthenticator(options({ clientCA: true })).authenticator.authenticate(both))?.user.username, 'admin');
});

test('build: TokenReview\'s token authenticator honours the requested audiences', async () => {
  const { tokenAuthenticator } = buildAuthenticator(options());
  assert.deepEqual(await tokenAuthenticator.authenticateToken('admin-token'), {
    user: { username: 'admin', uid: 'admin-uid', groups: ['system:masters', 'system:authenticated'] }, audiences: [ISSUER],
  });
  assert.equal(await tokenAuthenticator.authenticateToken('admin-token', ['vault']), undefined, 'a static token is for the apiserver only');
  const vault = await saToken(['vault']);
  assert.deepEqual((await tokenAuthenticator.authenticateToken(vault, ['vault']))?.audiences, ['vault']);
  await assert.rejects(Promise.resolve(tokenAuthenticator.authenticateToken(vault)), AuthenticationError);
  assert.equal(await tokenAuthenticator.authenticateToken('nope'), undefined);
});

test('build: a bad file is one startup error naming it', () => {
  assert.throws(() => buildAuthenticator(options({ serviceAccountKeys: [files.saKey, files.badKey].map(readServiceAccountKeyFile) })), {
    message: /^service account key file ".*bad\.key": data does not contain any valid RSA or ECDSA public keys$/,
  });
  assert.throws(() => buildAuthenticator(options({ serviceAccountKeys: [join(dir, 'missing.key')].map(readServiceAccountKeyFile) })), { message: /^service account key file ".*missing\.key": ENOENT/ });
  assert.throws(() => buildAuthenticator(options({ tokenAuthFile: join(dir, 'missing.csv') })), { message: /^token file ".*missing\.csv"/ });
});
