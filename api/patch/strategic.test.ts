import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../status.js';
import type { KObject } from '../types.js';
import { applyStrategicMergePatch } from './index.js';

// The Deployment from "Update API Objects in Place Using kubectl patch".
function patchDemo(): KObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'patch-demo', labels: { app: 'nginx' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'nginx' } },
      template: {
        metadata: { labels: { app: 'nginx' } },
        spec: {
          containers: [{ name: 'patch-demo-ctr', image: 'nginx' }],
          tolerations: [{ effect: 'NoSchedule', key: 'dedicated', value: 'test-team' }],
        },
      },
    },
  };
}

const smp = (obj: KObject, patch: unknown): KObject => applyStrategicMergePatch(obj, patch, obj.apiVersion!, obj.kind!);
const podSpec = (d: KObject): any => (d.spec as any).template.spec;

function rejects(fn: () => unknown, code: number, message: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof StatusError && e.code === code && message.test(e.message));
}

describe('strategic merge patch: the kubectl patch task', () => {
  test('containers merge by name: the new container is added next to the old one', () => {
    const out = smp(patchDemo(), { spec: { template: { spec: { containers: [{ name: 'patch-demo-ctr-2', image: 'redis' }] } } } });
    // Items only in the patch come before server-only items, as the task's output shows.
    assert.deepEqual(podSpec(out).containers, [
      { name: 'patch-demo-ctr-2', image: 'redis' },
      { name: 'patch-demo-ctr', image: 'nginx' },
    ]);
  });

  test('tolerations have no merge key: the list is replaced', () => {
    const tol = [{ effect: 'NoSchedule', key: 'disktype', value: 'ssd' }];
    const out = smp(patchDemo(), { spec: { template: { spec: { tolerations: tol } } } });
    assert.deepEqual(podSpec(out).tolerations, tol);
    assert.equal(podSpec(out).containers.length, 1);
  });

  test('$retainKeys clears the strategy fields it does not list', () => {
    const d = patchDemo();
    (d.spec as Record<string, unknown>).strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } };
    const merged = smp(d, { spec: { strategy: { type: 'Recreate' } } });
    assert.deepEqual((merged.spec as Record<string, unknown>).strategy, {
      type: 'Recreate',
      rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' },
    });
    const retained = smp(d, { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } });
    assert.deepEqual((retained.spec as Record<string, unknown>).strategy, { type: 'Recreate' });
  });

  test('a container image change by name keeps the other fields', () => {
    const d = patchDemo();
    podSpec(d).containers[0].ports = [{ containerPort: 80 }];
    const out = smp(d, { spec: { template: { spec: { containers: [{ name: 'patch-demo-ctr', image: 'nginx:1.26' }] } } } });
    assert.deepEqual(podSpec(out).containers, [{ name: 'patch-demo-ctr', image: 'nginx:1.26', ports: [{ containerPort: 80 }] }]);
  });

  test('the input objects are not mutated', () => {
    const d = patchDemo();
    const patch = { spec: { replicas: 5, template: { spec: { containers: [{ name: 'x', image: 'y' }] } } } };
    const before = structuredClone(d);
    const patchBefore = structuredClone(patch);
    smp(d, patch);
    assert.deepEqual(d, before);
    assert.deepEqual(patch, patchBefore);
  });
});

describe('strategic merge patch: what kubectl apply sends', () => {
  test('$setElementOrder with an image change', () => {
    const d = patchDemo();
    podSpec(d).containers = [{ name: 'nginx', image: 'nginx:1.25', ports: [{ containerPort: 80 }] }];
    const out = smp(d, {
      spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'nginx' }], containers: [{ image: 'nginx:1.26', name: 'nginx' }] } } },
    });
    assert.deepEqual(podSpec(out).containers, [{ name: 'nginx', image: 'nginx:1.26', ports: [{ containerPort: 80 }] }]);
    assert.equal(Object.keys(podSpec(out)).some((k) => k.startsWith('$')), false);
  });

  test('$setElementOrder reorders and keeps server-only items in place', () => {
    const d = patchDemo();
    podSpec(d).containers = [
      { name: 'a', image: 'a' },
      { name: 'sidecar', image: 's' },
      { name: 'b', image: 'b' },
    ];
    const out = smp(d, { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'b' }, { name: 'a' }] } } } });
    assert.deepEqual(
      podSpec(out).containers.map((c: { name: string }) => c.name),
      // sidecar stays ahead of b, as it was in the live list; b and a follow the directive.
      ['sidecar', 'b', 'a'],
    );
  });

  test('ports merge by containerPort and `$patch: delete` removes one', () => {
    const d = patchDemo();
    podSpec(d).containers = [{ name: 'nginx', image: 'nginx', ports: [{ containerPort: 80 }, { containerPort: 443 }] }];
    const out = smp(d, {
      spec: {
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'nginx' }],
            containers: [
              {
                name: 'nginx',
                '$setElementOrder/ports': [{ containerPort: 8080 }, { containerPort: 443 }],
                ports: [{ containerPort: 8080 }, { $patch: 'delete', containerPort: 80 }],
              },
            ],
          },
        },
      },
    });
    assert.deepEqual(podSpec(out).containers[0].ports, [{ containerPort: 8080 }, { containerPort: 443 }]);
  });

  test('null deletes a field; nulls that match nothing are dropped', () => {
    const d = patchDemo();
    d.metadata!.annotations = { a: '1', b: '2' };
    const out = smp(d, { metadata: { annotations: { a: null, c: '3', d: null } }, spec: { replicas: null } });
    assert.deepEqual(out.metadata!.annotations, { b: '2', c: '3' });
    assert.equal(Object.hasOwn(out.spec as object, 'replicas'), false);
  });

  test('cordon and uncordon', () => {
    const node: KObject = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, spec: { podCIDR: '10.244.0.0/24' } };
    const cordoned = smp(node, { spec: { unschedulable: true } });
    assert.deepEqual(cordoned.spec, { podCIDR: '10.244.0.0/24', unschedulable: true });
    assert.deepEqual(smp(cordoned, { spec: { unschedulable: null } }).spec, { podCIDR: '10.244.0.0/24' });
  });

  test('rollout restart adds a template annotation', () => {
    const out = smp(patchDemo(), {
      spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2024-01-01T00:00:00Z' } } } },
    });
    assert.deepEqual((out.spec as any).template.metadata, {
      labels: { app: 'nginx' },
      annotations: { 'kubectl.kubernetes.io/restartedAt': '2024-01-01T00:00:00Z' },
    });
  });
});

describe('strategic merge patch: directives and merge keys', () => {
  test('`$patch: replace` in a list replaces it, in a map replaces the map', () => {
    const d = patchDemo();
    const list = smp(d, { spec: { template: { spec: { containers: [{ name: 'only', image: 'x' }, { $patch: 'replace' }] } } } });
    assert.deepEqual(podSpec(list).containers, [{ name: 'only', image: 'x' }]);
    const map = smp(d, { spec: { template: { metadata: { $patch: 'replace', labels: { new: 'yes' } } } } });
    assert.deepEqual((map.spec as any).template.metadata, { labels: { new: 'yes' } });
  });

  test('`$patch: delete` on a map empties it', () => {
    const out = smp(patchDemo(), { spec: { selector: { $patch: 'delete' } } });
    assert.deepEqual((out.spec as Record<string, unknown>).selector, {});
  });

  test('finalizers merge as a set; $deleteFromPrimitiveList removes', () => {
    const d = patchDemo();
    d.metadata!.finalizers = ['a', 'b'];
    assert.deepEqual(smp(d, { metadata: { finalizers: ['b', 'c'] } }).metadata!.finalizers, ['a', 'b', 'c']);
    assert.deepEqual(smp(d, { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } }).metadata!.finalizers, ['b']);
    const ordered = smp(d, { metadata: { '$setElementOrder/finalizers': ['c', 'b', 'a'], finalizers: ['c'] } });
    assert.deepEqual(ordered.metadata!.finalizers, ['c', 'b', 'a']);
  });

  test('service ports merge by port, node conditions and addresses by type', () => {
    const svc: KObject = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 's' },
      spec: { ports: [{ port: 80, targetPort: 8080 }, { port: 443 }] },
    };
    const out = smp(svc, { spec: { ports: [{ port: 80, targetPort: 9090 }] } });
    assert.deepEqual((out.spec as Record<string, unknown>).ports, [{ port: 80, targetPort: 9090 }, { port: 443 }]);

    const node: KObject = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'n' },
      status: {
        conditions: [{ type: 'Ready', status: 'False' }, { type: 'MemoryPressure', status: 'False' }],
        addresses: [{ type: 'InternalIP', address: '10.0.0.1' }],
      },
    };
    const n = smp(node, { status: { conditions: [{ type: 'Ready', status: 'True' }], addresses: [{ type: 'Hostname', address: 'n' }] } });
    assert.deepEqual(n.status, {
      conditions: [{ type: 'Ready', status: 'True' }, { type: 'MemoryPressure', status: 'False' }],
      addresses: [{ type: 'Hostname', address: 'n' }, { type: 'InternalIP', address: '10.0.0.1' }],
    });
  });

  test('env, volumeMounts, volumes and ownerReferences merge by their keys', () => {
    const pod: KObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', ownerReferences: [{ apiVersion: 'v1', kind: 'X', name: 'x', uid: 'u1' }] },
      spec: {
        containers: [{ name: 'c', env: [{ name: 'A', value: '1' }], volumeMounts: [{ name: 'v', mountPath: '/a' }] }],
        volumes: [{ name: 'v', emptyDir: {} }],
      },
    };
    const out = smp(pod, {
      metadata: { ownerReferences: [{ apiVersion: 'v1', kind: 'Y', name: 'y', uid: 'u2' }] },
      spec: {
        containers: [{ name: 'c', env: [{ name: 'B', value: '2' }], volumeMounts: [{ name: 'w', mountPath: '/b' }] }],
        volumes: [{ name: 'w', configMap: { name: 'cm' } }],
      },
    });
    assert.deepEqual(
      out.metadata!.ownerReferences!.map((r) => r.uid),
      ['u2', 'u1'],
    );
    const spec = out.spec as any;
    assert.deepEqual(spec.containers[0].env, [{ name: 'B', value: '2' }, { name: 'A', value: '1' }]);
    assert.deepEqual(spec.containers[0].volumeMounts.map((m: { mountPath: string }) => m.mountPath), ['/b', '/a']);
    assert.deepEqual(spec.volumes.map((v: { name: string }) => v.name), ['w', 'v']);
  });

  test('a volume changes source with $retainKeys', () => {
    const pod: KObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { volumes: [{ name: 'v', emptyDir: {} }] } };
    const out = smp(pod, { spec: { volumes: [{ name: 'v', $retainKeys: ['configMap', 'name'], configMap: { name: 'cm' } }] } });
    assert.deepEqual((out.spec as Record<string, unknown>).volumes, [{ name: 'v', configMap: { name: 'cm' } }]);
  });

  test('a list added where there was none is stored without directives or nulls', () => {
    const pod: KObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: {} };
    const out = smp(pod, {
      spec: {
        '$setElementOrder/containers': [{ name: 'a' }],
        containers: [{ name: 'a', image: 'x', command: null }, { $patch: 'delete', name: 'z' }],
      },
    });
    assert.deepEqual(out.spec, { containers: [{ name: 'a', image: 'x' }] });
  });

  test('unknown kinds still merge maps and replace lists', () => {
    const cm: KObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: '1', b: '2' } };
    const out = smp(cm, { data: { b: null, c: '3' } });
    assert.deepEqual(out.data, { a: '1', c: '3' });
  });
});

describe('strategic merge patch: errors', () => {
  test('a merging list item without its merge key', () => {
    rejects(() => smp(patchDemo(), { spec: { template: { spec: { containers: [{ image: 'x' }] } } } }), 500, /does not contain declared merge key: name/);
  });

  const withStrategy = (): KObject => {
    const d = patchDemo();
    (d.spec as Record<string, unknown>).strategy = { type: 'RollingUpdate' };
    return d;
  };

  test('content outside $retainKeys is 422', () => {
    rejects(() => smp(withStrategy(), { spec: { strategy: { $retainKeys: ['type'], rollingUpdate: {} } } }), 422, /rejected our request/);
  });

  test('malformed directives are 400s', () => {
    rejects(() => smp(withStrategy(), { spec: { strategy: { $retainKeys: 'type' } } }), 400, /invalid patch format of retainKeys/);
    rejects(() => smp(patchDemo(), { metadata: { '$deleteFromPrimitiveListfinalizers': ['a'] } }), 400, /invalid patch format of primitive list/);
    rejects(() => smp(patchDemo(), [1, 2]), 400, /invalid JSON document/);
  });

  test('unknown $patch values', () => {
    rejects(() => smp(patchDemo(), { spec: { $patch: 'explode' } }), 500, /unknown patch type: explode/);
    rejects(
      () => smp(patchDemo(), { spec: { template: { spec: { containers: [{ $patch: 'merge', name: 'x' }] } } } }),
      500,
      /merging lists cannot yet be specified/,
    );
  });

  test('a patch list out of $setElementOrder order is rejected', () => {
    const d = patchDemo();
    rejects(
      () =>
        smp(d, {
          spec: {
            template: {
              spec: {
                '$setElementOrder/containers': [{ name: 'a' }, { name: 'b' }],
                containers: [{ name: 'b', image: 'b' }, { name: 'a', image: 'a' }],
              },
            },
          },
        }),
      500,
      /doesn't match \$setElementOrder list/,
    );
  });
});
