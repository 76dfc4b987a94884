// The HorizontalPodAutoscaler end to end, every part real: a busybox Deployment on a real
// kubelet (Docker) burns CPU when a ConfigMap says so; metrics-server scrapes the kubelet's
// /stats/summary and serves metrics.k8s.io through the apiserver's aggregation layer; the
// controller-manager's HPA controller reads it and scales the Deployment through its scale
// subresource — up under load, and back down once the (flag-shortened) stabilization window
// has passed without load.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { pino } from 'pino';
import { startControllerManager, type ControllerManagerHandle } from '../../controller-manager/manager.js';
import type { KubeletServer } from '../../kubelet/server/server.js';
import { freePort, waitFor } from '../harness/ports.js';
import { kubectlFor } from '../harness/kubectl.js';
import { BUSYBOX, startKubeletEnv, type KubeletEnv } from './kubelet-harness.js';
import { startMetricsServerEnv, type MetricsServerEnv } from './metrics-server-harness.js';

const NODE = 'hpa-node';
const MINUTE = 60_000;
let env: KubeletEnv;
let server: KubeletServer;
let m: MetricsServerEnv;
let cm: ControllerManagerHandle;

// Busy shell arithmetic (no forks) while /load/on says 1, a second's sleep otherwise.
const BURNER = 'while :; do if [ "$(cat /load/on)" = 1 ]; then i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; else sleep 1; fi; done';

before(async () => {
  env = await startKubeletEnv();
  const port = await freePort();
  const kubelet = await env.startKubelet(NODE, { port, nodeIP: '127.0.0.1' });
  server = await env.serve(kubelet, port);
  m = await startMetricsServerEnv(env.api);
  await m.register();
  cm = await startControllerManager({
    config: env.api.config,
    controllers: ['replicaset', 'deployment', 'horizontal-pod-autoscaler'],
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    options: {
      'horizontal-pod-autoscaler-sync-period': '2s',
      'horizontal-pod-autoscaler-downscale-stabilization': '10s',
    },
  });
});

after(async () => {
  await cm?.stop();
  await m?.stop();
  await server?.stop();
  await env?.stop();
});

interface Hpa {
  status?: { currentReplicas?: number; desiredReplicas?: number; conditions?: { type: string; status: string; reason?: string }[]; currentMetrics?: unknown[] };
}

test('a CPU-burning Deployment scales up under load and back down after the stabilization window', { timeout: 5 * MINUTE }, async () => {
  const c = env.client;
  const load = (on: boolean) => ({ apiVersion: 'v1' as const, kind: 'ConfigMap' as const, metadata: { name: 'load', namespace: 'default' }, data: { on: on ? '1' : '0' } });
  await c.resource('configmaps', 'default').create(load(false));
  await c.resource('deployments.apps', 'default').create({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'burner' },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'burner' } },
      template: {
        metadata: { labels: { app: 'burner' } },
        spec: {
          nodeName: NODE, // no scheduler in this test
          terminationGracePeriodSeconds: 0,
          containers: [
            {
              name: 'main',
              image: BUSYBOX,
              command: ['sh', '-c', BURNER],
              resources: { requests: { cpu: '100m' } },
              volumeMounts: [{ name: 'load', mountPath: '/load' }],
            },
          ],
          volumes: [{ name: 'load', configMap: { name: 'load' } }],
        },
      },
    },
  } as never);
  const k = kubectlFor(env.api.config);
  const a = await k.run(['autoscale', 'deployment', 'burner', '--cpu-percent=50', '--min=1', '--max=3']);
  assert.equal(a.code, 0, a.stderr);
  const hpa = () => c.resource('horizontalpodautoscalers.autoscaling', 'default').get('burner') as Promise<Hpa>;
  const replicas = async () => ((await c.resource('deployments.apps', 'default').get('burner')) as { spec: { replicas: number } }).spec.replicas;

  // Idle: a valid metric is found and nothing changes.
  const idle = await waitFor('the HPA reads a metric', async () => {
    const h = await hpa();
    return h.status?.conditions?.some((x) => x.type === 'ScalingActive' && x.status === 'True') ? h : undefined;
  }, 2 * MINUTE, 500);
  assert.equal(idle.status?.currentReplicas, 1);
  assert.equal(await replicas(), 1);

  await c.resource('configmaps', 'default').update(load(true));
  await waitFor('scaled up to 3', async () => (await replicas()) === 3, 2 * MINUTE, 500);
  // The next sync sees the new pods (kubectl's REPLICAS column is status.currentReplicas).
  const up = await waitFor('the HPA counts 3 replicas', async () => {
    const h = await hpa();
    return h.status?.currentReplicas === 3 ? h : undefined;
  }, MINUTE, 500);
  assert.equal(up.status?.desiredReplicas, 3);
  const limited = up.status?.conditions?.find((x) => x.type === 'ScalingLimited');
  assert.equal(limited?.status, 'True');
  assert.equal(limited?.reason, 'TooManyReplicas');
  const got = await k.run(['get', 'hpa', 'burner']);
  assert.equal(got.code, 0, got.stderr);
  assert.match(got.stdout, /burner\s+Deployment\/burner\s+cpu: \d+%\/50%\s+1\s+3\s+3/);

  await c.resource('configmaps', 'default').update(load(false));
  await waitFor('scaled back down to 1', async () => (await replicas()) === 1, 3 * MINUTE, 500);
  const events = (await c.resource('events', 'default').list()).items as { reason?: string; message?: string; involvedObject?: { name?: string } }[];
  const rescales = events.filter((e) => e.reason === 'SuccessfulRescale' && e.involvedObject?.name === 'burner').map((e) => e.message ?? '');
  assert.ok(rescales.some((msg) => /New size: 3; reason: .*above target/.test(msg)), rescales.join('\n'));
  assert.ok(rescales.some((msg) => /New size: 1; reason: All metrics below target/.test(msg)), rescales.join('\n'));
});
