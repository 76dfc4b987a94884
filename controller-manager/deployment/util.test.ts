// Unit tests of the pure Deployment arithmetic; tables follow Kubernetes' own
// (deployment_util_test.go, rolling_test.go) where they exist.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1';
import {
  equalIgnoreHash,
  findActiveOrLatest,
  findNewReplicaSet,
  findOldReplicaSets,
  isSaturated,
  maxSurge,
  maxUnavailable,
  newRSNewReplicas,
  resolveFenceposts,
  setNewReplicaSetAnnotations,
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
} from './util.js';
import { planCleanupUnhealthy, planNewReplicaSet, planScaleDownOld, maxScaledDown } from './rolling.js';

type IntOrString = number | string;

function deployment(replicas: number, surge?: IntOrString, unavailable?: IntOrString, type = 'RollingUpdate'): Deployment {
  return {
    metadata: { name: 'foo', namespace: 'default', uid: 'd-uid', generation: 1, annotations: { team: 'a' } },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'foo' } },
      strategy: type === 'RollingUpdate' ? { type, rollingUpdate: { maxSurge: surge ?? 0, maxUnavailable: unavailable ?? 0 } } : { type },
      template: { metadata: { labels: { app: 'foo' } }, spec: { containers: [{ name: 'c', image: 'img:1' }] } },
    },
  };
}

let clock = Date.parse('2024-01-01T00:00:00Z');
function replicaSet(name: string, replicas: number, available = replicas, image = 'img:1', annotations: Record<string, string> = {}): ReplicaSet {
  clock += 1000;
  return {
    metadata: { name, namespace: 'default', uid: `${name}-uid`, creationTimestamp: new Date(clock).toISOString(), annotations },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'foo' } },
      template: { metadata: { labels: { app: 'foo', 'pod-template-hash': name } }, spec: { containers: [{ name: 'c', image }] } },
    },
    status: { replicas, availableReplicas: available, readyReplicas: available },
  };
}

describe('resolveFenceposts (k8s TestResolveFenceposts)', () => {
  const cases: Array<[IntOrString | undefined, IntOrString | undefined, number, number, number, boolean]> = [
    ['0%', '0%', 0, 0, 1, false],
    ['39%', '39%', 10, 4, 3, false],
    ['oops', '39%', 10, 0, 0, true],
    ['55%', 'urg', 10, 0, 0, true],
    [undefined, '39%', 10, 0, 3, false],
    ['39%', undefined, 10, 4, 0, false],
    [undefined, undefined, 10, 0, 1, false],
    ['5', '1', 7, 0, 0, true],
    [1, 1, 2, 1, 1, false],
    ['25%', '25%', 8, 2, 2, false],
    ['25%', '25%', 3, 1, 0, false],
    [0, 0, 5, 0, 1, false],
  ];
  for (const [surge, unavailable, desired, wantSurge, wantUnavailable, wantError] of cases) {
    test(`surge=${String(surge)} unavailable=${String(unavailable)} desired=${desired}`, () => {
      if (wantError) {
        assert.throws(() => resolveFenceposts(surge, unavailable, desired));
        return;
      }
      assert.deepEqual(resolveFenceposts(surge, unavailable, desired), { surge: wantSurge, unavailable: wantUnavailable });
    });
  }
});

describe('maxUnavailable / maxSurge (k8s TestMaxUnavailable)', () => {
  test('cases', () => {
    assert.equal(maxUnavailable(deployment(10, 0, 20)), 10, 'capped at replicas');
    assert.equal(maxUnavailable(deployment(10, 0, 5)), 5);
    assert.equal(maxUnavailable(deployment(0, 0, 10)), 0, 'zero replicas');
    assert.equal(maxUnavailable(deployment(3, 0, 10)), 3);
    assert.equal(maxUnavailable(deployment(10, '0%', '30%')), 3);
    assert.equal(maxUnavailable(deployment(10, 1, 1, 'Recreate')), 0, 'not rolling');
    assert.equal(maxSurge(deployment(10, '25%', 0)), 3, 'rounds up');
    assert.equal(maxSurge(deployment(10, 1, 1, 'Recreate')), 0);
  });
});

describe('newRSNewReplicas (k8s TestNewRSNewReplicas)', () => {
  test('cannot scale up past replicas + maxSurge', () => {
    const d = deployment(1, 1);
    const newRS = replicaSet('new', 5);
    assert.equal(newRSNewReplicas(d, [replicaSet('old', 5), newRS], newRS), 5);
  });
  test('scales up to the deployment replicas', () => {
    const d = deployment(6, 10);
    const newRS = replicaSet('new', 2);
    assert.equal(newRSNewReplicas(d, [replicaSet('old', 4), newRS], newRS), 6);
  });
  test('an old ReplicaSet scaled down counts its pods until its status shows them gone', () => {
    const d = deployment(4, 1);
    const newRS = replicaSet('new', 2);
    const old = replicaSet('old', 2);
    (old.status as { replicas: number }).replicas = 3; // its controller has not deleted the third pod yet
    assert.equal(newRSNewReplicas(d, [old, newRS], newRS), 2, 'no room while the old pod still runs');
    (old.status as { replicas: number }).replicas = 2;
    assert.equal(newRSNewReplicas(d, [old, newRS], newRS), 3);
  });
  test('live pods the status does not show yet count too (a status behind after a failover)', () => {
    const d = deployment(4, 1);
    const newRS = replicaSet('new', 2);
    const old = replicaSet('old', 2);
    (old.status as { replicas: number }).replicas = 1; // the dead leader created a pod and never wrote status
    const live = (rs: { metadata?: { name?: string } }) => (rs.metadata?.name === 'old' ? 3 : 2);
    assert.equal(newRSNewReplicas(d, [old, newRS], newRS, live), 2, 'no room while three old pods run');
    assert.equal(newRSNewReplicas(d, [old, newRS], newRS, (rs) => (rs.metadata?.name === 'old' ? 2 : 2)), 3);
  });
  test('no scale-up while an old ReplicaSet has not caught up with its latest spec', () => {
    const d = deployment(4, 1);
    const newRS = replicaSet('new', 2);
    const old = replicaSet('old', 2);
    old.metadata = { ...old.metadata, generation: 3 };
    (old.status as { observedGeneration?: number }).observedGeneration = 2;
    assert.equal(newRSNewReplicas(d, [old, newRS], newRS), 2);
    (old.status as { observedGeneration?: number }).observedGeneration = 3;
    assert.equal(newRSNewReplicas(d, [old, newRS], newRS), 3);
  });
  test('Recreate: all replicas', () => {
    const d = deployment(3, undefined, undefined, 'Recreate');
    const newRS = replicaSet('new', 1);
    assert.equal(newRSNewReplicas(d, [replicaSet('old', 0), newRS], newRS), 3);
  });
});

describe('rolling update steps (k8s rolling_test.go)', () => {
  // reconcileNewReplicaSet: [replicas, maxSurge, oldReplicas, newReplicas, expected (undefined = no scaling)]
  const newCases: Array<[number, number, number, number, number | undefined]> = [
    [10, 0, 10, 0, undefined],
    [10, 2, 10, 0, 2],
    [10, 2, 5, 0, 7],
    [10, 2, 10, 2, undefined],
    [2, 0, 0, 3, 2],
  ];
  for (const [replicas, surge, oldN, newN, expected] of newCases) {
    test(`new ReplicaSet: replicas=${replicas} surge=${surge} old=${oldN} new=${newN} → ${String(expected)}`, () => {
      const d = deployment(replicas, surge, 0);
      const newRS = replicaSet('new', newN);
      assert.equal(planNewReplicaSet(d, [replicaSet('old', oldN), newRS], newRS), expected);
    });
  }

  // reconcileOldReplicaSets: [replicas, maxUnavailable, old, new, readyOld, readyNew, expected old size (undefined = no scaling)]
  const oldCases: Array<[number, number, number, number, number, number, number | undefined]> = [
    [10, 0, 10, 0, 10, 0, 9],
    [10, 2, 10, 0, 10, 0, 8],
    [10, 2, 10, 0, 8, 0, 8], // unhealthy old replicas are cleaned up first
    [10, 2, 10, 0, 9, 0, 8], // one unhealthy cleaned up, one ready scaled down
    [10, 2, 8, 2, 8, 0, undefined], // the new RS's unavailable pods block further scale-down
  ];
  for (const [replicas, unavailable, oldN, newN, readyOld, readyNew, expected] of oldCases) {
    test(`old ReplicaSets: replicas=${replicas} maxUnavailable=${unavailable} old=${oldN}/${readyOld} new=${newN}/${readyNew} → ${String(expected)}`, () => {
      const d = deployment(replicas, 0, unavailable);
      const oldRS = replicaSet('old', oldN, readyOld);
      const newRS = replicaSet('new', newN, readyNew);
      const budget = maxScaledDown(d, [oldRS, newRS], newRS);
      if (budget <= 0) {
        assert.equal(expected, undefined);
        return;
      }
      let olds = [oldRS];
      for (const { rs, size } of planCleanupUnhealthy(olds, budget)) olds = olds.map((o) => (o === rs ? { ...o, spec: { ...o.spec!, replicas: size } } : o));
      for (const { rs, size } of planScaleDownOld(d, [...olds, newRS], olds)) olds = olds.map((o) => (o === rs ? { ...o, spec: { ...o.spec!, replicas: size } } : o));
      assert.equal(olds[0].spec?.replicas, expected);
    });
  }
});

describe('scale-down on a stale status', () => {
  test('an old ReplicaSet just scaled down counts at most its new size as available', () => {
    // 50 replicas, 25%/25%: minAvailable 38. The old RS was scaled 38 → 26 a moment ago and
    // still reports 38 available; the new RS has 13 of 25 available.
    const d = deployment(50, '25%', '25%');
    const oldRS = replicaSet('old', 26, 38);
    const newRS = replicaSet('new', 25, 13);
    assert.deepEqual(planScaleDownOld(d, [oldRS, newRS], [oldRS]).map((p) => p.size), [25], 'only the real surplus of 1');
  });
});

describe('new/old ReplicaSets', () => {
  test('the new ReplicaSet is the oldest whose template equals the deployment template ignoring the hash label', () => {
    const d = deployment(3);
    const a = replicaSet('a', 1, 1, 'img:0');
    const b = replicaSet('b', 1);
    const c = replicaSet('c', 1);
    assert.equal(findNewReplicaSet(d, [c, a, b])?.metadata?.name, 'b');
    assert.deepEqual(findOldReplicaSets(d, [c, a, b]).map((r) => r.metadata?.name), ['c', 'a']);
  });

  test('equalIgnoreHash treats missing and empty fields alike (apiequality.Semantic)', () => {
    assert.ok(equalIgnoreHash({ metadata: { labels: { a: 'b', 'pod-template-hash': 'x' } }, spec: { containers: [] } }, { metadata: { labels: { a: 'b' } } }));
    assert.ok(!equalIgnoreHash({ metadata: { labels: { a: 'b' } } }, { metadata: { labels: { a: 'c' } } }));
  });

  test('findActiveOrLatest: the only active one, the newest if none is active, none if several', () => {
    const old1 = replicaSet('old1', 0);
    const old2 = replicaSet('old2', 0);
    const newRS = replicaSet('new', 0);
    assert.equal(findActiveOrLatest(newRS, [old1, old2]), newRS);
    assert.equal(findActiveOrLatest(undefined, [old1, old2])?.metadata?.name, 'old2');
    const active = replicaSet('active', 2);
    assert.equal(findActiveOrLatest(newRS, [old1, active]), active);
    assert.equal(findActiveOrLatest(replicaSet('n', 1), [active]), undefined);
  });

  test('isSaturated needs size, desired annotation and availability all at replicas', () => {
    const d = deployment(3);
    assert.ok(isSaturated(d, replicaSet('n', 3, 3, 'img:1', { 'deployment.kubernetes.io/desired-replicas': '3' })));
    assert.ok(!isSaturated(d, replicaSet('n', 3, 2, 'img:1', { 'deployment.kubernetes.io/desired-replicas': '3' })));
    assert.ok(!isSaturated(d, replicaSet('n', 3, 3, 'img:1', { 'deployment.kubernetes.io/desired-replicas': '2' })));
  });
});

describe('setNewReplicaSetAnnotations (k8s TestAnnotationUtils)', () => {
  test('a new ReplicaSet gets the revision, replicas annotations and the deployment annotations', () => {
    const d = deployment(5, 2);
    const rs = replicaSet('n', 0);
    assert.ok(setNewReplicaSetAnnotations(d, rs, 3, false));
    assert.deepEqual(rs.metadata?.annotations, {
      team: 'a',
      [REVISION_ANNOTATION]: '3',
      'deployment.kubernetes.io/desired-replicas': '5',
      'deployment.kubernetes.io/max-replicas': '7',
    });
  });

  test('raising an existing revision (a rollback) keeps the old ones in revision-history', () => {
    const d = deployment(1);
    const rs = replicaSet('n', 1, 1, 'img:1', { [REVISION_ANNOTATION]: '1' });
    setNewReplicaSetAnnotations(d, rs, 3, true);
    assert.equal(rs.metadata?.annotations?.[REVISION_ANNOTATION], '3');
    assert.equal(rs.metadata?.annotations?.[REVISION_HISTORY_ANNOTATION], '1');
    setNewReplicaSetAnnotations(d, rs, 5, true);
    assert.equal(rs.metadata?.annotations?.[REVISION_HISTORY_ANNOTATION], '1,3');
    assert.equal(setNewReplicaSetAnnotations(d, rs, 4, true), false, 'a lower revision changes nothing');
  });

  test('bookkeeping annotations of the deployment are not copied', () => {
    const d = deployment(1);
    (d.metadata as { annotations: Record<string, string> }).annotations = {
      [REVISION_ANNOTATION]: '9',
      'kubectl.kubernetes.io/last-applied-configuration': '{}',
      'kubernetes.io/change-cause': 'why',
    };
    const rs = replicaSet('n', 0);
    setNewReplicaSetAnnotations(d, rs, 1, true);
    assert.deepEqual(rs.metadata?.annotations, { 'kubernetes.io/change-cause': 'why', [REVISION_ANNOTATION]: '1' });
  });
});
