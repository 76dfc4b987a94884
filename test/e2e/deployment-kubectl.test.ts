// `kubectl rollout status|history|undo|restart|pause|resume` with the real kubectl 1.32 against
// the apiserver + controller-manager (a fake kubelet binds pods and marks them Ready).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import type { Pod } from 'kubernetes-types/core/v1';
import { RestClient } from '../../client/index.js';
import { startTestApiserver, type TestApiserver } from '../harness/apiserver.js';
import { startFakeKubelet, type FakeKubelet } from '../harness/fake-kubelet.js';
import { kubectlFor } from '../harness/kubectl.js';
import { waitFor } from '../harness/ports.js';
import { startControllerManager, type ControllerManagerHandle } from '../../controller-manager/manager.js';

const MANIFEST = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations:
    kubernetes.io/change-cause: first
spec:
  replicas: 3
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: c
        image: busybox:1.35
        command: [sleep, "3600"]
`;

describe('kubectl rollout against the Deployment controller', () => {
  let api: TestApiserver;
  let client: RestClient;
  let kubelet: FakeKubelet;
  let cm: ControllerManagerHandle;
  let kubectl: ReturnType<typeof kubectlFor>;

  before(async () => {
    api = await startTestApiserver();
    client = new RestClient({ ...api.config, qps: 0 });
    kubelet = await startFakeKubelet(api.config);
    cm = await startControllerManager({
      config: api.config,
      controllers: ['replicaset', 'deployment'],
      logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    });
    kubectl = kubectlFor(api.config);
  });

  after(async () => {
    await cm?.stop();
    await kubelet?.stop();
    await client?.close();
    await api?.stop();
  });

  const images = (): string[] =>
    kubelet.pods.lister
      .list()
      .filter((p: Pod) => p.metadata?.labels?.app === 'web' && !p.metadata?.deletionTimestamp)
      .map((p) => p.spec?.containers?.[0]?.image ?? '')
      .sort();

  async function ok(args: string[], input?: string): Promise<string> {
    const r = await kubectl.run(args, input, 60_000);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')} exited ${r.code}: ${r.stderr}${r.stdout}`);
    return r.stdout;
  }

  test('apply, then rollout status waits until it is rolled out', async () => {
    await ok(['apply', '-f', '-'], MANIFEST);
    const out = await ok(['rollout', 'status', 'deployment/web', '--timeout=60s']);
    assert.match(out, /deployment "web" successfully rolled out/);
    assert.deepEqual(images(), ['busybox:1.35', 'busybox:1.35', 'busybox:1.35']);
  });

  test('a new image rolls out; history lists both revisions with their change-cause', async () => {
    await ok(['set', 'image', 'deployment/web', 'c=busybox:1.36']);
    await ok(['annotate', 'deployment/web', 'kubernetes.io/change-cause=second', '--overwrite']);
    const out = await ok(['rollout', 'status', 'deployment/web', '--timeout=60s']);
    assert.match(out, /successfully rolled out/);
    await waitFor('3 new pods only', () => JSON.stringify(images()) === JSON.stringify(['busybox:1.36', 'busybox:1.36', 'busybox:1.36']), 20_000);
    const history = await ok(['rollout', 'history', 'deployment/web']);
    assert.match(history, /REVISION\s+CHANGE-CAUSE/);
    assert.match(history, /^1\s+first$/m);
    assert.match(history, /^2\s+second$/m);
    const rev2 = await ok(['rollout', 'history', 'deployment/web', '--revision=2']);
    assert.match(rev2, /busybox:1\.36/);
  });

  test('rollout undo goes back to the previous template; the old ReplicaSet becomes revision 3', async () => {
    const out = await ok(['rollout', 'undo', 'deployment/web']);
    assert.match(out, /deployment.apps\/web rolled back/);
    await ok(['rollout', 'status', 'deployment/web', '--timeout=60s']);
    await waitFor('3 old-image pods', () => JSON.stringify(images()) === JSON.stringify(['busybox:1.35', 'busybox:1.35', 'busybox:1.35']), 20_000);
    const rss = (await client.resource('replicasets.apps', 'default').list({ labelSelector: 'app=web' })).items;
    const byImage = Object.fromEntries(rss.map((rs) => [rs.spec?.template?.spec?.containers?.[0]?.image, rs.metadata?.annotations ?? {}]));
    assert.equal(rss.length, 2, 'undo reuses the old ReplicaSet');
    assert.equal(byImage['busybox:1.35']['deployment.kubernetes.io/revision'], '3');
    assert.equal(byImage['busybox:1.35']['deployment.kubernetes.io/revision-history'], '1');
    const history = await ok(['rollout', 'history', 'deployment/web']);
    assert.match(history, /^2\s+/m);
    assert.match(history, /^3\s+/m);
    assert.doesNotMatch(history, /^1\s+/m);
    const d = await client.resource('deployments.apps', 'default').get('web');
    assert.equal(d.metadata?.annotations?.['deployment.kubernetes.io/revision'], '3');
  });

  test('rollout undo --to-revision picks a specific revision', async () => {
    await ok(['rollout', 'undo', 'deployment/web', '--to-revision=2']);
    await ok(['rollout', 'status', 'deployment/web', '--timeout=60s']);
    await waitFor('3 pods on 1.36', () => JSON.stringify(images()) === JSON.stringify(['busybox:1.36', 'busybox:1.36', 'busybox:1.36']), 20_000);
  });

  test('rollout restart replaces every pod', async () => {
    const before = new Set(kubelet.pods.lister.list().filter((p) => p.metadata?.labels?.app === 'web').map((p) => p.metadata?.uid));
    const out = await ok(['rollout', 'restart', 'deployment/web']);
    assert.match(out, /deployment.apps\/web restarted/);
    await ok(['rollout', 'status', 'deployment/web', '--timeout=60s']);
    await waitFor('all pods replaced', () => {
      const live = kubelet.pods.lister.list().filter((p) => p.metadata?.labels?.app === 'web' && !p.metadata?.deletionTimestamp);
      return live.length === 3 && live.every((p) => !before.has(p.metadata?.uid) && p.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt']);
    }, 20_000);
  });

  test('rollout pause stops rollouts (and undo refuses), resume continues', async () => {
    await ok(['rollout', 'pause', 'deployment/web']);
    await ok(['set', 'image', 'deployment/web', 'c=busybox:1.37']);
    const undo = await kubectl.run(['rollout', 'undo', 'deployment/web']);
    assert.notEqual(undo.code, 0);
    assert.match(undo.stderr, /paused/);
    await waitFor('paused observed', async () => {
      const d = await client.resource('deployments.apps', 'default').get('web');
      return d.status?.conditions?.some((c) => c.type === 'Progressing' && c.reason === 'DeploymentPaused') ?? false;
    }, 10_000);
    assert.ok(images().every((i) => i === 'busybox:1.36'), 'nothing rolled while paused');
    await ok(['rollout', 'resume', 'deployment/web']);
    await ok(['rollout', 'status', 'deployment/web', '--timeout=60s']);
    await waitFor('3 pods on 1.37', () => JSON.stringify(images()) === JSON.stringify(['busybox:1.37', 'busybox:1.37', 'busybox:1.37']), 20_000);
  });

  test('kubectl get deployment/rs shows the counts', async () => {
    const out = await ok(['get', 'deployment', 'web']);
    assert.match(out, /web\s+3\/3\s+3\s+3/);
    const rs = await ok(['get', 'rs', '-l', 'app=web']);
    assert.match(rs, /web-[a-z0-9]+\s+3\s+3\s+3/);
  });
});
