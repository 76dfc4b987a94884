// The HorizontalPodAutoscaler end to end, every part real (hpa-harness.ts): a busybox
// Deployment on a real kubelet (Docker) burns CPU when a ConfigMap says so; metrics-server
// scrapes the kubelet's /stats/summary and serves metrics.k8s.io through the apiserver's
// aggregation layer; the controller-manager's HPA controller reads it and scales the
// Deployment through its scale subresource — up under load, and back down once the
// (flag-shortened) stabilization window has passed without load.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { waitFor } from '../harness/ports.js';
import { kubectlFor } from '../harness/kubectl.js';
import { startHpaEnv, type HpaEnv } from './hpa-harness.js';

const MINUTE = 60_000;
let h: HpaEnv;

before(async () => {
  h = await startHpaEnv({
    node: 'hpa-node',
    controllerFlags: { 'horizontal-pod-autoscaler-sync-period': '2s', 'horizontal-pod-autoscaler-downscale-stabilization': '10s' },
  });
});

after(async () => {
  await h?.stop();
});

interface Hpa {
  status?: { currentReplicas?: number; desiredReplicas?: number; conditions?: { type: string; status: string; reason?: string }[] };
}

test('a CPU-burning Deployment scales up under load and back down after the stabilization window', { timeout: 5 * MINUTE }, async () => {
  const c = h.env.client;
  const k = kubectlFor(h.env.api.config);
  const a = await k.run(['autoscale', 'deployment', 'burner', '--cpu-percent=50', '--min=1', '--max=3']);
  assert.equal(a.code, 0, a.stderr);
  const hpa = () => c.resource('horizontalpodautoscalers.autoscaling', 'default').get('burner') as Promise<Hpa>;

  // Idle: a valid metric is found and nothing changes.
  const idle = await waitFor('the HPA reads a metric', async () => {
    const x = await hpa();
    return x.status?.conditions?.some((cond) => cond.type === 'ScalingActive' && cond.status === 'True') ? x : undefined;
  }, 2 * MINUTE, 500);
  assert.equal(idle.status?.currentReplicas, 1);
  assert.equal(await h.replicas(), 1);

  await h.setLoad(true);
  await waitFor('scaled up to 3', async () => (await h.replicas()) === 3, 2 * MINUTE, 500);
  // The next sync sees the new pods (kubectl's REPLICAS column is status.currentReplicas).
  const up = await waitFor('the HPA counts 3 replicas', async () => {
    const x = await hpa();
    return x.status?.currentReplicas === 3 ? x : undefined;
  }, MINUTE, 500);
  assert.equal(up.status?.desiredReplicas, 3);
  const limited = up.status?.conditions?.find((cond) => cond.type === 'ScalingLimited');
  assert.equal(limited?.status, 'True');
  assert.equal(limited?.reason, 'TooManyReplicas');
  const got = await k.run(['get', 'hpa', 'burner']);
  assert.equal(got.code, 0, got.stderr);
  assert.match(got.stdout, /burner\s+Deployment\/burner\s+cpu: \d+%\/50%\s+1\s+3\s+3/);

  await h.setLoad(false);
  await waitFor('scaled back down to 1', async () => (await h.replicas()) === 1, 3 * MINUTE, 500);
  const events = (await c.resource('events', 'default').list()).items as { reason?: string; message?: string; involvedObject?: { name?: string } }[];
  const rescales = events.filter((e) => e.reason === 'SuccessfulRescale' && e.involvedObject?.name === 'burner').map((e) => e.message ?? '');
  assert.ok(rescales.some((msg) => /New size: 3; reason: .*above target/.test(msg)), rescales.join('\n'));
  assert.ok(rescales.some((msg) => /New size: 1; reason: All metrics below target/.test(msg)), rescales.join('\n'));
});
