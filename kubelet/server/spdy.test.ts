// SPDY/3.1 framing, header compression and the port-forward protocol, against a small client
// written here the way spdystream behaves (zlib with the SPDY dictionary, sync-flushed).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { constants, inflateSync } from 'node:zlib';
import { pino } from 'pino';
import { decodeFrame, decodeHeaderBlock, encodeDataFrame, encodeHeaderBlock, encodePing, FrameSplitter, HeaderCompressor, HeaderDecompressor, SPDY_DICTIONARY } from './spdy.js';
import { goLikeCompressor, socketPair, TestClient } from './spdy-test-client.js';
import { SpdySession } from './spdy-session.js';
import { parseStreamHeaders, servePortForward } from './portforward.js';

function adler32(buf: Buffer): number {
  let a = 1;
  let b = 0;
  for (const byte of buf) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

describe('SPDY framing', () => {
  test('the header dictionary is the SPDY/3 one (size and Adler-32)', () => {
    assert.equal(SPDY_DICTIONARY.length, 1423);
    assert.equal(adler32(SPDY_DICTIONARY).toString(16), 'e3c6a7c2');
  });

  test('frames split across and packed into chunks come out whole', () => {
    const wire = Buffer.concat([encodeDataFrame(1, Buffer.from('hello'), false), encodePing(7), encodeDataFrame(3, Buffer.alloc(0), true)]);
    const splitter = new FrameSplitter();
    const frames = [];
    for (let i = 0; i < wire.length; i += 3) frames.push(...splitter.push(wire.subarray(i, i + 3)));
    assert.deepEqual(
      frames.map((f) => decodeFrame(f)),
      [
        { type: 'data', streamId: 1, fin: false, data: Buffer.from('hello') },
        { type: 'ping', id: 7 },
        { type: 'data', streamId: 3, fin: true, data: Buffer.alloc(0) },
      ],
    );
  });

  test('header blocks round-trip, multi-valued names joined by NUL', () => {
    const h = { streamtype: ['data'], port: ['8080'], multi: ['a', 'b'] };
    assert.deepEqual(decodeHeaderBlock(encodeHeaderBlock(h)), h);
    assert.throws(() => decodeHeaderBlock(Buffer.from([0, 0, 0, 1, 0, 0, 0, 9])), /truncated/);
  });

  test('our compressed blocks read back as one zlib stream', () => {
    const c = new HeaderCompressor();
    const a = encodeHeaderBlock({ a: ['1'] });
    const b = encodeHeaderBlock({ b: ['2'] });
    const first = c.compress(a);
    const second = c.compress(b);
    // Every block ends in a sync-flush marker, so a streaming reader can hand it out at once.
    for (const block of [first, second]) assert.deepEqual(block.subarray(-5), Buffer.from([0, 0, 0, 0xff, 0xff]));
    const stream = Buffer.concat([first, second]);
    const out = inflateSync(stream, { dictionary: SPDY_DICTIONARY, finishFlush: constants.Z_SYNC_FLUSH });
    assert.deepEqual(out, Buffer.concat([a, b]));
  });

  test('the decompressor keeps one context across blocks compressed against the dictionary', async () => {
    const compress = goLikeCompressor();
    const d = new HeaderDecompressor();
    const blocks = [{ streamtype: ['error'], port: ['80'], requestid: ['0'] }, { streamtype: ['data'], port: ['80'], requestid: ['0'] }];
    for (const h of blocks) assert.deepEqual(decodeHeaderBlock(await d.decompress(await compress(encodeHeaderBlock(h)))), h);
    d.close();
  });
});

describe('SPDY session and port-forward', () => {
  const log = pino({ level: 'silent' });

  test('streams are replied to, carry data both ways, and pings are echoed', async () => {
    const [serverSide, clientSide, cleanup] = await socketPair();
    const session = new SpdySession(serverSide);
    session.on('stream', (s) => s.pipe(s)); // echo
    const client = new TestClient(clientSide);
    const id = await client.open({ purpose: 'echo' });
    client.send(id, 'ping?', true);
    clientSide.write(encodePing(5));
    await client.waitFor('echo and FIN', () => client.finished(id));
    assert.ok(client.frames.some((f) => f.type === 'syn_reply' && f.streamId === id));
    assert.ok(client.frames.some((f) => f.type === 'ping' && f.id === 5));
    assert.equal(client.dataOf(id), 'ping?');
    cleanup();
  });

  test('parses the stream headers kubectl sends', () => {
    const h: Record<string, string> = { streamtype: 'data', port: '8080', requestid: '3' };
    assert.deepEqual(parseStreamHeaders(3, (n) => h[n]), { type: 'data', port: 8080, requestId: '3' });
    assert.deepEqual(parseStreamHeaders(3, (n) => ({ streamtype: 'error', port: '80' })[n]), { type: 'error', port: 80, requestId: '3' });
    assert.ok('problem' in parseStreamHeaders(1, (n) => ({ streamtype: 'data', port: '0' })[n]));
    assert.ok('problem' in parseStreamHeaders(1, (n) => ({ streamtype: 'bogus', port: '80' })[n]));
  });

  test('a pair of error+data streams reaches the target port; a refused port is reported on the error stream', async () => {
    const pod = createServer((s) => s.pipe(s)); // the "pod": an echo server on loopback
    await new Promise<void>((r) => pod.listen(0, '127.0.0.1', r));
    const podPort = (pod.address() as AddressInfo).port;
    const [serverSide, clientSide, cleanup] = await socketPair();
    servePortForward(serverSide, { podFullName: 'p_default', podUid: 'uid-1', host: async () => '127.0.0.1' }, log);
    const client = new TestClient(clientSide);

    const err = await client.open({ streamtype: 'error', port: String(podPort), requestid: '0' });
    client.send(err, '', true);
    const data = await client.open({ streamtype: 'data', port: String(podPort), requestid: '0' });
    client.send(data, 'through the tunnel');
    await client.waitFor('echo', () => client.dataOf(data) === 'through the tunnel');
    client.send(data, '', true);
    await client.waitFor('both streams closed', () => client.finished(data) && client.finished(err));
    assert.equal(client.dataOf(err), '');

    const closedPort = podPort; // reuse after closing the pod server: nothing listens there any more
    await new Promise<void>((r) => pod.close(() => r()));
    const err2 = await client.open({ streamtype: 'error', port: String(closedPort), requestid: '1' });
    const data2 = await client.open({ streamtype: 'data', port: String(closedPort), requestid: '1' });
    await client.waitFor('error report', () => client.finished(err2) && client.finished(data2));
    assert.match(client.dataOf(err2), new RegExp(`^error forwarding port ${closedPort} to pod p_default, uid uid-1: .*ECONNREFUSED`));
    cleanup();
  });
});
