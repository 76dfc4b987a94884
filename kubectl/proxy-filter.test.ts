import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  accepts,
  DEFAULT_HOST_ACCEPT_RE,
  DEFAULT_METHOD_REJECT_RE,
  DEFAULT_PATH_ACCEPT_RE,
  DEFAULT_PATH_REJECT_RE,
  extractHost,
  headersFromRaw,
  hopByHop,
  joinPaths,
  makeFilter,
  routeFor,
} from './proxy-filter.js';

const defaults = makeFilter({ acceptPaths: DEFAULT_PATH_ACCEPT_RE, rejectPaths: DEFAULT_PATH_REJECT_RE, acceptHosts: DEFAULT_HOST_ACCEPT_RE, rejectMethods: DEFAULT_METHOD_REJECT_RE });

test("kubectl's default filter: loopback hosts only, no exec or attach", () => {
  assert.equal(accepts(defaults, 'GET', '/api/v1/pods', 'localhost'), true);
  assert.equal(accepts(defaults, 'GET', '/api/v1/pods', '127.0.0.1'), true);
  assert.equal(accepts(defaults, 'GET', '/api/v1/pods', 'evil.example.com'), false);
  assert.equal(accepts(defaults, 'GET', '/api/v1/pods', '10.0.0.5'), false);
  assert.equal(accepts(defaults, 'POST', '/api/v1/namespaces/default/pods/web/exec', 'localhost'), false);
  assert.equal(accepts(defaults, 'GET', '/api/v1/namespaces/default/pods/web/attach', 'localhost'), false);
  assert.equal(accepts(defaults, 'GET', '/api/v1/namespaces/default/pods/web/log', 'localhost'), true);
});

test('reject lists win over accept lists; methods can be refused', () => {
  const f = makeFilter({ acceptPaths: '^/api', rejectPaths: '^/api/v1/secrets', acceptHosts: '.*', rejectMethods: 'POST,PUT' });
  assert.equal(accepts(f, 'GET', '/apis/apps/v1', 'h'), true);
  assert.equal(accepts(f, 'GET', '/version', 'h'), false);
  assert.equal(accepts(f, 'GET', '/api/v1/secrets', 'h'), false);
  assert.equal(accepts(f, 'POST', '/api/v1/pods', 'h'), false);
  assert.throws(() => makeFilter({ acceptPaths: '(', rejectPaths: '', acceptHosts: '', rejectMethods: '' }));
});

test('Host headers lose their port as with Go SplitHostPort', () => {
  assert.equal(extractHost('localhost:8001'), 'localhost');
  assert.equal(extractHost('localhost'), 'localhost');
  assert.equal(extractHost('[::1]:8001'), '::1');
  assert.equal(extractHost('[::1]'), '[::1]');
  assert.equal(extractHost('::1'), '::1');
});

test('--api-prefix: paths outside are 404, the bare prefix redirects, the prefix is stripped unless it is /api…', () => {
  assert.deepEqual(routeFor('/', '/api/v1/pods'), { kind: 'forward', path: '/api/v1/pods' });
  assert.deepEqual(routeFor('/custom/', '/custom/api/v1/pods'), { kind: 'forward', path: '/api/v1/pods' });
  assert.deepEqual(routeFor('/custom/', '/custom'), { kind: 'redirect', location: '/custom/' });
  assert.deepEqual(routeFor('/custom/', '/api/v1/pods'), { kind: 'not-found' });
  assert.deepEqual(routeFor('/api/', '/api/v1/pods'), { kind: 'forward', path: '/api/v1/pods' });
  assert.equal(joinPaths('/prefix/', '/api'), '/prefix/api');
  assert.equal(joinPaths('/prefix', 'api'), '/prefix/api');
});

test('hop-by-hop headers stay behind; repeated headers keep every value', () => {
  const drop = hopByHop('keep-alive, X-Private');
  assert.ok(drop.has('x-private') && drop.has('upgrade') && drop.has('transfer-encoding'));
  assert.deepEqual(headersFromRaw(['Impersonate-Group', 'a', 'Accept', 'x', 'impersonate-group', 'b', 'X-Private', 'p'], drop), { 'impersonate-group': ['a', 'b'], accept: 'x' });
});
