import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Heap } from './heap.js';

test('heap: ordered pops, replace by key, delete from the middle', () => {
  const h = new Heap<{ k: string; v: number }>((x) => x.k, (a, b) => a.v < b.v);
  for (const [k, v] of [['a', 5], ['b', 1], ['c', 4], ['d', 2], ['e', 3]] as const) h.push({ k, v });
  h.push({ k: 'a', v: 0 });
  assert.equal(h.delete('c')?.v, 4);
  const out: string[] = [];
  for (let x = h.pop(); x; x = h.pop()) out.push(x.k);
  assert.deepEqual(out, ['a', 'b', 'd', 'e']);
});
