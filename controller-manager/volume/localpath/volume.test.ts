import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Node, PersistentVolumeClaim } from 'kubernetes-types/core/v1';
import { unsafePathReason, volumePath } from './path.js';
import { helperPod } from './helper-pod.js';
import { localPathStorageClass } from './storage-class.js';
import { pickNode, provisionTarget, provisionedVolume, shouldDelete, unsupportedAccessModes, volumeNode } from './volume.js';

const ROOT = '/var/lib/tskube-local-path';

describe('local-path volume directory safety', () => {
  test('k3s naming: <root>/<pv>_<ns>_<pvc>', () => {
    assert.equal(volumePath(ROOT, 'pvc-1', 'default', 'data'), `${ROOT}/pvc-1_default_data`);
  });
  test('only paths strictly inside the root may be removed', () => {
    assert.equal(unsafePathReason(ROOT, `${ROOT}/pvc-1_default_data`), undefined);
    assert.equal(unsafePathReason(`${ROOT}/`, `${ROOT}/pvc-1_default_data`), undefined);
    assert.equal(unsafePathReason(ROOT, `${ROOT}/a/b`), undefined);
    for (const bad of [ROOT, `${ROOT}/`, `${ROOT}/..`, `${ROOT}/../etc`, `${ROOT}/x/../../etc`, `${ROOT}/./x`, '/etc', '/', `${ROOT}-other/x`, 'relative/x', '', `${ROOT}/x\0y`])
      assert.ok(unsafePathReason(ROOT, bad), `must refuse ${JSON.stringify(bad)}`);
    assert.ok(unsafePathReason(ROOT, undefined));
  });
  test('the helper pod passes the path in the environment, never in the script', () => {
    const p = helperPod({ action: 'delete', pvName: 'pvc-1', owner: 'pvc-1', node: 'n1', root: ROOT, path: `${ROOT}/x"; rm -rf / #`, image: 'busybox:1.35' });
    const c = p.spec!.containers[0]!;
    assert.deepEqual(c.command, ['/bin/sh', '-c', 'set -eu; rm -rf "$VOL_DIR"']);
    assert.deepEqual(c.env, [{ name: 'VOL_DIR', value: `${ROOT}/x"; rm -rf / #` }]);
    assert.equal(p.spec?.nodeName, 'n1');
    assert.deepEqual(p.spec?.volumes, [{ name: 'helper-data-volume', hostPath: { path: ROOT, type: 'DirectoryOrCreate' } }]);
    assert.equal(p.metadata?.name, 'helper-pod-delete-pvc-1');
  });
});

const claim = (annotations: Record<string, string>, extra: Partial<PersistentVolumeClaim['spec']> = {}): PersistentVolumeClaim => ({
  metadata: { name: 'data', namespace: 'default', uid: 'u1', resourceVersion: '3', annotations },
  spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'local-path', resources: { requests: { storage: '1Gi' } }, ...extra },
});
const node = (name: string, ready: boolean, unschedulable = false): Node => ({
  metadata: { name },
  spec: { unschedulable },
  status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});

describe('local-path provisioning decisions', () => {
  const wffc = localPathStorageClass();
  const immediate = { ...wffc, volumeBindingMode: 'Immediate' };
  const asked = { 'volume.kubernetes.io/storage-provisioner': 'tskube.io/local-path' };
  test('only claims annotated for this provisioner; WFFC waits for the selected node', () => {
    assert.equal(provisionTarget(claim({}), wffc), undefined);
    assert.equal(provisionTarget(claim({ 'volume.kubernetes.io/storage-provisioner': 'other' }), wffc), undefined);
    assert.equal(provisionTarget(claim(asked), wffc), 'wait');
    assert.deepEqual(provisionTarget(claim({ ...asked, 'volume.kubernetes.io/selected-node': 'n2' }), wffc), { node: 'n2' });
    assert.deepEqual(provisionTarget(claim(asked), immediate), {});
    assert.equal(provisionTarget(claim(asked, { volumeName: 'x' }), immediate), undefined);
    assert.deepEqual(provisionTarget(claim({ 'volume.beta.kubernetes.io/storage-provisioner': 'tskube.io/local-path' }), immediate), {});
  });
  test('Immediate: a Ready, schedulable node', () => {
    assert.equal(pickNode([node('a', false), node('b', true), node('c', true, true)], 'u1'), 'b');
    assert.equal(pickNode([node('a', false)], 'u1'), undefined);
  });
  test('shared access modes are refused as k3s does', () => {
    assert.ok(unsupportedAccessModes(claim(asked, { accessModes: ['ReadWriteMany'] })));
    assert.equal(unsupportedAccessModes(claim(asked)), undefined);
  });
  test('the provisioned PV: path, node affinity, capacity, class, claimRef, policy', () => {
    const v = provisionedVolume(claim(asked), wffc, 'n1', `${ROOT}/pvc-u1_default_data`);
    assert.equal(v.metadata?.name, 'pvc-u1');
    assert.equal(v.metadata?.annotations?.['pv.kubernetes.io/provisioned-by'], 'tskube.io/local-path');
    assert.deepEqual(v.spec?.local, { path: `${ROOT}/pvc-u1_default_data` });
    assert.deepEqual(v.spec?.capacity, { storage: '1Gi' });
    assert.equal(v.spec?.persistentVolumeReclaimPolicy, 'Delete');
    assert.equal(v.spec?.storageClassName, 'local-path');
    assert.equal(v.spec?.volumeMode, 'Filesystem');
    assert.deepEqual(v.spec?.claimRef, { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: 'default', name: 'data', uid: 'u1', resourceVersion: '3' });
    assert.equal(volumeNode(v), 'n1');
    assert.equal(shouldDelete(v), false);
    assert.equal(shouldDelete({ ...v, status: { phase: 'Released' } }), true);
    assert.equal(shouldDelete({ ...v, spec: { ...v.spec, persistentVolumeReclaimPolicy: 'Retain' }, status: { phase: 'Released' } }), false);
  });
});
