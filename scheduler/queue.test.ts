import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ActionType, type ClusterEvent } from './framework/interface.js';
import { SchedulingQueue } from './queue.js';
import { makePod } from './testing/fixtures.js';

const nodeAdd: ClusterEvent = { resource: 'Node', action: ActionType.Add, label: 'NodeAdd' };
const podDelete: ClusterEvent = { resource: 'AssignedPod', action: ActionType.Delete, label: 'AssignedPodDelete' };

function fakeClock() {
  let t = 1_000_000;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

test('activeQ pops the highest priority first, then the oldest', async () => {
  const clock = fakeClock();
  const q = new SchedulingQueue({ now: clock.now });
  const low = makePod({ priority: 0 });
  q.add(low, 'default-scheduler');
  clock.advance(1);
  const high = makePod({ priority: 10 });
  q.add(high, 'default-scheduler');
  clock.advance(1);
  const low2 = makePod({ priority: 0 });
  q.add(low2, 'default-scheduler');
  assert.deepEqual([(await q.pop())?.podInfo.uid, (await q.pop())?.podInfo.uid, (await q.pop())?.podInfo.uid], [high.uid, low.uid, low2.uid]);
});

test('backoff doubles per attempt from the initial value to the cap', () => {
  const q = new SchedulingQueue({ initialBackoffMs: 1000, maxBackoffMs: 10_000 });
  const qp = { podInfo: makePod(), timestamp: 0, initialAttemptTimestamp: 0, attempts: 1, unschedulablePlugins: new Set<string>(), profile: 'p' };
  const durations = [1, 2, 3, 4, 5, 6].map((attempts) => q.backoffDuration({ ...qp, attempts }));
  assert.deepEqual(durations, [1000, 2000, 4000, 8000, 10_000, 10_000]);
});

test('an unschedulable pod waits for an event its plugins care about, then for its backoff', async () => {
  const clock = fakeClock();
  const interested = new Set(['NodeResourcesFit']);
  const q = new SchedulingQueue({
    now: clock.now,
    initialBackoffMs: 1000,
    // NodeResourcesFit cares about nodes added, not about anything else here.
    mayHelp: (_profile, rejectedBy, event) => [...rejectedBy].some((p) => interested.has(p)) && event.resource === 'Node',
  });
  const pod = makePod();
  q.add(pod, 'default-scheduler');
  const qp = (await q.pop())!;
  qp.unschedulablePlugins = new Set(['NodeResourcesFit']);
  q.addUnschedulableIfNotPresent(qp, q.schedulingCycle);
  assert.equal(q.whereIs(pod.uid), 'unschedulable');
  // An unrelated event does not move it: no busy retry loop.
  q.moveAllToActiveOrBackoffQueue(podDelete);
  assert.equal(q.whereIs(pod.uid), 'unschedulable');
  // A node added might help: it goes to backoffQ (1 s after its failure), then activeQ.
  q.moveAllToActiveOrBackoffQueue(nodeAdd);
  assert.equal(q.whereIs(pod.uid), 'backoff');
  clock.advance(999);
  q.flushBackoffQCompleted();
  assert.equal(q.whereIs(pod.uid), 'backoff');
  clock.advance(1);
  q.flushBackoffQCompleted();
  assert.equal(q.whereIs(pod.uid), 'active');
  // After the backoff has passed, a move goes straight to activeQ.
  const again = (await q.pop())!;
  q.addUnschedulableIfNotPresent(again, q.schedulingCycle);
  clock.advance(5000);
  q.moveAllToActiveOrBackoffQueue(nodeAdd);
  assert.equal(q.whereIs(pod.uid), 'active');
});

test('an event during the attempt sends the failed pod to backoffQ, not unschedulable', async () => {
  const q = new SchedulingQueue({ mayHelp: () => false });
  const pod = makePod();
  q.add(pod, 'p');
  const qp = (await q.pop())!;
  const cycle = q.schedulingCycle;
  q.moveAllToActiveOrBackoffQueue(nodeAdd);
  qp.unschedulablePlugins = new Set(['X']);
  q.addUnschedulableIfNotPresent(qp, cycle);
  assert.equal(q.whereIs(pod.uid), 'backoff');
});

test('errors (no rejecting plugin) back off; pods stuck unschedulable are retried after the timeout', async () => {
  const clock = fakeClock();
  const q = new SchedulingQueue({ now: clock.now, maxInUnschedulableMs: 60_000 });
  const a = makePod();
  const b = makePod();
  q.add(a, 'p');
  q.add(b, 'p');
  const qa = (await q.pop())!;
  const qb = (await q.pop())!;
  q.addUnschedulableIfNotPresent(qa, q.schedulingCycle);
  assert.equal(q.whereIs(a.uid), 'backoff');
  clock.advance(1);
  qb.unschedulablePlugins = new Set(['X']);
  q.addUnschedulableIfNotPresent(qb, q.schedulingCycle);
  assert.equal(q.whereIs(b.uid), 'unschedulable');
  clock.advance(60_000);
  q.flushUnschedulableLeftover();
  assert.equal(q.whereIs(b.uid), 'active');
});

test('updates: a spec change retries an unschedulable pod, a status-only change does not; deletes remove', async () => {
  const q = new SchedulingQueue({ initialBackoffMs: 0 });
  const pod = makePod({ name: 'p' });
  q.add(pod, 'p');
  const qp = (await q.pop())!;
  qp.unschedulablePlugins = new Set(['X']);
  q.addUnschedulableIfNotPresent(qp, q.schedulingCycle);
  const statusOnly = { ...pod, pod: { ...pod.pod, status: { conditions: [{ type: 'PodScheduled', status: 'False' }] } } };
  q.update(statusOnly);
  assert.equal(q.whereIs(pod.uid), 'unschedulable');
  const relabelled = { ...pod, pod: { ...pod.pod, metadata: { ...pod.pod.metadata, labels: { a: 'b' } } } };
  q.update(relabelled);
  assert.equal(q.whereIs(pod.uid), 'active');
  q.delete(pod.uid);
  assert.equal(q.whereIs(pod.uid), undefined);
});

test('gated pods wait until their scheduling gates are removed', () => {
  const q = new SchedulingQueue();
  const gated = makePod({ spec: { schedulingGates: [{ name: 'wait' }] } });
  q.add(gated, 'p');
  assert.equal(q.whereIs(gated.uid), 'gated');
  q.update({ ...gated, pod: { ...gated.pod, spec: { ...gated.pod.spec!, schedulingGates: [] } } });
  assert.equal(q.whereIs(gated.uid), 'active');
});

test('pop waits for a pod, and gives up when its signal aborts', async () => {
  const q = new SchedulingQueue();
  const waiting = q.pop();
  const pod = makePod();
  q.add(pod, 'p');
  assert.equal((await waiting)?.podInfo.uid, pod.uid);
  const ac = new AbortController();
  const abandoned = q.pop(ac.signal);
  ac.abort();
  assert.equal(await abandoned, undefined);
  // The abandoned waiter must not swallow the next pod.
  const next = makePod();
  q.add(next, 'p');
  assert.equal(q.whereIs(next.uid), 'active');
});
