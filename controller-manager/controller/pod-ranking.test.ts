// Scale-down order as Kubernetes' TestSortingActivePods / TestSortingActivePodsWithRanks.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1';
import { deleteBefore, podsToDelete, rankByRelatedPodsOnSameNode, type RankedPod } from './pod-ranking.js';

const NOW = Date.parse('2024-01-01T12:00:00Z');
const ago = (s: number): string => new Date(NOW - s * 1000).toISOString();

interface PodOpts {
  node?: string;
  phase?: string;
  ready?: boolean;
  readySince?: number;
  restarts?: number;
  createdAgo?: number;
  cost?: string;
  uid?: string;
}

function pod(name: string, o: PodOpts = {}): Pod {
  return {
    metadata: {
      name,
      uid: o.uid ?? name,
      creationTimestamp: ago(o.createdAgo ?? 100_000),
      ...(o.cost !== undefined ? { annotations: { 'controller.kubernetes.io/pod-deletion-cost': o.cost } } : {}),
    },
    spec: { containers: [{ name: 'c' }], ...(o.node ? { nodeName: o.node } : {}) },
    status: {
      phase: o.phase ?? 'Running',
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True', lastTransitionTime: ago(o.readySince ?? 100_000) }],
      containerStatuses: [{ name: 'c', image: '', imageID: '', ready: o.ready !== false, restartCount: o.restarts ?? 0 }],
    },
  };
}

function sortNames(pods: Pod[], related = pods): string[] {
  const ranked = rankByRelatedPodsOnSameNode(pods, related);
  ranked.sort((a: RankedPod, b: RankedPod) => (deleteBefore(a, b, NOW) ? -1 : deleteBefore(b, a, NOW) ? 1 : 0));
  return ranked.map((r) => r.pod.metadata?.name ?? '');
}

/** A deterministic shuffle, so the order never comes from the input. */
function shuffled<T>(xs: T[]): T[] {
  const out = [...xs];
  let seed = 7;
  for (let i = out.length - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    const j = seed % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

describe('scale-down order (ActivePodsWithRanks)', () => {
  test('unscheduled < pending < unknown < running; not ready < ready; ready shorter < longer; more restarts; newer', () => {
    // Each node holds exactly one pod so ranks (co-location) are equal.
    const expected = [
      pod('unscheduled', { phase: 'Pending', ready: false }),
      pod('pending', { node: 'n1', phase: 'Pending', ready: false }),
      pod('unknown', { node: 'n2', phase: 'Unknown', ready: false }),
      pod('running-not-ready', { node: 'n3', ready: false }),
      pod('ready-1s', { node: 'n4', readySince: 1 }),
      pod('ready-1h-restarts-5', { node: 'n5', readySince: 3600, restarts: 5 }),
      pod('ready-1h-restarts-0-created-2h', { node: 'n6', readySince: 3600, createdAgo: 7200 }),
      pod('ready-1h-restarts-0-created-1d', { node: 'n7', readySince: 3600, createdAgo: 86_400 * 4 }),
    ];
    assert.deepEqual(sortNames(shuffled(expected)), expected.map((p) => p.metadata?.name));
  });

  test('lower pod-deletion-cost goes first, before readiness time', () => {
    const pods = [pod('cost-10', { node: 'a', cost: '10', readySince: 1 }), pod('cost-minus-5', { node: 'b', cost: '-5', readySince: 9000 }), pod('no-cost', { node: 'c', readySince: 1 })];
    assert.deepEqual(sortNames(pods), ['cost-minus-5', 'no-cost', 'cost-10']);
  });

  test('pods doubled up on a node go before lonely ones (rank = related pods on the node)', () => {
    const lonely = pod('lonely', { node: 'n1', readySince: 10 });
    const dup1 = pod('dup1', { node: 'n2', readySince: 100_000 });
    const dup2 = pod('dup2', { node: 'n2', readySince: 100_000 });
    const sibling = pod('sibling-of-other-rs', { node: 'n1' });
    assert.deepEqual(sortNames([lonely, dup1, dup2]), ['dup1', 'dup2', 'lonely']);
    // Related pods of a sibling ReplicaSet count too: now n1 is doubled up as well, and ready time decides.
    assert.deepEqual(sortNames([lonely, dup1, dup2], [lonely, dup1, dup2, sibling])[0], 'lonely');
  });

  test('ready times in the same log2 bucket tie and are ordered by uid (pseudo-random), not by restarts', () => {
    // 1000 s and 1050 s ago share floor(log2(ns)) = 39.
    const a = pod('a', { node: 'x', readySince: 1000, restarts: 0, uid: 'uid-2' });
    const b = pod('b', { node: 'y', readySince: 1050, restarts: 3, uid: 'uid-1' });
    assert.deepEqual(sortNames([a, b]), ['b', 'a']);
    const c = pod('c', { node: 'z', readySince: 1050, restarts: 0, uid: 'uid-3' });
    assert.deepEqual(sortNames([c, a]), ['a', 'c']);
    // 500 s is a bucket lower: ready for less time goes first whatever the uid.
    const d = pod('d', { node: 'w', readySince: 500, uid: 'uid-9' });
    assert.deepEqual(sortNames([a, d]), ['d', 'a']);
  });

  test('podsToDelete takes the first n of that order, all when n covers them', () => {
    const pods = [pod('ready', { node: 'a' }), pod('unscheduled', { ready: false, phase: 'Pending' }), pod('not-ready', { node: 'b', ready: false })];
    assert.deepEqual(podsToDelete(pods, pods, 2, NOW).map((p) => p.metadata?.name), ['unscheduled', 'not-ready']);
    assert.equal(podsToDelete(pods, pods, 5, NOW).length, 3);
  });
});
