import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { UserInfo } from '../../../api/user.js';
import { AuthenticationError, type Authenticator, type TokenAuthenticator } from '../types.js';
import {
  anonymousAuthenticator,
  authenticatedGroupAdder,
  authenticatedGroupAdderToken,
  requestAuthenticator,
  unionAuthenticator,
  unionTokenAuthenticator,
  withAuthenticatedGroup,
} from './union.js';

const req = { headers: {} };
const user = (username: string, groups: string[] = []): UserInfo => ({ username, groups });
const succeeds = (name: string, calls?: string[]): Authenticator => ({ authenticate: () => { calls?.push(name); return { user: user(name) }; } });
const abstains = (name: string, calls?: string[]): Authenticator => ({ authenticate: async () => { calls?.push(name); return undefined; } });
const fails = (message: string, calls?: string[]): Authenticator => ({ authenticate: async () => { calls?.push(message); throw new AuthenticationError(message); } });

test('union: first success wins, in order; later authenticators are not asked', async () => {
  const calls: string[] = [];
  const u = unionAuthenticator([abstains('a', calls), fails('bad cert', calls), succeeds('c', calls), succeeds('d', calls)]);
  assert.equal((await u.authenticate(req))?.user.username, 'c');
  assert.deepEqual(calls, ['a', 'bad cert', 'c']);
});

test('union: nothing succeeded and something failed → one AuthenticationError with every reason', async () => {
  const one = unionAuthenticator([abstains('a'), fails('x509: expired')]);
  await assert.rejects(Promise.resolve(one.authenticate(req)), { name: 'Error', message: 'x509: expired' });
  await assert.rejects(Promise.resolve(one.authenticate(req)), AuthenticationError);
  const two = unionAuthenticator([fails('x509: expired'), abstains('b'), fails('invalid bearer token')]);
  await assert.rejects(Promise.resolve(two.authenticate(req)), (e: unknown) => e instanceof AuthenticationError && e.message === '[x509: expired, invalid bearer token]');
});

test('union: an exception of another kind is still an AuthenticationError (401, not 500)', async () => {
  const broken: Authenticator = { authenticate: () => { throw new TypeError('cache not synced'); } };
  await assert.rejects(Promise.resolve(unionAuthenticator([broken]).authenticate(req)), (e: unknown) => e instanceof AuthenticationError && e.message === 'cache not synced');
  await assert.rejects(Promise.resolve(unionAuthenticator([broken], { failOnError: true }).authenticate(req)), AuthenticationError);
});

test('union: nobody had a credential → undefined', async () => {
  assert.equal(await unionAuthenticator([abstains('a'), abstains('b')]).authenticate(req), undefined);
  assert.equal(await unionAuthenticator([]).authenticate(req), undefined);
});

test('union with failOnError stops at the first error', async () => {
  const calls: string[] = [];
  const u = unionAuthenticator([fails('bad', calls), succeeds('b', calls)], { failOnError: true });
  await assert.rejects(Promise.resolve(u.authenticate(req)), AuthenticationError);
  assert.deepEqual(calls, ['bad']);
});

test('token union: same rules, audiences passed to each', async () => {
  const seen: (string[] | undefined)[] = [];
  const t = (r: 'ok' | 'none' | 'err'): TokenAuthenticator => ({
    authenticateToken: (_tok, auds) => {
      seen.push(auds);
      if (r === 'err') throw new AuthenticationError('expired');
      return r === 'ok' ? { user: user('u'), audiences: auds } : undefined;
    },
  });
  assert.deepEqual(await unionTokenAuthenticator([t('none'), t('err'), t('ok')]).authenticateToken('x', ['vault']), { user: user('u'), audiences: ['vault'] });
  assert.deepEqual(seen, [['vault'], ['vault'], ['vault']]);
  await assert.rejects(Promise.resolve(unionTokenAuthenticator([t('none'), t('err')]).authenticateToken('x')), AuthenticationError);
  assert.equal(await unionTokenAuthenticator([t('none')]).authenticateToken('x'), undefined);
});

test('authenticated group: added once; not for anonymous nor for users already in an all-users group', async () => {
  assert.deepEqual(withAuthenticatedGroup(user('alice', ['dev'])).groups, ['dev', 'system:authenticated']);
  assert.deepEqual(withAuthenticatedGroup(user('alice', ['system:authenticated', 'dev'])).groups, ['system:authenticated', 'dev']);
  assert.deepEqual(withAuthenticatedGroup(user('x', ['system:unauthenticated'])).groups, ['system:unauthenticated']);
  assert.deepEqual(withAuthenticatedGroup(user('system:anonymous', [])).groups, []);
  const extra = { 'authentication.kubernetes.io/pod-name': ['p'] };
  assert.deepEqual(withAuthenticatedGroup({ username: 'sa', uid: 'u1', groups: [], extra }), { username: 'sa', uid: 'u1', groups: ['system:authenticated'], extra });

  assert.deepEqual((await authenticatedGroupAdder(succeeds('bob')).authenticate(req))?.user.groups, ['system:authenticated']);
  assert.equal(await authenticatedGroupAdder(abstains('a')).authenticate(req), undefined);
  await assert.rejects(Promise.resolve(authenticatedGroupAdder(fails('no')).authenticate(req)), AuthenticationError);
  const tok: TokenAuthenticator = { authenticateToken: () => ({ user: user('t', ['g']), audiences: ['api'] }) };
  assert.deepEqual(await authenticatedGroupAdderToken(tok).authenticateToken('x'), { user: user('t', ['g', 'system:authenticated']), audiences: ['api'] });
});

test('anonymous: system:anonymous in system:unauthenticated', async () => {
  assert.deepEqual(await anonymousAuthenticator().authenticate(req), { user: { username: 'system:anonymous', groups: ['system:unauthenticated'] } });
});

test('requestAuthenticator: anonymous on — no credential is anonymous, a bad one is still an error', async () => {
  const on = requestAuthenticator([abstains('a')], true);
  assert.deepEqual((await on.authenticate(req))?.user, { username: 'system:anonymous', groups: ['system:unauthenticated'] });
  await assert.rejects(Promise.resolve(requestAuthenticator([fails('invalid bearer token')], true).authenticate(req)), AuthenticationError);
  assert.deepEqual((await requestAuthenticator([succeeds('alice')], true).authenticate(req))?.user.groups, ['system:authenticated']);
});

test('requestAuthenticator: anonymous off — no credential is undefined (the handler answers 401)', async () => {
  assert.equal(await requestAuthenticator([abstains('a')], false).authenticate(req), undefined);
  await assert.rejects(Promise.resolve(requestAuthenticator([fails('bad')], false).authenticate(req)), AuthenticationError);
  assert.deepEqual((await requestAuthenticator([abstains('a'), succeeds('alice')], false).authenticate(req))?.user, user('alice', ['system:authenticated']));
});
