import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../types.js';
import { applyStrategicMergePatch, createThreeWayMergePatch } from './index.js';

function deployment(image: string, extra: { replicas?: number; ports?: unknown[]; labels?: Record<string, string> } = {}): KObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', labels: extra.labels ?? { app: 'web' } },
    spec: {
      ...(extra.replicas !== undefined ? { replicas: extra.replicas } : {}),
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'nginx', image, ...(extra.ports ? { ports: extra.ports } : {}) }] },
      },
    },
  };
}

/** What the apiserver stores: the applied object plus server-set fields. */
function live(applied: KObject): KObject {
  const obj = structuredClone(applied);
  obj.metadata = { ...obj.metadata, uid: 'u1', resourceVersion: '7', generation: 1, namespace: 'default' };
  const spec = obj.spec as any;
  spec.replicas ??= 1;
  spec.template.spec.restartPolicy = 'Always';
  spec.template.spec.containers[0].imagePullPolicy = 'IfNotPresent';
  obj.status = { replicas: 1, readyReplicas: 1 };
  return obj;
}

const threeWay = (original: KObject | undefined, modified: KObject, current: KObject) =>
  createThreeWayMergePatch(original, modified, current, 'apps/v1', 'Deployment');
const apply = (current: KObject, patch: unknown) => applyStrategicMergePatch(current, patch, 'apps/v1', 'Deployment');

describe('createThreeWayMergePatch (kubectl apply)', () => {
  test('unchanged file: empty patch, even with server-set fields on the live object', () => {
    const file = deployment('nginx:1.25');
    assert.deepEqual(threeWay(file, file, live(file)), {});
  });

  test('an image change sends $setElementOrder and the container by name, as on the wire', () => {
    const before = deployment('nginx:1.25');
    const after = deployment('nginx:1.26');
    const patch = threeWay(before, after, live(before));
    assert.deepEqual(patch, {
      spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'nginx' }], containers: [{ image: 'nginx:1.26', name: 'nginx' }] } } },
    });
    const container = (apply(live(before), patch).spec as any).template.spec.containers[0];
    assert.deepEqual(container, { name: 'nginx', image: 'nginx:1.26', imagePullPolicy: 'IfNotPresent' });
  });

  test('a field removed from the file is deleted', () => {
    const before = deployment('nginx', { replicas: 3, labels: { app: 'web', tier: 'front' } });
    const after = deployment('nginx', { labels: { app: 'web' } });
    const current = live(before);
    const patch = threeWay(before, after, current);
    assert.deepEqual(patch, { metadata: { labels: { tier: null } }, spec: { replicas: null } });
    const result = apply(current, patch);
    assert.deepEqual(result.metadata!.labels, { app: 'web' });
    assert.equal(Object.hasOwn(result.spec as object, 'replicas'), false);
  });

  test('fields added by someone else are kept', () => {
    const file = deployment('nginx');
    const current = live(file);
    current.metadata!.annotations = { 'deployment.kubernetes.io/revision': '1' };
    (current.spec as any).template.spec.containers.push({ name: 'injected-sidecar', image: 'envoy' });
    const changed = deployment('nginx:2');
    const patch = threeWay(file, changed, current);
    const result = apply(current, patch);
    assert.deepEqual(result.metadata!.annotations, { 'deployment.kubernetes.io/revision': '1' });
    assert.deepEqual((result.spec as any).template.spec.containers.map((c: { name: string; image: string }) => `${c.name}=${c.image}`), [
      'nginx=nginx:2',
      'injected-sidecar=envoy',
    ]);
  });

  test('a list item removed from the file becomes a `$patch: delete` item', () => {
    const before = deployment('nginx', { ports: [{ containerPort: 80 }, { containerPort: 443 }] });
    const after = deployment('nginx', { ports: [{ containerPort: 443 }] });
    const current = live(before);
    const patch = threeWay(before, after, current);
    assert.deepEqual(patch, {
      spec: {
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'nginx' }],
            containers: [{ '$setElementOrder/ports': [{ containerPort: 443 }], name: 'nginx', ports: [{ $patch: 'delete', containerPort: 80 }] }],
          },
        },
      },
    });
    assert.deepEqual((apply(current, patch).spec as any).template.spec.containers[0].ports, [{ containerPort: 443 }]);
  });

  test('added and reordered list items', () => {
    const before = deployment('nginx');
    const after = deployment('nginx');
    (after.spec as any).template.spec.containers.unshift({ name: 'init-ish', image: 'busybox' });
    const current = live(before);
    const patch = threeWay(before, after, current);
    const names = (apply(current, patch).spec as any).template.spec.containers.map((c: { name: string }) => c.name);
    assert.deepEqual(names, ['init-ish', 'nginx']);
  });

  test('primitive merge lists use $deleteFromPrimitiveList', () => {
    const mk = (finalizers: string[]): KObject => ({ ...deployment('nginx'), metadata: { name: 'web', finalizers } });
    const current = live(mk(['a', 'b']));
    current.metadata!.finalizers = ['a', 'b', 'other'];
    const patch = threeWay(mk(['a', 'b']), mk(['b', 'c']), current);
    assert.deepEqual(patch.metadata, {
      '$deleteFromPrimitiveList/finalizers': ['a'],
      '$setElementOrder/finalizers': ['b', 'c'],
      finalizers: ['c'],
    });
    assert.deepEqual(apply(current, patch).metadata!.finalizers, ['b', 'c', 'other']);
  });

  test('first apply (no last-applied): only what differs from the live object, nothing deleted', () => {
    const file = deployment('nginx', { replicas: 2 });
    const current = live(deployment('nginx', { replicas: 5, labels: { app: 'web', extra: 'x' } }));
    const patch = threeWay(undefined, file, current);
    assert.deepEqual(patch, { spec: { replicas: 2 } });
  });

  test('a change to a retainKeys struct carries $retainKeys', () => {
    const before = { ...deployment('nginx'), spec: { ...(deployment('nginx').spec as object), strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } } } };
    const after = { ...deployment('nginx'), spec: { ...(deployment('nginx').spec as object), strategy: { type: 'Recreate' } } };
    const current = live(before);
    const patch = threeWay(before, after, current);
    assert.deepEqual(patch, { spec: { strategy: { $retainKeys: ['type'], rollingUpdate: null, type: 'Recreate' } } });
    assert.deepEqual((apply(current, patch).spec as Record<string, unknown>).strategy, { type: 'Recreate' });
  });
});
