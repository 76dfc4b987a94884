// The kubelet's ConfigMaps, Secrets and service-account tokens on the real Docker with a real
// apiserver: objects come from per-object watches, so a pod created together with its objects
// must still start first time, a missing object must still hold the pod back until it
// exists, and a projected token that cannot be had must keep the pod from starting.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Event, Pod } from 'kubernetes-types/core/v1';
import { RestClient, sleep } from '../client/index.js';
import type { RequestSpec, ResponseBody } from '../client/rest.js';
import { waitFor } from '../test/harness/ports.js';
import { BUSYBOX, containerStatus, execIn, isRunning, startKubeletEnv, type KubeletEnv } from '../test/e2e/kubelet-harness.js';

const NODE = 'kt-objects';
let env: KubeletEnv;
/** Every container waiting reason the apiserver saw, per pod. */
const waitingReasons = new Map<string, string[]>();
let stopWatch: () => void = () => undefined;
let kubeletClient: RestClient | undefined;

/** A slow network for the kubelet's first reads of ConfigMaps/Secrets: their watches deliver late. */
class SlowObjectListsClient extends RestClient {
  override async send(spec: RequestSpec): Promise<ResponseBody> {
    if (spec.method === 'GET' && /\/(configmaps|secrets)$/.test(spec.path) && spec.query?.watch === undefined) await sleep(1_500);
    return super.send(spec);
  }
}

before(async () => {
  env = await startKubeletEnv();
  const watch = await env.client.resource('pods', 'default').watch({});
  stopWatch = () => watch.close();
  void (async () => {
    for await (const ev of watch) {
      if (ev.type === 'ERROR') continue;
      const p = ev.object as Pod;
      const reasons = (p.status?.containerStatuses ?? []).map((c) => c.state?.waiting?.reason).filter((r): r is string => !!r);
      const name = p.metadata?.name ?? '';
      waitingReasons.set(name, [...(waitingReasons.get(name) ?? []), ...reasons]);
    }
  })().catch(() => undefined);
  kubeletClient = new SlowObjectListsClient({ ...env.api.config, qps: 0 });
  await env.startKubelet(NODE, { client: kubeletClient });
});

after(async () => {
  stopWatch();
  await env?.stop();
  await kubeletClient?.close();
});

function podReading(name: string, cm: string, secret: string): Pod {
  return {
    metadata: { name },
    spec: {
      terminationGracePeriodSeconds: 1,
      enableServiceLinks: false,
      volumes: [{ name: 'creds', secret: { secretName: secret } }],
      containers: [
        {
          name: 'main',
          image: BUSYBOX,
          command: ['sleep', '3600'],
          env: [{ name: 'GREETING', valueFrom: { configMapKeyRef: { name: cm, key: 'greeting' } } }],
          volumeMounts: [{ name: 'creds', mountPath: '/etc/creds' }],
        },
      ],
    },
  };
}

async function eventsFor(pod: string): Promise<Event[]> {
  return (await env.client.resource('events', 'default').list({ fieldSelector: `involvedObject.name=${pod}` })).items;
}

test('a pod created right after its ConfigMap and Secret starts without a config or mount error', async () => {
  await env.client.resource('configmaps', 'default').create({ metadata: { name: 'fresh-cfg' }, data: { greeting: 'hi' } });
  await env.client.resource('secrets', 'default').create({ metadata: { name: 'fresh-secret' }, stringData: { password: 'pw' } });
  const pod = await env.createPod(NODE, podReading('fresh', 'fresh-cfg', 'fresh-secret'));
  await env.waitForPod('fresh', 'running', isRunning, 60_000);
  const rt = env.runtimeFor(NODE);
  assert.equal((await execIn(rt, pod, 'main', ['sh', '-c', 'echo -n "$GREETING"'])).out, 'hi');
  assert.equal((await execIn(rt, pod, 'main', ['cat', '/etc/creds/password'])).out, 'pw');
  assert.deepEqual(waitingReasons.get('fresh')?.filter((r) => r !== 'ContainerCreating') ?? [], []);
  assert.deepEqual((await eventsFor('fresh')).filter((e) => e.reason === 'FailedMount' || e.reason === 'Failed').map((e) => e.message), []);
});

test('missing objects hold the pod back (CreateContainerConfigError, FailedMount) until they are created', async () => {
  await env.createPod(NODE, podReading('late', 'late-cfg', 'late-secret'));
  await waitFor('FailedMount for the missing secret', async () => (await eventsFor('late')).some((e) => e.reason === 'FailedMount' && /secret "late-secret" not found/.test(e.message ?? '')), 30_000);
  await env.client.resource('secrets', 'default').create({ metadata: { name: 'late-secret' }, stringData: { password: 'late' } });
  await env.waitForPod('late', 'CreateContainerConfigError', (p) => {
    const w = containerStatus(p)?.state?.waiting;
    return w?.reason === 'CreateContainerConfigError' && w.message === 'configmap "late-cfg" not found';
  });
  await env.client.resource('configmaps', 'default').create({ metadata: { name: 'late-cfg' }, data: { greeting: 'finally' } });
  const pod = await env.waitForPod('late', 'running once the configmap exists', isRunning, 60_000);
  const rt = env.runtimeFor(NODE);
  assert.equal((await execIn(rt, pod, 'main', ['sh', '-c', 'echo -n "$GREETING"'])).out, 'finally');
  assert.equal((await execIn(rt, pod, 'main', ['cat', '/etc/creds/password'])).out, 'late');
});

test('a projected service-account token that cannot be had keeps the pod from starting', async () => {
  await env.client.resource('configmaps', 'default').create({ metadata: { name: 'kube-root-ca.crt' }, data: { 'ca.crt': 'PEM' } });
  await env.createPod(NODE, {
    metadata: { name: 'no-token' },
    spec: {
      terminationGracePeriodSeconds: 1,
      serviceAccountName: 'no-such-account',
      volumes: [
        {
          name: 'kube-api-access-q8x2v',
          projected: {
            sources: [
              { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
              { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
              { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
            ],
          },
        },
      ],
      containers: [{ name: 'main', image: BUSYBOX, command: ['sleep', '3600'], volumeMounts: [{ name: 'kube-api-access-q8x2v', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true }] }],
    },
  });
  await waitFor('FailedMount: failed to fetch token', async () => (await eventsFor('no-token')).some((e) => e.reason === 'FailedMount' && /failed to fetch token/.test(e.message ?? '')), 30_000);
  const pod = await env.getPod('no-token');
  assert.equal(pod.status?.phase, 'Pending');
  assert.equal(containerStatus(pod)?.state?.waiting?.reason, 'ContainerCreating');
  const containers = await env.runtimeFor(NODE).listContainers({ labelSelector: { 'io.kubernetes.pod.uid': pod.metadata?.uid ?? '' } });
  assert.deepEqual(containers.filter((c) => c.metadata.name === 'main'), [], 'the container was never created');
});
