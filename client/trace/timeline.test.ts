// buildTimeline over fixtures: hops timed from audit, Events and conditions; unknown hops stay
// unknown; causal order within a second's precision; offsets and hop latencies; actor names.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildTimeline } from './timeline.js';
import { audit, deployment, deploymentAudit, deploymentData, event, kubeletEvents, pod, readyPod, T } from './testdata.js';
import type { TraceData, TracedObject, TraceStep } from './types.js';

const row = (s: TraceStep) => [s.offsetMs, s.hopMs, s.actor, s.action, s.object, s.source];

test('a Deployment with the audit index: who did what, in causal order, with offsets and hop latencies', () => {
  const t = buildTimeline(deploymentData());
  assert.equal(t.start, '2026-12-03T10:00:00.100Z');
  assert.deepEqual(t.root, { kind: 'Deployment', namespace: 'default', name: 'web', uid: 'd1' });
  assert.deepEqual(t.steps.map(row), [
    [0, null, 'kubernetes-admin (kubectl)', 'created', 'Deployment/web', 'audit'],
    [150, 150, 'deployment-controller', 'created', 'ReplicaSet/web-abc', 'audit'],
    [300, 150, 'replicaset-controller', 'created', 'Pod/web-abc-x', 'audit'],
    [500, 200, 'default-scheduler', 'bound to node-1', 'Pod/web-abc-x', 'audit'],
    [null, null, 'kubelet node-1', 'started the pod sandbox', 'Pod/web-abc-x', 'none'],
    [900, 400, 'kubelet node-1', 'image nginx:1.27 already present', 'Pod/web-abc-x', 'event'],
    [900, 0, 'kubelet node-1', 'created container web', 'Pod/web-abc-x', 'event'],
    [900, 0, 'kubelet node-1', 'started container web', 'Pod/web-abc-x', 'event'],
    [1900, 1000, 'kubelet node-1', 'became Ready', 'Pod/web-abc-x', 'condition'],
  ]);
  // The Events that timed nothing better still explain the audited hops.
  assert.equal(t.steps[1]!.detail, 'ScalingReplicaSet: Scaled up replica set web-abc from 0 to 1');
  assert.equal(t.steps[0]!.at, '2026-12-03T10:00:00.100Z');
  assert.equal(t.notes, undefined);
});

test('without the audit index (403) hops fall back to Events and conditions, the rest is unknown, never guessed', () => {
  const t = buildTimeline(deploymentData({ audit: { status: 'forbidden', code: 403, message: 'forbidden' }, auditByUid: {} }));
  assert.deepEqual(t.steps.map(row), [
    [0, null, 'unknown', 'created', 'Deployment/web', 'condition'],
    [0, 0, 'deployment-controller', 'created', 'ReplicaSet/web-abc', 'event'],
    [0, 0, 'replicaset-controller', 'created', 'Pod/web-abc-x', 'event'],
    [0, 0, 'default-scheduler', 'bound to node-1', 'Pod/web-abc-x', 'event'],
    [null, null, 'kubelet node-1', 'started the pod sandbox', 'Pod/web-abc-x', 'none'],
    [1000, 1000, 'kubelet node-1', 'image nginx:1.27 already present', 'Pod/web-abc-x', 'event'],
    [1000, 0, 'kubelet node-1', 'created container web', 'Pod/web-abc-x', 'event'],
    [1000, 0, 'kubelet node-1', 'started container web', 'Pod/web-abc-x', 'event'],
    [2000, 1000, 'kubelet node-1', 'became Ready', 'Pod/web-abc-x', 'condition'],
  ]);
  assert.match(t.notes![0]!, /audit index forbidden \(HTTP 403\)/);
  for (const s of t.steps.filter((x) => x.source === 'none')) assert.deepEqual([s.at, s.offsetMs, s.hopMs], [null, null, null]);
});

test('a pod with no Events and no conditions yet: every kubelet hop is unknown and placed after the bind', () => {
  const data = deploymentData({ objects: [deployment, deploymentData().objects[1]!, pod([])], events: [] });
  const t = buildTimeline(data);
  const names = t.steps.map((s) => `${s.actor}|${s.action}|${s.at === null ? 'unknown' : s.offsetMs}`);
  assert.deepEqual(names, [
    'kubernetes-admin (kubectl)|created|0',
    'deployment-controller|created|150',
    'replicaset-controller|created|300',
    'default-scheduler|bound to node-1|500',
    'kubelet node-1|started the pod sandbox|unknown',
    'kubelet node-1|pulled or found image nginx:1.27|unknown',
    'kubelet node-1|created container web|unknown',
    'kubelet node-1|started container web|unknown',
    'kubelet node-1|became Ready|unknown',
  ]);
  assert.equal(t.steps.at(-1)!.detail, 'not Ready yet');
});

test('a whole-second Event never sorts before the finer-timed hop it follows; its hop is 0, not negative', () => {
  const au = deploymentAudit();
  au.p1 = au.p1!.filter((e) => e.objectRef?.subresource !== 'binding'); // the bind only as an Event (10:00:00)
  const t = buildTimeline(deploymentData({ auditByUid: au }));
  const i = t.steps.findIndex((s) => s.action === 'bound to node-1');
  assert.equal(t.steps[i - 1]!.object, 'Pod/web-abc-x');
  assert.equal(t.steps[i - 1]!.action, 'created');
  // Offsets count from the earliest known time, which is now that Event's whole second.
  assert.deepEqual([t.steps[i]!.source, t.steps[i]!.offsetMs, t.steps[i]!.hopMs], ['event', 0, 0]);
  assert.deepEqual([t.start, t.steps[0]!.offsetMs], ['2026-12-03T10:00:00.000Z', 100]);
});

test('a Service: endpoint add from the slice write after Ready, kube-proxy and dns milestones, unknown dns', () => {
  const svc: TracedObject = { kind: 'Service', namespace: 'default', name: 'web', uid: 's1', chain: ['s1'], object: { metadata: { creationTimestamp: T('00') } } };
  const slice: TracedObject = {
    kind: 'EndpointSlice',
    namespace: 'default',
    name: 'web-x1',
    uid: 'e1',
    chain: ['s1', 'e1'],
    object: { metadata: { creationTimestamp: T('00') }, endpoints: [{ addresses: ['10.244.1.5'], conditions: { ready: true }, targetRef: { kind: 'Pod', name: 'web-abc-x', uid: 'p1' } }] },
  };
  const p = readyPod();
  const data: TraceData = {
    root: { kind: 'Service', namespace: 'default', name: 'web', uid: 's1' },
    objects: [svc, slice, { ...p, chain: ['s1', 'p1'] }],
    events: [
      ...kubeletEvents(),
      { ...event('s1', 'Service', 'web', 'EndpointsProgrammed', 'iptables rules for 1 endpoints programmed on node-1', T('03'), { component: 'kube-proxy', host: 'node-1' }), eventTime: '2026-12-03T10:00:02.700000Z' },
    ],
    audit: { status: 'ok' },
    auditByUid: {
      s1: [audit('s1', 'create', 'alice', T('00.050000'), { userAgent: 'kc/v0.1.0 (linux/x64) tskube' })],
      e1: [audit('e1', 'create', 'system:kube-controller-manager', T('00.200000')), audit('e1', 'update', 'system:kube-controller-manager', T('02.400000'))],
      p1: deploymentAudit().p1!,
    },
  };
  const t = buildTimeline(data);
  const tail = t.steps.slice(-4).map(row);
  assert.deepEqual(tail, [
    [1950, 1000, 'kubelet node-1', 'became Ready', 'Pod/web-abc-x', 'condition'],
    [2350, 400, 'endpointslice-controller', 'added 10.244.1.5 (Pod/web-abc-x)', 'EndpointSlice/web-x1', 'audit'],
    [2650, 300, 'kube-proxy node-1', 'iptables rules for 1 endpoints programmed on node-1', 'Service/web', 'milestone'],
    [null, null, 'dns', 'answers web.default.svc.cluster.local', 'Service/web', 'none'],
  ]);
  assert.deepEqual(t.steps.slice(0, 2).map(row), [
    [0, null, 'alice (kc)', 'created', 'Service/web', 'audit'],
    [150, 150, 'endpointslice-controller', 'created', 'EndpointSlice/web-x1', 'audit'],
  ]);
  // Pods of a Service are created by their own controller (its owner), not by the Service.
  assert.ok(t.steps.some((s) => s.actor === 'replicaset-controller' && s.object === 'Pod/web-abc-x' && s.action === 'created'));
});

test('writes people make to the root later (scale) are steps; loose Events (a scale-down) are steps too', () => {
  const au = deploymentAudit();
  au.d1!.push(audit('d1', 'patch', 'bob', T('05.000000'), { subresource: 'scale', userAgent: 'kubectl/v1.32.0 (linux/amd64)' }));
  const events = [...deploymentData().events, event('d1', 'Deployment', 'web', 'ScalingReplicaSet', 'Scaled down replica set web-old from 2 to 0', T('06'), { component: 'deployment-controller' })];
  const t = buildTimeline(deploymentData({ auditByUid: au, events }));
  const last = t.steps.slice(-2).map((s) => [s.actor, s.action, s.source]);
  assert.deepEqual(last, [
    ['bob (kubectl)', 'scaled', 'audit'],
    ['deployment-controller', 'Scaled down replica set web-old from 2 to 0', 'event'],
  ]);
  // The unknown sandbox hop still sits after its bind, not after bob's later scale.
  const sandbox = t.steps.findIndex((s) => s.action === 'started the pod sandbox');
  assert.equal(t.steps[sandbox - 1]!.action, 'bound to node-1');
});

test('an empty trace has no start', () => {
  const t = buildTimeline({ root: { kind: 'Pod', namespace: 'default', name: 'x', uid: 'u' }, objects: [], events: [], audit: { status: 'ok' }, auditByUid: {} });
  assert.deepEqual([t.start, t.steps], ['', []]);
});

test('the sandbox hop: PodReadyToStartContainers timed before the containers; reported after them it is unknown', () => {
  const withSandbox = (at: string) =>
    deploymentData({
      objects: [deployment, deploymentData().objects[1]!, pod([{ type: 'PodReadyToStartContainers', status: 'True', lastTransitionTime: at }, { type: 'Ready', status: 'True', lastTransitionTime: T('02') }])],
    });
  const early = buildTimeline(withSandbox(T('01'))).steps.find((s) => s.action === 'started the pod sandbox')!;
  assert.deepEqual([early.source, early.offsetMs], ['condition', 900]);
  const late = buildTimeline(withSandbox(T('02'))).steps.find((s) => s.action === 'started the pod sandbox')!;
  assert.deepEqual([late.source, late.at], ['none', null]);
  assert.match(late.detail!, /reported at .* after the containers started/);
});

test('a server-side apply that created the object (a patch answered 201) is its create, timed and attributed', () => {
  const au = deploymentAudit();
  au.d1 = [
    audit('d1', 'patch', 'kubernetes-admin', T('00.100000'), { userAgent: 'Mozilla/5.0 tskube-dashboard', responseStatus: { code: 201 } }),
    audit('d1', 'patch', 'kubernetes-admin', T('04.000000'), { userAgent: 'kubectl/v1.32.0 (linux/amd64)' }),
  ];
  const t = buildTimeline(deploymentData({ auditByUid: au }));
  const first = t.steps[0]!;
  assert.deepEqual([first.action, first.object, first.source, first.at], ['created', 'Deployment/web', 'audit', '2026-12-03T10:00:00.100Z']);
  assert.match(first.actor, /^kubernetes-admin/);
  // The later apply (200) is a user's write, the creating one is not counted twice.
  assert.equal(t.steps.filter((s) => s.object === 'Deployment/web' && s.actor.startsWith('kubernetes-admin')).length, 2);
  assert.ok(t.steps.some((s) => s.action === 'patched' && s.at === '2026-12-03T10:00:04.000Z'));
});
