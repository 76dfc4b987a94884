import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import {
  FrameParser,
  LineSplitter,
  demultiplex,
  encodeFrame,
  payloadStream,
  readJsonLines,
  STREAM_STDERR,
  STREAM_STDOUT,
} from './stream.js';

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c as Buffer));
  return Buffer.concat(chunks).toString();
}

/** Every way of cutting `buf` into two pieces, plus byte-by-byte. */
function splits(buf: Buffer): Buffer[][] {
  const out: Buffer[][] = [];
  for (let i = 1; i < buf.length; i++) out.push([buf.subarray(0, i), buf.subarray(i)]);
  out.push([...buf].map((b) => Buffer.from([b])));
  return out;
}

describe('FrameParser', () => {
  const wire = Buffer.concat([
    encodeFrame(STREAM_STDOUT, 'hello\n'),
    encodeFrame(STREAM_STDERR, 'oops\n'),
    encodeFrame(STREAM_STDOUT, ''),
    encodeFrame(STREAM_STDOUT, 'é✓ bye\n'),
  ]);

  test('parses several frames from one chunk', () => {
    const frames = new FrameParser().push(wire);
    assert.deepEqual(
      frames.map((f) => [f.stream, f.payload.toString()]),
      [
        [1, 'hello\n'],
        [2, 'oops\n'],
        [1, ''],
        [1, 'é✓ bye\n'],
      ],
    );
  });

  test('gives the same frames however the bytes are split across chunks', () => {
    const expected = new FrameParser().push(wire).map((f) => [f.stream, f.payload.toString('hex')]);
    for (const chunks of splits(wire)) {
      const parser = new FrameParser();
      const got = chunks.flatMap((c) => parser.push(c)).map((f) => [f.stream, f.payload.toString('hex')]);
      assert.deepEqual(got, expected);
      assert.equal(parser.buffered, 0);
    }
  });

  test('holds back an incomplete frame until its end arrives', () => {
    const frame = encodeFrame(STREAM_STDOUT, 'abcdef');
    const parser = new FrameParser();
    assert.deepEqual(parser.push(frame.subarray(0, 5)), []);
    assert.deepEqual(parser.push(frame.subarray(5, 10)), []);
    assert.equal(parser.buffered, 10);
    const [f] = parser.push(frame.subarray(10));
    assert.equal(f?.payload.toString(), 'abcdef');
  });

  test('reads the 32-bit big-endian length (payloads over 64 KiB)', () => {
    const big = Buffer.alloc(70_000, 'x');
    const frames = new FrameParser().push(encodeFrame(STREAM_STDERR, big));
    assert.equal(frames.length, 1);
    assert.equal(frames[0]?.stream, STREAM_STDERR);
    assert.equal(frames[0]?.payload.length, 70_000);
  });
});

describe('demultiplex', () => {
  test('splits a chunked multiplexed body into stdout and stderr', async () => {
    const wire = Buffer.concat([
      encodeFrame(STREAM_STDOUT, 'out1 '),
      encodeFrame(STREAM_STDERR, 'err1 '),
      encodeFrame(STREAM_STDOUT, 'out2'),
      encodeFrame(STREAM_STDERR, 'err2'),
    ]);
    const chunks = [wire.subarray(0, 3), wire.subarray(3, 17), wire.subarray(17, 30), wire.subarray(30)];
    const { stdout, stderr } = demultiplex(Readable.from(chunks));
    const [out, err] = await Promise.all([readAll(stdout), readAll(stderr)]);
    assert.equal(out, 'out1 out2');
    assert.equal(err, 'err1 err2');
  });

  test('ends both outputs when the source closes without ending', async () => {
    const source = new PassThrough();
    const { stdout, stderr } = demultiplex(source);
    source.write(encodeFrame(STREAM_STDOUT, 'partial'));
    const done = Promise.all([readAll(stdout), readAll(stderr)]);
    source.destroy();
    const [out, err] = await done;
    assert.equal(out, 'partial');
    assert.equal(err, '');
  });
});

describe('payloadStream', () => {
  test('keeps only the chosen streams, in order', async () => {
    const wire = Buffer.concat([
      encodeFrame(STREAM_STDOUT, 'a'),
      encodeFrame(STREAM_STDERR, 'B'),
      encodeFrame(STREAM_STDOUT, 'c'),
    ]);
    const both = await readAll(Readable.from(splits(wire)[6] ?? []).pipe(payloadStream(new Set([1, 2]))));
    assert.equal(both, 'aBc');
    const onlyErr = await readAll(Readable.from([wire]).pipe(payloadStream(new Set([2]))));
    assert.equal(onlyErr, 'B');
  });
});

describe('LineSplitter and readJsonLines', () => {
  test('splits lines across chunks, including a multi-byte character cut in half', () => {
    const bytes = Buffer.from('{"a":"é"}\n\n{"b":2}\n{"c"');
    const s = new LineSplitter();
    const cut = bytes.indexOf(0xc3) + 1; // inside the two-byte 'é'
    const lines = [...s.push(bytes.subarray(0, cut)), ...s.push(bytes.subarray(cut)), ...s.push(':3}'), ...s.end()];
    assert.deepEqual(lines, ['{"a":"é"}', '{"b":2}', '{"c":3}']);
  });

  test('parses newline-delimited JSON from a chunked body', async () => {
    const values: unknown[] = [];
    for await (const v of readJsonLines(Readable.from([Buffer.from('{"status":"a"}\n{"sta'), Buffer.from('tus":"b"}\n')]))) {
      values.push(v);
    }
    assert.deepEqual(values, [{ status: 'a' }, { status: 'b' }]);
  });
});
