import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KObject } from '../api/types.js';
import { LAST_APPLIED, decideApply, lastAppliedJson, threeWayJsonMergePatch, withLastApplied } from './apply-patch.js';

const file = (image: string, extra: Record<string, unknown> = {}): KObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default' },
  spec: { replicas: 2, template: { spec: { containers: [{ name: 'web', image, ...extra }] } } },
});

test('the annotation is the object without it, keys sorted, annotations kept as {} (byte-equal to kubectl)', () => {
  const cm: KObject = { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'cm1', namespace: 'default', labels: { tier: 'fe', app: 'web' } }, data: { a: '1' } };
  assert.equal(
    lastAppliedJson(cm),
    '{"apiVersion":"v1","data":{"a":"1"},"kind":"ConfigMap","metadata":{"annotations":{},"labels":{"app":"web","tier":"fe"},"name":"cm1","namespace":"default"}}\n',
  );
  assert.equal(lastAppliedJson(withLastApplied(cm)), lastAppliedJson(cm));
});

test('absent → create with the annotation; same file → unchanged', () => {
  const d = decideApply(file('a'), undefined);
  assert.equal(d.action, 'create');
  assert.ok(d.action === 'create' && d.body.metadata?.annotations?.[LAST_APPLIED]);
  const live = { ...withLastApplied(file('a')), status: { replicas: 2 } } as KObject;
  assert.deepEqual(decideApply(file('a'), live), { action: 'unchanged' });
});

test('changed field → strategic patch with merge keys; fields others set are kept', () => {
  const live = withLastApplied(file('a'));
  (live.spec as { replicas: number }).replicas = 5; // scaled by someone else, but the file says 2
  (live.metadata as { labels?: Record<string, string> }).labels = { added: 'by-hand' };
  const d = decideApply(file('b'), live);
  assert.equal(d.action, 'patch');
  if (d.action !== 'patch') return;
  assert.equal(d.patchType, 'strategic');
  const spec = d.patch.spec as Record<string, unknown>;
  assert.equal(spec.replicas, 2);
  const tpl = (spec.template as { spec: Record<string, unknown> }).spec;
  assert.deepEqual(tpl['$setElementOrder/containers'], [{ name: 'web' }]);
  assert.deepEqual(tpl.containers, [{ image: 'b', name: 'web' }]);
  assert.equal((d.patch.metadata as { labels?: unknown }).labels, undefined, 'a label set by hand is not removed');
});

test('a field removed from the file is deleted', () => {
  const live = withLastApplied(file('a', { command: ['sh'] }));
  const d = decideApply(file('a'), live);
  assert.equal(d.action, 'patch');
  const containers = d.action === 'patch' ? ((d.patch.spec as { template: { spec: { containers: Record<string, unknown>[] } } }).template.spec.containers) : [];
  assert.deepEqual(containers, [{ command: null, name: 'web' }]);
});

test('JSON merge patch three-way for kinds without a strategic schema', () => {
  assert.deepEqual(threeWayJsonMergePatch({ a: 1, b: 2 }, { a: 1, c: 3 }, { a: 1, b: 2, d: 4 }), { c: 3, b: null });
  assert.deepEqual(threeWayJsonMergePatch({ m: { x: 1 } }, { m: { x: 2 } }, { m: { x: 1, y: 9 } }), { m: { x: 2 } });
});
