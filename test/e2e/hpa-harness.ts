// The HPA's whole pipeline for the e2e test and bench/hpa.ts: an apiserver and a real kubelet
// (Docker), metrics-server registered through the apiserver's aggregation layer, and a
// controller-manager running the Deployment, ReplicaSet and HPA controllers with the given
// flags; plus a busybox Deployment that burns CPU while the ConfigMap `load` says `on: "1"`.
import { pino } from 'pino';
import { startControllerManager, type ControllerManagerHandle } from '../../controller-manager/manager.js';
import type { KubeletServer } from '../../kubelet/server/server.js';
import { freePort } from '../harness/ports.js';
import { BUSYBOX, startKubeletEnv, type KubeletEnv } from './kubelet-harness.js';
import { startMetricsServerEnv, type MetricsServerEnv } from './metrics-server-harness.js';

export interface HpaEnv {
  env: KubeletEnv;
  node: string;
  metrics: MetricsServerEnv;
  /** Turns the burner's load on or off. */
  setLoad(on: boolean): Promise<void>;
  /** The burner Deployment's spec.replicas. */
  replicas(): Promise<number>;
  stop(): Promise<void>;
}

// Busy shell arithmetic (no forks) while /load/on says 1, a second's sleep otherwise.
const BURNER = 'while :; do if [ "$(cat /load/on)" = 1 ]; then i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; else sleep 1; fi; done';

const loadConfigMap = (on: boolean) => ({ apiVersion: 'v1' as const, kind: 'ConfigMap' as const, metadata: { name: 'load', namespace: 'default' }, data: { on: on ? '1' : '0' } });

/** A Deployment `burner` of busybox pods requesting 100m CPU each, bound to `node` (no scheduler runs). */
export function burnerDeployment(node: string): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'burner' },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'burner' } },
      template: {
        metadata: { labels: { app: 'burner' } },
        spec: {
          nodeName: node,
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
  };
}

export async function startHpaEnv(opts: { node: string; controllerFlags: Record<string, string>; metricResolutionMs?: number }): Promise<HpaEnv> {
  const env = await startKubeletEnv();
  let server: KubeletServer | undefined;
  let metrics: MetricsServerEnv | undefined;
  let cm: ControllerManagerHandle | undefined;
  const stop = async () => {
    await cm?.stop();
    await metrics?.stop();
    await server?.stop();
    await env.stop();
  };
  try {
    const port = await freePort();
    const kubelet = await env.startKubelet(opts.node, { port, nodeIP: '127.0.0.1' });
    server = await env.serve(kubelet, port);
    metrics = await startMetricsServerEnv(env.api, opts.metricResolutionMs);
    await metrics.register();
    cm = await startControllerManager({
      config: env.api.config,
      controllers: ['replicaset', 'deployment', 'horizontal-pod-autoscaler'],
      logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
      options: opts.controllerFlags,
    });
    const c = env.client;
    await c.resource('configmaps', 'default').create(loadConfigMap(false));
    await c.resource('deployments.apps', 'default').create(burnerDeployment(opts.node) as never);
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    env,
    node: opts.node,
    metrics,
    async setLoad(on) {
      await env.client.resource('configmaps', 'default').update(loadConfigMap(on));
    },
    async replicas() {
      return ((await env.client.resource('deployments.apps', 'default').get('burner')) as { spec: { replicas: number } }).spec.replicas;
    },
    stop,
  };
}
