// The userspace relay on loopback: bulk data with backpressure, half-close, refused endpoints,
// endpoint updates and listener removal.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createServer, type Server } from 'node:net';
import { pino } from 'pino';
import { freePort } from '../../test/harness/ports.js';
import { UserspaceProxier } from './proxy.js';
import { loopbackListener } from './listener-fixture.js';

/** Echoes everything, then after the client's FIN sends `bye-<name>` and closes. */
function echoServer(name: string): Promise<{ server: Server; port: number }> {
  const server = createServer({ allowHalfOpen: true }, (s) => {
    s.on('data', (d) => s.write(d));
    s.on('end', () => s.end(`bye-${name}`));
    s.on('error', () => undefined);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as { port: number }).port })));
}

/** Sends `payload`, half-closes, returns everything received until the server closes. */
function exchange(port: number, payload: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port, allowHalfOpen: true });
    const got: Buffer[] = [];
    s.on('data', (d: Buffer) => got.push(d));
    s.on('end', () => resolve(Buffer.concat(got)));
    s.on('error', reject);
    s.end(payload);
  });
}

describe('UserspaceProxier', () => {
  let a: { server: Server; port: number };
  let b: { server: Server; port: number };
  let refused: number;
  const proxier = new UserspaceProxier(pino({ level: 'silent' }));
  const listener = loopbackListener;
  before(async () => {
    [a, b] = await Promise.all([echoServer('a'), echoServer('b')]);
    refused = await freePort();
  });
  after(async () => {
    await proxier.close();
    a.server.close();
    b.server.close();
  });

  test('4 MiB each way with half-close, and a refused endpoint skipped', async () => {
    const port = (await proxier.sync([listener([refused, a.port])])).get(listener([]).key)!;
    const payload = Buffer.alloc(4 * 1024 * 1024, 7);
    for (let i = 0; i < 4; i++) {
      const got = await exchange(port, payload);
      assert.equal(got.length, payload.length + 'bye-a'.length);
      assert.equal(got.subarray(payload.length).toString(), 'bye-a');
      assert.ok(got.subarray(0, payload.length).equals(payload));
    }
  });

  test('endpoint updates keep the listener; removal closes it', async () => {
    const first = (await proxier.sync([listener([a.port])])).get(listener([]).key)!;
    const second = (await proxier.sync([listener([a.port, b.port])])).get(listener([]).key)!;
    assert.equal(second, first);
    const seen = new Set<string>();
    for (let i = 0; i < 4; i++) seen.add((await exchange(second, Buffer.from('x'))).toString());
    assert.deepEqual([...seen].sort(), ['xbye-a', 'xbye-b']);
    assert.equal((await proxier.sync([])).size, 0);
    await assert.rejects(exchange(second, Buffer.from('x')), /ECONNREFUSED/);
  });

  test('no endpoint accepting: the client is closed', async () => {
    const port = (await proxier.sync([listener([refused])])).get(listener([]).key)!;
    const outcome = await exchange(port, Buffer.from('x')).then(
      (got) => `ended with ${got.length} bytes`,
      (e: NodeJS.ErrnoException) => e.code,
    );
    assert.ok(outcome === 'ended with 0 bytes' || outcome === 'ECONNRESET', outcome);
  });
});
