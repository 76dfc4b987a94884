import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { COMPLETION_INDEX_ANNOTATION, firstPendingIndexes, formatIntervals, generateNameWithIndex, indexedTemplate, intervalsTotal, parseIntervals, withIndexes } from './indexed.js';
import { planJob } from './plan.js';
import { job, next, NOW, pod, sync } from './testing.js';

const fmt = (indexes: number[]): string => formatIntervals(withIndexes([], indexes));

describe('completed indexes (orderedIntervals)', () => {
  test('compressed as Kubernetes writes them: ranges with "-", two neighbours with ","', () => {
    assert.equal(fmt([0, 1, 2, 4]), '0-2,4');
    assert.equal(fmt([5, 6]), '5,6');
    assert.equal(fmt([1, 3, 4, 5, 9]), '1,3-5,9');
    assert.equal(fmt([]), '');
    assert.equal(formatIntervals(withIndexes(parseIntervals('0-2,7', 10), [3, 5, 6])), '0-3,5-7');
  });

  test('parsing merges neighbours, cuts at completions and skips corrupt parts', () => {
    assert.deepEqual(parseIntervals('0-2,3,5', 10), [{ first: 0, last: 3 }, { first: 5, last: 5 }]);
    assert.deepEqual(parseIntervals('1,3-9', 5), [{ first: 1, last: 1 }, { first: 3, last: 4 }]);
    assert.deepEqual(parseIntervals('x,2', 5), [{ first: 2, last: 2 }]);
    assert.equal(intervalsTotal(parseIntervals('0-2,4', 5)), 4);
  });

  test('pending indexes skip the succeeded and the running ones', () => {
    const running = [pod('Running', { index: 1 }), pod('Running', { index: 4 })];
    assert.deepEqual(firstPendingIndexes(running, parseIntervals('0,2', 6), 10, 6), [3, 5]);
    assert.deepEqual(firstPendingIndexes([], [], 2, 6), [0, 1]);
  });
});

describe('Indexed pods', () => {
  test('the template gets the index annotation and label, JOB_COMPLETION_INDEX in every container, and hostname <job>-<index>', () => {
    const t = indexedTemplate('work', { metadata: { labels: { a: 'b' } }, spec: { subdomain: 'svc', initContainers: [{ name: 'i' }], containers: [{ name: 'c', env: [{ name: 'X', value: '1' }] }] } }, 2);
    assert.equal(t.metadata?.annotations?.[COMPLETION_INDEX_ANNOTATION], '2');
    assert.deepEqual(t.metadata?.labels, { a: 'b', [COMPLETION_INDEX_ANNOTATION]: '2' });
    const env = { name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { fieldPath: `metadata.labels['${COMPLETION_INDEX_ANNOTATION}']` } } };
    assert.deepEqual(t.spec?.containers[0]?.env, [{ name: 'X', value: '1' }, env]);
    assert.deepEqual(t.spec?.initContainers?.[0]?.env, [env]);
    assert.equal(t.spec?.hostname, 'work-2');
    assert.equal(t.spec?.subdomain, 'svc');
  });

  test('generateName <job>-<index>-, the job name cut to fit', () => {
    assert.equal(generateNameWithIndex('work', 7), 'work-7-');
    const long = generateNameWithIndex('x'.repeat(70), 12);
    assert.equal(long.length, 58);
    assert.ok(long.endsWith('x-12-'));
  });

  const indexedJob = (completions: number, parallelism: number) => job({ completionMode: 'Indexed', completions, parallelism });

  test('a new Indexed Job creates one pod per index up to parallelism', () => {
    const p = planJob(indexedJob(5, 3), [], { now: NOW });
    assert.deepEqual([p.create, p.indexes], [3, [0, 1, 2]]);
  });

  test('one success per index: completedIndexes and succeeded from indexes; a failed index is retried', () => {
    const j = indexedJob(3, 3);
    const first = sync(j, [pod('Succeeded', { index: 0 }), pod('Failed', { index: 1, finishedAt: new Date(NOW - 60_000).toISOString() }), pod('Succeeded', { index: 2 }), pod('Succeeded', { index: 2 })], { podFailureBackoffMs: 1000 });
    assert.equal(first.status.completedIndexes, '0,2');
    assert.equal(first.status.succeeded, 2, 'index 2 twice counts once');
    assert.equal(first.status.failed, 1);
    assert.deepEqual(first.plan.indexes, [1], 'the failed index gets a new pod');
    const done = sync(next(j, first.status), [...first.pods, pod('Succeeded', { index: 1 })]);
    assert.equal(done.status.completedIndexes, '0-2');
    assert.equal(done.status.succeeded, 3);
    assert.ok(done.status.conditions?.some((c) => c.type === 'Complete'));
  });

  test('active pods repeating an index or without a valid one are deleted', () => {
    const a = pod('Running', { index: 0, ready: true });
    const dup = pod('Pending', { index: 0 });
    const none = pod('Running');
    const out = pod('Running', { index: 9 });
    const p = planJob(indexedJob(3, 3), [a, dup, none, out], { now: NOW });
    assert.deepEqual(new Set(p.remove), new Set([dup, none, out]));
    assert.equal(p.create, 0, 'deleting first, creating on a later sync');
  });
});
