import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NewerCache } from './newer-cache.js';

const o = (rv: string, tag: string) => ({ metadata: { resourceVersion: rv }, tag });

test('the newer of the informer\'s copy and our own write; ours is dropped once the informer catches up or the object is gone', () => {
  const c = new NewerCache<ReturnType<typeof o>>();
  c.note('k', o('10', 'mine'));
  assert.equal(c.pick('k', o('9', 'informer'))?.tag, 'mine');
  assert.equal(c.pick('k', o('10', 'informer'))?.tag, 'informer');
  assert.equal(c.pick('k', o('9', 'informer'))?.tag, 'informer', 'caught up once: our copy is gone');
  c.note('k', o('12', 'mine'));
  c.note('k', o('11', 'older write'));
  assert.equal(c.pick('k', o('9', 'informer'))?.tag, 'mine');
  assert.equal(c.pick('k', undefined), undefined);
  assert.equal(c.pick('k', o('9', 'informer'))?.tag, 'informer');
});
