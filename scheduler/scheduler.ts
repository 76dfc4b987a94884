// kube-scheduler as a library: `startScheduler(options)` wires informers (nodes; pods that are
// not Succeeded/Failed) into the cache and the queue, and — while it holds the
// kube-system/kube-scheduler Lease when leader election is on — runs the scheduling loop:
// pop a pod, decide synchronously against the cache (cheap, never double-books since assumed
// pods count), assume it, and bind in the background with several binds in flight.
import { componentRestConfig, type ClientConnection } from '../client/component-base/rest-config.js';
import { DelegatingAuth } from '../client/component-base/delegating-auth.js';
import type { ServingTLS } from '../client/component-base/secure-serving.js';
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Pod } from 'kubernetes-types/core/v1';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import {
  EventRecorder,
  RestClient,
  SharedInformerFactory,
  isNotFound,
  type RestConfig,
} from '../client/index.js';
import { campaignForLease, type Campaign, type LeaderElectionOptions } from '../client/leader-campaign.js';
import { newLogger, newRegistry, startHealthServer } from '../client/component-base/daemon.js';
import { SchedulerCache } from './cache.js';
import { nodeEventHandler, podEventHandler, EVENTS } from './event-handlers.js';
import { Code, type Handle } from './framework/interface.js';
import { Framework } from './framework/runtime.js';
import type { PodInfo } from './framework/types.js';
import { SchedulerMetrics } from './metrics.js';
import { IN_TREE_REGISTRY, type Registry as PluginRegistry } from './plugins/registry.js';
import { DEFAULT_PROFILE, type ProfileConfig } from './profile.js';
import { SchedulingQueue, type QueuedPodInfo } from './queue.js';
import { schedulePod } from './schedule-one.js';
import { updatePodScheduledCondition } from './pod-condition.js';

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

function clientConfig(opts: SchedulerOptions): RestConfig {
  return componentRestConfig({ ...opts, qps: opts.qps ?? 50, burst: opts.burst ?? 100 }, 'kube-scheduler/v0.1.0 tskube');
}

export async function startScheduler(opts: SchedulerOptions = {}): Promise<SchedulerHandle> {
  const log = opts.logger ?? newLogger('kube-scheduler');
  const registry = opts.registry ?? newRegistry();
  const ownClient = !opts.client;
  const client = opts.client ?? new RestClient(clientConfig(opts));
  const identity = opts.leaderElection?.identity ?? `${hostname()}_${randomUUID()}`;
  const maxInFlight = Math.max(1, opts.maxInFlightBinds ?? 256);
  const random = opts.random ?? Math.random;
  const stopAll = new AbortController();

  const cache = new SchedulerCache();
  const pods = client.resource('pods');
  const handle: Handle = {
    nodes: cache,
    bindPod: async (p, nodeName) => {
      await pods.inNamespace(p.namespace).subresource(p.pod.metadata?.name ?? '', 'binding', {
        method: 'POST',
        body: { apiVersion: 'v1', kind: 'Binding', metadata: { name: p.pod.metadata?.name, namespace: p.namespace, uid: p.uid }, target: { apiVersion: 'v1', kind: 'Node', name: nodeName } },
      });
    },
    evictPod: async (victim, preemptor) => {
      metrics.preemptionAttempts.inc();
      recorderFor(preemptor).event(victim.pod, 'Normal', 'Preempted', `Preempted by pod ${preemptor.uid} on node ${victim.pod.spec?.nodeName ?? ''}`);
      try {
        await pods.inNamespace(victim.namespace).delete(victim.pod.metadata?.name ?? '', { preconditions: { uid: victim.uid } });
      } catch (e) {
        if (!isNotFound(e)) log.warn({ pod: victim.key, err: e }, 'could not delete preemption victim');
      }
    },
  };
  const frameworks = new Map<string, Framework>();
  for (const profile of opts.profiles ?? [DEFAULT_PROFILE]) {
    const fwk = new Framework(profile, opts.pluginRegistry ?? IN_TREE_REGISTRY, handle);
    frameworks.set(profile.schedulerName, fwk);
  }
  // Preemption simulates filters; a handle serves every profile, so it runs the pod's own.
  handle.runFilters = (state, pod, node) => frameworks.get(pod.pod.spec?.schedulerName ?? DEFAULT_PROFILE.schedulerName)?.runFilter(state, pod, node);

  const recorders = new Map<string, EventRecorder>();
  const recorderFor = (p: PodInfo): EventRecorder => {
    const name = p.pod.spec?.schedulerName ?? DEFAULT_PROFILE.schedulerName;
    let r = recorders.get(name);
    if (!r) recorders.set(name, (r = new EventRecorder(client, { component: name, logger: log })));
    return r;
  };

  let bindsInFlight = 0;
  const queue = new SchedulingQueue({
    initialBackoffMs: (opts.podInitialBackoffSeconds ?? 1) * 1000,
    maxBackoffMs: (opts.podMaxBackoffSeconds ?? 10) * 1000,
    mayHelp: (profile, rejectedBy, event) => frameworks.get(profile)?.mayHelp(rejectedBy, event) ?? true,
    onIncoming: (q, event) => metrics.incomingPods.inc({ queue: q, event }),
  });
  const metrics = new SchedulerMetrics(registry, () => queue.pending(), () => bindsInFlight);

  const factory = new SharedInformerFactory(client, { logger: log });
  const podInformer = factory.informerFor('pods', { fieldSelector: 'status.phase!=Succeeded,status.phase!=Failed' });
  const nodeInformer = factory.informerFor('nodes');
  podInformer.addEventHandler(podEventHandler({ cache, queue, responsibleFor: (name) => frameworks.has(name) }));
  nodeInformer.addEventHandler(nodeEventHandler({ cache, queue }));
  factory.start();
  queue.start();
  const expiry = setInterval(() => {
    for (const key of cache.cleanupExpiredAssumedPods()) log.warn({ pod: key }, 'assumed pod expired: its binding was never confirmed');
  }, 1000);
  expiry.unref();

  // ---- one scheduling attempt ----
  let nextStartIndex = 0;
  const slotWaiters: Array<() => void> = [];

  /** The current version of the pod from the informer, if it is still ours to schedule. */
  const stillPending = (p: PodInfo): Pod | undefined => {
    const cur = podInformer.lister.get(p.key);
    if (!cur || cur.metadata?.uid !== p.uid || cur.spec?.nodeName) return undefined;
    return cur;
  };

  const fail = (q: QueuedPodInfo, cycle: number, code: Code, message: string, rejectedBy: Set<string>, nominatedNodeName?: string): void => {
    const p = q.podInfo;
    const cur = stillPending(p);
    if (!cur) {
      queue.done(p.uid);
      return;
    }
    q.unschedulablePlugins = code === Code.Error ? new Set() : rejectedBy;
    queue.addUnschedulableIfNotPresent(q, cycle);
    const reason = code === Code.Error ? 'SchedulerError' : 'Unschedulable';
    log.info({ pod: p.key, reason, message }, 'unable to schedule pod');
    recorderFor(p).event(cur, 'Warning', 'FailedScheduling', message);
    void updatePodScheduledCondition(pods.inNamespace(p.namespace), cur, reason, message, nominatedNodeName).catch((e: unknown) => {
      if (!isNotFound(e)) log.warn({ pod: p.key, err: e }, 'could not update pod condition');
    });
  };

  const scheduleOne = (q: QueuedPodInfo): void => {
    const p = q.podInfo;
    const cycle = queue.schedulingCycle;
    const fwk = frameworks.get(q.profile);
    // skipPodSchedule: deleted, being deleted, or already assumed (a stale event re-queued it).
    if (!fwk || p.pod.metadata?.deletionTimestamp || cache.isAssumed(p.uid) || !stillPending(p)) {
      queue.done(p.uid);
      return;
    }
    const started = performance.now();
    const out = schedulePod({ fwk, pod: p, nodes: cache.list(), startIndex: nextStartIndex, random });
    nextStartIndex = out.nextStartIndex;
    if (out.kind === 'unschedulable') {
      const result = out.code === Code.Error ? 'error' : 'unschedulable';
      metrics.attempts.inc({ result, profile: q.profile });
      metrics.attemptDuration.observe({ result, profile: q.profile }, (performance.now() - started) / 1000);
      fail(q, cycle, out.code, out.message, out.rejectedBy, out.nominatedNodeName);
      return;
    }
    const nodeName = out.nodeName;
    const assumed: PodInfo = { ...p, pod: { ...p.pod, spec: { ...p.pod.spec!, nodeName } } };
    cache.assumePod(assumed, nodeName);
    const reserve = fwk.runReserve(out.state, assumed, nodeName);
    if (reserve) {
      fwk.runUnreserve(out.state, assumed, nodeName);
      cache.forgetPod(p.uid);
      metrics.attempts.inc({ result: 'error', profile: q.profile });
      fail(q, cycle, Code.Error, `running Reserve plugin "${reserve.plugin}": ${reserve.reasons.join(', ')}`, new Set());
      return;
    }
    bindsInFlight++;
    void (async () => {
      try {
        const s = await fwk.runBind(out.state, assumed, nodeName);
        if (s) throw new Error(`running Bind plugin "${s.plugin}": ${s.reasons.join(', ')}`);
        cache.finishBinding(p.uid);
        const seconds = (performance.now() - started) / 1000;
        metrics.attempts.inc({ result: 'scheduled', profile: q.profile });
        metrics.attemptDuration.observe({ result: 'scheduled', profile: q.profile }, seconds);
        metrics.e2eLatency.observe({ attempts: String(Math.min(q.attempts, 16)) }, (Date.now() - q.initialAttemptTimestamp) / 1000);
        log.debug({ pod: p.key, node: nodeName, evaluatedNodes: out.evaluatedNodes, feasibleNodes: out.feasibleNodes }, 'bound pod');
        recorderFor(p).event(p.pod, 'Normal', 'Scheduled', `Successfully assigned ${p.key} to ${nodeName}`);
        queue.done(p.uid);
      } catch (e) {
        fwk.runUnreserve(out.state, assumed, nodeName);
        cache.forgetPod(p.uid);
        // What this pod held is free again: others may now fit (k8s moves pods on bind failure too).
        queue.moveAllToActiveOrBackoffQueue(EVENTS.assignedPodDelete);
        metrics.attempts.inc({ result: 'error', profile: q.profile });
        fail(q, cycle, Code.Error, `binding rejected: ${e instanceof Error ? e.message : String(e)}`, new Set());
      } finally {
        bindsInFlight--;
        slotWaiters.shift()?.();
      }
    })();
  };

  /** The loop of one leadership term. Yields to I/O every few ms so informers and binds progress. */
  const runLoop = async (signal: AbortSignal): Promise<void> => {
    log.info({ profiles: [...frameworks.keys()] }, 'scheduling loop started');
    let slice = performance.now();
    while (!signal.aborted) {
      if (bindsInFlight >= maxInFlight) await new Promise<void>((r) => slotWaiters.push(r));
      const q = queue.tryPop() ?? (await queue.pop(signal));
      if (!q) break;
      try {
        scheduleOne(q);
      } catch (e) {
        log.error({ pod: q.podInfo.key, err: e }, 'scheduling attempt failed');
        fail(q, queue.schedulingCycle, Code.Error, String(e), new Set());
      }
      if (performance.now() - slice > 10) {
        await yieldToEventLoop();
        slice = performance.now();
      }
    }
    log.info('scheduling loop stopped');
  };

  let loop: Promise<void> | undefined;
  let election: Campaign | undefined;
  if (opts.leaderElect) {
    election = campaignForLease({
      client,
      defaultName: 'kube-scheduler',
      identity,
      leaderElection: opts.leaderElection,
      logger: log,
      stopped: stopAll.signal,
      ...(opts.onLeadershipLost ? { onLeadershipLost: opts.onLeadershipLost } : {}),
      onStartedLeading: async (signal) => {
        await factory.waitForCacheSync(signal).catch(() => undefined);
        if (!signal.aborted) loop = runLoop(signal);
      },
    });
  } else {
    await factory.waitForCacheSync();
    loop = runLoop(stopAll.signal);
  }

  const health =
    opts.port === undefined
      ? undefined
      : await startHealthServer({
          bindAddress: opts.bindAddress ?? '127.0.0.1',
          port: opts.port,
          registry,
          check: () => (podInformer.hasSynced() && nodeInformer.hasSynced() ? undefined : 'informers not synced'),
          ...(opts.servingTLS ? { secure: { tls: opts.servingTLS, auth: new DelegatingAuth({ client }) } } : {}),
        });

  let stopped: Promise<void> | undefined;
  return {
    port: health?.port,
    registry,
    identity,
    isLeader: () => election?.isLeader() ?? true,
    stats: () => ({ nodes: cache.nodeCount(), pods: cache.podCount(), pending: queue.pending(), bindsInFlight }),
    nodeNames: () => cache.list().map((n) => n.name),
    stop() {
      stopped ??= (async () => {
        stopAll.abort();
        await election?.stop();
        queue.close();
        await loop;
        clearInterval(expiry);
        while (bindsInFlight > 0) await new Promise<void>((r) => slotWaiters.push(r));
        // Events are best effort: give pending ones a moment, never block shutdown on an unreachable apiserver.
        await Promise.race([Promise.all([...recorders.values()].map((r) => r.flush())), new Promise((r) => setTimeout(r, 2000).unref())]);
        await factory.shutdown();
        await health?.close();
        if (ownClient) await client.close();
      })();
      return stopped;
    },
  };
}
