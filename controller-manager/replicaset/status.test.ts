// ReplicaSet status from its pods, and when it needs writing.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1';
import { calculateReplicaSetStatus, replicaSetStatusChanged, type ReplicaOwnerLike } from './status.js';

const NOW = Date.parse('2024-01-01T00:01:00Z');
const pod = (labels: Record<string, string>, readySince?: string): Pod => ({
  metadata: { labels },
  status: readySince ? { conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: readySince }] } : {},
});

describe('calculateReplicaSetStatus', () => {
  const rs: ReplicaOwnerLike = {
    metadata: { generation: 4 },
    spec: { replicas: 4, minReadySeconds: 30, template: { metadata: { labels: { app: 'a', tier: 't' } } } },
    status: { replicas: 0, observedGeneration: 3 },
  };

  test('counts replicas, fully labeled, ready and available (minReadySeconds)', () => {
    const pods = [
      pod({ app: 'a', tier: 't' }, '2024-01-01T00:00:00Z'), // ready 60 s: available
      pod({ app: 'a', tier: 't', extra: 'x' }, '2024-01-01T00:00:50Z'), // ready 10 s: not yet
      pod({ app: 'a' }, '2024-01-01T00:00:00Z'), // matches the selector, not the template
      pod({ app: 'a', tier: 't' }), // not ready
    ];
    const st = calculateReplicaSetStatus(rs, pods, undefined, NOW);
    assert.deepEqual(
      { r: st.replicas, f: st.fullyLabeledReplicas, ready: st.readyReplicas, a: st.availableReplicas, g: st.observedGeneration },
      { r: 4, f: 3, ready: 3, a: 2, g: 4 },
    );
    assert.equal(st.conditions, undefined);
    assert.ok(replicaSetStatusChanged(rs, st));
    assert.ok(!replicaSetStatusChanged({ ...rs, status: st }, st));
  });

  test('ReplicaFailure: FailedCreate while short of pods, removed after a good sync', () => {
    const failed = calculateReplicaSetStatus(rs, [], new Error('quota exceeded'), NOW);
    assert.equal(failed.conditions?.length, 1);
    assert.deepEqual(
      { ...failed.conditions![0], lastTransitionTime: undefined },
      { type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'quota exceeded', lastTransitionTime: undefined },
    );
    const again = calculateReplicaSetStatus({ ...rs, status: failed }, [], new Error('still'), NOW + 5000);
    assert.deepEqual(again.conditions, failed.conditions, 'an existing failure condition is kept as is');
    const ok = calculateReplicaSetStatus({ ...rs, status: failed }, [], undefined, NOW);
    assert.equal(ok.conditions, undefined);
    const over = calculateReplicaSetStatus(rs, [pod({}), pod({}), pod({}), pod({}), pod({})], new Error('nope'), NOW);
    assert.equal(over.conditions?.[0].reason, 'FailedDelete');
  });
});
