import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompactSign, SignJWT, decodeJwt, decodeProtectedHeader } from 'jose';
import {
  LEGACY_ISSUER,
  ServiceAccountTokenError,
  loadSigningKey,
  loadVerifyKeys,
  signBoundToken,
  signLegacyToken,
  unverifiedIssuer,
  verifyServiceAccountToken,
} from './serviceaccount-jwt.js';

const sa = { namespace: 'ns1', name: 'builder', uid: 'sa-uid-1' };

/** Keys and certificates made by the openssl CLI, so key parsing and key ids are checked against another implementation. */
function opensslKeys() {
  const dir = mkdtempSync(join(tmpdir(), 'sa-jwt-'));
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  run('genrsa', '-traditional', '-out', 'rsa.key', '2048');
  run('rsa', '-in', 'rsa.key', '-pubout', '-out', 'rsa.pub');
  run('ecparam', '-name', 'prime256v1', '-genkey', '-out', 'ec.key'); // EC PARAMETERS + EC PRIVATE KEY
  run('ec', '-in', 'ec.key', '-pubout', '-out', 'ec.pub');
  run('req', '-x509', '-new', '-key', 'ec.key', '-subj', '/CN=sa-signer', '-days', '1', '-out', 'ec.crt');
  // kid = base64url(SHA-256(DER SubjectPublicKeyInfo)), computed by openssl alone.
  const kid = (pub: string) => {
    const der = run('pkey', '-pubin', '-in', pub, '-outform', 'DER');
    return execFileSync('openssl', ['dgst', '-sha256', '-binary'], { input: der }).toString('base64url');
  };
  const read = (f: string) => readFileSync(join(dir, f), 'utf8');
  const out = {
    rsaKey: read('rsa.key'), rsaPub: read('rsa.pub'), ecKey: read('ec.key'), ecPub: read('ec.pub'), ecCrt: read('ec.crt'),
    rsaKid: kid('rsa.pub'), ecKid: kid('ec.pub'),
  };
  rmSync(dir, { recursive: true, force: true });
  return out;
}

const ossl = opensslKeys();

test('loadSigningKey: PKCS#1 RSA → RS256 and SEC1 EC (after EC PARAMETERS) → ES256, with Kubernetes key ids', () => {
  assert.match(ossl.rsaKey, /BEGIN RSA PRIVATE KEY/);
  assert.match(ossl.ecKey, /BEGIN EC PARAMETERS/);
  const rsa = loadSigningKey(ossl.rsaKey);
  assert.equal(rsa.alg, 'RS256');
  assert.equal(rsa.keyId, ossl.rsaKid);
  const ec = loadSigningKey(ossl.ecKey);
  assert.equal(ec.alg, 'ES256');
  assert.equal(ec.keyId, ossl.ecKid);
  const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  assert.equal(loadSigningKey(p384).alg, 'ES384');
  assert.throws(() => loadSigningKey(ossl.rsaPub), /private key/);
  const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs1', format: 'pem' }) as string;
  assert.throws(() => loadSigningKey(small), /1024 bits is too small/);
  const ed = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  assert.throws(() => loadSigningKey(ed), /unsupported key type/);
});

test('loadVerifyKeys: concatenated public keys, a private key file and a certificate, in order', () => {
  const keys = loadVerifyKeys([ossl.rsaPub + ossl.ecPub, ossl.rsaKey, ossl.ecCrt]);
  assert.deepEqual(keys.map((k) => [k.alg, k.keyId]), [
    ['RS256', ossl.rsaKid], ['ES256', ossl.ecKid], ['RS256', ossl.rsaKid], ['ES256', ossl.ecKid],
  ]);
  assert.ok(keys.every((k) => k.publicKey.type === 'public'));
  assert.throws(() => loadVerifyKeys([ossl.rsaPub, 'no keys here']), /does not contain any valid RSA or ECDSA public keys/);
});

test('signBoundToken: header alg+kid only; claims as Kubernetes lays them out', async () => {
  const key = loadSigningKey(ossl.rsaKey);
  const now = new Date('2030-01-01T00:00:00Z');
  const { token, claims } = await signBoundToken(key, {
    issuer: 'https://kubernetes.default.svc', audiences: ['api', 'vault'], expirationSeconds: 3600, serviceAccount: sa,
    pod: { name: 'web-0', uid: 'pod-uid' }, node: { name: 'n1', uid: 'node-uid' }, warnAfterSeconds: 600, now,
  });
  assert.deepEqual(decodeProtectedHeader(token), { alg: 'RS256', kid: ossl.rsaKid });
  const payload = decodeJwt(token);
  assert.deepEqual(payload, claims);
  const iat = now.getTime() / 1000;
  assert.equal(payload.iss, 'https://kubernetes.default.svc');
  assert.equal(payload.sub, 'system:serviceaccount:ns1:builder');
  assert.deepEqual(payload.aud, ['api', 'vault']);
  assert.equal(payload.iat, iat);
  assert.equal(payload.nbf, iat);
  assert.equal(payload.exp, iat + 3600);
  assert.match(String(payload.jti), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.deepEqual(payload['kubernetes.io'], {
    namespace: 'ns1', serviceaccount: { name: 'builder', uid: 'sa-uid-1' },
    pod: { name: 'web-0', uid: 'pod-uid' }, node: { name: 'n1', uid: 'node-uid' }, warnafter: iat + 600,
  });
  // A single-element audience stays an array (claims.go's jwt.Audience).
  const one = await signBoundToken(key, { issuer: 'i', audiences: ['api'], expirationSeconds: 60, serviceAccount: sa });
  assert.deepEqual(decodeJwt(one.token).aud, ['api']);
  assert.notEqual(one.claims.jti, claims.jti);
});

test('signBoundToken: a secret or a node binding stands alone; a pod binding wins over a secret', async () => {
  const key = loadSigningKey(ossl.ecKey);
  const base = { issuer: 'i', audiences: ['api'], expirationSeconds: 60, serviceAccount: sa };
  const k8s = async (extra: object) => decodeJwt((await signBoundToken(key, { ...base, ...extra })).token)['kubernetes.io'];
  assert.deepEqual(await k8s({ secret: { name: 's', uid: 'su' } }), { namespace: 'ns1', serviceaccount: { name: 'builder', uid: 'sa-uid-1' }, secret: { name: 's', uid: 'su' } });
  assert.deepEqual(await k8s({ node: { name: 'n', uid: 'nu' } }), { namespace: 'ns1', serviceaccount: { name: 'builder', uid: 'sa-uid-1' }, node: { name: 'n', uid: 'nu' } });
  assert.deepEqual(await k8s({ pod: { name: 'p', uid: 'pu' }, secret: { name: 's', uid: 'su' } }), {
    namespace: 'ns1', serviceaccount: { name: 'builder', uid: 'sa-uid-1' }, pod: { name: 'p', uid: 'pu' },
  });
  assert.equal(decodeProtectedHeader((await signBoundToken(key, base)).token).alg, 'ES256');
});

test('signLegacyToken: the legacy claims, no audience and no expiry', async () => {
  const key = loadSigningKey(ossl.ecKey);
  const token = await signLegacyToken(key, sa, { name: 'builder-token-abcde' });
  assert.deepEqual(decodeProtectedHeader(token), { alg: 'ES256', kid: ossl.ecKid });
  assert.deepEqual(decodeJwt(token), {
    iss: 'kubernetes/serviceaccount',
    sub: 'system:serviceaccount:ns1:builder',
    'kubernetes.io/serviceaccount/namespace': 'ns1',
    'kubernetes.io/serviceaccount/secret.name': 'builder-token-abcde',
    'kubernetes.io/serviceaccount/service-account.name': 'builder',
    'kubernetes.io/serviceaccount/service-account.uid': 'sa-uid-1',
  });
  assert.equal(unverifiedIssuer(token), LEGACY_ISSUER);
  const claims = await verifyServiceAccountToken(token, loadVerifyKeys([ossl.ecPub]));
  assert.equal(claims['kubernetes.io/serviceaccount/secret.name'], 'builder-token-abcde');
});

test('verifyServiceAccountToken: round trip, key rotation, and the key chosen by kid', async () => {
  const rsa = loadSigningKey(ossl.rsaKey);
  const ec = loadSigningKey(ossl.ecKey);
  const keys = loadVerifyKeys([ossl.ecPub, ossl.rsaPub]);
  for (const key of [rsa, ec]) {
    const { token } = await signBoundToken(key, { issuer: 'i', audiences: ['api'], expirationSeconds: 60, serviceAccount: sa });
    const claims = await verifyServiceAccountToken(token, keys);
    assert.equal(claims.sub, 'system:serviceaccount:ns1:builder');
  }
  // No kid: every key is tried.
  const noKid = await new SignJWT({ iss: 'i', sub: 'x' }).setProtectedHeader({ alg: 'RS256' }).sign(rsa.privateKey);
  assert.equal((await verifyServiceAccountToken(noKid, keys)).sub, 'x');
});

test('verifyServiceAccountToken: every bad token is a ServiceAccountTokenError', async () => {
  const rsa = loadSigningKey(ossl.rsaKey);
  const other = loadSigningKey(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
  const keys = loadVerifyKeys([ossl.rsaPub]);
  const now = new Date('2030-01-01T00:00:00Z');
  const sign = (o: object = {}) => signBoundToken(rsa, { issuer: 'i', audiences: ['api'], expirationSeconds: 600, serviceAccount: sa, now, ...o }).then((r) => r.token);
  const good = await sign();
  const rejects = (token: string, message: RegExp, at = now) =>
    assert.rejects(verifyServiceAccountToken(token, keys, { now: at }), (err: unknown) => err instanceof ServiceAccountTokenError && message.test(err.message));

  // Signed by an unknown key: its kid matches nothing.
  await rejects((await signBoundToken(other, { issuer: 'i', audiences: ['api'], expirationSeconds: 600, serviceAccount: sa, now })).token, /no keys found/);
  // Signed by an unknown key that claims the trusted key's kid.
  const forged = await new SignJWT(decodeJwt(good)).setProtectedHeader({ alg: 'RS256', kid: rsa.keyId }).sign(other.privateKey);
  await rejects(forged, /signature verification failed/);
  // A payload edited after signing.
  const [h, , s] = good.split('.');
  const edited = Buffer.from(JSON.stringify({ ...decodeJwt(good), sub: 'system:serviceaccount:kube-system:admin' })).toString('base64url');
  await rejects(`${h}.${edited}.${s}`, /signature verification failed/);
  // Algorithm confusion: HMAC with the public key as the secret, and "none".
  const hmac = await new SignJWT(decodeJwt(good)).setProtectedHeader({ alg: 'HS256', kid: rsa.keyId }).sign(new TextEncoder().encode(ossl.rsaPub));
  await rejects(hmac, /alg/);
  const none = `${Buffer.from(JSON.stringify({ alg: 'none', kid: rsa.keyId })).toString('base64url')}.${good.split('.')[1]}.`;
  await rejects(none, /alg/);
  // Time: beyond the 60 s leeway only.
  const second = 1000;
  await verifyServiceAccountToken(good, keys, { now: new Date(now.getTime() + 600 * second + 59 * second) });
  await rejects(good, /has expired/, new Date(now.getTime() + 600 * second + 61 * second));
  await verifyServiceAccountToken(good, keys, { now: new Date(now.getTime() - 59 * second) });
  await rejects(good, /not valid yet/, new Date(now.getTime() - 61 * second));
  const futureIat = await new SignJWT({ iss: 'i', iat: now.getTime() / 1000 + 3600 }).setProtectedHeader({ alg: 'RS256', kid: rsa.keyId }).sign(rsa.privateKey);
  await rejects(futureIat, /issued in the future/);
  // Malformed.
  await rejects('not-a-jwt', /malformed/);
  await rejects('a.b.c', /malformed/);
  await rejects(`${h}.${good.split('.')[1]}.!!!`, /base64url decode the signature/);
  const notJSON = `${h}.${Buffer.from('[1,2]').toString('base64url')}.${s}`;
  await rejects(notJSON, /signature verification failed/);
  // Well signed, but the payload is no claims object.
  const array = await new CompactSign(new TextEncoder().encode('[1,2]')).setProtectedHeader({ alg: 'RS256', kid: rsa.keyId }).sign(rsa.privateKey);
  await rejects(array, /claims could not be validated/);
});

test('unverifiedIssuer: only compact JWS with a string iss', () => {
  const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  assert.equal(unverifiedIssuer(`${enc({ alg: 'RS256' })}.${enc({ iss: 'x' })}.sig`), 'x');
  assert.equal(unverifiedIssuer(`${enc({ alg: 'RS256' })}.${enc({ iss: 1 })}.sig`), undefined);
  assert.equal(unverifiedIssuer(`${enc({ alg: 'RS256' })}.${enc({ iss: 'x' })}`), undefined);
  assert.equal(unverifiedIssuer('{"payload":"x"}'), undefined);
  assert.equal(unverifiedIssuer('abc.%%%.def'), undefined);
  assert.equal(unverifiedIssuer('plain-static-token'), undefined);
});
