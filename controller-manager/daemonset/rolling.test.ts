import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DaemonSet, DaemonSetUpdateStrategy } from 'kubernetes-types/apps/v1';
import type { Node, Pod } from 'kubernetes-types/core/v1';
import { REVISION_HASH_LABEL } from '../controller/controller-utils.js';
import { planRollingUpdate, updateBudget, type NodePods } from './rolling.js';
import { planDaemonSet } from './plan.js';

const NOW = Date.parse('2026-01-01T00:00:00Z');
const ds = (updateStrategy: DaemonSetUpdateStrategy): DaemonSet => ({
  metadata: { name: 'agent', namespace: 'default', uid: 'ds-uid', generation: 2 },
  spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'a' }] } }, updateStrategy },
});
const surge = (maxSurge: number | string) => ds({ type: 'RollingUpdate', rollingUpdate: { maxSurge, maxUnavailable: 0 } });
let n = 0;
const pod = (node: string, hash: string, ready = true): Pod => ({
  metadata: { name: `p${++n}`, uid: `u${n}`, creationTimestamp: new Date(NOW - 100_000 + n * 1000).toISOString(), labels: { app: 'agent', [REVISION_HASH_LABEL]: hash } },
  spec: { nodeName: node, containers: [{ name: 'a' }] },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});
const at = (node: string, ...pods: Pod[]): NodePods => ({ node, shouldRun: true, pods });

describe('DaemonSet rolling update (maxSurge / maxUnavailable)', () => {
  test('budgets: percentages of the desired count round up; 0/0 means maxUnavailable 1', () => {
    assert.deepEqual(updateBudget(surge('30%'), 10), { maxSurge: 3, maxUnavailable: 0 });
    assert.deepEqual(updateBudget(ds({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } }), 3), { maxSurge: 0, maxUnavailable: 1 });
    assert.deepEqual(updateBudget(ds({ type: 'RollingUpdate' }), 3), { maxSurge: 0, maxUnavailable: 1 });
  });

  test('surge: new pods start beside old ones, at most maxSurge at a time', () => {
    const nodes = ['a', 'b', 'c'].map((x) => at(x, pod(x, 'old')));
    const plan = planRollingUpdate(surge(1), nodes, 'new', NOW);
    assert.deepEqual(plan, { create: ['a'], remove: [] });
    assert.deepEqual(planRollingUpdate(surge(2), nodes, 'new', NOW).create, ['a', 'b']);
  });

  test('surge: the old pod goes only once the new one is available; a pending surge uses the budget', () => {
    const oldA = pod('a', 'old');
    const waiting = planRollingUpdate(surge(1), [at('a', oldA, pod('a', 'new', false)), at('b', pod('b', 'old'))], 'new', NOW);
    assert.deepEqual(waiting, { create: [], remove: [] });
    const ready = planRollingUpdate(surge(1), [at('a', oldA, pod('a', 'new')), at('b', pod('b', 'old'))], 'new', NOW);
    assert.deepEqual(ready.remove, [oldA]);
    assert.deepEqual(ready.create, ['b'], 'the next node surges as the first finishes');
  });

  test('surge: an unavailable old pod is replaced at once, beyond maxSurge', () => {
    const plan = planRollingUpdate(surge(1), [at('a', pod('a', 'old')), at('b', pod('b', 'old', false)), at('c', pod('c', 'old', false))], 'new', NOW);
    assert.deepEqual(plan.create, ['b', 'c', 'a']);
  });

  test('surge: an old pod on a node the daemon no longer fits goes only while enough others are available', () => {
    const stray = pod('x', 'old');
    const off: NodePods = { node: 'x', shouldRun: false, pods: [stray] };
    assert.deepEqual(planRollingUpdate(surge(1), [at('a', pod('a', 'new', false)), off], 'new', NOW).remove, []);
    assert.deepEqual(planRollingUpdate(surge(1), [at('a', pod('a', 'new')), off], 'new', NOW).remove, [stray]);
  });

  test('no surge: unavailable old pods may always go, available ones within maxUnavailable', () => {
    const olds = ['a', 'b', 'c'].map((x) => pod(x, 'old'));
    const broken = pod('d', 'old', false);
    const nodes = [...olds.map((p) => at(p.spec!.nodeName!, p)), at('d', broken)];
    const plan = planRollingUpdate(ds({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 2 } }), nodes, 'new', NOW);
    assert.deepEqual(plan.remove, [broken, olds[0], olds[1]]);
    const oneDown = planRollingUpdate(ds({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } }), [at('a'), ...nodes.slice(1)], 'new', NOW);
    assert.deepEqual(oneDown.remove, [broken], 'an empty node already uses the budget');
  });

  test('a whole surge rollout through the planner never has fewer available pods than desired', () => {
    const nodes: Node[] = ['a', 'b', 'c', 'd'].map((name) => ({ metadata: { name } }));
    const set = surge(1);
    let pods = nodes.map((x) => pod(x.metadata!.name!, 'old'));
    for (let step = 0; step < 40; step++) {
      // The kubelet: pods created in the previous step become ready now.
      pods = pods.map((p) => (p.status?.conditions?.[0]?.status === 'False' ? pod(p.spec!.nodeName!, p.metadata!.labels![REVISION_HASH_LABEL]!) : p));
      const available = nodes.filter((x) => pods.some((p) => p.spec?.nodeName === x.metadata?.name && p.status?.conditions?.[0]?.status === 'True')).length;
      assert.ok(available >= nodes.length, `step ${step}: ${available} nodes with an available pod`);
      assert.ok(pods.length <= nodes.length + 1, `step ${step}: at most maxSurge extra pods (${pods.length})`);
      const plan = planDaemonSet(set, nodes, pods, 'new', NOW);
      if (plan.create.length === 0 && plan.remove.length === 0) break;
      pods = pods.filter((p) => !plan.remove.includes(p));
      pods.push(...plan.create.map((x) => pod(x, 'new', false)));
    }
    assert.deepEqual(pods.map((p) => [p.spec?.nodeName, p.metadata?.labels?.[REVISION_HASH_LABEL]]).sort(), [['a', 'new'], ['b', 'new'], ['c', 'new'], ['d', 'new']]);
    assert.equal(planDaemonSet(set, nodes, pods, 'new', NOW).status.updatedNumberScheduled, 4);
  });
});
