import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SchedulerCache } from './cache.js';
import { makeNode, makePod } from './testing/fixtures.js';

test('assumed pods count against their node until confirmed, forgotten or expired', () => {
  let now = 0;
  const cache = new SchedulerCache({ assumedPodTtlMs: 30_000, now: () => now });
  cache.addNode(makeNode({ name: 'n1' }));
  const pod = makePod({ cpu: '1' });
  cache.assumePod(pod, 'n1');
  assert.equal(cache.get('n1')?.requested.milliCPU, 1000);
  assert.equal(cache.isAssumed(pod.uid), true);
  assert.throws(() => cache.assumePod(pod, 'n1'), /already in the cache/);

  // Binding failed: forget frees the node.
  cache.forgetPod(pod.uid);
  assert.equal(cache.get('n1')?.requested.milliCPU, 0);

  // Binding succeeded and the informer confirms: no longer assumed, never expires.
  cache.assumePod(pod, 'n1');
  cache.finishBinding(pod.uid);
  cache.addPod(pod, 'n1');
  assert.equal(cache.isAssumed(pod.uid), false);
  now += 60_000;
  assert.deepEqual(cache.cleanupExpiredAssumedPods(), []);
  assert.equal(cache.get('n1')?.requested.milliCPU, 1000);

  // Binding finished but never confirmed: expires after the TTL (not before binding finished).
  const lost = makePod({ cpu: '2' });
  cache.assumePod(lost, 'n1');
  now += 60_000;
  assert.deepEqual(cache.cleanupExpiredAssumedPods(), [], 'no expiry while the binding call is in flight');
  cache.finishBinding(lost.uid);
  now += 29_999;
  assert.deepEqual(cache.cleanupExpiredAssumedPods(), []);
  now += 1;
  assert.deepEqual(cache.cleanupExpiredAssumedPods(), [lost.key]);
  assert.equal(cache.get('n1')?.requested.milliCPU, 1000);
});

test('a pod confirmed on another node than assumed moves there', () => {
  const cache = new SchedulerCache();
  cache.addNode(makeNode({ name: 'a' }));
  cache.addNode(makeNode({ name: 'b' }));
  const pod = makePod({ cpu: '1' });
  cache.assumePod(pod, 'a');
  cache.addPod(pod, 'b');
  assert.equal(cache.get('a')?.pods.size, 0);
  assert.equal(cache.get('b')?.pods.size, 1);
});

test('nodes: update keeps pods, delete leaves a ghost until its pods are gone, pods may arrive before their node', () => {
  const cache = new SchedulerCache();
  const early = makePod();
  cache.addPod(early, 'late-node');
  assert.deepEqual(cache.list().map((n) => n.name), [], 'a node known only from its pods is not schedulable');
  cache.addNode(makeNode({ name: 'late-node', cpu: '2' }));
  assert.equal(cache.get('late-node')?.pods.size, 1);
  cache.updateNode(makeNode({ name: 'late-node', cpu: '8' }));
  assert.equal(cache.get('late-node')?.allocatable.milliCPU, 8000);
  assert.equal(cache.get('late-node')?.pods.size, 1);
  cache.removeNode('late-node');
  assert.deepEqual(cache.list(), []);
  assert.ok(cache.get('late-node'), 'ghost kept while a pod is on it');
  cache.removePod(early.uid);
  assert.equal(cache.get('late-node'), undefined);
});

test('selector counts are memoised and follow pod adds and removes', () => {
  const cache = new SchedulerCache();
  cache.addNode(makeNode({ name: 'a' }));
  const web = makePod({ labels: { app: 'web' } });
  cache.addPod(web, 'a');
  cache.addPod(makePod({ labels: { app: 'db' } }), 'a');
  const sel = { matches: (l: Record<string, string> | undefined) => l?.app === 'web', toString: () => 'app=web' };
  const counts = cache.countMatching('default', sel);
  assert.equal(counts.get('a'), 1);
  cache.addPod(makePod({ labels: { app: 'web' } }), 'a');
  assert.equal(counts.get('a'), 2);
  cache.removePod(web.uid);
  assert.equal(cache.countMatching('default', sel).get('a'), 1);
  assert.equal(cache.countMatching('other-namespace', sel).get('a'), undefined);
});
