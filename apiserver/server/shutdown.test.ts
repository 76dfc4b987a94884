import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { startTestApiserver } from '../../test/harness/apiserver.js';
import { waitFor } from '../../test/harness/ports.js';

test('close() finishes at once with a connection whose TLS handshake ends after close began, and every close step is done', { timeout: 30_000 }, async () => {
  const api = await startTestApiserver();
  const port = Number(new URL(api.url).port);
  // A client that connected and sends its ClientHello only once the server is closing (a busy
  // client reconnecting just as the server goes down), then a keep-alive request.
  const tcp = connect(port, '127.0.0.1');
  tcp.on('error', () => undefined);
  await new Promise<void>((r) => tcp.once('connect', () => r()));
  const started = Date.now();
  const stopped = api.stop();
  await waitFor('close() at its server step', () => api.server.closing?.startsWith('closing the server'), 10_000, 5);
  await new Promise((r) => setTimeout(r, 50));
  const tls = tlsConnect({ socket: tcp, ca: api.pki.ca.cert, servername: 'localhost' });
  tls.on('error', () => undefined);
  const answered = new Promise<string>((r) => tls.once('data', (b: Buffer) => r(b.toString())));
  tls.once('secureConnect', () => tls.write('GET /livez HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive\r\n\r\n'));
  const ended = new Promise<void>((r) => tls.once('close', () => r()));
  await stopped;
  await ended;
  assert.equal(api.server.closing, undefined, 'every close step finished');
  assert.ok(Date.now() - started < 20_000, `closed in ${Date.now() - started} ms`);
  // It did get an answer (or was cut before one): either way the server did not wait for it.
  await Promise.race([answered, ended]);
});
