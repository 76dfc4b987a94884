// The workload under fire: a 10-replica Deployment of busybox httpd pages rolling through
// revisions (a template annotation changes every few seconds), behind a NodePort Service.
// Its pods are followed by a resuming watch; after every event the number of live pods is
// compared with replicas + maxSurge (the deployment controller's promise during a rollout).
import type { Deployment } from 'kubernetes-types/apps/v1';
import type { Pod, Service } from 'kubernetes-types/core/v1';
import type { RestClient } from '../../client/index.js';
import { sleep } from './clients.js';
import { ResumingWatcher } from './watcher.js';

export const REPLICAS = 10;
export const MAX_SURGE = 3;
export const MAX_UNAVAILABLE = 2;

/** Pods the deployment controller counts: not being deleted, not terminated. */
export function isLivePod(p: Pod): boolean {
  return !p.metadata?.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed';
}

export function isReadyPod(p: Pod): boolean {
  return isLivePod(p) && (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/** `hash1: 10, hash2: 4`: live pods per ReplicaSet (pod-template-hash), for the report. */
function byTemplate(pods: Pod[]): string {
  const n = new Map<string, number>();
  for (const p of pods) {
    const h = p.metadata?.labels?.['pod-template-hash'] ?? '?';
    n.set(h, (n.get(h) ?? 0) + 1);
  }
  return [...n].map(([h, c]) => `${h}: ${c}`).join(', ');
}

export function deploymentManifest(name: string, run: string): Deployment {
  const labels = { app: name, 'chaos-run': run };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels },
    spec: {
      replicas: REPLICAS,
      selector: { matchLabels: { app: name } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: MAX_SURGE, maxUnavailable: MAX_UNAVAILABLE } },
      template: {
        metadata: { labels, annotations: { 'chaos.tskube.io/revision': '0' } },
        spec: {
          terminationGracePeriodSeconds: 2,
          containers: [
            {
              name: 'web',
              image: 'busybox:1.35',
              imagePullPolicy: 'IfNotPresent',
              command: ['sh', '-c', 'mkdir -p /www && echo "chaos $HOSTNAME" > /www/index.html && exec httpd -f -p 8080 -h /www'],
              ports: [{ containerPort: 8080 }],
              readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 },
            },
          ],
        },
      },
    },
  };
}

export function serviceManifest(name: string, run: string): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, labels: { 'chaos-run': run } },
    spec: { type: 'NodePort', selector: { app: name }, ports: [{ port: 80, targetPort: 8080 }] },
  };
}

export class Workload {
  readonly pods = new Map<string, Pod>();
  readonly podWatcher: ResumingWatcher<Pod>;
  maxLivePods = 0;
  maxWatchedPods = 0;
  private stopSampler: AbortController | undefined;
  private sampler: Promise<void> | undefined;
  readonly surgeViolations: string[] = [];
  nodePort = 0;
  revision = 0;
  rollErrors = 0;
  private stopRoller: AbortController | undefined;
  private roller: Promise<void> | undefined;

  constructor(
    private readonly client: RestClient,
    readonly namespace: string,
    readonly name: string,
    private readonly run: string,
  ) {
    this.podWatcher = new ResumingWatcher<Pod>(client, 'pods', {
      namespace,
      labelSelector: `app=${name}`,
      onList: (items) => {
        this.pods.clear();
        for (const p of items) this.pods.set(p.metadata!.name!, p);
        this.sample('list');
      },
      onEvent: (e) => {
        if (e.type === 'DELETED') this.pods.delete(e.object.metadata!.name!);
        else this.pods.set(e.object.metadata!.name!, e.object);
        this.sample(`${e.type} ${e.object.metadata?.name} rv ${e.object.metadata?.resourceVersion}`);
      },
    });
  }

  /** The watch's view: only as right as the watch (watchMatchesList checks it). */
  private sample(_why: string): void {
    this.maxWatchedPods = Math.max(this.maxWatchedPods, [...this.pods.values()].filter(isLivePod).length);
  }

  /**
   * The surge bound is sampled from consistent LISTs (every 300 ms), not from the watch, so
   * that a watch that missed a DELETED event cannot fake a violation (nor hide one).
   */
  private startSampling(): void {
    const stop = new AbortController();
    this.stopSampler = stop;
    this.sampler = (async () => {
      while (!stop.signal.aborted) {
        try {
          const list = await this.client.resource('pods', this.namespace).list({ labelSelector: `app=${this.name}` });
          const live = list.items.filter(isLivePod);
          this.maxLivePods = Math.max(this.maxLivePods, live.length);
          if (live.length > REPLICAS + MAX_SURGE && this.surgeViolations.length < 20) {
            this.surgeViolations.push(`${live.length} live pods (> ${REPLICAS}+${MAX_SURGE}) at RV ${list.metadata?.resourceVersion} (${byTemplate(live)})`);
          }
        } catch {
          // the apiserver is down: nothing to sample
        }
        await sleep(300);
      }
    })();
  }

  async stopSampling(): Promise<void> {
    this.stopSampler?.abort();
    await this.sampler;
  }

  /** The watch's pods equal a fresh LIST's (retried for a few seconds: the watch may lag). */
  async watchMatchesList(timeoutMs = 10_000): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      let diff: string[];
      try {
        const list = await this.client.resource('pods', this.namespace).list({ labelSelector: `app=${this.name}` });
        const listed = new Set(list.items.map((p) => p.metadata!.name!));
        const missed = [...this.pods.keys()].filter((n) => !listed.has(n));
        const unseen = [...listed].filter((n) => !this.pods.has(n));
        diff = [];
        if (missed.length) diff.push(`the pod watch still has ${missed.length} pods the LIST does not (missed DELETED events): ${missed.slice(0, 3).join(', ')}`);
        if (unseen.length) diff.push(`the pod watch lacks ${unseen.length} listed pods (missed ADDED events): ${unseen.slice(0, 3).join(', ')}`);
      } catch (e) {
        diff = [`could not list pods: ${String(e)}`];
      }
      if (!diff.length || Date.now() > deadline) return diff;
      await sleep(500);
    }
  }

  async setup(): Promise<void> {
    await this.client.resource('deployments.apps', this.namespace).create(deploymentManifest(this.name, this.run));
    const svc = await this.client.resource('services', this.namespace).create(serviceManifest(this.name, this.run));
    this.nodePort = svc.spec?.ports?.[0]?.nodePort ?? 0;
    this.podWatcher.start();
    this.startSampling();
  }

  /** Changes the template once: a new ReplicaSet, a rolling update begins. */
  async roll(): Promise<void> {
    const next = this.revision + 1;
    const patch = { spec: { template: { metadata: { annotations: { 'chaos.tskube.io/revision': String(next) } } } } };
    try {
      await this.client.resource('deployments.apps', this.namespace).patch(this.name, 'merge', patch);
      this.revision = next;
    } catch {
      this.rollErrors++;
    }
  }

  /** Rolls every `everyMs` until stopRolling (which does not wait out the interval). */
  startRolling(everyMs: number): void {
    const stop = new AbortController();
    this.stopRoller = stop;
    this.roller = (async () => {
      while (!stop.signal.aborted) {
        await new Promise<void>((r) => {
          const t = setTimeout(r, everyMs);
          stop.signal.addEventListener('abort', () => (clearTimeout(t), r()), { once: true });
        });
        if (!stop.signal.aborted) await this.roll();
      }
    })();
  }

  async stopRolling(): Promise<void> {
    this.stopRoller?.abort();
    await this.roller;
  }

  /** Spec met: the latest template everywhere, all replicas available, no old pods left. */
  async converged(): Promise<boolean> {
    const d = await this.client.resource('deployments.apps', this.namespace).get(this.name);
    const s = d.status ?? {};
    const statusOk =
      (s.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0) &&
      s.replicas === REPLICAS &&
      s.updatedReplicas === REPLICAS &&
      s.availableReplicas === REPLICAS &&
      s.readyReplicas === REPLICAS;
    const pods = await this.client.resource('pods', this.namespace).list({ labelSelector: `app=${this.name}` });
    const live = pods.items.filter(isLivePod);
    return statusOk && live.length === REPLICAS && live.every(isReadyPod);
  }
}
