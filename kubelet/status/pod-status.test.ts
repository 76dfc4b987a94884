import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1';
import type { ContainerStatus } from '../runtime/runtime.js';
import { generatePodStatus, type StatusInput } from './pod-status.js';
import type { RuntimePodState } from '../runtime/state.js';

const now = new Date('2025-01-01T00:00:10.500Z');
let seq = 0;
function ctr(name: string, state: ContainerStatus['state'], attempt = 0, exitCode = 0, reason = ''): ContainerStatus {
  seq++;
  return {
    id: `c${seq}`,
    podSandboxId: 's1',
    metadata: { name, attempt },
    image: 'busybox:1.35',
    imageRef: 'docker://sha256:abc',
    state,
    createdAt: new Date(seq),
    labels: {},
    annotations: {},
    exitCode,
    reason: reason || (state === 'exited' ? (exitCode ? 'Error' : 'Completed') : ''),
    message: '',
    pid: 1,
    startedAt: new Date('2025-01-01T00:00:01Z'),
    ...(state === 'exited' ? { finishedAt: new Date('2025-01-01T00:00:05Z') } : {}),
  };
}
const sandbox = { id: 's1', attempt: 0, ready: true, ip: '10.244.0.5', createdAt: new Date(0) };
const pod = (extra: Partial<NonNullable<Pod['spec']>> = {}, status?: Pod['status']): Pod => ({
  metadata: { name: 'p', namespace: 'default', uid: 'u' },
  spec: { restartPolicy: 'Always', containers: [{ name: 'a', image: 'busybox:1.35' }], ...extra },
  ...(status ? { status } : {}),
});
function input(p: Pod, containers: ContainerStatus[], extra: Partial<StatusInput> = {}): StatusInput {
  const state: RuntimePodState = { sandboxes: [sandbox], containers };
  return { pod: p, state, syncErrors: new Map(), ready: () => true, started: () => true, hostIP: '192.0.2.2', now, ...extra };
}
const cond = (s: ReturnType<typeof generatePodStatus>, type: string) => s.conditions?.find((c) => c.type === type);

test('a running pod: phase, IPs, conditions and container status as k8s writes them', () => {
  const c = ctr('a', 'running');
  const s = generatePodStatus(input(pod(), [c]));
  assert.equal(s.phase, 'Running');
  assert.equal(s.podIP, '10.244.0.5');
  assert.deepEqual(s.podIPs, [{ ip: '10.244.0.5' }]);
  assert.equal(s.hostIP, '192.0.2.2');
  assert.equal(s.startTime, '2025-01-01T00:00:10Z');
  assert.deepEqual(s.conditions?.map((x) => [x.type, x.status]), [
    ['PodReadyToStartContainers', 'True'],
    ['Initialized', 'True'],
    ['Ready', 'True'],
    ['ContainersReady', 'True'],
    ['PodScheduled', 'True'],
  ]);
  assert.deepEqual(s.containerStatuses?.[0], {
    name: 'a',
    image: 'busybox:1.35',
    imageID: 'docker://sha256:abc',
    restartCount: 0,
    containerID: `docker://${c.id}`,
    state: { running: { startedAt: '2025-01-01T00:00:01Z' } },
    lastState: {},
    started: true,
    ready: true,
  });
});

test('a pod not yet started is Pending with ContainerCreating (PodInitializing behind init containers)', () => {
  const s = generatePodStatus(input(pod(), []));
  assert.equal(s.phase, 'Pending');
  assert.equal(s.containerStatuses?.[0]?.state?.waiting?.reason, 'ContainerCreating');
  const withInit = generatePodStatus(input(pod({ initContainers: [{ name: 'i', image: 'x:1' }] }), [ctr('i', 'running')]));
  assert.equal(withInit.phase, 'Pending');
  assert.equal(withInit.containerStatuses?.[0]?.state?.waiting?.reason, 'PodInitializing');
  assert.equal(cond(withInit, 'Initialized')?.reason, 'ContainersNotInitialized');
  assert.equal(cond(withInit, 'Initialized')?.message, 'containers with incomplete status: [i]');
});

test('a crash-looping container waits with the backoff reason and reports its last exit', () => {
  const dead = ctr('a', 'exited', 2, 3);
  const s = generatePodStatus(input(pod(), [dead, ctr('a', 'exited', 1, 3)], { syncErrors: new Map([['a', { reason: 'CrashLoopBackOff', message: 'back-off 20s' }]]) }));
  const cs = s.containerStatuses?.[0];
  assert.equal(s.phase, 'Running', 'restartPolicy Always: restarting containers keep the pod Running');
  assert.deepEqual(cs?.state, { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 20s' } });
  assert.equal(cs?.lastState?.terminated?.exitCode, 3);
  assert.equal(cs?.restartCount, 2);
  assert.equal(cs?.ready, false);
  assert.equal(cond(s, 'Ready')?.status, 'False');
  assert.equal(cond(s, 'Ready')?.message, 'containers with unready status: [a]');
});

test('terminal phases: Succeeded, Failed, and never back', () => {
  const done = generatePodStatus(input(pod({ restartPolicy: 'Never' }), [ctr('a', 'exited', 0, 0)]));
  assert.equal(done.phase, 'Succeeded');
  assert.equal(cond(done, 'Ready')?.reason, 'PodCompleted');
  assert.equal(done.containerStatuses?.[0]?.state?.terminated?.reason, 'Completed');
  const failed = generatePodStatus(input(pod({ restartPolicy: 'Never' }), [ctr('a', 'exited', 0, 137, 'OOMKilled')]));
  assert.equal(failed.phase, 'Failed');
  assert.equal(failed.containerStatuses?.[0]?.state?.terminated?.reason, 'OOMKilled');
  const onFailure = generatePodStatus(input(pod({ restartPolicy: 'OnFailure' }), [ctr('a', 'exited', 0, 1)]));
  assert.equal(onFailure.phase, 'Running');
  const sticky = generatePodStatus(input(pod({}, { phase: 'Failed', reason: 'NodePorts', message: 'rejected' }), [ctr('a', 'running')]));
  assert.equal(sticky.phase, 'Failed');
  assert.equal(sticky.reason, 'NodePorts', 'a rejection reason survives later syncs');
});

test('readiness and startup verdicts; transition times survive unchanged conditions', () => {
  const c = ctr('a', 'running');
  const unready = generatePodStatus(input(pod(), [c], { ready: () => false }));
  assert.equal(unready.containerStatuses?.[0]?.ready, false);
  assert.equal(cond(unready, 'ContainersReady')?.status, 'False');
  const notStarted = generatePodStatus(input(pod(), [c], { started: () => false }));
  assert.equal(notStarted.containerStatuses?.[0]?.started, false);
  assert.equal(notStarted.containerStatuses?.[0]?.ready, false);
  const old = { conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2024-01-01T00:00:00Z' }, { type: 'PodScheduled', status: 'True', lastTransitionTime: '2023-01-01T00:00:00Z' }] };
  const s = generatePodStatus(input(pod({}, old), [c]));
  assert.equal(cond(s, 'Ready')?.lastTransitionTime, '2024-01-01T00:00:00Z');
  assert.equal(cond(s, 'PodScheduled')?.lastTransitionTime, '2023-01-01T00:00:00Z');
  assert.equal(cond(s, 'ContainersReady')?.lastTransitionTime, '2025-01-01T00:00:10Z');
});

test('an image pull error is the waiting reason of a container that does not exist yet', () => {
  const s = generatePodStatus(input(pod(), [], { syncErrors: new Map([['a', { reason: 'ImagePullBackOff', message: 'Back-off pulling image "x"' }]]) }));
  assert.deepEqual(s.containerStatuses?.[0]?.state, { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "x"' } });
  assert.equal(s.phase, 'Pending');
});

test('a deleted pod whose containers were stopped is terminal whatever its restart policy (podIsTerminal)', () => {
  const killed = generatePodStatus(input(pod(), [ctr('a', 'exited', 0, 137)], { podIsTerminal: true }));
  assert.equal(killed.phase, 'Failed');
  assert.equal(killed.containerStatuses?.[0]?.state?.terminated?.exitCode, 137);
  assert.equal(generatePodStatus(input(pod(), [ctr('a', 'exited', 0, 0)], { podIsTerminal: true })).phase, 'Succeeded');
  assert.equal(generatePodStatus(input(pod(), [], { podIsTerminal: true })).phase, 'Failed', 'never started');
  assert.equal(generatePodStatus(input(pod(), [ctr('a', 'exited', 0, 137)])).phase, 'Running', 'without it, Always restarts');
});
