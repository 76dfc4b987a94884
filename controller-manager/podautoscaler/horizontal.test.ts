// The HPA controller against a real apiserver + etcd, with the ReplicaSet and Deployment
// controllers, a fake kubelet (pods Running and Ready) and a test MetricsClient. The metrics
// model a fixed total CPU load per app spread evenly over its running pods, so scaling changes
// each pod's utilization as it would on a cluster. Sync period 1 s and a 3 s downscale
// stabilization window, shortened by the controller's flags.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import type { Deployment } from 'kubernetes-types/apps/v1';
import type { HorizontalPodAutoscaler } from 'kubernetes-types/autoscaling/v2';
import type { Event } from 'kubernetes-types/core/v1';
import { RestClient } from '../../client/index.js';
import { parseLabelSelector } from '../../api/labels.js';
import { startTestApiserver, type TestApiserver } from '../../test/harness/apiserver.js';
import { startFakeKubelet, type FakeKubelet } from '../../test/harness/fake-kubelet.js';
import { waitFor } from '../../test/harness/ports.js';
import { kubectlFor } from '../../test/harness/kubectl.js';
import { startControllerManager, type ControllerManagerHandle } from '../manager.js';
import { HorizontalController } from './horizontal.js';
import type { MetricsClient, PodMetricsInfo, ResourceMetrics } from './metrics-client.js';

const NS = 'default';

/** Total CPU (millicores) of each app, shared by its running pods; absent = the metrics API has nothing. */
const load = new Map<string, number>();

class LoadMetrics implements MetricsClient {
  /** Metrics requests per app: each sync of an HPA with a Resource metric makes one. */
  readonly calls = new Map<string, number>();
  constructor(private readonly kubelet: () => FakeKubelet) {}
  async getResourceMetric(resource: string, namespace: string, labelSelector: string): Promise<ResourceMetrics> {
    const sel = parseLabelSelector(labelSelector);
    const app = sel.requirements.find((r) => r.key === 'app')?.values[0] ?? '';
    this.calls.set(app, (this.calls.get(app) ?? 0) + 1);
    const total = load.get(app);
    if (total === undefined || resource !== 'cpu') throw new Error('no metrics returned from resource metrics API');
    const running = this.kubelet()
      .pods.lister.list()
      .filter((p) => p.metadata?.namespace === namespace && sel.matches(p.metadata?.labels) && p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp);
    const metrics: PodMetricsInfo = new Map();
    const now = Date.now();
    for (const p of running) metrics.set(p.metadata?.name ?? '', { timestamp: now, windowMs: 0, value: Math.floor(total / running.length) });
    return { metrics, timestamp: now };
  }
}

function deployment(name: string, replicas: number): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'c', image: 'busybox:1.36', command: ['sleep', '3600'], resources: { requests: { cpu: '100m' } } }] },
      },
    },
  };
}

function hpa(name: string, min: number, max: number, extra: Partial<HorizontalPodAutoscaler['spec']> = {}, kind = 'Deployment'): HorizontalPodAutoscaler {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind, name },
      minReplicas: min,
      maxReplicas: max,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }],
      ...extra,
    },
  };
}

describe('horizontal-pod-autoscaler controller', () => {
  let api: TestApiserver;
  let client: RestClient;
  let kubelet: FakeKubelet;
  let cm: ControllerManagerHandle;
  const metrics = new LoadMetrics(() => kubelet);

  before(async () => {
    api = await startTestApiserver();
    client = new RestClient({ ...api.config, qps: 0 });
    kubelet = await startFakeKubelet(api.config);
    cm = await startControllerManager({
      config: api.config,
      controllers: ['replicaset', 'deployment', 'hpa-test'],
      logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
      options: {
        'horizontal-pod-autoscaler-sync-period': '1s',
        'horizontal-pod-autoscaler-downscale-stabilization': '3s',
      },
      extraControllers: { 'hpa-test': (ctx) => new HorizontalController(ctx, { metricsClient: metrics }) },
    });
  });

  after(async () => {
    await cm?.stop();
    await kubelet?.stop();
    await client?.close();
    await api?.stop();
  });

  const hpas = () => client.resource('horizontalpodautoscalers.autoscaling', NS);
  const replicasOf = async (name: string): Promise<number> => (await client.resource('deployments.apps', NS).get(name)).spec?.replicas ?? -1;
  const condition = (h: HorizontalPodAutoscaler, type: string) => h.status?.conditions?.find((c) => c.type === type);
  const eventsOf = async (name: string): Promise<Event[]> =>
    (await client.resource('events', NS).list()).items.filter((e) => e.involvedObject.kind === 'HorizontalPodAutoscaler' && e.involvedObject.name === name);
  /** Resolves once the controller has asked for `app`'s metrics `n` more times (each sync asks once). */
  const syncs = async (app: string, n: number): Promise<void> => {
    const target = (metrics.calls.get(app) ?? 0) + n;
    await waitFor(`${n} more syncs of ${app}`, () => (metrics.calls.get(app) ?? 0) >= target);
  };
  const settled = (name: string, replicas: number, utilization?: number) =>
    waitFor(`${name} settled at ${replicas}`, async () => {
      const h = await hpas().get(name);
      const st = h.status;
      const ok =
        (await replicasOf(name)) === replicas &&
        st?.currentReplicas === replicas &&
        st.desiredReplicas === replicas &&
        (utilization === undefined || st.currentMetrics?.[0]?.resource?.current.averageUtilization === utilization);
      return ok ? h : undefined;
    }, 30_000);

  test('scale-up: 100% of requests against a 50% target doubles the pods, with status, conditions and an event', async () => {
    load.set('web', 200);
    await client.resource('deployments.apps', NS).create(deployment('web', 2));
    const created = await hpas().create(hpa('web', 1, 10));
    // Defaulting is the API's: nothing to add here, the object is as sent.
    assert.equal(created.spec?.minReplicas, 1);
    const h = await settled('web', 4, 50);
    assert.equal(h.status?.observedGeneration, h.metadata?.generation);
    assert.ok(h.status?.lastScaleTime);
    assert.deepEqual(h.status?.currentMetrics, [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 50, averageValue: '50m' } } }]);
    assert.deepEqual([condition(h, 'ScalingActive')?.status, condition(h, 'ScalingActive')?.reason], ['True', 'ValidMetricFound']);
    assert.equal(condition(h, 'ScalingActive')?.message, 'the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)');
    assert.equal(condition(h, 'AbleToScale')?.status, 'True');
    assert.deepEqual([condition(h, 'ScalingLimited')?.status, condition(h, 'ScalingLimited')?.reason], ['False', 'DesiredWithinRange']);
    const events = await waitFor('SuccessfulRescale event', async () => {
      const ev = (await eventsOf('web')).filter((e) => e.reason === 'SuccessfulRescale');
      return ev.length > 0 ? ev : undefined;
    });
    assert.equal(events[0]?.type, 'Normal');
    assert.equal(events[0]?.message, 'New size: 4; reason: cpu resource utilization (percentage of request) above target');
    assert.equal(events[0]?.source?.component, 'horizontal-pod-autoscaler');
  });

  test('tolerance: 52% against 50% changes nothing', async () => {
    load.set('web', 208);
    await settled('web', 4, 52);
    await syncs('web', 3);
    assert.equal(await replicasOf('web'), 4);
    assert.equal((await eventsOf('web')).filter((e) => e.reason === 'SuccessfulRescale').length, 1);
  });

  test('scale-down waits for the stabilization window, then follows the metrics', async () => {
    load.set('web', 100);
    const held = await waitFor('ScaleDownStabilized', async () => {
      const h = await hpas().get('web');
      return condition(h, 'AbleToScale')?.reason === 'ScaleDownStabilized' ? h : undefined;
    });
    assert.equal(held.status?.desiredReplicas, 4);
    assert.equal(condition(held, 'AbleToScale')?.message, 'recent recommendations were higher than current one, applying the highest recent recommendation');
    await settled('web', 2, 50);
    const rescales = (await eventsOf('web')).filter((e) => e.reason === 'SuccessfulRescale').map((e) => e.message);
    assert.ok(rescales.includes('New size: 2; reason: All metrics below target'), JSON.stringify(rescales));
  });

  test('missing metrics: ScalingActive=False with the reason, events, and no scaling', async () => {
    await client.resource('deployments.apps', NS).create(deployment('idle', 3));
    await hpas().create(hpa('idle', 1, 10));
    const h = await waitFor('ScalingActive=False', async () => {
      const cur = await hpas().get('idle');
      return condition(cur, 'ScalingActive')?.status === 'False' ? cur : undefined;
    });
    const active = condition(h, 'ScalingActive');
    assert.equal(active?.reason, 'FailedGetResourceMetric');
    assert.equal(
      active?.message,
      'the HPA was unable to compute the replica count: failed to get cpu utilization: unable to get metrics for resource cpu: no metrics returned from resource metrics API',
    );
    assert.deepEqual([condition(h, 'AbleToScale')?.status, condition(h, 'AbleToScale')?.reason], ['True', 'SucceededGetScale']);
    assert.equal(h.status?.currentReplicas, 3);
    assert.deepEqual(h.status?.currentMetrics, [{ type: '' }]);
    await syncs('idle', 3);
    assert.equal(await replicasOf('idle'), 3);
    const reasons = new Set((await eventsOf('idle')).map((e) => `${e.type}/${e.reason}`));
    assert.ok(reasons.has('Warning/FailedGetResourceMetric') && reasons.has('Warning/FailedComputeMetricsReplicas'), [...reasons].join(','));
    assert.ok(!reasons.has('Normal/SuccessfulRescale'));
  });

  test('max and min clamp the proposal, with ScalingLimited', async () => {
    load.set('spike', 5000);
    await client.resource('deployments.apps', NS).create(deployment('spike', 2));
    await hpas().create(hpa('spike', 1, 5));
    const top = await settled('spike', 5);
    assert.deepEqual([condition(top, 'ScalingLimited')?.status, condition(top, 'ScalingLimited')?.reason], ['True', 'TooManyReplicas']);
    assert.equal(condition(top, 'ScalingLimited')?.message, 'the desired replica count is more than the maximum replica count');
    // On the way: 2 → 4 at most at once without spec.behavior (max(2 × 2, 4)).
    const sizes = (await eventsOf('spike')).filter((e) => e.reason === 'SuccessfulRescale').map((e) => e.message);
    assert.ok(sizes.includes('New size: 4; reason: cpu resource utilization (percentage of request) above target'), JSON.stringify(sizes));

    load.set('spike', 10);
    await hpas().patch('spike', 'merge', { spec: { minReplicas: 3 } });
    const bottom = await waitFor('spike at its minimum', async () => {
      const h = await hpas().get('spike');
      return (await replicasOf('spike')) === 3 && condition(h, 'ScalingLimited')?.reason === 'TooFewReplicas' ? h : undefined;
    }, 30_000);
    assert.equal(condition(bottom, 'ScalingLimited')?.status, 'True');
  });

  test('spec.behavior: a Pods policy limits each step and ScaleUpLimit says so', async () => {
    load.set('steady', 1000);
    await client.resource('deployments.apps', NS).create(deployment('steady', 1));
    await hpas().create(
      hpa('steady', 1, 10, { behavior: { scaleUp: { policies: [{ type: 'Pods', value: 1, periodSeconds: 1800 }] } } }),
    );
    const h = await waitFor('one pod added, then limited', async () => {
      const cur = await hpas().get('steady');
      return (await replicasOf('steady')) === 2 && condition(cur, 'ScalingLimited')?.reason === 'ScaleUpLimit' ? cur : undefined;
    });
    assert.equal(condition(h, 'ScalingLimited')?.status, 'True');
    // Defaulting filled in the rest of the behavior.
    assert.deepEqual(h.spec?.behavior?.scaleUp?.selectPolicy, 'Max');
    assert.deepEqual(h.spec?.behavior?.scaleDown?.policies, [{ type: 'Percent', value: 100, periodSeconds: 15 }]);
    await syncs('steady', 2);
    assert.equal(await replicasOf('steady'), 2);
  });

  test('a target at zero replicas is left alone: ScalingDisabled', async () => {
    load.set('zero', 1000);
    await client.resource('deployments.apps', NS).create(deployment('zero', 0));
    await hpas().create(hpa('zero', 1, 5));
    const h = await waitFor('ScalingDisabled', async () => {
      const cur = await hpas().get('zero');
      return condition(cur, 'ScalingActive')?.reason === 'ScalingDisabled' ? cur : undefined;
    });
    assert.equal(condition(h, 'ScalingActive')?.status, 'False');
    assert.equal(condition(h, 'ScalingActive')?.message, 'scaling is disabled since the replica count of the target is zero');
    // It never asks for metrics; other HPAs' syncs show time passed (every HPA syncs once a period).
    await syncs('web', 2);
    assert.equal(await replicasOf('zero'), 0);
  });

  test('kubectl 1.32: autoscale (autoscaling/v1), get hpa TARGETS, describe', async () => {
    const k = kubectlFor(api.config);
    load.set('cli', 300);
    await client.resource('deployments.apps', NS).create(deployment('cli', 1));
    const a = await k.run(['autoscale', 'deployment', 'cli', '--cpu-percent=50', '--min=1', '--max=5']);
    assert.equal(a.code, 0, a.stderr);
    assert.match(a.stdout, /horizontalpodautoscaler.autoscaling\/cli autoscaled/);
    // 300m over 1 pod = 300% → 4 at most at once, then 75% of 4 → ceil(1.5 × 4) = 6 → max 5 (60%).
    await settled('cli', 5, 60);
    const g = await k.run(['get', 'hpa', 'cli']);
    assert.equal(g.code, 0, g.stderr);
    assert.match(g.stdout, /^NAME\s+REFERENCE\s+TARGETS\s+MINPODS\s+MAXPODS\s+REPLICAS\s+AGE$/m);
    assert.match(g.stdout, /^cli\s+Deployment\/cli\s+cpu: 60%\/50%\s+1\s+5\s+5\s+\S+$/m);
    const v1 = await k.run(['get', 'horizontalpodautoscalers.v1.autoscaling', 'cli', '-o', 'jsonpath={.apiVersion} {.status.currentCPUUtilizationPercentage}']);
    assert.equal(v1.stdout, 'autoscaling/v1 60', v1.stderr);
    const d = await k.run(['describe', 'hpa', 'cli']);
    assert.equal(d.code, 0, d.stderr);
    assert.match(d.stdout, /resource cpu on pods\s+\(as a percentage of request\):\s+60% \(60m\) \/ 50%/);
    assert.match(d.stdout, /ScalingLimited\s+True\s+TooManyReplicas/);
    assert.match(d.stdout, /Normal\s+SuccessfulRescale\s+\S+\s+horizontal-pod-autoscaler\s+New size: 4; reason: cpu resource utilization \(percentage of request\) above target/);
  });

  test('any kind with a scale subresource: a ReplicaSet', async () => {
    load.set('rs', 200);
    const d = deployment('rs', 1);
    await client.resource('replicasets.apps', NS).create({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'rs' }, spec: d.spec as never });
    await hpas().create(hpa('rs', 1, 10, {}, 'ReplicaSet'));
    // 200% of a 50% target on 1 pod → 4 (the most at once), then 50% on 4.
    const h = await waitFor('rs scaled to 4', async () => {
      const cur = await hpas().get('rs');
      const rs = await client.resource('replicasets.apps', NS).get('rs');
      return rs.spec?.replicas === 4 && cur.status?.currentReplicas === 4 && cur.status.currentMetrics?.[0]?.resource?.current.averageUtilization === 50 ? cur : undefined;
    }, 30_000);
    assert.equal(condition(h, 'ScalingActive')?.reason, 'ValidMetricFound');
  });

  test('a missing target: AbleToScale=False FailedGetScale', async () => {
    await hpas().create(hpa('ghost', 1, 5));
    const h = await waitFor('FailedGetScale', async () => {
      const cur = await hpas().get('ghost');
      return condition(cur, 'AbleToScale')?.reason === 'FailedGetScale' ? cur : undefined;
    });
    assert.equal(condition(h, 'AbleToScale')?.status, 'False');
    assert.match(condition(h, 'AbleToScale')?.message ?? '', /^the HPA controller was unable to get the target's current scale: deployments\.apps "ghost" not found$/);
    const reasons = (await eventsOf('ghost')).map((e) => e.reason);
    assert.ok(reasons.includes('FailedGetScale'));
  });
});
