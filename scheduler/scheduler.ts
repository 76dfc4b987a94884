// kube-scheduler as a library (k8s pkg/scheduler/scheduler.go): the `Scheduler` holds the
// cache, the queue, one framework per profile, the informers and the metrics as fields. Its
// phases live in their own files, as upstream's: informer events → cache and queue
// (event-handlers.ts); one attempt — decide synchronously against the cache, assume, bind in
// the background (schedule-one.ts); and here the lifecycle: start, the run loop while this
// instance holds the kube-system/kube-scheduler Lease (when leader election is on), stop.
import { componentRestConfig, type ClientConnection } from '../client/component-base/rest-config.js';
import { DelegatingAuth } from '../client/component-base/delegating-auth.js';
import type { ServingTLS } from '../client/component-base/secure-serving.js';
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Node, Pod } from 'kubernetes-types/core/v1';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import {
  EventRecorder,
  RestClient,
  SharedInformerFactory,
  isNotFound,
  type ResourceClient,
  type RestConfig,
  type SharedInformer,
} from '../client/index.js';
import { campaignForLease, type Campaign, type LeaderElectionOptions } from '../client/leader-campaign.js';
import { newLogger, newRegistry, startHealthServer } from '../client/component-base/daemon.js';
import { SchedulerCache } from './cache.js';
import { addAllEventHandlers } from './event-handlers.js';
import { Code, type Handle } from './framework/interface.js';
import { Framework } from './framework/runtime.js';
import type { PodInfo } from './framework/types.js';
import { SchedulerMetrics } from './metrics.js';
import { IN_TREE_REGISTRY, type Registry as PluginRegistry } from './plugins/registry.js';
import { DEFAULT_PROFILE, type ProfileConfig } from './profile.js';
import { SchedulingQueue } from './queue.js';
import { handleSchedulingFailure, scheduleOne } from './schedule-one.js';
import type { SchedulerState } from './scheduler-state.js';

export type { LeaderElectionOptions };

export interface SchedulerOptions extends ClientConnection {
  /** A ready client; otherwise one is built from `master`/`kubeconfig` with `qps`/`burst`. */
  client?: RestClient;
  kubeconfig?: string;
  /** A plain apiserver URL, as `--master`. */
  master?: string;
  /** Client-side rate limit (`--kube-api-qps`/`--kube-api-burst`; qps ≤ 0 = unlimited). */
  qps?: number;
  burst?: number;
  profiles?: readonly ProfileConfig[];
  pluginRegistry?: PluginRegistry;
  leaderElect?: boolean;
  leaderElection?: LeaderElectionOptions;
  /** Health/metrics server; omitted = none (tests), 0 = a random port. */
  port?: number;
  bindAddress?: string;
  /** HTTPS for that server, with authentication and authorization delegated to the apiserver; plain HTTP when unset. */
  servingTLS?: ServingTLS;
  logger?: Logger;
  registry?: Registry;
  podInitialBackoffSeconds?: number;
  podMaxBackoffSeconds?: number;
  /** Binding calls in flight at once (the decide loop waits when this many are outstanding). */
  maxInFlightBinds?: number;
  /** Called when leadership is lost (not on stop()); kube-scheduler exits then. Default: campaign again. */
  onLeadershipLost?: () => void;
  random?: () => number;
}

export interface SchedulerHandle {
  readonly port: number | undefined;
  readonly registry: Registry;
  readonly identity: string;
  isLeader(): boolean;
  /** Cache and queue sizes, for tests and debugging. */
  stats(): { nodes: number; pods: number; pending: Record<string, number>; bindsInFlight: number };
  /** Names of the nodes in the cache (what the next decision will consider). */
  nodeNames(): string[];
  stop(): Promise<void>;
}

/** Builds and starts a Scheduler (informers, queue, leader election or the loop, health server). */
export async function startScheduler(opts: SchedulerOptions = {}): Promise<SchedulerHandle> {
  const scheduler = new Scheduler(opts);
  await scheduler.start();
  return scheduler;
}

export class Scheduler implements SchedulerHandle, SchedulerState {
  readonly log: Logger;
  readonly registry: Registry;
  readonly identity: string;
  readonly client: RestClient;
  readonly pods: ResourceClient<Pod>;
  readonly cache = new SchedulerCache();
  readonly queue: SchedulingQueue;
  /** One framework per profile, by schedulerName (k8s profile.Map). */
  readonly profiles = new Map<string, Framework>();
  readonly metrics: SchedulerMetrics;
  readonly informerFactory: SharedInformerFactory;
  /** Pods that are not Succeeded/Failed: bound ones feed the cache, unbound ones the queue. */
  readonly podInformer: SharedInformer<Pod>;
  readonly nodeInformer: SharedInformer<Node>;
  readonly pdbInformer: SharedInformer<PodDisruptionBudget>;
  readonly random: () => number;
  /** Where the next decision starts in the node list, so every node gets its turn (nextStartNodeIndex). */
  nextStartIndex = 0;
  /** Binding calls sent and not yet answered. */
  bindsInFlight = 0;

  private readonly opts: SchedulerOptions;
  private readonly ownClient: boolean;
  private readonly maxInFlightBinds: number;
  private readonly bindSlotWaiters: Array<() => void> = [];
  private readonly recorders = new Map<string, EventRecorder>();
  private readonly stopAll = new AbortController();
  private expiry: NodeJS.Timeout | undefined;
  private election: Campaign | undefined;
  private loop: Promise<void> | undefined;
  private health: Awaited<ReturnType<typeof startHealthServer>> | undefined;
  private stopped: Promise<void> | undefined;

  constructor(opts: SchedulerOptions = {}) {
    this.opts = opts;
    this.log = opts.logger ?? newLogger('kube-scheduler');
    this.registry = opts.registry ?? newRegistry();
    this.ownClient = !opts.client;
    this.client = opts.client ?? new RestClient(clientConfig(opts));
    this.pods = this.client.resource('pods');
    this.identity = opts.leaderElection?.identity ?? `${hostname()}_${randomUUID()}`;
    this.maxInFlightBinds = Math.max(1, opts.maxInFlightBinds ?? 256);
    this.random = opts.random ?? Math.random;

    // Before the profiles: plugins ask the factory for the informers they read (VolumeBinding: PVCs, PVs, classes).
    this.informerFactory = new SharedInformerFactory(this.client, { logger: this.log });
    const handle = this.frameworkHandle();
    for (const profile of opts.profiles ?? [DEFAULT_PROFILE]) {
      this.profiles.set(profile.schedulerName, new Framework(profile, opts.pluginRegistry ?? IN_TREE_REGISTRY, handle));
    }
    this.queue = new SchedulingQueue({
      initialBackoffMs: (opts.podInitialBackoffSeconds ?? 1) * 1000,
      maxBackoffMs: (opts.podMaxBackoffSeconds ?? 10) * 1000,
      mayHelp: (profile, rejectedBy, event) => this.profiles.get(profile)?.mayHelp(rejectedBy, event) ?? true,
      onIncoming: (q, event) => this.metrics.incomingPods.inc({ queue: q, event }),
    });
    this.metrics = new SchedulerMetrics(this.registry, () => this.queue.pending(), () => this.bindsInFlight);
    this.podInformer = this.informerFactory.informerFor('pods', { fieldSelector: 'status.phase!=Succeeded,status.phase!=Failed' });
    this.nodeInformer = this.informerFactory.informerFor('nodes');
    this.pdbInformer = this.informerFactory.informerFor('poddisruptionbudgets.policy');
  }

  /** What plugins reach the cluster through (framework.Handle): the cache, binding, evicting, and the pod's own filters. */
  private frameworkHandle(): Handle {
    return {
      nodes: this.cache,
      bindPod: async (p, nodeName) => {
        await this.pods.inNamespace(p.namespace).subresource(p.pod.metadata?.name ?? '', 'binding', {
          method: 'POST',
          body: { apiVersion: 'v1', kind: 'Binding', metadata: { name: p.pod.metadata?.name, namespace: p.namespace, uid: p.uid }, target: { apiVersion: 'v1', kind: 'Node', name: nodeName } },
        });
      },
      evictPod: async (victim, preemptor) => {
        this.metrics.preemptionAttempts.inc();
        this.recorderFor(preemptor).event(victim.pod, 'Normal', 'Preempted', `Preempted by pod ${preemptor.uid} on node ${victim.pod.spec?.nodeName ?? ''}`);
        try {
          await this.pods.inNamespace(victim.namespace).delete(victim.pod.metadata?.name ?? '', { preconditions: { uid: victim.uid } });
        } catch (e) {
          if (!isNotFound(e)) this.log.warn({ pod: victim.key, err: e }, 'could not delete preemption victim');
        }
      },
      pdbs: () => this.pdbInformer.lister.list(),
      // Preemption simulates filters; a handle serves every profile, so it runs the pod's own.
      runFilters: (state, pod, node) => this.frameworkFor(pod)?.runFilter(state, pod, node),
      client: this.client,
      informerFactory: this.informerFactory,
      stopped: this.stopAll.signal,
    };
  }

  private frameworkFor(p: PodInfo): Framework | undefined {
    return this.profiles.get(p.pod.spec?.schedulerName ?? DEFAULT_PROFILE.schedulerName);
  }

  /** Events are recorded as the pod's scheduler (the profile's name is the event's source component). */
  recorderFor(p: PodInfo): EventRecorder {
    const name = p.pod.spec?.schedulerName ?? DEFAULT_PROFILE.schedulerName;
    let r = this.recorders.get(name);
    if (!r) this.recorders.set(name, (r = new EventRecorder(this.client, { component: name, logger: this.log })));
    return r;
  }

  /** The current version of the pod from the informer, if it is still ours to schedule. */
  stillPending(p: PodInfo): Pod | undefined {
    const cur = this.podInformer.lister.get(p.key);
    if (!cur || cur.metadata?.uid !== p.uid || cur.spec?.nodeName) return undefined;
    return cur;
  }

  /** Called when a bind is answered: frees its slot for the loop (or for stop()). */
  releaseBindSlot(): void {
    this.bindsInFlight--;
    this.bindSlotWaiters.shift()?.();
  }

  private waitForBindSlot(): Promise<void> {
    return new Promise<void>((r) => this.bindSlotWaiters.push(r));
  }

  async start(): Promise<void> {
    addAllEventHandlers(this);
    this.informerFactory.start();
    this.queue.start();
    this.expiry = setInterval(() => {
      for (const key of this.cache.cleanupExpiredAssumedPods()) this.log.warn({ pod: key }, 'assumed pod expired: its binding was never confirmed');
    }, 1000);
    this.expiry.unref();
    if (this.opts.leaderElect) this.election = this.campaign();
    else {
      await this.informerFactory.waitForCacheSync();
      this.loop = this.run(this.stopAll.signal);
    }
    this.health = await this.startHealth();
  }

  /** Runs the loop for each leadership term, once the informers have synced. */
  private campaign(): Campaign {
    const opts = this.opts;
    return campaignForLease({
      client: this.client,
      defaultName: 'kube-scheduler',
      registry: this.registry,
      identity: this.identity,
      leaderElection: opts.leaderElection,
      logger: this.log,
      stopped: this.stopAll.signal,
      ...(opts.onLeadershipLost ? { onLeadershipLost: opts.onLeadershipLost } : {}),
      onStartedLeading: async (signal) => {
        await this.informerFactory.waitForCacheSync(signal).catch(() => undefined);
        if (!signal.aborted) this.loop = this.run(signal);
      },
    });
  }

  private async startHealth(): Promise<Awaited<ReturnType<typeof startHealthServer>> | undefined> {
    const opts = this.opts;
    if (opts.port === undefined) return undefined;
    return startHealthServer({
      bindAddress: opts.bindAddress ?? '127.0.0.1',
      port: opts.port,
      registry: this.registry,
      check: () => (this.podInformer.hasSynced() && this.nodeInformer.hasSynced() ? undefined : 'informers not synced'),
      ...(opts.servingTLS ? { secure: { tls: opts.servingTLS, auth: new DelegatingAuth({ client: this.client }) } } : {}),
    });
  }

  /** The loop of one leadership term (sched.Run). Yields to I/O every few ms so informers and binds progress. */
  private async run(signal: AbortSignal): Promise<void> {
    this.log.info({ profiles: [...this.profiles.keys()] }, 'scheduling loop started');
    let slice = performance.now();
    while (!signal.aborted) {
      if (this.bindsInFlight >= this.maxInFlightBinds) await this.waitForBindSlot();
      const q = this.queue.tryPop() ?? (await this.queue.pop(signal));
      if (!q) break;
      try {
        scheduleOne(this, q);
      } catch (e) {
        this.log.error({ pod: q.podInfo.key, err: e }, 'scheduling attempt failed');
        handleSchedulingFailure(this, q, this.queue.schedulingCycle, Code.Error, String(e), new Set());
      }
      if (performance.now() - slice > 10) {
        await yieldToEventLoop();
        slice = performance.now();
      }
    }
    this.log.info('scheduling loop stopped');
  }

  get port(): number | undefined {
    return this.health?.port;
  }

  isLeader(): boolean {
    return this.election?.isLeader() ?? true;
  }

  stats(): { nodes: number; pods: number; pending: Record<string, number>; bindsInFlight: number } {
    return { nodes: this.cache.nodeCount(), pods: this.cache.podCount(), pending: this.queue.pending(), bindsInFlight: this.bindsInFlight };
  }

  nodeNames(): string[] {
    return this.cache.list().map((n) => n.name);
  }

  stop(): Promise<void> {
    this.stopped ??= (async () => {
      this.stopAll.abort();
      await this.election?.stop();
      this.queue.close();
      await this.loop;
      clearInterval(this.expiry);
      while (this.bindsInFlight > 0) await this.waitForBindSlot();
      // Events are best effort: give pending ones a moment, never block shutdown on an unreachable apiserver.
      await Promise.race([Promise.all([...this.recorders.values()].map((r) => r.flush())), new Promise((r) => setTimeout(r, 2000).unref())]);
      await this.informerFactory.shutdown();
      await this.health?.close();
      if (this.ownClient) await this.client.close();
    })();
    return this.stopped;
  }
}

function clientConfig(opts: SchedulerOptions): RestConfig {
  return componentRestConfig({ ...opts, qps: opts.qps ?? 50, burst: opts.burst ?? 100 }, 'kube-scheduler/v0.1.0 tskube');
}
