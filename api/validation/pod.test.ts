import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../types.js';
import { errors } from '../status.js';
import { applyDefaults } from '../defaults/index.js';
import { validateObjectCreate } from './index.js';
import { assertCause, createCauses, infoFor, lines, merge, statusCauses, updateCauses, clone } from './testing.js';

const pod: KObject = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } },
  spec: {
    containers: [{ name: 'nginx', image: 'nginx:1.25', ports: [{ containerPort: 80, name: 'http' }] }],
    volumes: [{ name: 'data', emptyDir: {} }],
  },
};

const withContainer = (c: Record<string, unknown>): KObject => merge(pod, { spec: { containers: [{ name: 'nginx', image: 'nginx:1.25', ...c }] } });

describe('Pod create', () => {
  test('a valid pod has no causes', () => assert.deepEqual(createCauses('Pod', pod), []));

  test('422 message reads like kubectl prints it', () => {
    const causes = createCauses('Pod', withContainer({ image: '' }));
    const err = errors.invalid('Pod', { group: '', resource: 'pods' }, 'web', causes);
    assert.equal(err.status.message, 'Pod "web" is invalid: spec.containers[0].image: Required value');
    assert.equal(err.code, 422);
    assert.deepEqual(causes, [{ reason: 'FieldValueRequired', field: 'spec.containers[0].image', message: 'Required value' }]);
  });

  const table: [string, KObject, string, string, string?][] = [
    ['no containers', merge(pod, { spec: { containers: [] } }), 'spec.containers', 'Required value', 'FieldValueRequired'],
    ['bad container name', withContainer({ name: 'Nginx_1' }), 'spec.containers[0].name', 'Invalid value: "Nginx_1": a lowercase RFC 1123 label'],
    ['missing container name', withContainer({ name: '' }), 'spec.containers[0].name', 'Required value'],
    [
      'duplicate across init and app containers',
      merge(pod, { spec: { initContainers: [{ name: 'nginx', image: 'busybox' }] } }),
      'spec.initContainers[0].name',
      'Duplicate value: "nginx"',
      'FieldValueDuplicate',
    ],
    ['port out of range', withContainer({ ports: [{ containerPort: 70000 }] }), 'spec.containers[0].ports[0].containerPort', 'Invalid value: 70000: must be between 1 and 65535, inclusive'],
    ['port missing', withContainer({ ports: [{ name: 'http' }] }), 'spec.containers[0].ports[0].containerPort', 'Required value'],
    ['bad protocol', withContainer({ ports: [{ containerPort: 80, protocol: 'HTTP' }] }), 'spec.containers[0].ports[0].protocol', 'Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"'],
    ['port name too long', withContainer({ ports: [{ containerPort: 80, name: 'a-very-long-port-name' }] }), 'spec.containers[0].ports[0].name', 'Invalid value: "a-very-long-port-name": must be no more than 15 characters'],
    [
      'duplicate port names',
      withContainer({ ports: [{ containerPort: 80, name: 'http' }, { containerPort: 81, name: 'http' }] }),
      'spec.containers[0].ports[1].name',
      'Duplicate value: "http"',
    ],
    ['env name required', withContainer({ env: [{ value: 'x' }] }), 'spec.containers[0].env[0].name', 'Required value'],
    ['env name with =', withContainer({ env: [{ name: 'A=B' }] }), 'spec.containers[0].env[0].name', 'Invalid value: "A=B": a valid environment variable name'],
    [
      'env value and valueFrom',
      withContainer({ env: [{ name: 'A', value: 'x', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }] }),
      'spec.containers[0].env[0].valueFrom',
      'Invalid value: "": may not be specified when `value` is not empty',
    ],
    ['mount of undeclared volume', withContainer({ volumeMounts: [{ name: 'nope', mountPath: '/x' }] }), 'spec.containers[0].volumeMounts[0].name', 'Not found: "nope"'],
    [
      'duplicate mount path',
      withContainer({ volumeMounts: [{ name: 'data', mountPath: '/x' }, { name: 'data', mountPath: '/x' }] }),
      'spec.containers[0].volumeMounts[1].mountPath',
      'Invalid value: "/x": must be unique',
    ],
    ['pull policy', withContainer({ imagePullPolicy: 'Sometimes' }), 'spec.containers[0].imagePullPolicy', 'Unsupported value: "Sometimes": supported values: "Always", "IfNotPresent", "Never"'],
    ['restart policy', merge(pod, { spec: { restartPolicy: 'Sometimes' } }), 'spec.restartPolicy', 'Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"'],
    ['dns policy', merge(pod, { spec: { dnsPolicy: 'Google' } }), 'spec.dnsPolicy', 'Unsupported value: "Google"'],
    [
      'requests above limits',
      withContainer({ resources: { limits: { cpu: '500m' }, requests: { cpu: '1' } } }),
      'spec.containers[0].resources.requests',
      'Invalid value: "1": must be less than or equal to cpu limit of 500m',
    ],
    ['unparseable quantity', withContainer({ resources: { limits: { memory: '1GB' } } }), 'spec.containers[0].resources.limits[memory]', 'Invalid value: "1GB": quantities must match'],
    ['negative quantity', withContainer({ resources: { requests: { cpu: '-1' } } }), 'spec.containers[0].resources.requests[cpu]', 'Invalid value: "-1": must be greater than or equal to 0'],
    ['non-standard resource', withContainer({ resources: { limits: { gpu: '1' } } }), 'spec.containers[0].resources.limits[gpu]', 'Invalid value: "gpu": must be a standard resource for containers'],
    [
      'probe with two handlers',
      withContainer({ livenessProbe: { exec: { command: ['true'] }, tcpSocket: { port: 80 } } }),
      'spec.containers[0].livenessProbe.tcpSocket',
      'Forbidden: may not specify more than 1 handler type',
    ],
    ['probe without handler', withContainer({ readinessProbe: { periodSeconds: 5 } }), 'spec.containers[0].readinessProbe', 'Required value: must specify a handler type'],
    ['liveness successThreshold', withContainer({ livenessProbe: { exec: { command: ['true'] }, successThreshold: 2 } }), 'spec.containers[0].livenessProbe.successThreshold', 'Invalid value: 2: must be 1'],
    [
      'init container probes',
      merge(pod, { spec: { initContainers: [{ name: 'init', image: 'busybox', livenessProbe: { exec: { command: ['true'] } } }] } }),
      'spec.initContainers[0].livenessProbe',
      'Forbidden: may not be set for init containers without restartPolicy=Always',
    ],
    ['volume with two sources', merge(pod, { spec: { volumes: [{ name: 'data', emptyDir: {}, hostPath: { path: '/tmp' } }] } }), 'spec.volumes[0].hostPath', 'Forbidden: may not specify more than 1 volume type'],
    [
      'duplicate volume names',
      merge(pod, { spec: { volumes: [{ name: 'data', emptyDir: {} }, { name: 'data', emptyDir: {} }] } }),
      'spec.volumes[1].name',
      'Duplicate value: "data"',
    ],
    ['configMap volume needs a name', merge(pod, { spec: { volumes: [{ name: 'data', configMap: {} }] } }), 'spec.volumes[0].configMap.name', 'Required value'],
    ['bad file mode', merge(pod, { spec: { volumes: [{ name: 'data', secret: { secretName: 's', defaultMode: 1000 } }] } }), 'spec.volumes[0].secret.defaultMode', 'Invalid value: 1000: must be a number between 0 and 0777'],
    ['negative grace period', merge(pod, { spec: { activeDeadlineSeconds: 0 } }), 'spec.activeDeadlineSeconds', 'Invalid value: 0: must be between 1 and 2147483647, inclusive'],
    ['toleration operator', merge(pod, { spec: { tolerations: [{ key: 'k', operator: 'Maybe' }] } }), 'spec.tolerations[0].operator', 'Unsupported value: "Maybe": supported values: "Equal", "Exists"'],
    ['image whitespace', withContainer({ image: ' nginx' }), 'spec.containers[0].image', 'Invalid value: " nginx": must not have leading or trailing whitespace'],
    ['node selector value', merge(pod, { spec: { nodeSelector: { disk: 'fast ssd' } } }), 'spec.nodeSelector', 'Invalid value: "fast ssd": a valid label must be'],
  ];
  for (const [name, obj, fieldPath, prefix, reason] of table) test(name, () => assertCause(createCauses('Pod', obj), fieldPath, prefix, reason));

  test('fields that defaulting fills are required when validating raw objects', () => {
    const causes = validateObjectCreate(infoFor('Pod'), clone(pod));
    assertCause(causes, 'spec.terminationGracePeriodSeconds', 'Required value');
    assertCause(causes, 'spec.restartPolicy', 'Required value');
    assertCause(causes, 'spec.containers[0].imagePullPolicy', 'Required value');
  });

  test('metadata.name is required unless generateName', () => {
    assertCause(createCauses('Pod', merge(pod, { metadata: { name: undefined } })), 'metadata.name', 'Required value: name or generateName is required');
  });
});

describe('Pod update', () => {
  const defaulted = (o: KObject): KObject => {
    const c = clone(o);
    applyDefaults(infoFor('Pod'), c);
    return c;
  };
  const old = defaulted(merge(pod, { metadata: { uid: 'u1', resourceVersion: '5' } }));

  test('changing the image is allowed', () => {
    const next = merge(old, { spec: { containers: [{ ...(old.spec as { containers: object[] }).containers[0], image: 'nginx:1.26' }] } });
    assert.deepEqual(updateCauses('Pod', next, old), []);
  });

  test('changing a port is forbidden with k8s text', () => {
    const c0 = (old.spec as { containers: Record<string, unknown>[] }).containers[0];
    const next = merge(old, { spec: { containers: [{ ...c0, ports: [{ containerPort: 81, name: 'http', protocol: 'TCP' }] }] } });
    const causes = updateCauses('Pod', next, old);
    assert.equal(causes.length, 1);
    assert.equal(causes[0]?.field, 'spec');
    assert.equal(causes[0]?.reason, 'FieldValueForbidden');
    assert.ok(
      causes[0]?.message?.startsWith(
        'Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n',
      ),
      causes[0]?.message,
    );
    assert.match(causes[0]?.message ?? '', /containerPort: 80\n\+ containers\[0\]\.ports\[0\]\.containerPort: 81/);
  });

  test('adding a container is forbidden', () => {
    const spec = old.spec as { containers: object[] };
    const next = merge(old, { spec: { containers: [...spec.containers, { name: 'side', image: 'busybox' }] } });
    assert.deepEqual(lines(updateCauses('Pod', next, old)), ['spec.containers: Forbidden: pod updates may not add or remove containers']);
  });

  test('tolerations may only be added', () => {
    const withTol = merge(old, { spec: { tolerations: [{ key: 'a', operator: 'Exists' }] } });
    assert.deepEqual(updateCauses('Pod', merge(withTol, { spec: { tolerations: [{ key: 'a', operator: 'Exists' }, { key: 'b', operator: 'Exists' }] } }), withTol), []);
    assertCause(updateCauses('Pod', merge(withTol, { spec: { tolerations: [] } }), withTol), 'spec.tolerations', 'Forbidden: existing toleration can not be modified');
  });

  test('activeDeadlineSeconds may only shrink', () => {
    const a = merge(old, { spec: { activeDeadlineSeconds: 100 } });
    assert.deepEqual(updateCauses('Pod', merge(a, { spec: { activeDeadlineSeconds: 50 } }), a), []);
    assertCause(updateCauses('Pod', merge(a, { spec: { activeDeadlineSeconds: 200 } }), a), 'spec.activeDeadlineSeconds', 'Invalid value: 200: must be less than or equal to previous value');
  });

  test('metadata name and uid are immutable', () => {
    assertCause(updateCauses('Pod', merge(old, { metadata: { uid: 'u2' } }), old), 'metadata.uid', 'Invalid value: "u2": field is immutable');
  });

  test('status update may not move the pod', () => {
    const bound = merge(old, { spec: { nodeName: 'n1' } });
    assert.deepEqual(statusCauses('Pod', merge(bound, { status: { phase: 'Running' } }), bound), []);
    assert.deepEqual(lines(statusCauses('Pod', merge(bound, { spec: { nodeName: 'n2' } }), bound)), ['status.nodeName: Forbidden: may not be changed directly']);
  });
});
