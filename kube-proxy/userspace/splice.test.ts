// A client of the userspace proxy is not failed by one bad endpoint: an endpoint that resets
// the connection (at once, or after reading the request) is replaced by the next one with the
// client's bytes replayed; an event-loop stall longer than the dial timeout does not turn a
// made connection into a failure (what crashed bench:proxy with ECONNRESET); an endpoint that
// resets after answering still resets the client.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { pino } from 'pino';
import { UserspaceProxier } from './proxy.js';
import { loopbackListener } from './listener-fixture.js';

function listen(handler: (s: Socket) => void): Promise<{ server: Server; port: number }> {
  const server = createServer({ allowHalfOpen: true }, (s) => {
    s.on('error', () => undefined);
    handler(s);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as { port: number }).port })));
}

/** Sends `payload`, half-closes, returns what came back, or the error code. */
function exchange(port: number, payload: string): Promise<string> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port, allowHalfOpen: true });
    let got = '';
    s.on('data', (d: Buffer) => (got += d.toString()));
    s.on('end', () => resolve(got));
    s.on('error', (e: NodeJS.ErrnoException) => resolve(`error ${e.code}`));
    s.end(payload);
  });
}

function busyWait(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // A stalled event loop: the CPU is busy elsewhere (GC, other work in the same process).
  }
}

describe('userspace proxy: endpoints that reset, and a stalled event loop', () => {
  const servers: Server[] = [];
  let good: number;
  let resetAtOnce: number;
  let resetAfterRequest: number;
  let resetAfterAnswer: number;
  let proxier: UserspaceProxier;
  const listener = loopbackListener;
  const open = async (endpoints: number[]): Promise<number> => (await proxier.sync([listener(endpoints)])).get(listener([]).key)!;

  before(async () => {
    const all = await Promise.all([
      // Echoes, then answers `ok` after the client's FIN.
      listen((s) => {
        s.on('data', (d) => s.write(d));
        s.on('end', () => s.end('|ok'));
      }),
      listen((s) => s.resetAndDestroy()),
      listen((s) => s.once('data', () => s.resetAndDestroy())),
      listen((s) => s.once('data', (d) => s.write(d, () => setTimeout(() => s.resetAndDestroy(), 50)))),
    ]);
    servers.push(...all.map((a) => a.server));
    [good, resetAtOnce, resetAfterRequest, resetAfterAnswer] = all.map((a) => a.port) as [number, number, number, number];
    proxier = new UserspaceProxier(pino({ level: 'silent' }));
  });
  after(async () => {
    await proxier.close();
    for (const s of servers) s.close();
  });

  test('an endpoint that resets on accept is skipped: every client is served', async () => {
    const port = await open([resetAtOnce, good]);
    for (let i = 0; i < 6; i++) assert.equal(await exchange(port, `req-${i}`), `req-${i}|ok`);
  });

  test('an endpoint that resets after reading the request: the request is replayed to the next', async () => {
    const port = await open([resetAfterRequest, good]);
    const big = 'x'.repeat(20_000);
    for (let i = 0; i < 6; i++) assert.equal(await exchange(port, `req-${i}${big}`), `req-${i}${big}|ok`);
  });

  test('every endpoint resetting fails the client, after the dial budget, without crashing the proxy', async () => {
    const port = await open([resetAtOnce]);
    const got = await exchange(port, 'x');
    assert.ok(got === '' || got === 'error ECONNRESET', got);
    assert.equal(await exchange(await open([good]), 'still'), 'still|ok');
  });

  test('an endpoint that answered and then resets: the reset reaches the client (no replay)', async () => {
    const port = await open([resetAfterAnswer]);
    const got = await exchange(port, 'once');
    assert.ok(got === 'once' || got === 'error ECONNRESET', got);
  });

  test('an event-loop stall longer than the dial timeout does not fail a connection that was made', async () => {
    const stalled = new UserspaceProxier(pino({ level: 'silent' }), { dialTimeoutsMs: [50] });
    const port = (await stalled.sync([listener([good])])).get(listener([]).key)!;
    // Stall the loop right after the proxy dials the endpoint (net.client.socket is published
    // as the proxy creates its socket): the dial timer and the connect complete together.
    let stalls = 0;
    const onSocket = (): void => {
      stalls++;
      setImmediate(() => busyWait(300));
    };
    subscribe('net.client.socket', onSocket);
    try {
      const results = await Promise.all(Array.from({ length: 3 }, (_, i) => exchange(port, `s${i}`)));
      assert.deepEqual(results, ['s0|ok', 's1|ok', 's2|ok']);
      assert.ok(stalls >= 3);
    } finally {
      unsubscribe('net.client.socket', onSocket);
      await stalled.close();
    }
  });
});
