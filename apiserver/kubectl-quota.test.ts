// ResourceQuota through the real kubectl 1.32 (and kc, byte for byte): `get quota` prints the
// server's REQUEST/LIMIT table, `describe quota` and `describe namespace` the Used/Hard rows the
// resourcequota controller keeps; a pod over the quota gets kubectl's Forbidden line.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ControllerManagerHandle } from '../controller-manager/manager.js';
import { RestClient } from '../client/index.js';
import type { TestApiserver } from '../test/harness/apiserver.js';
import { startControllerEnv, type ControllerEnv } from '../test/harness/controllers.js';
import { waitFor } from '../test/harness/ports.js';
import { kcPair, type KcPair } from '../test/e2e/kc-harness.js';

let api: TestApiserver;
let client: RestClient;
let cm: ControllerManagerHandle;
let env: ControllerEnv;
let p: KcPair;

before(async () => {
  env = await startControllerEnv(['resourcequota']);
  ({ api, client, cm } = env);
  p = kcPair(api.config);
});
after(async () => {
  await env?.stop();
});

const manifests = `apiVersion: v1
kind: Namespace
metadata:
  name: team-b
---
apiVersion: v1
kind: ResourceQuota
metadata:
  name: compute
  namespace: team-b
spec:
  hard:
    pods: "2"
    requests.cpu: "1"
    requests.memory: 1Gi
    limits.cpu: "2"
---
apiVersion: v1
kind: ResourceQuota
metadata:
  name: besteffort
  namespace: team-b
spec:
  hard:
    pods: "5"
  scopes: [BestEffort]
---
apiVersion: v1
kind: LimitRange
metadata:
  name: defaults
  namespace: team-b
spec:
  limits:
  - type: Container
    default: {cpu: 500m}
    defaultRequest: {cpu: 250m}
  - type: PersistentVolumeClaim
    max: {storage: 10Gi}
`;

const pod = (name: string): string => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  namespace: team-b
spec:
  containers:
  - name: app
    image: busybox
    resources:
      requests: {memory: 256Mi}
`;

describe('kubectl 1.32: ResourceQuota', () => {
  test('get, describe quota and namespace; a pod over quota is Forbidden', async () => {
    const applied = await p.kubectl.run(['apply', '-f', '-'], manifests);
    assert.equal(applied.code, 0, applied.stderr);
    await waitFor('quota status', async () => ((await client.resource('resourcequotas', 'team-b').get('compute')).status?.used ? true : undefined));
    for (const name of ['one', 'two']) {
      const r = await p.kubectl.run(['create', '-f', '-'], pod(name));
      assert.equal(r.code, 0, r.stderr);
    }
    const over = await p.kubectl.run(['create', '-f', '-'], pod('three'));
    assert.equal(over.code, 1);
    assert.equal(over.stderr, 'Error from server (Forbidden): error when creating "STDIN": pods "three" is forbidden: exceeded quota: compute, requested: pods=1, used: pods=2, limited: pods=2\n');

    const get = await p.both(['get', 'quota', '-n', 'team-b']);
    assert.deepEqual(get.kc, get.kubectl);
    const rows = get.kubectl.stdout.split('\n');
    assert.match(rows[0]!, /^NAME\s+AGE\s+REQUEST\s+LIMIT$/);
    assert.match(rows[1]!, /^besteffort\s+\S+\s+pods: 0\/5\s*$/);
    assert.match(rows[2]!, /^compute\s+\S+\s+pods: 2\/2, requests.cpu: 500m\/1, requests.memory: 512Mi\/1Gi\s+limits.cpu: 1\/2$/);

    const dq = await p.both(['describe', 'quota', 'compute', '-n', 'team-b']);
    assert.deepEqual(dq.kc, dq.kubectl);
    assert.equal(dq.kubectl.stdout, [
      'Name:            compute',
      'Namespace:       team-b',
      'Resource         Used   Hard',
      '--------         ----   ----',
      'limits.cpu       1      2',
      'pods             2      2',
      'requests.cpu     500m   1',
      'requests.memory  512Mi  1Gi',
      '',
    ].join('\n'));

    const scoped = await p.both(['describe', 'quota', 'besteffort', '-n', 'team-b']);
    assert.deepEqual(scoped.kc, scoped.kubectl);
    assert.match(scoped.kubectl.stdout, /^Scopes:\s+BestEffort\n \* Matches all pods that do not have resource requirements set/m);

    const ns = await p.both(['describe', 'namespace', 'team-b']);
    assert.deepEqual(ns.kc, ns.kubectl);
    assert.match(ns.kubectl.stdout, /Resource Quotas\n {2}Name:\s+besteffort\n {2}Scopes:\s+BestEffort\n {2}\* Matches all pods/);
    assert.match(ns.kubectl.stdout, /\n {2}Name:\s+compute\n {2}Resource\s+Used\s+Hard\n {2}--------\s+---\s+---\n {2}limits.cpu\s+1\s+2\n/);
    assert.match(ns.kubectl.stdout, /Resource Limits\n Type\s+Resource\s+Min\s+Max\s+Default Request\s+Default Limit\s+Max Limit\/Request Ratio\n/);
    assert.match(ns.kubectl.stdout, /\n Container\s+cpu\s+-\s+-\s+250m\s+500m\s+-\n PersistentVolumeClaim\s+storage\s+-\s+10Gi\s+-\s+-\s+-\n/);

    const lr = await p.both(['describe', 'limitrange', 'defaults', '-n', 'team-b']);
    assert.deepEqual(lr.kc, lr.kubectl);

    const bare = await p.both(['describe', 'namespace', 'default']);
    assert.deepEqual(bare.kc, bare.kubectl);
    assert.match(bare.kubectl.stdout, /\nNo resource quota.\n\nNo LimitRange resource.\n$/);
  });

  test('kubectl create quota (a protobuf body): scopes kept; a name quota cannot compute is 422', async () => {
    const ok = await p.kubectl.run(['create', 'quota', 'gen', '-n', 'default', '--hard=pods=3,requests.cpu=1', '--scopes=NotTerminating,NotBestEffort']);
    assert.equal(ok.code, 0, ok.stderr);
    const got = await client.resource('resourcequotas', 'default').get('gen');
    assert.deepEqual(got.spec, { hard: { pods: '3', 'requests.cpu': '1' }, scopes: ['NotTerminating', 'NotBestEffort'] });
    const bad = await p.kubectl.run(['create', 'quota', 'bad', '-n', 'default', '--hard=foo=1']);
    assert.equal(bad.code, 1);
    assert.equal(bad.stderr, 'error: failed to create quota: ResourceQuota "bad" is invalid: [spec.hard[foo]: Invalid value: "foo": must be a standard resource type or fully qualified, spec.hard[foo]: Invalid value: "foo": must be a standard resource for quota]\n');
  });

  test('examples/quota-limitrange.yaml works as its comment says', async () => {
    const file = new URL('../../examples/quota-limitrange.yaml', import.meta.url).pathname;
    const applied = await p.kubectl.run(['apply', '-f', file]);
    assert.equal(applied.code, 0, applied.stderr);
    await waitFor('quota status', async () => ((await client.resource('resourcequotas', 'team-a').get('team-a-compute')).status?.used ? true : undefined));
    const run = (name: string) => p.kubectl.run(['run', name, '-n', 'team-a', '--image=busybox:1.36', '--restart=Never', '--', 'sleep', '3600']);
    // The LimitRange is read from the watch cache (or a live list): it may lag the apply a moment.
    await waitFor('first pod admitted', async () => ((await run('one')).code === 0 ? true : undefined));
    const got = await client.resource('pods', 'team-a').get('one');
    assert.deepEqual(got.spec?.containers[0]?.resources, { limits: { cpu: '200m', memory: '128Mi' }, requests: { cpu: '100m', memory: '64Mi' } });
    for (const name of ['p2', 'p3', 'p4']) assert.equal((await run(name)).code, 0);
    const fifth = await run('p5');
    assert.equal(fifth.code, 1);
    assert.equal(fifth.stderr, 'Error from server (Forbidden): pods "p5" is forbidden: exceeded quota: team-a-compute, requested: pods=1, used: pods=4, limited: pods=4\n');
    const rows = (await p.kubectl.run(['get', 'quota', '-n', 'team-a'])).stdout;
    assert.match(rows, /team-a-compute\s+\S+\s+count\/configmaps: \d\/10, pods: 4\/4, requests.cpu: 400m\/1, requests.memory: 256Mi\/1Gi, requests.storage: 0\/5Gi, services.nodeports: 0\/0\s+limits.cpu: 800m\/2, limits.memory: 512Mi\/2Gi/);
    assert.equal((await p.kubectl.run(['delete', 'pod', 'one', '-n', 'team-a', '--wait=false'])).code, 0);
  });
});
