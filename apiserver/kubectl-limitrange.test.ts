// LimitRanger admission end to end: the real kubectl 1.32 over real etcd creates a LimitRange,
// then pods and a PVC that get defaults, or 403 with Kubernetes' messages; a bad LimitRange
// gets 422; `kubectl describe limitrange` prints its table.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestApiserver, type TestApiserver } from '../test/harness/apiserver.js';
import { kubectlFor } from '../test/harness/kubectl.js';

let api: TestApiserver;
let k: ReturnType<typeof kubectlFor>;

before(async () => {
  api = await startTestApiserver();
  k = kubectlFor(api.config);
});
after(async () => {
  await api?.stop();
});

const limitRange = `apiVersion: v1
kind: LimitRange
metadata:
  name: limits
spec:
  limits:
  - type: Container
    max: {cpu: 500m, memory: 512Mi}
    min: {cpu: 50m}
    default: {cpu: 200m, memory: 256Mi}
    defaultRequest: {cpu: 100m, memory: 128Mi}
  - type: PersistentVolumeClaim
    min: {storage: 1Gi}
    max: {storage: 10Gi}
`;

const pod = (name: string, resources = ''): string => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
spec:
  containers:
  - name: app
    image: busybox
${resources}`;

describe('kubectl 1.32: LimitRange enforcement', () => {
  test('defaults, limits and describe', async () => {
    const created = await k.run(['apply', '-f', '-'], limitRange);
    assert.equal(created.code, 0, created.stderr);

    const plain = await k.run(['create', '-f', '-'], pod('plain'));
    assert.equal(plain.code, 0, plain.stderr);
    const got = JSON.parse((await k.run(['get', 'pod', 'plain', '-o', 'json'])).stdout) as {
      metadata: { annotations: Record<string, string> };
      spec: { containers: { resources: unknown }[] };
    };
    assert.deepEqual(got.spec.containers[0]?.resources, { limits: { cpu: '200m', memory: '256Mi' }, requests: { cpu: '100m', memory: '128Mi' } });
    assert.equal(got.metadata.annotations['kubernetes.io/limit-ranger'], 'LimitRanger plugin set: cpu, memory request for container app; cpu, memory limit for container app');

    const big = await k.run(['create', '-f', '-'], pod('big', '    resources:\n      limits: {cpu: "1"}\n'));
    assert.notEqual(big.code, 0);
    assert.match(big.stderr, /Error from server \(Forbidden\).*pods "big" is forbidden: maximum cpu usage per Container is 500m, but limit is 1/);
    assert.equal((await k.run(['get', 'pod', 'big'])).code, 1);

    const pvc = `apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: small
spec:
  accessModes: [ReadWriteOnce]
  resources:
    requests: {storage: 500Mi}
`;
    const small = await k.run(['create', '-f', '-'], pvc);
    assert.notEqual(small.code, 0);
    assert.match(small.stderr, /persistentvolumeclaims "small" is forbidden: minimum storage usage per PersistentVolumeClaim is 1Gi, but request is 500Mi/);

    const d = await k.run(['describe', 'limitrange', 'limits']);
    assert.equal(d.code, 0, d.stderr);
    assert.match(d.stdout, /^Type\s+Resource\s+Min\s+Max\s+Default Request\s+Default Limit\s+Max Limit\/Request Ratio$/m);
    assert.match(d.stdout, /^Container\s+cpu\s+50m\s+500m\s+100m\s+200m\s+-$/m);
    assert.match(d.stdout, /^PersistentVolumeClaim\s+storage\s+1Gi\s+10Gi\s+-\s+-\s+-$/m);
  });

  test('an unsound LimitRange is 422 with field causes', async () => {
    const bad = `apiVersion: v1
kind: LimitRange
metadata:
  name: bad
spec:
  limits:
  - type: Container
    min: {cpu: "2"}
    max: {cpu: "1"}
  - type: Bogus
`;
    const r = await k.run(['create', '-f', '-'], bad);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /LimitRange "bad" is invalid/);
    assert.match(r.stderr, /spec\.limits\[0\]\.min\[cpu\]: Invalid value: "2": min value 2 is greater than max value 1/);
    assert.match(r.stderr, /spec\.limits\[1\]\.type: Invalid value: "Bogus": must be a standard limit type or fully qualified/);
  });
});
