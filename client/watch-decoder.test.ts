import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { JsonStreamDecoder } from './watch-decoder.js';

const events = [
  { type: 'ADDED', object: { metadata: { name: 'a', annotations: { x: 'with } and { and \\" quote' } } } },
  { type: 'MODIFIED', object: { metadata: { name: 'b' }, data: { s: 'ünïcødé ✓ 🚀', list: [1, [2, { z: '}' }]] } } },
  { type: 'DELETED', object: { metadata: { name: 'c' } } },
];

describe('JsonStreamDecoder', () => {
  test('newline-delimited objects in one chunk', () => {
    const d = new JsonStreamDecoder();
    assert.deepEqual(d.push(events.map((e) => JSON.stringify(e)).join('\n') + '\n'), events);
    assert.equal(d.pending, false);
  });

  test('concatenated objects without separators', () => {
    const d = new JsonStreamDecoder();
    assert.deepEqual(d.push(events.map((e) => JSON.stringify(e)).join('')), events);
  });

  test('every possible split into single bytes, multi-byte characters included', () => {
    const bytes = Buffer.from(events.map((e) => JSON.stringify(e)).join('\r\n'));
    const d = new JsonStreamDecoder();
    const out: unknown[] = [];
    for (const b of bytes) out.push(...d.push(Uint8Array.of(b)));
    assert.deepEqual(out, events);
  });

  test('objects split at arbitrary chunk boundaries', () => {
    const text = Buffer.from(events.map((e) => JSON.stringify(e)).join(' '));
    for (const size of [2, 3, 7, 13, 50]) {
      const d = new JsonStreamDecoder();
      const out: unknown[] = [];
      for (let i = 0; i < text.length; i += size) out.push(...d.push(text.subarray(i, i + size)));
      assert.deepEqual(out, events, `chunk size ${size}`);
    }
  });

  test('an unfinished object is pending, not emitted', () => {
    const d = new JsonStreamDecoder();
    assert.deepEqual(d.push('{"type":"ADDED","object":{"metadata":'), []);
    assert.equal(d.pending, true);
    assert.deepEqual(d.push('{}}}'), [{ type: 'ADDED', object: { metadata: {} } }]);
  });

  test('garbage between objects is an error', () => {
    const d = new JsonStreamDecoder();
    assert.throws(() => d.push('{"a":1} x'), SyntaxError);
  });
});
