import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Container as ApiContainer, Pod } from 'kubernetes-types/core/v1';
import type { ContainerStatus } from '../runtime/runtime.js';
import type { RuntimePodState } from '../runtime/state.js';
import { computePodActions } from './actions.js';
import { containerHash, LABEL_CONTAINER_HASH } from './container-config.js';

const app = (name: string): ApiContainer => ({ name, image: 'busybox:1.35' });
const pod = (extra: Partial<NonNullable<Pod['spec']>> = {}): Pod => ({
  metadata: { name: 'p', namespace: 'default', uid: 'u' },
  spec: { restartPolicy: 'Always', containers: [app('a')], ...extra },
});

let seq = 0;
function ctr(name: string, state: ContainerStatus['state'], attempt = 0, exitCode = 0, spec?: ApiContainer): ContainerStatus {
  seq++;
  return {
    id: `c${seq}`,
    podSandboxId: 's1',
    metadata: { name, attempt },
    image: 'busybox:1.35',
    imageRef: 'docker://sha256:x',
    state,
    createdAt: new Date(seq * 1000),
    labels: spec ? { [LABEL_CONTAINER_HASH]: containerHash(spec) } : {},
    annotations: {},
    exitCode,
    reason: state === 'exited' ? (exitCode === 0 ? 'Completed' : 'Error') : '',
    message: '',
    pid: 0,
    ...(state === 'exited' ? { startedAt: new Date(0), finishedAt: new Date(1000) } : {}),
  };
}
const ready = { id: 's1', attempt: 0, ready: true, ip: '10.0.0.2', createdAt: new Date(0) };
const healthy = { livenessFailed: () => false, startupFailed: () => false };
const state = (containers: ContainerStatus[], sandboxes = [ready]): RuntimePodState => ({ sandboxes, containers });

test('a new pod gets a sandbox and all its app containers', () => {
  const a = computePodActions(pod({ containers: [app('a'), app('b')] }), state([], []), healthy);
  assert.equal(a.createSandbox, true);
  assert.equal(a.killPod, false);
  assert.equal(a.sandboxAttempt, 0);
  assert.deepEqual(a.containersToStart.map((s) => [s.container.name, s.attempt]), [['a', 0], ['b', 0]]);
});

test('init containers run one at a time, in order, before app containers', () => {
  const p = pod({ initContainers: [app('i1'), app('i2')] });
  assert.equal(computePodActions(p, state([], []), healthy).initToStart?.container.name, 'i1');
  assert.equal(computePodActions(p, state([ctr('i1', 'running')]), healthy).initToStart, undefined, 'wait for the running one');
  assert.equal(computePodActions(p, state([ctr('i1', 'exited')]), healthy).initToStart?.container.name, 'i2');
  const done = computePodActions(p, state([ctr('i1', 'exited'), ctr('i2', 'exited')]), healthy);
  assert.deepEqual(done.containersToStart.map((s) => s.container.name), ['a']);
});

test('a failed init container is retried, or fails the pod under restartPolicy Never', () => {
  const failed = [ctr('i1', 'exited', 0, 1)];
  const retry = computePodActions(pod({ initContainers: [app('i1')] }), state(failed), healthy);
  assert.equal(retry.initToStart?.attempt, 1);
  assert.equal(retry.initToStart?.previous?.id, failed[0].id, 'restart is subject to backoff');
  const never = computePodActions(pod({ restartPolicy: 'Never', initContainers: [app('i1')] }), state(failed), healthy);
  assert.equal(never.initFailed, true);
  assert.equal(never.killPod, true);
});

test('restartPolicy decides which exited containers start again', () => {
  const ok = ctr('a', 'exited', 2, 0);
  const bad = ctr('a', 'exited', 2, 1);
  assert.equal(computePodActions(pod(), state([ok]), healthy).containersToStart[0]?.attempt, 3, 'Always restarts even after success');
  assert.equal(computePodActions(pod({ restartPolicy: 'OnFailure' }), state([ok]), healthy).containersToStart.length, 0);
  assert.equal(computePodActions(pod({ restartPolicy: 'OnFailure' }), state([bad]), healthy).containersToStart.length, 1);
  const never = computePodActions(pod({ restartPolicy: 'Never' }), state([bad]), healthy);
  assert.equal(never.containersToStart.length, 0);
  assert.equal(never.killPod, true, 'nothing left to run: the sandbox stops');
});

test('a running container is killed when its liveness probe failed or its spec changed', () => {
  const spec = app('a');
  const running = ctr('a', 'running', 0, 0, spec);
  const live = computePodActions(pod(), state([running]), { livenessFailed: (id) => id === running.id, startupFailed: () => false });
  assert.deepEqual(live.containersToKill.map((k) => [k.id, k.probe]), [[running.id, 'liveness']]);
  assert.equal(live.killPod, false, 'it will restart, so the pod stays');
  const changed = computePodActions(pod({ containers: [{ ...spec, image: 'busybox:1.36' }] }), state([running]), healthy);
  assert.match(changed.containersToKill[0]?.message ?? '', /definition changed/);
  assert.equal(computePodActions(pod(), state([running]), healthy).containersToKill.length, 0);
});

test('a dead sandbox is replaced (and everything restarted), except for a finished Never pod', () => {
  const dead = { ...ready, ready: false };
  const a = computePodActions(pod(), state([ctr('a', 'running')], [dead]), healthy);
  assert.equal(a.createSandbox, true);
  assert.equal(a.killPod, true);
  assert.equal(a.sandboxAttempt, 1);
  assert.equal(a.containersToStart[0]?.attempt, 1);
  const n = computePodActions(pod({ restartPolicy: 'Never' }), state([ctr('a', 'exited', 0, 0)], [dead]), healthy);
  assert.equal(n.createSandbox, false);
});

test('a created but never started container is replaced', () => {
  const created = ctr('a', 'created');
  const a = computePodActions(pod(), state([created]), healthy);
  assert.deepEqual(a.containersToKill.map((k) => k.id), [created.id]);
  assert.equal(a.containersToStart[0]?.attempt, 1);
});
