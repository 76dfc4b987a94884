import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DaemonSet } from 'kubernetes-types/apps/v1';
import type { Node, Pod, Taint } from 'kubernetes-types/core/v1';
import { nodeOfPod, nodeVerdict, pinToNode, planDaemonSet } from './plan.js';
import { REVISION_HASH_LABEL } from '../controller/controller-utils.js';

const NOW = Date.parse('2026-01-01T00:00:00Z');
const node = (name: string, labels: Record<string, string> = {}, taints: Taint[] = []): Node => ({ metadata: { name, labels }, spec: { taints } });
const ds = (spec: Partial<NonNullable<DaemonSet['spec']>> = {}, tmplSpec: Partial<NonNullable<NonNullable<NonNullable<DaemonSet['spec']>['template']>['spec']>> = {}): DaemonSet => ({
  metadata: { name: 'agent', namespace: 'default', uid: 'ds-uid', generation: 3 },
  spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'a', image: 'busybox' }], ...tmplSpec } }, ...spec },
});
let n = 0;
const pod = (nodeName: string, opts: { hash?: string; ready?: boolean; phase?: string; deleting?: boolean; pinnedOnly?: boolean } = {}): Pod => {
  const base: Pod = { metadata: { name: `agent-${++n}`, namespace: 'default', uid: `u${n}`, creationTimestamp: new Date(NOW - 100_000 + n * 1000).toISOString(), labels: { app: 'agent', [REVISION_HASH_LABEL]: opts.hash ?? 'h1' } }, spec: { containers: [{ name: 'a' }] } };
  const p = opts.pinnedOnly ? pinToNode(base, nodeName, opts.hash ?? 'h1') : { ...base, spec: { ...base.spec!, nodeName } };
  return {
    ...p,
    metadata: { ...p.metadata, ...(opts.deleting ? { deletionTimestamp: new Date(NOW).toISOString() } : {}) },
    status: { phase: opts.phase ?? 'Running', conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }] },
  };
};

describe('DaemonSet controller decisions', () => {
  test('node verdicts: selector, NoSchedule (new pods only) and NoExecute (everything) taints, tolerations', () => {
    const sel = ds({}, { nodeSelector: { role: 'edge' } });
    assert.deepEqual(nodeVerdict(sel, node('a', { role: 'edge' })), { shouldRun: true, shouldContinueRunning: true });
    assert.deepEqual(nodeVerdict(sel, node('b')), { shouldRun: false, shouldContinueRunning: false });
    const noSched = node('c', {}, [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }]);
    assert.deepEqual(nodeVerdict(ds(), noSched), { shouldRun: false, shouldContinueRunning: true });
    assert.deepEqual(nodeVerdict(ds({}, { tolerations: [{ key: 'dedicated', operator: 'Exists' }] }), noSched), { shouldRun: true, shouldContinueRunning: true });
    assert.deepEqual(nodeVerdict(ds(), node('d', {}, [{ key: 'x', effect: 'NoExecute' }])), { shouldRun: false, shouldContinueRunning: false });
    // The daemon defaults: cordoned, not-ready and unreachable nodes keep (and get) their daemons.
    const cordoned = node('e', {}, [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }, { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }]);
    assert.deepEqual(nodeVerdict(ds(), cordoned), { shouldRun: true, shouldContinueRunning: true });
  });

  test("pinning: a required matchFields term on the node name, kept ANDed with the template's own terms", () => {
    const base: Pod = {
      metadata: { labels: { app: 'agent' } },
      spec: { containers: [], affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['z1'] }] }] } } } },
    };
    const p = pinToNode(base, 'n7', 'abc');
    assert.deepEqual(p.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms, [
      { matchExpressions: [{ key: 'zone', operator: 'In', values: ['z1'] }], matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n7'] }] },
    ]);
    assert.equal(p.metadata?.labels?.[REVISION_HASH_LABEL], 'abc');
    assert.ok(p.spec?.tolerations?.some((t) => t.key === 'node.kubernetes.io/unreachable' && t.effect === 'NoExecute'));
    for (const key of ['memory-pressure', 'disk-pressure', 'pid-pressure']) {
      assert.ok(p.spec?.tolerations?.some((t) => t.key === `node.kubernetes.io/${key}` && t.operator === 'Exists' && t.effect === 'NoSchedule'), key);
    }
    assert.equal(nodeOfPod(p), 'n7', 'an unscheduled daemon pod belongs to the node it is pinned to');
  });

  test('one pod per eligible node: missing ones created, extras and misplaced ones deleted, failed ones replaced', () => {
    const nodes = [node('a'), node('b'), node('c'), node('d', {}, [{ key: 'x', effect: 'NoExecute' }])];
    const keep = pod('a');
    const extra = pod('a');
    const failed = pod('b', { phase: 'Failed' });
    const misplaced = pod('d');
    const pending = pod('c', { pinnedOnly: true, ready: false, phase: 'Pending' });
    const plan = planDaemonSet(ds(), nodes, [keep, extra, failed, misplaced, pending], 'h1', NOW);
    assert.deepEqual(plan.create, ['b']);
    assert.deepEqual(new Set(plan.remove), new Set([extra, failed, misplaced]));
    assert.deepEqual(plan.status, {
      currentNumberScheduled: 2,
      desiredNumberScheduled: 3,
      numberMisscheduled: 1,
      numberReady: 1,
      observedGeneration: 3,
      updatedNumberScheduled: 2,
      numberAvailable: 1,
      numberUnavailable: 2,
    });
  });

  test('a terminating pod does not hold back its replacement', () => {
    const plan = planDaemonSet(ds(), [node('a')], [pod('a', { deleting: true })], 'h1', NOW);
    assert.deepEqual(plan.create, ['a']);
    assert.deepEqual(plan.remove, []);
  });

  test('rolling update: unavailable old pods go at once, available ones within maxUnavailable; OnDelete waits', () => {
    const nodes = [node('a'), node('b'), node('c'), node('d')];
    const olds = ['a', 'b', 'c'].map((x) => pod(x, { hash: 'old' }));
    const brokenOld = pod('d', { hash: 'old', ready: false });
    const plan = planDaemonSet(ds({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 2 } } }), nodes, [...olds, brokenOld], 'new', NOW);
    // As upstream: the unavailable old pod goes regardless, and maxUnavailable more of the available ones.
    assert.deepEqual(new Set(plan.remove), new Set([brokenOld, olds[0], olds[1]]));
    assert.equal(plan.status.updatedNumberScheduled, undefined);
    assert.equal(planDaemonSet(ds({ updateStrategy: { type: 'RollingUpdate' } }), nodes.slice(0, 3), olds, 'new', NOW).remove.length, 1, 'maxUnavailable defaults to 1');
    assert.equal(planDaemonSet(ds({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '50%' } } }), nodes.slice(0, 3), olds, 'new', NOW).remove.length, 2, '50% of 3 rounds up');
    assert.deepEqual(planDaemonSet(ds({ updateStrategy: { type: 'OnDelete' } }), nodes, [...olds, brokenOld], 'new', NOW).remove, []);
  });
});

describe('DaemonSet manage loop while surging', () => {
  const surging = () => ds({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } });
  test('an old and a new pod may share a node until the new one is available; status counts the old one', () => {
    const old = pod('a', { hash: 'old' });
    const fresh = pod('a', { hash: 'new', ready: false });
    const plan = planDaemonSet(surging(), [node('a')], [old, fresh], 'new', NOW);
    assert.deepEqual(plan.remove, []);
    assert.deepEqual([plan.status.numberAvailable, plan.status.updatedNumberScheduled], [1, undefined]);
    const ready = planDaemonSet(surging(), [node('a')], [old, pod('a', { hash: 'new' })], 'new', NOW);
    assert.deepEqual(ready.remove, [old]);
    const extraNew = pod('a', { hash: 'new' });
    assert.ok(planDaemonSet(surging(), [node('a')], [old, fresh, extraNew], 'new', NOW).remove.includes(extraNew), 'a second new pod goes');
  });
  test('without surge two pods on a node are one too many', () => {
    const first = pod('a', { hash: 'old' });
    const second = pod('a', { hash: 'new', ready: false });
    assert.deepEqual(planDaemonSet(ds(), [node('a')], [first, second], 'new', NOW).remove, [second]);
  });
});
