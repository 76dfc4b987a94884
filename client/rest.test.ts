// Wire-level behaviour of the REST client against a scripted HTTP server: how replies that
// the real apiserver rarely sends (non-Status errors, 429s, oddly chunked watch streams) are
// handled, and what goes out on the wire.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StatusError } from '../api/status.js';
import { RestClient } from './rest.js';
import { isNotFound } from './errors.js';

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;
let handler: Handler = (_req, res) => res.end();
let server: Server;
let url: string;

before(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => handler(req, res, body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe('RestClient on the wire', () => {
  test('paths, query, headers and body of a create', async () => {
    let seen: { method?: string; url?: string; auth?: string; ua?: string; ct?: string; body?: unknown } = {};
    handler = (req, res, body) => {
      seen = { method: req.method, url: req.url, auth: req.headers.authorization, ua: req.headers['user-agent'], ct: req.headers['content-type'], body: JSON.parse(body) };
      res.writeHead(201, { 'content-type': 'application/json' }).end(body);
    };
    const c = new RestClient({ server: url, token: 'secret', userAgent: 'tester/1' });
    const d = await c.resource('deployments.apps', 'web').create({ metadata: { name: 'd' } }, { fieldManager: 'me', dryRun: true });
    assert.equal(d.kind, 'Deployment');
    assert.equal(seen.method, 'POST');
    assert.equal(seen.url, '/apis/apps/v1/namespaces/web/deployments?dryRun=All&fieldManager=me');
    assert.equal(seen.auth, 'Bearer secret');
    assert.equal(seen.ua, 'tester/1');
    assert.equal(seen.ct, 'application/json');
    assert.deepEqual(seen.body, { metadata: { name: 'd' }, apiVersion: 'apps/v1', kind: 'Deployment' });
    await c.close();
  });

  test('patch content types and cluster-scoped paths', async () => {
    const seen: string[] = [];
    handler = (req, res) => {
      seen.push(`${req.method} ${req.url} ${req.headers['content-type']}`);
      res.end('{}');
    };
    const c = new RestClient({ server: url });
    const nodes = c.resource('nodes');
    await nodes.patch('n1', 'strategic', { spec: { unschedulable: true } });
    await nodes.patch('n1', 'merge', {}, { subresource: 'status' });
    await nodes.patch('n1', 'json', []);
    await nodes.patch('n1', 'apply', {}, { fieldManager: 'kc', force: true });
    assert.deepEqual(seen, [
      'PATCH /api/v1/nodes/n1 application/strategic-merge-patch+json',
      'PATCH /api/v1/nodes/n1/status application/merge-patch+json',
      'PATCH /api/v1/nodes/n1 application/json-patch+json',
      'PATCH /api/v1/nodes/n1?fieldManager=kc&force=true application/apply-patch+yaml',
    ]);
    await assert.rejects(c.resource('pods').get('x'), /namespace is required/);
    await c.close();
  });

  test('a non-Status error body becomes a synthesized StatusError', async () => {
    handler = (_req, res) => res.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found');
    const c = new RestClient({ server: url });
    const e = await c.resource('pods', 'x').get('p').catch((err: unknown) => err);
    assert.ok(e instanceof StatusError);
    assert.equal(e.code, 404);
    assert.equal(e.reason, 'NotFound');
    assert.ok(isNotFound(e));
    handler = (_req, res) => res.writeHead(502).end('bad gateway');
    const e2 = await c.resource('pods', 'x').get('p').catch((err: unknown) => err);
    assert.ok(e2 instanceof StatusError);
    assert.equal(e2.code, 502);
    assert.equal(e2.reason, 'InternalError');
    await c.close();
  });

  test('429 with Retry-After is retried', async () => {
    let calls = 0;
    handler = (_req, res) => {
      if (++calls < 3) {
        res.writeHead(429, { 'retry-after': '0', 'content-type': 'application/json' });
        res.end(JSON.stringify({ kind: 'Status', status: 'Failure', code: 429, reason: 'TooManyRequests', message: 'slow down' }));
      } else res.end('{"metadata":{"name":"p"}}');
    };
    const c = new RestClient({ server: url });
    const p = await c.resource('pods', 'x').get('p');
    assert.equal(p.metadata?.name, 'p');
    assert.equal(calls, 3);
    await c.close();
  });

  test('watch: events split across chunks without newlines; ERROR carries a Status', async () => {
    const events = [
      { type: 'ADDED', object: { metadata: { name: 'a', resourceVersion: '2' } } },
      { type: 'MODIFIED', object: { metadata: { name: 'a', resourceVersion: '3' }, data: { s: 'ünï' } } },
      { type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 410, reason: 'Expired', message: 'too old' } },
    ];
    let query = '';
    handler = (req, res) => {
      query = req.url ?? '';
      res.writeHead(200, { 'content-type': 'application/json' });
      const bytes = Buffer.from(events.map((e) => JSON.stringify(e)).join(''));
      const write = (i: number): void => {
        if (i >= bytes.length) return void res.end();
        res.write(bytes.subarray(i, i + 7));
        setImmediate(() => write(i + 7));
      };
      write(0);
    };
    const c = new RestClient({ server: url });
    const w = await c.resource('configmaps', 'ns').watch({ resourceVersion: '1', allowWatchBookmarks: true, timeoutSeconds: 30, labelSelector: 'a=b' });
    const got = [];
    for await (const ev of w) got.push(ev);
    assert.equal(query, '/api/v1/namespaces/ns/configmaps?watch=true&labelSelector=a%3Db&resourceVersion=1&timeoutSeconds=30&allowWatchBookmarks=true');
    assert.deepEqual(got.map((e) => e.type), ['ADDED', 'MODIFIED', 'ERROR']);
    assert.equal(got[1]?.object.kind, 'ConfigMap', 'kind filled in');
    assert.equal((got[1]?.object as { data?: { s?: string } }).data?.s, 'ünï');
    await c.close();
  });

  test('closing a watch ends the iteration quietly', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(JSON.stringify({ type: 'ADDED', object: { metadata: { name: 'a' } } }));
    };
    const c = new RestClient({ server: url });
    const w = await c.resource('configmaps', 'ns').watch();
    const got: string[] = [];
    for await (const ev of w) {
      got.push(ev.type);
      w.close();
    }
    assert.deepEqual(got, ['ADDED']);
    await c.close();
  });

  test('log streams the body', async () => {
    handler = (req, res) => {
      assert.equal(req.url, '/api/v1/namespaces/ns/pods/p/log?container=c&follow=true');
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('line 1\n');
      setImmediate(() => res.end('line 2\n'));
    };
    const c = new RestClient({ server: url });
    const stream = await c.resource('pods', 'ns').log('p', { container: 'c', follow: true });
    let text = '';
    for await (const chunk of stream) text += String(chunk);
    assert.equal(text, 'line 1\nline 2\n');
    await c.close();
  });
});
