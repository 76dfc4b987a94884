// Proportional scaling, with the cases of Kubernetes' sync_test.go TestScale: ReplicaSets
// carry the max-replicas annotation of the Deployment before the resize.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1';
import { proportionalScalePlan } from './proportion.js';

function deployment(replicas: number, surge = 0): Deployment {
  return {
    metadata: { name: 'foo', namespace: 'default' },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'foo' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: surge, maxUnavailable: 0 } },
      template: { metadata: { labels: { app: 'foo' } } },
    },
  };
}

/** ReplicaSets oldest first, annotated as the Deployment of size `before` (+ surge) left them. */
function replicaSets(sizes: number[], before: number, beforeSurge = 0): ReplicaSet[] {
  return sizes.map((n, i) => ({
    metadata: {
      name: `foo-v${i + 1}`,
      uid: `v${i + 1}`,
      creationTimestamp: new Date(Date.UTC(2024, 0, 1, 0, 0, i)).toISOString(),
      annotations: {
        'deployment.kubernetes.io/desired-replicas': String(before),
        'deployment.kubernetes.io/max-replicas': String(before + beforeSurge),
      },
    },
    spec: { replicas: n, selector: { matchLabels: { app: 'foo' } } },
  }));
}

/** Runs the plan with the newest ReplicaSet as the new one (or none) and returns sizes oldest first. */
function scale(d: Deployment, rss: ReplicaSet[], newIsLast = true): number[] {
  const newRS = newIsLast ? rss[rss.length - 1] : undefined;
  const olds = newIsLast ? rss.slice(0, -1) : rss;
  const plan = proportionalScalePlan(d, newRS, olds);
  const size = new Map(plan.sizes.map(({ rs, size }) => [rs.metadata?.name, size]));
  return rss.map((rs) => size.get(rs.metadata?.name) ?? rs.spec?.replicas ?? 0);
}

describe('proportionalScalePlan (k8s TestScale)', () => {
  // [name, replicas now, replicas before, sizes oldest..newest (last = new RS), expected]
  const cases: Array<[string, number, number, number[], number[]]> = [
    ['5 → 10', 10, 5, [3, 2], [6, 4]],
    ['5 → 3', 3, 5, [3, 2], [2, 1]],
    ['9 → 4', 4, 9, [1, 8], [0, 4]],
    ['7 → 10', 10, 7, [3, 2, 2], [4, 3, 3]],
    ['13 → 8', 8, 13, [8, 3, 2], [5, 2, 1]],
    ['leftover goes to the newest when scaling up: 3 → 4', 4, 3, [1, 1, 1], [1, 1, 2]],
    ['leftover comes from the oldest when scaling down: 3 → 2', 2, 3, [1, 1, 1], [0, 1, 1]],
    ['scaling to zero', 0, 6, [2, 1, 3], [0, 0, 0]],
  ];
  for (const [name, now, before, sizes, expected] of cases) {
    test(name, () => {
      const d = deployment(now);
      (d as { status?: Deployment['status'] }).status = { replicas: sizes.reduce((a, b) => a + b, 0) };
      assert.deepEqual(scale(d, replicaSets(sizes, before)), expected);
    });
  }

  test('no new ReplicaSet: the newest old one grows first (4 → 5)', () => {
    assert.deepEqual(scale(deployment(5), replicaSets([2, 2], 4), false), [2, 3]);
  });

  test('with surge pods: 10+2 → 20+2', () => {
    assert.deepEqual(scale(deployment(20, 2), replicaSets([6, 6], 10, 2)), [11, 11]);
  });

  test('surge and size change together: 10+3 → 50+6', () => {
    assert.deepEqual(scale(deployment(50, 6), replicaSets([8, 5], 10, 3)), [34, 22]);
  });

  test('the plan says which direction it scales', () => {
    assert.equal(proportionalScalePlan(deployment(10), undefined, replicaSets([3, 2], 5)).operation, 'up');
    assert.equal(proportionalScalePlan(deployment(3), undefined, replicaSets([3, 2], 5)).operation, 'down');
    assert.equal(proportionalScalePlan(deployment(5), undefined, replicaSets([3, 2], 5)).operation, '');
  });
});
