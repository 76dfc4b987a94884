import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ControllerRevision, DaemonSet } from 'kubernetes-types/apps/v1';
import { goJson } from '../../api/go-format.js';
import {
  applyRevision,
  controllerRevisionName,
  equalRevision,
  findEqualRevisions,
  fnv32,
  hashControllerRevision,
  matchesRevision,
  newControllerRevision,
  nextRevision,
  oldRevisionsToPrune,
  revisionTemplate,
  revisionsToPrune,
  sortControllerRevisions,
  templatePatch,
} from './revision.js';

const GVK = { apiVersion: 'apps/v1', kind: 'StatefulSet' };
const owner = (image = 'nginx:1.25'): DaemonSet => ({
  metadata: { name: 'web', namespace: 'default', uid: 'owner-uid' },
  spec: {
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image }] } },
  },
});
const rev = (name: string, revision: number, data: unknown = { a: name }, created = '2026-01-01T00:00:00Z'): ControllerRevision => ({
  metadata: { name, creationTimestamp: created, labels: {} },
  data: data as ControllerRevision['data'],
  revision,
});

describe('ControllerRevision history (pkg/controller/history)', () => {
  test('fnv32 is FNV-1 (Go fnv.New32), not FNV-1a', () => {
    assert.equal(fnv32(Buffer.from('')), 0x811c9dc5);
    assert.equal(fnv32(Buffer.from('a')), 0x050c5d7e);
    assert.equal(fnv32(Buffer.from('foobar')), 0x31f0b262);
  });

  test('names are <owner>-<hash> with a safe-encoded hash; the collision count changes the hash', () => {
    const data = templatePatch(owner());
    const h0 = hashControllerRevision({ data }, 0);
    assert.match(h0, /^[bcdfghjklmnpqrstvwxz2456789]+$/);
    assert.equal(h0, hashControllerRevision({ data }, 0), 'stable');
    assert.notEqual(h0, hashControllerRevision({ data }, 1));
    assert.notEqual(h0, hashControllerRevision({ data: templatePatch(owner('nginx:1.26')) }, 0));
    assert.equal(controllerRevisionName('web', h0), `web-${h0}`);
    assert.equal(controllerRevisionName('x'.repeat(300), 'abc').length, 223 + 4, 'the prefix is cut to 223');
  });

  test('newControllerRevision: template labels plus the hash, owned by the parent', () => {
    const cr = newControllerRevision(owner(), GVK, { app: 'web' }, templatePatch(owner()), 3, 0);
    const hash = hashControllerRevision(cr, 0);
    assert.equal(cr.metadata?.name, `web-${hash}`);
    assert.deepEqual(cr.metadata?.labels, { app: 'web', 'controller-revision-hash': hash });
    assert.equal(cr.revision, 3);
    assert.deepEqual(cr.metadata?.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'owner-uid', controller: true, blockOwnerDeletion: true }]);
  });

  test('the data is the template as a replacing strategic-merge patch, as Go marshals it', () => {
    assert.equal(
      goJson(templatePatch(owner())),
      '{"spec":{"template":{"$patch":"replace","metadata":{"creationTimestamp":null,"labels":{"app":"web"}},"spec":{"containers":[{"image":"nginx:1.25","name":"c","resources":{}}]}}}}',
    );
    const data = templatePatch(owner('nginx:1.26'));
    assert.deepEqual(revisionTemplate({ data }), { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx:1.26', resources: {} }] } });
    assert.equal(applyRevision(owner(), { data }).spec?.template?.spec?.containers[0]?.image, 'nginx:1.26');
    assert.ok(matchesRevision(owner('nginx:1.26'), { data }));
    assert.ok(!matchesRevision(owner(), { data }));
    // The stored data round-trips through JSON with its keys in any order.
    assert.ok(matchesRevision(owner('nginx:1.26'), { data: JSON.parse(JSON.stringify(data)) }));
  });

  test('sorting, equality, next revision', () => {
    const a = rev('a', 2, { x: 1 }, '2026-01-01T00:00:02Z');
    const b = rev('b', 1, { x: 2 });
    const c = rev('c', 2, { x: 1 }, '2026-01-01T00:00:01Z');
    assert.deepEqual(sortControllerRevisions([a, b, c]).map((r) => r.metadata?.name), ['b', 'c', 'a']);
    assert.ok(equalRevision(a, c));
    assert.ok(!equalRevision(a, b));
    const labelled = (r: ControllerRevision, h: string) => ({ ...r, metadata: { ...r.metadata, labels: { 'controller-revision-hash': h } } });
    assert.ok(!equalRevision(labelled(a, 'h1'), labelled(c, 'h2')), 'different hash labels are different revisions');
    assert.deepEqual(findEqualRevisions([a, b, c], c).map((r) => r.metadata?.name), ['a', 'c']);
    assert.equal(nextRevision([]), 1);
    assert.equal(nextRevision([a, b, c]), 3);
  });

  test('StatefulSet truncation: non-live revisions beyond the limit go, oldest first', () => {
    const revs = [1, 2, 3, 4, 5].map((i) => rev(`r${i}`, i));
    const live = new Set(['r1', 'r5']);
    assert.deepEqual(revisionsToPrune(revs, (r) => live.has(r.metadata?.name ?? ''), 1).map((r) => r.metadata?.name), ['r2', 'r3']);
    assert.deepEqual(revisionsToPrune(revs, (r) => live.has(r.metadata?.name ?? ''), 10), []);
    assert.deepEqual(revisionsToPrune(revs, () => false, 0).length, 5);
  });

  test('DaemonSet cleanup: live old revisions count against the limit but stay', () => {
    const old = [1, 2, 3, 4].map((i) => rev(`r${i}`, i));
    // 4 old, limit 2: two must go; r1 is live, so r2 and r3 go.
    assert.deepEqual(oldRevisionsToPrune(old, (r) => r.metadata?.name === 'r1', 2).map((r) => r.metadata?.name), ['r2', 'r3']);
    assert.deepEqual(oldRevisionsToPrune(old, () => true, 0), [], 'all live: nothing goes');
    assert.deepEqual(oldRevisionsToPrune(old, () => false, 4), []);
  });
});
