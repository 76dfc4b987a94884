import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TokenAuthenticator } from '../types.js';
import { audienceAgnosticTokenAuthenticator, intersectAudiences } from './audiences.js';

const fixed: TokenAuthenticator = { authenticateToken: (t) => (t === 'good' ? { user: { username: 'u', groups: [] } } : undefined) };

test('intersectAudiences: in the first list\'s order, without repeats', () => {
  assert.deepEqual(intersectAudiences(['a', 'b', 'a', 'c'], ['c', 'a']), ['a', 'c']);
  assert.deepEqual(intersectAudiences(['a'], []), []);
});

test('audience-agnostic wrapper: answers only for the API audiences, and says so', async () => {
  const a = audienceAgnosticTokenAuthenticator(['api', 'https://kubernetes.default.svc'], fixed);
  assert.deepEqual(await a.authenticateToken('good'), { user: { username: 'u', groups: [] }, audiences: ['api', 'https://kubernetes.default.svc'] });
  assert.deepEqual(await a.authenticateToken('good', []), { user: { username: 'u', groups: [] }, audiences: ['api', 'https://kubernetes.default.svc'] });
  assert.deepEqual((await a.authenticateToken('good', ['vault', 'api']))?.audiences, ['api']);
  assert.equal(await a.authenticateToken('good', ['vault']), undefined);
  assert.equal(await a.authenticateToken('bad'), undefined);
});

test('audience-agnostic wrapper: with no API audiences configured it passes straight through', async () => {
  const a = audienceAgnosticTokenAuthenticator([], fixed);
  assert.deepEqual(await a.authenticateToken('good', ['vault']), { user: { username: 'u', groups: [] } });
});
