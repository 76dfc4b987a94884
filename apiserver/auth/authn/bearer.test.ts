import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import { AuthenticationError, type TokenAuthenticator } from '../types.js';
import { bearerTokenAuthenticator, bearerTokenOf, webSocketProtocolAuthenticator } from './bearer.js';

/** Knows one token; records what it was asked. */
function tokens(known = 'good-token') {
  const asked: string[] = [];
  const auth: TokenAuthenticator = {
    authenticateToken(token) {
      asked.push(token);
      return token === known ? { user: { username: 'alice', groups: ['dev'] } } : undefined;
    },
  };
  return { auth, asked };
}
const isError = (message: string | RegExp) => (err: unknown) =>
  err instanceof AuthenticationError && (typeof message === 'string' ? err.message === message : message.test(err.message));

test('bearerTokenOf: scheme case-insensitive; missing or empty token is no credential', () => {
  const of = (authorization?: string) => bearerTokenOf({ authorization });
  assert.equal(of('Bearer abc'), 'abc');
  assert.equal(of('bearer abc'), 'abc');
  assert.equal(of('BEARER abc'), 'abc');
  assert.equal(of('  Bearer abc  '), 'abc');
  assert.equal(of('Bearer abc def'), 'abc');
  assert.equal(of(undefined), undefined);
  assert.equal(of(''), undefined);
  assert.equal(of('Bearer'), undefined);
  assert.equal(of('Bearer '), undefined);
  assert.equal(of('Bearer  abc'), undefined, 'two spaces: the token is empty (Kubernetes)');
  assert.equal(of('Basic YWJjOmRlZg=='), undefined);
  assert.equal(of('Bearerabc'), undefined);
});

test('bearer: a known token authenticates and the header is removed from the request', async () => {
  const { auth } = tokens();
  const headers: IncomingHttpHeaders = { authorization: 'Bearer good-token', host: 'x' };
  const result = await bearerTokenAuthenticator(auth).authenticate({ headers });
  assert.deepEqual(result, { user: { username: 'alice', groups: ['dev'] } });
  assert.deepEqual(headers, { host: 'x' });
});

test('bearer: a token nobody recognises is "invalid bearer token"; the header stays', async () => {
  const { auth } = tokens();
  const headers: IncomingHttpHeaders = { authorization: 'Bearer bad-token' };
  await assert.rejects(Promise.resolve(bearerTokenAuthenticator(auth).authenticate({ headers })), isError('invalid bearer token'));
  assert.equal(headers.authorization, 'Bearer bad-token');
});

test('bearer: no token, an empty token or another scheme → undefined, and no token authenticator is asked', async () => {
  const { auth, asked } = tokens();
  const a = bearerTokenAuthenticator(auth);
  for (const authorization of [undefined, 'Bearer ', 'Bearer  good-token', 'Basic Zm9vOmJhcg==']) {
    assert.equal(await a.authenticate({ headers: { authorization } }), undefined, String(authorization));
  }
  assert.deepEqual(asked, []);
});

test('bearer: a list of token authenticators — first success wins, errors come through', async () => {
  const failing: TokenAuthenticator = { authenticateToken: () => { throw new AuthenticationError('token expired'); } };
  const ok = tokens().auth;
  const a = bearerTokenAuthenticator([failing, ok]);
  assert.equal((await a.authenticate({ headers: { authorization: 'Bearer good-token' } }))?.user.username, 'alice');
  await assert.rejects(Promise.resolve(a.authenticate({ headers: { authorization: 'Bearer other' } })), isError('token expired'));
  const none = bearerTokenAuthenticator([ok, ok]);
  await assert.rejects(Promise.resolve(none.authenticate({ headers: { authorization: 'Bearer other' } })), isError('invalid bearer token'));
});

const enc = (t: string) => `base64url.bearer.authorization.k8s.io.${Buffer.from(t).toString('base64url')}`;
const upgrade = (protocols: string): IncomingHttpHeaders => ({
  connection: 'keep-alive, Upgrade', upgrade: 'websocket', 'sec-websocket-protocol': protocols,
});

test('websocket: the token subprotocol authenticates and is removed from Sec-WebSocket-Protocol', async () => {
  const { auth } = tokens();
  const headers = upgrade(`v5.channel.k8s.io, ${enc('good-token')}, channel.k8s.io`);
  assert.equal((await webSocketProtocolAuthenticator(auth).authenticate({ headers }))?.user.username, 'alice');
  assert.equal(headers['sec-websocket-protocol'], 'v5.channel.k8s.io,channel.k8s.io');
});

test('websocket: repeated Sec-WebSocket-Protocol headers (Node joins them with ", ") are one list', async () => {
  const { auth } = tokens();
  const headers = upgrade(`${enc('good-token')}, v4.channel.k8s.io`);
  assert.equal((await webSocketProtocolAuthenticator(auth).authenticate({ headers }))?.user.username, 'alice');
});

test('websocket: only for upgrade requests; no token protocol → undefined', async () => {
  const { auth, asked } = tokens();
  const a = webSocketProtocolAuthenticator(auth);
  assert.equal(await a.authenticate({ headers: { 'sec-websocket-protocol': `${enc('good-token')}, v5.channel.k8s.io` } }), undefined);
  assert.equal(await a.authenticate({ headers: { connection: 'Upgrade', upgrade: 'h2c', 'sec-websocket-protocol': `${enc('good-token')}, x` } }), undefined);
  assert.equal(await a.authenticate({ headers: upgrade('v5.channel.k8s.io') }), undefined);
  assert.equal(await a.authenticate({ headers: { connection: 'Upgrade', upgrade: 'websocket' } }), undefined);
  assert.equal(await a.authenticate({ headers: upgrade(`${enc('')}, v5.channel.k8s.io`) }), undefined, 'an empty token is no token');
  assert.deepEqual(asked, []);
});

test('websocket: malformed token protocols are AuthenticationErrors', async () => {
  const { auth } = tokens();
  const a = webSocketProtocolAuthenticator(auth);
  const rejects = (h: IncomingHttpHeaders, m: string) => assert.rejects(Promise.resolve(a.authenticate({ headers: h })), isError(m));
  await rejects(upgrade(enc('good-token')), 'missing additional subprotocol');
  await rejects(upgrade(`${enc('good-token')}, ${enc('other')}, v5`), 'multiple base64.bearer.authorization tokens specified');
  await rejects(upgrade('base64url.bearer.authorization.k8s.io.a+b/c=, v5'), 'invalid base64.bearer.authorization token encoding');
  await rejects(upgrade(`base64url.bearer.authorization.k8s.io.${Buffer.from([0xff, 0xfe, 0xfd]).toString('base64url')}, v5`), 'invalid base64.bearer.authorization token');
  await rejects(upgrade(`${enc('bad-token')}, v5`), 'invalid bearer token');
});
