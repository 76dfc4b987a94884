// The dashboard's pure parts: which headers reach the apiserver, proxy paths, watch requests and
// their SSE framing, the exec frame bridge, sessions and the login-once file.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { StatusError } from '../../api/status.js';
import { parseListen } from './config.js';
import { fromApiserver, fromBrowser } from './exec-frames.js';
import { execParams, parseExecQuery } from './exec.js';
import { parseLoginOnce } from './login.js';
import { forwardedHeaders, needsCsrfHeader, responseHeaders, upstreamPath } from './proxy.js';
import { SessionStore } from './sessions.js';
import { decide, formatSse, parseWatchRequest, watchUrl } from './sse.js';
import { staticFile } from './static.js';

describe('proxy', () => {
  test('only Content-Type and Accept are forwarded', () => {
    assert.deepEqual(
      forwardedHeaders({
        'content-type': 'application/merge-patch+json',
        accept: 'application/json',
        authorization: 'Bearer stolen',
        cookie: 'tskube_dashboard=x',
        'impersonate-user': 'system:admin',
        'impersonate-group': ['system:masters'],
        'x-remote-user': 'admin',
        'x-forwarded-for': '1.2.3.4',
      }),
      { 'content-type': 'application/merge-patch+json', accept: 'application/json' },
    );
  });

  test('paths: the prefix is cut; dot segments and bad escapes are 400', () => {
    assert.equal(upstreamPath('/api/k8s/api/v1/pods?limit=5'), '/api/v1/pods?limit=5');
    for (const bad of ['/api/k8s/api/../x', '/api/k8s/api/%2e%2e/x', '/api/k8s/a%2fb', '/api/k8s/%zz']) {
      const r = upstreamPath(bad);
      assert.ok(r instanceof StatusError && r.code === 400, bad);
    }
    assert.ok(upstreamPath('/api/k8sx') instanceof StatusError);
  });

  test('response headers lose hop-by-hop ones and Set-Cookie', () => {
    assert.deepEqual(responseHeaders({ 'content-type': 'application/json', connection: 'keep-alive', 'transfer-encoding': 'chunked', 'set-cookie': ['a=b'], 'audit-id': 'x' }), { 'content-type': 'application/json', 'audit-id': 'x' });
  });

  test('GET and HEAD need no CSRF header, everything else does', () => {
    assert.deepEqual(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'].map(needsCsrfHeader), [false, false, true, true, true, true, true]);
  });
});

describe('watch requests and SSE', () => {
  test('collection paths only; Last-Event-ID wins over resourceVersion', () => {
    assert.deepEqual(parseWatchRequest(new URLSearchParams({ path: '/api/v1/namespaces/default/pods', resourceVersion: '5', labelSelector: 'app=web' }), '9'), {
      path: '/api/v1/namespaces/default/pods',
      resourceVersion: '9',
      labelSelector: 'app=web',
    });
    assert.deepEqual(parseWatchRequest(new URLSearchParams({ path: '/apis/apps/v1/deployments' }), undefined), { path: '/apis/apps/v1/deployments' });
    for (const path of ['/etc/passwd', '/api/v1/../x', '/api/v1/pods?watch=0', '/api/v1/namespaces/default/pods/x/log', '']) {
      assert.ok(parseWatchRequest(new URLSearchParams({ path }), undefined) instanceof StatusError, path);
    }
    assert.ok(parseWatchRequest(new URLSearchParams({ path: '/api/v1/pods' }), '1\nevent: x') instanceof StatusError);
  });

  test('the apiserver watch URL', () => {
    assert.equal(watchUrl({ path: '/api/v1/pods', fieldSelector: 'spec.nodeName=n1' }, '7'), '/api/v1/pods?watch=true&allowWatchBookmarks=true&resourceVersion=7&fieldSelector=spec.nodeName%3Dn1');
  });

  test('events: id is the resourceVersion; 410 is expired; other errors are error', () => {
    const d = decide({ type: 'ADDED', object: { kind: 'Pod', metadata: { resourceVersion: '12' } } });
    assert.deepEqual(d, { kind: 'relay', sse: 'id: 12\nevent: ADDED\ndata: {"kind":"Pod","metadata":{"resourceVersion":"12"}}\n\n', resourceVersion: '12' });
    assert.equal(decide({ type: 'ERROR', object: { kind: 'Status', code: 410 } }).kind, 'expired');
    assert.equal(decide({ type: 'ERROR', object: { kind: 'Status', code: 500 } }).kind, 'error');
    assert.equal(formatSse({ event: 'x', data: 'a\nb' }), 'event: x\ndata: a\ndata: b\n\n');
  });
});

describe('exec frames', () => {
  test('browser → apiserver: stdin and resize; anything else is ignored', () => {
    assert.deepEqual(fromBrowser('{"type":"stdin","data":"ls\\r"}'), Buffer.from([0, 0x6c, 0x73, 0x0d]));
    assert.deepEqual(fromBrowser('{"type":"resize","cols":80,"rows":24}'), Buffer.concat([Buffer.from([4]), Buffer.from('{"Width":80,"Height":24}')]));
    for (const bad of ['nope', '[]', 'null', '{"type":"resize","cols":-1,"rows":2}', '{"type":"stdin","data":3}', '{"type":"exit"}']) assert.equal(fromBrowser(bad), undefined, bad);
  });

  test('apiserver → browser: stdout/stderr are output, the status channel is the exit', () => {
    assert.deepEqual(fromApiserver(Buffer.from([1, 0x68, 0x69])), { kind: 'output', data: Buffer.from('hi') });
    assert.deepEqual(fromApiserver(Buffer.from([2, 0x21])), { kind: 'output', data: Buffer.from('!') });
    assert.deepEqual(fromApiserver(Buffer.concat([Buffer.from([3]), Buffer.from('{"metadata":{},"status":"Success"}')])), { kind: 'exit', status: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success' } });
    assert.equal((fromApiserver(Buffer.concat([Buffer.from([3]), Buffer.from('garbage')])) as { status: { status: string } }).status.status, 'Failure');
    assert.deepEqual(fromApiserver(Buffer.alloc(0)), { kind: 'ignore' });
    assert.deepEqual(fromApiserver(Buffer.from([9, 1])), { kind: 'ignore' });
  });

  test('the exec query: names checked, tty with stdin', () => {
    const t = parseExecQuery(new URLSearchParams([['namespace', 'default'], ['pod', 'web-1'], ['container', 'c'], ['command', 'sh'], ['command', '-c']]));
    assert.ok(!(t instanceof StatusError));
    assert.deepEqual(execParams(t), [['command', 'sh'], ['command', '-c'], ['container', 'c'], ['stdin', 'true'], ['stdout', 'true'], ['tty', 'true']]);
    assert.ok(parseExecQuery(new URLSearchParams('namespace=default&pod=../x&command=sh')) instanceof StatusError);
    assert.ok(parseExecQuery(new URLSearchParams('namespace=default&pod=p')) instanceof StatusError);
  });
});

describe('sessions, login-once, static, listen', () => {
  test('sessions expire when idle; the least recently used goes first at the cap', () => {
    let now = 0;
    const s = new SessionStore({ idleMs: 100, max: 2, now: () => now });
    const a = s.create('t1', { username: 'a', groups: [] });
    const b = s.create('t2', { username: 'b', groups: [] });
    now = 50;
    assert.equal(s.get(a.id)?.token, 't1');
    s.create('t3', { username: 'c', groups: [] });
    assert.equal(s.get(b.id), undefined, 'b was the least recently used');
    now = 151;
    assert.equal(s.get(a.id), undefined);
    assert.equal(s.get(undefined), undefined);
  });

  test('the login-once file', () => {
    assert.deepEqual(parseLoginOnce('{"nonce":"0123456789abcdef","token":"t"}'), { nonce: '0123456789abcdef', token: 't' });
    for (const bad of ['', '{', '{"nonce":"short","token":"t"}', '{"nonce":"0123456789abcdef"}']) assert.equal(parseLoginOnce(bad), undefined, bad);
  });

  test('static paths stay inside the directory', () => {
    assert.equal(staticFile('/srv/app', '/'), '/srv/app/index.html');
    assert.equal(staticFile('/srv/app', '/assets/app.js'), '/srv/app/assets/app.js');
    assert.equal(staticFile('/srv/app', '/assets/%2e%2e/%2e%2e/etc/passwd'), undefined);
    assert.equal(staticFile('/srv/app', '/etc/passwd'), undefined);
    assert.equal(staticFile('/srv/app', '/assets/%zz'), undefined);
  });

  test('--listen', () => {
    assert.deepEqual(parseListen('127.0.0.1:9090'), { host: '127.0.0.1', port: 9090 });
    assert.deepEqual(parseListen('[::1]:9090'), { host: '::1', port: 9090 });
    for (const bad of ['9090', 'x:99999', 'a:b']) assert.throws(() => parseListen(bad), bad);
  });
});
