// The proxy server against small stand-in upstreams (plain HTTP on loopback), for what the
// e2e tests cannot reach without a kubelet: a response that trickles, and a WebSocket upgrade.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, test } from 'node:test';
import { request } from 'undici';
import { WebSocket, WebSocketServer } from 'ws';
import { makeFilter } from './proxy-filter.js';
import { ApiProxy } from './proxy-server.js';

const closers: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const c of closers.reverse()) await c();
});

async function listen(s: Server): Promise<string> {
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  closers.push(() => new Promise((r) => s.close(r)));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

async function proxyTo(server: string, extra: Partial<ConstructorParameters<typeof ApiProxy>[0]> = {}): Promise<{ url: string; errors: string[] }> {
  const errors: string[] = [];
  const p = new ApiProxy({
    config: { server, token: 'secret-token', impersonate: { user: 'ann', groups: ['g1', 'g2'] } },
    apiPrefix: '/',
    filter: makeFilter({ acceptPaths: '^.*', rejectPaths: '^/api/.*/pods/.*/exec', acceptHosts: '^127\\.0\\.0\\.1$', rejectMethods: '^$' }),
    userAgent: 'kc-test',
    logError: (m) => void errors.push(m),
    ...extra,
  });
  const a = await p.listen('127.0.0.1', 0);
  closers.push(() => p.close());
  return { url: `http://127.0.0.1:${a.port}`, errors };
}

test('a streamed response reaches the client chunk by chunk, with the credentials added upstream', async () => {
  let seen: IncomingHttpHeaders = {};
  let raw: string[] = [];
  let release!: () => void;
  const second = new Promise<void>((r) => (release = r));
  const upstream = createServer((req, res) => {
    seen = req.headers;
    raw = req.rawHeaders;
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write('first line\n');
    void second.then(() => res.end('second line\n'));
  });
  const { url } = await proxyTo(await listen(upstream));
  const res = await request(`${url}/api/v1/namespaces/default/pods/web/log?follow=true`, { headers: { 'impersonate-group': 'ignored-without-user' } });
  assert.equal(res.statusCode, 200);
  const it = res.body[Symbol.asyncIterator]();
  // The second chunk is only written after the first reached the client.
  assert.equal(String((await it.next()).value), 'first line\n');
  release();
  let rest = '';
  for (let r = await it.next(); !r.done; r = await it.next()) rest += String(r.value);
  assert.equal(rest, 'second line\n');
  assert.equal(seen.authorization, 'Bearer secret-token');
  assert.equal(seen['impersonate-user'], 'ann');
  // One header per group, as client-go sends them.
  assert.deepEqual(raw.filter((_, i) => i % 2 === 1 && raw[i - 1]!.toLowerCase() === 'impersonate-group'), ['g1', 'g2']);
  assert.equal(seen['user-agent'], 'kc-test');
  assert.equal(seen['x-forwarded-for'], '127.0.0.1');
});

test("a caller's own Authorization is passed through, as client-go's round tripper does", async () => {
  let auth: string | undefined;
  const upstream = createServer((req, res) => {
    auth = req.headers.authorization;
    res.end('{}');
  });
  const { url } = await proxyTo(await listen(upstream));
  await (await request(`${url}/version`, { headers: { authorization: 'Bearer mine' } })).body.text();
  assert.equal(auth, 'Bearer mine');
});

test('filtered requests are 403 Forbidden; an unreachable server is a 500 with the dial error', async () => {
  const { url, errors } = await proxyTo('http://127.0.0.1:1');
  const exec = await request(`${url}/api/v1/namespaces/default/pods/web/exec?command=ls`);
  assert.equal(exec.statusCode, 403);
  assert.equal(await exec.body.text(), 'Forbidden\n');
  const other = await request(`${url}/version`, { headers: { host: 'evil.example.com' } });
  assert.equal(other.statusCode, 403);
  await other.body.text();
  const down = await request(`${url}/version`);
  assert.equal(down.statusCode, 500);
  assert.equal(await down.body.text(), 'dial tcp 127.0.0.1:1: connect: connection refused\n');
  assert.deepEqual(errors, ['Error while proxying request: dial tcp 127.0.0.1:1: connect: connection refused']);
});

test('a WebSocket upgrade is spliced through both ways, with the subprotocol and credentials', async () => {
  const upstream = createServer();
  const wss = new WebSocketServer({ server: upstream, handleProtocols: (p) => [...p][0] ?? false });
  let auth: string | undefined;
  wss.on('connection', (ws, req) => {
    auth = req.headers.authorization;
    ws.on('message', (m: Buffer) => ws.send(Buffer.concat([Buffer.from('echo:'), m])));
  });
  closers.push(async () => wss.close());
  const { url } = await proxyTo(await listen(upstream));
  const ws = new WebSocket(`${url.replace('http', 'ws')}/api/v1/namespaces/default/pods/web/portforward?ports=80`, ['v4.channel.k8s.io']);
  await once(ws, 'open');
  assert.equal(ws.protocol, 'v4.channel.k8s.io');
  ws.send('hello');
  const [reply] = (await once(ws, 'message')) as [Buffer];
  assert.equal(reply.toString(), 'echo:hello');
  assert.equal(auth, 'Bearer secret-token');
  ws.close();
  await once(ws, 'close');
});

test('an upgrade the server refuses comes back with its status and body', async () => {
  const upstream = createServer((_req, res) => {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end('{"kind":"Status","code":404}');
  });
  const { url } = await proxyTo(await listen(upstream));
  const ws = new WebSocket(`${url.replace('http', 'ws')}/api/v1/namespaces/default/pods/nope/portforward`, ['v4.channel.k8s.io']);
  const [, res] = (await once(ws, 'unexpected-response')) as [unknown, { statusCode: number; on(e: string, f: (d: Buffer) => void): void }];
  assert.equal(res.statusCode, 404);
  let body = '';
  res.on('data', (d) => (body += d.toString()));
  await once(res as never, 'end');
  assert.equal(body, '{"kind":"Status","code":404}');
  ws.on('error', () => undefined);
  ws.terminate();
});
