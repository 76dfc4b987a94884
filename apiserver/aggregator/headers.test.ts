import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { proxyRequestHeaders, proxyResponseHeaders } from './headers.js';

describe('proxyRequestHeaders', () => {
  const user = { username: 'alice', groups: ['devs', 'system:authenticated'], extra: { 'authentication.kubernetes.io/credential-id': ['X509SHA256=ab'], scopes: ['a', 'b'] } };

  test('the user goes in X-Remote-*, one header value per group and extra value', () => {
    const h = proxyRequestHeaders({ accept: 'application/json', 'user-agent': 'kubectl' }, user);
    assert.equal(h['x-remote-user'], 'alice');
    assert.deepEqual(h['x-remote-group'], ['devs', 'system:authenticated']);
    assert.deepEqual(h['x-remote-extra-authentication.kubernetes.io%2Fcredential-id'], ['X509SHA256=ab']);
    assert.deepEqual(h['x-remote-extra-scopes'], ['a', 'b']);
    assert.equal(h['accept'], 'application/json');
    assert.equal(h['user-agent'], 'kubectl');
  });

  test('client-made identity headers, credentials and hop-by-hop headers never pass', () => {
    const h = proxyRequestHeaders(
      { 'x-remote-user': 'mallory', 'x-remote-group': 'system:masters', 'x-remote-extra-foo': 'x', 'x-remote-uid': '0', authorization: 'Bearer t', 'impersonate-user': 'root', connection: 'keep-alive', 'transfer-encoding': 'chunked', host: 'api', upgrade: 'websocket' },
      { username: 'bob', groups: [] },
    );
    assert.deepEqual(Object.keys(h).sort(), ['x-remote-user']);
    assert.equal(h['x-remote-user'], 'bob');
  });

  test('an upgrade keeps its Connection and Upgrade headers', () => {
    const h = proxyRequestHeaders({ connection: 'Upgrade', upgrade: 'SPDY/3.1' }, { username: 'u', groups: [] }, { upgrade: true });
    assert.equal(h['connection'], 'Upgrade');
    assert.equal(h['upgrade'], 'SPDY/3.1');
  });

  test('responses lose only hop-by-hop headers', () => {
    assert.deepEqual(proxyResponseHeaders({ 'content-type': 'application/json', 'transfer-encoding': 'chunked', connection: 'close', 'audit-id': 'x' }), { 'content-type': 'application/json', 'audit-id': 'x' });
  });
});
