// npm run bench:hpa — the time from load start to the HorizontalPodAutoscaler's scale-up, next
// to its limit measured in the same run: the time until the metrics API first shows the load
// (a PodMetrics above the HPA's target), which no autoscaler reading that API can beat. The
// difference is the controller's share (its sync period, at most). Everything is real: a
// kubelet with Docker, metrics-server through the apiserver's aggregation layer, the
// controller-manager with Kubernetes' default HPA flags unless BENCH_HPA_SYNC /
// BENCH_METRIC_RESOLUTION say otherwise (defaults 15s and 15s, as upstream). Rounds are bounded
// (BENCH_ROUNDS, default 2): load on until the scale-up, then off until it is back to 1.
import { waitFor } from '../test/harness/ports.js';
import { parseDurationMs } from '../client/duration.js';
import { startHpaEnv } from '../test/e2e/hpa-harness.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const SYNC = process.env.BENCH_HPA_SYNC ?? '15s';
const RESOLUTION = process.env.BENCH_METRIC_RESOLUTION ?? '15s';
const TARGET_PERCENT = 50;
const REQUEST_MILLI = 100;

interface PodMetricsList {
  items: { containers: { usage: { cpu: string } }[] }[];
}

function milli(q: string): number {
  const m = /^(\d+(?:\.\d+)?)(n|u|m)?$/.exec(q);
  if (!m) return NaN;
  const v = Number(m[1]);
  return m[2] === 'n' ? v / 1e6 : m[2] === 'u' ? v / 1e3 : m[2] === 'm' ? v : v * 1000;
}

async function main(): Promise<void> {
  const h = await startHpaEnv({
    node: 'hpa-bench',
    metricResolutionMs: parseDurationMs(RESOLUTION),
    controllerFlags: { 'horizontal-pod-autoscaler-sync-period': SYNC, 'horizontal-pod-autoscaler-downscale-stabilization': '10s' },
  });
  try {
    const c = h.env.client;
    await c.resource('horizontalpodautoscalers.autoscaling', 'default').create({
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'burner' },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'burner' },
        minReplicas: 1,
        maxReplicas: 3,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: TARGET_PERCENT } } }],
      },
    } as never);
    const overTarget = async (): Promise<boolean> => {
      const r = await c.json<PodMetricsList>({ method: 'GET', path: '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods', query: { labelSelector: 'app=burner' } }).catch(() => undefined);
      return (r?.items ?? []).some((p) => p.containers.some((x) => (milli(x.usage.cpu) / REQUEST_MILLI) * 100 > TARGET_PERCENT));
    };
    console.log(`# HPA benchmark: sync period ${SYNC}, metric resolution ${RESOLUTION}, ${ROUNDS} rounds (target ${TARGET_PERCENT}% of ${REQUEST_MILLI}m)`);
    await waitFor('metrics for the idle burner', async () => !(await overTarget()) && (await c.json<PodMetricsList>({ method: 'GET', path: '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods' }).catch(() => ({ items: [] }))).items.length > 0, 120_000, 200);
    for (let round = 1; round <= ROUNDS; round++) {
      const t0 = Date.now();
      await h.setLoad(true);
      let metricAt = 0;
      let scaledAt = 0;
      await waitFor('scale-up', async () => {
        if (!metricAt && (await overTarget())) metricAt = Date.now();
        if (!scaledAt && (await h.replicas()) > 1) scaledAt = Date.now();
        return metricAt && scaledAt ? true : undefined;
      }, 180_000, 100);
      const scale = (scaledAt - t0) / 1000;
      const metric = (metricAt - t0) / 1000;
      console.log(`round ${round}: load start → scale-up ${scale.toFixed(1)} s; load start → metrics API shows the load ${metric.toFixed(1)} s (ratio ${(scale / metric).toFixed(2)})`);
      await h.setLoad(false);
      await waitFor('back to 1 replica and idle metrics', async () => (await h.replicas()) === 1 && !(await overTarget()), 300_000, 500);
    }
  } finally {
    await h.stop();
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
