import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { loadSigningKey, loadVerifyKeys, signBoundToken } from '../../../client/auth/serviceaccount-jwt.js';
import { AuthenticationError, type AuthenticationResult, type TokenAuthenticator } from '../types.js';
import { ServiceAccountTokenAuthenticator } from './serviceaccount.js';
import { CachedTokenAuthenticator, DEFAULT_TOKEN_SUCCESS_TTL_MS } from './token-cache.js';
import { MemoryTokenGetter } from './testing.js';

/** A delegate that counts calls and answers per token: 'ok…' succeed, 'bad…' throw, others are unknown. */
function counting() {
  const calls: string[] = [];
  const auth: TokenAuthenticator = {
    async authenticateToken(token, audiences) {
      calls.push(`${token}|${(audiences ?? []).join(',')}`);
      if (token.startsWith('bad')) throw new AuthenticationError('expired');
      return token.startsWith('ok') ? { user: { username: token, groups: ['g'] }, audiences } : undefined;
    },
  };
  return { auth, calls };
}
function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

test('cache: a success is reused until its TTL ends, then verified again', async () => {
  const { auth, calls } = counting();
  const c = clock();
  const cache = new CachedTokenAuthenticator(auth, { successTTLMs: 3000, now: c.now });
  assert.equal((await cache.authenticateToken('ok-1'))?.user.username, 'ok-1');
  c.advance(2999);
  assert.equal((await cache.authenticateToken('ok-1'))?.user.username, 'ok-1');
  assert.equal(calls.length, 1);
  c.advance(1);
  await cache.authenticateToken('ok-1');
  assert.equal(calls.length, 2);
});

test('cache: rejections and unknown tokens are not cached by default; with failureTTLMs they are', async () => {
  const { auth, calls } = counting();
  const cache = new CachedTokenAuthenticator(auth);
  await assert.rejects(cache.authenticateToken('bad'), AuthenticationError);
  await assert.rejects(cache.authenticateToken('bad'), AuthenticationError);
  assert.equal(await cache.authenticateToken('unknown'), undefined);
  assert.equal(await cache.authenticateToken('unknown'), undefined);
  assert.equal(calls.length, 4);
  assert.equal(cache.size, 0);

  const c = clock();
  const withFailures = new CachedTokenAuthenticator(auth, { failureTTLMs: 1000, now: c.now });
  await assert.rejects(withFailures.authenticateToken('bad'), AuthenticationError);
  await assert.rejects(withFailures.authenticateToken('bad'), AuthenticationError);
  assert.equal(calls.length, 5);
  c.advance(1000);
  await assert.rejects(withFailures.authenticateToken('bad'), AuthenticationError);
  assert.equal(calls.length, 6);
});

test('cache: concurrent requests with one token share one verification', async () => {
  let release!: (r: AuthenticationResult) => void;
  let calls = 0;
  const slow: TokenAuthenticator = { authenticateToken: () => { calls++; return new Promise((r) => (release = r)); } };
  const cache = new CachedTokenAuthenticator(slow);
  const a = cache.authenticateToken('t');
  const b = cache.authenticateToken('t');
  release({ user: { username: 'u', groups: [] } });
  assert.deepEqual(await a, await b);
  assert.equal(calls, 1);
});

test('cache: keyed by token and audiences; each caller gets its own copy', async () => {
  const { auth, calls } = counting();
  const cache = new CachedTokenAuthenticator(auth);
  await cache.authenticateToken('ok', ['api']);
  await cache.authenticateToken('ok', ['vault']);
  await cache.authenticateToken('ok');
  await cache.authenticateToken('ok', ['api']);
  assert.deepEqual(calls, ['ok|api', 'ok|vault', 'ok|']);
  (await cache.authenticateToken('ok'))!.user.groups.push('system:masters');
  assert.deepEqual((await cache.authenticateToken('ok'))!.user.groups, ['g']);
});

test('cache: bounded; the oldest entry goes first', async () => {
  const { auth, calls } = counting();
  const cache = new CachedTokenAuthenticator(auth, { maxEntries: 2 });
  for (const t of ['ok-a', 'ok-b', 'ok-c']) await cache.authenticateToken(t);
  assert.equal(cache.size, 2);
  await cache.authenticateToken('ok-c');
  await cache.authenticateToken('ok-a');
  assert.deepEqual(calls, ['ok-a|', 'ok-b|', 'ok-c|', 'ok-a|']);
});

test('cache: a delegate that throws synchronously still gives a rejected promise', async () => {
  const sync: TokenAuthenticator = { authenticateToken: () => { throw new AuthenticationError('sync'); } };
  await assert.rejects(new CachedTokenAuthenticator(sync).authenticateToken('x'), /sync/);
});

test('cache: a deleted pod\'s token is refused once the default TTL has passed', async () => {
  const key = loadSigningKey(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
  const objects = new MemoryTokenGetter();
  objects.serviceAccounts.set('ns/sa', { metadata: { namespace: 'ns', name: 'sa', uid: 'sa-uid' } });
  objects.pods.set('ns/p', { metadata: { namespace: 'ns', name: 'p', uid: 'p-uid' } });
  const sa = new ServiceAccountTokenAuthenticator({
    keys: loadVerifyKeys([key.publicKey.export({ type: 'spki', format: 'pem' }) as string]),
    issuers: ['iss'], apiAudiences: ['api'], getter: objects,
  });
  const { token } = await signBoundToken(key, { issuer: 'iss', audiences: ['api'], expirationSeconds: 600, serviceAccount: { namespace: 'ns', name: 'sa', uid: 'sa-uid' }, pod: { name: 'p', uid: 'p-uid' } });
  const c = clock();
  const cache = new CachedTokenAuthenticator(sa, { now: c.now });
  assert.ok(await cache.authenticateToken(token));
  objects.pods.delete('ns/p');
  c.advance(DEFAULT_TOKEN_SUCCESS_TTL_MS - 1);
  assert.ok(await cache.authenticateToken(token), 'still the cached answer');
  c.advance(1);
  await assert.rejects(cache.authenticateToken(token), (e: unknown) => e instanceof AuthenticationError && /invalidated/.test(e.message));
});
