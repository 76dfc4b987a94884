import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ControllerRevision } from 'kubernetes-types/apps/v1';
import type { KObject } from '../api/types.js';
import { templatePatch } from '../api/controller-revision.js';
import { controlledRevisions, revisionEntries, undoDecision } from './rollout-history.js';

const owner = (image: string): KObject =>
  ({
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'agent', namespace: 'default', uid: 'ds-uid' },
    spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'a', image }] } } },
  }) as unknown as KObject;
const revision = (n: number, image: string, uid = 'ds-uid', cause?: string): ControllerRevision => ({
  metadata: {
    name: `agent-${n}`,
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid, controller: true }],
    ...(cause ? { annotations: { 'kubernetes.io/change-cause': cause } } : {}),
  },
  data: templatePatch(owner(image) as never) as ControllerRevision['data'],
  revision: n,
});

describe('kc rollout history/undo for DaemonSets and StatefulSets', () => {
  const revs = controlledRevisions(owner('v3'), [revision(1, 'v1', 'ds-uid', 'first'), revision(2, 'v2'), revision(3, 'v3'), revision(9, 'v9', 'someone-else')]);

  test('only revisions the object controls, by number, with their templates and change-causes', () => {
    assert.deepEqual([...revs.keys()].sort(), [1, 2, 3]);
    const entries = revisionEntries(revs);
    assert.equal(entries.get(1)?.changeCause, 'first');
    assert.equal(entries.get(2)?.template?.spec?.containers[0]?.image, 'v2');
    assert.equal((entries.get(2)?.template as Record<string, unknown>)['$patch'], undefined);
  });

  test('undo: the previous revision by default, a named one with --to-revision, skipped when it is current', () => {
    assert.deepEqual(undoDecision(owner('v3'), revs, 0), { kind: 'patch', revision: 2, patch: revs.get(2)!.data });
    assert.deepEqual(undoDecision(owner('v3'), revs, 1), { kind: 'patch', revision: 1, patch: revs.get(1)!.data });
    assert.deepEqual(undoDecision(owner('v3'), revs, 3), { kind: 'skip', revision: 3 });
    assert.deepEqual(undoDecision(owner('v3'), revs, 7), { kind: 'error', message: 'unable to find specified revision 7 in history' });
    assert.deepEqual(undoDecision(owner('v3'), revs, -1), { kind: 'error', message: 'unable to find specified revision -1 in history' });
    assert.deepEqual(undoDecision(owner('v1'), new Map([[1, revs.get(1)!]]), 0), { kind: 'error', message: 'no last revision to roll back to' });
  });
});
