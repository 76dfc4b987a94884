// The cluster scope of the Docker runtime without Docker: which labels a kubelet writes on
// what it creates, which `label` filters its lists send, and which listed containers it owns.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { containerCreateBody, sandboxCreateBody } from './spec.js';
import { ownedBy, ownerFilters, ownerLabels, validClusterId } from './scope.js';
import { LABEL_CLUSTER_ID, LABEL_NODE_NAME, LABEL_POD_UID, type PodSandboxMetadata } from '../runtime.js';

const pod: PodSandboxMetadata = { name: 'web-0', namespace: 'default', uid: 'uid-1', attempt: 0 };
const sandboxLabels = { 'io.kubernetes.pod.name': 'web-0', 'io.kubernetes.pod.namespace': 'default', [LABEL_POD_UID]: 'uid-1' };
const labelsOf = (body: Record<string, unknown>) => body.Labels as Record<string, string>;

describe('create bodies carry the owner', () => {
  test('with a cluster id: sandbox and container get the node name and the cluster id', () => {
    const sb = sandboxCreateBody({ metadata: pod }, { nodeName: 'node-1', clusterId: 'a1b2c3', image: 'pause', networkName: 'tskube-pods' });
    const c = containerCreateBody({ metadata: { name: 'app', attempt: 0 }, image: 'busybox' }, { nodeName: 'node-1', clusterId: 'a1b2c3', sandboxId: 'sb', sandboxLabels });
    for (const body of [sb, c]) {
      assert.equal(labelsOf(body)[LABEL_NODE_NAME], 'node-1');
      assert.equal(labelsOf(body)[LABEL_CLUSTER_ID], 'a1b2c3');
    }
  });

  test("without one ('' or absent) no cluster label is written, as before", () => {
    const sb = sandboxCreateBody({ metadata: pod }, { nodeName: 'node-1', clusterId: '', image: 'pause', networkName: 'tskube-pods' });
    const c = containerCreateBody({ metadata: { name: 'app', attempt: 0 }, image: 'busybox' }, { nodeName: 'node-1', sandboxId: 'sb', sandboxLabels });
    for (const body of [sb, c]) {
      assert.equal(labelsOf(body)[LABEL_NODE_NAME], 'node-1');
      assert.equal(LABEL_CLUSTER_ID in labelsOf(body), false);
    }
  });

  test("a pod's own labels cannot claim another owner", () => {
    const spoof = { [LABEL_NODE_NAME]: 'node-2', [LABEL_CLUSTER_ID]: 'other' };
    const sb = sandboxCreateBody({ metadata: pod, labels: spoof }, { nodeName: 'node-1', clusterId: 'mine', image: 'pause', networkName: 'x' });
    const c = containerCreateBody({ metadata: { name: 'app', attempt: 0 }, image: 'busybox', labels: spoof }, { nodeName: 'node-1', clusterId: 'mine', sandboxId: 'sb', sandboxLabels });
    for (const body of [sb, c]) assert.deepEqual([labelsOf(body)[LABEL_NODE_NAME], labelsOf(body)[LABEL_CLUSTER_ID]], ['node-1', 'mine']);
  });
});

describe('owner labels and filters', () => {
  test('the Docker label filters name node and cluster (Docker ANDs them)', () => {
    assert.deepEqual(ownerFilters({ nodeName: 'node-1', clusterId: 'a1b2c3' }), ['io.tskube.node.name=node-1', 'io.tskube.cluster-id=a1b2c3']);
    assert.deepEqual(ownerFilters({ nodeName: 'node-1', clusterId: '' }), ['io.tskube.node.name=node-1']);
    assert.deepEqual(ownerFilters({ nodeName: 'node-1' }), ['io.tskube.node.name=node-1']);
    assert.deepEqual(ownerLabels({ nodeName: 'n', clusterId: 'c' }), { [LABEL_NODE_NAME]: 'n', [LABEL_CLUSTER_ID]: 'c' });
  });

  test('ownership: same node name in another cluster, or in none, is not ours', () => {
    const a = { nodeName: 'node-1', clusterId: 'aaa' };
    const legacy = { nodeName: 'node-1', clusterId: '' };
    const inA = { [LABEL_NODE_NAME]: 'node-1', [LABEL_CLUSTER_ID]: 'aaa' };
    const inB = { [LABEL_NODE_NAME]: 'node-1', [LABEL_CLUSTER_ID]: 'bbb' };
    const unscoped = { [LABEL_NODE_NAME]: 'node-1' };
    assert.equal(ownedBy(inA, a), true);
    assert.equal(ownedBy(inB, a), false);
    assert.equal(ownedBy(unscoped, a), false);
    assert.equal(ownedBy({ ...inA, [LABEL_NODE_NAME]: 'node-2' }, a), false);
    // A kubelet without an id owns only containers without one: it leaves scoped clusters alone.
    assert.equal(ownedBy(unscoped, legacy), true);
    assert.equal(ownedBy(inA, legacy), false);
    assert.equal(ownedBy(null, legacy), false);
  });

  test('cluster ids are label- and shell-safe tokens', () => {
    for (const ok of ['', 'a1b2c3d4e5f6', 'compose', 'ci_run.7-x']) assert.equal(validClusterId(ok), true, ok);
    for (const bad of ['-x', 'a b', 'a=b', "x'y", 'é', 'x'.repeat(64)]) assert.equal(validClusterId(bad), false, bad);
  });
});
