// The eviction manager (pkg/kubelet/eviction/eviction_manager.go): every monitoring interval
// it observes the signals, keeps the node's pressure conditions (MemoryPressure, DiskPressure,
// PIDPressure — raised while a threshold is met and for the transition period after), and when
// a threshold's grace period is met it ranks the active pods for the starved resource and
// evicts one: killed (1 s grace for a hard threshold, --eviction-max-pod-grace-period for a soft
// one), phase Failed, reason Evicted, a DisruptionTarget condition (TerminationByKubelet), an
// Evicted event. Then it looks again at once, so pods go one at a time until the pressure is
// relieved. Critical pods are never evicted. Reclaiming node-level resources first (image and
// container GC) is not done: tskube's kubelet has no image GC to run.
import type { ObjectReference, Pod, PodCondition } from 'kubernetes-types/core/v1';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import type { EventRecorder } from '../../client/index.js';
import { metaTime } from '../../api/time.js';
import { podRef } from '../pod/sync-deps.js';
import { SIGNAL_TO_RESOURCE, isHardEvictionThreshold, type NodeConditionType, type Threshold } from './api.js';
import { REASON_EVICTED, admitUnderPressure, isCriticalPod, type PressureAdmitResult } from './admission.js';
import { evaluateThresholds, initialEvictionState, type EvictionState, type SignalObservations } from './helpers.js';
import { evictionMessage, rankPods, type PodUsage } from './rank.js';

/** immediateEvictionGracePeriodSeconds: how long a pod gets when a hard threshold is met. */
export const IMMEDIATE_EVICTION_GRACE_PERIOD_SECONDS = 1;

const CONDITION_EVENTS: [NodeConditionType, string, string][] = [
  ['MemoryPressure', 'NodeHasInsufficientMemory', 'NodeHasSufficientMemory'],
  ['DiskPressure', 'NodeHasDiskPressure', 'NodeHasNoDiskPressure'],
  ['PIDPressure', 'NodeHasInsufficientPID', 'NodeHasSufficientPID'],
];

export interface EvictionStatsProvider {
  observe(): Promise<SignalObservations>;
  podUsage(pods: readonly Pod[], withDisk: boolean): Promise<Map<string, PodUsage>>;
  hasDedicatedImageFs(): Promise<boolean>;
}

/** What the pod is left with (TerminatePodOptions): the kubelet writes it with phase Failed. */
export interface EvictionStatus {
  reason: string;
  message: string;
  conditions: PodCondition[];
}

export interface EvictionManagerOptions {
  thresholds: Threshold[];
  pressureTransitionPeriodMs: number;
  monitoringIntervalMs: number;
  /** --eviction-max-pod-grace-period: the grace a soft eviction gives (0 = the pod's own is cut to 0). */
  maxPodGracePeriodSeconds: number;
  stats: EvictionStatsProvider;
  /** The pods admitted and not finished (GetActivePods). */
  activePods(): Pod[];
  /** Kills the pod with `gracePeriodSeconds` and sets it Failed with `status`; resolves when its containers are stopped. */
  evictPod(pod: Pod, gracePeriodSeconds: number, status: EvictionStatus): Promise<void>;
  recorder: EventRecorder;
  nodeRef: ObjectReference;
  log: Logger;
  registry?: Registry;
  now?: () => number;
}

export class EvictionManager {
  private state: EvictionState = initialEvictionState();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private readonly now: () => number;
  private readonly evictions: Counter<'eviction_signal'> | undefined;

  constructor(private readonly o: EvictionManagerOptions) {
    this.now = o.now ?? Date.now;
    this.evictions = o.registry
      ? new Counter({ name: 'kubelet_evictions', help: 'Cumulative number of pod evictions by eviction signal', labelNames: ['eviction_signal'], registers: [o.registry] })
      : undefined;
  }

  /** The pressure conditions the node reports now. */
  nodeConditions(): readonly NodeConditionType[] {
    return this.state.nodeConditions;
  }

  isUnderMemoryPressure(): boolean {
    return this.state.nodeConditions.includes('MemoryPressure');
  }

  isUnderDiskPressure(): boolean {
    return this.state.nodeConditions.includes('DiskPressure');
  }

  isUnderPIDPressure(): boolean {
    return this.state.nodeConditions.includes('PIDPressure');
  }

  /** The admit handler: rejects pods the node cannot take under its current pressure. */
  admit(pod: Pod): PressureAdmitResult {
    return admitUnderPressure(pod, this.state.nodeConditions);
  }

  /** Runs synchronize every monitoring interval; after an eviction, again at once. */
  start(): void {
    const tick = (): void => {
      if (this.stopped) return;
      this.running = this.synchronize()
        .catch((err: unknown) => {
          this.o.log.warn({ err }, 'eviction manager: failed to synchronize');
          return undefined;
        })
        .then((evicted) => {
          if (this.stopped) return;
          this.timer = setTimeout(tick, evicted ? 0 : this.o.monitoringIntervalMs);
          this.timer.unref();
        });
    };
    tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** One pass; the pod evicted, if any. */
  async synchronize(): Promise<Pod | undefined> {
    if (this.o.thresholds.length === 0) return undefined;
    const observations = await this.o.stats.observe();
    const before = this.state.nodeConditions;
    const { state, toReclaim } = evaluateThresholds(this.state, this.o.thresholds, observations, this.now(), this.o.pressureTransitionPeriodMs);
    this.state = state;
    this.recordConditionEvents(before, state.nodeConditions);
    if (toReclaim.length === 0) return undefined;
    const threshold = toReclaim[0];
    const resource = SIGNAL_TO_RESOURCE[threshold.signal];
    this.o.log.info({ resource }, 'eviction manager: attempting to reclaim');
    this.o.recorder.event(this.o.nodeRef, 'Warning', 'EvictionThresholdMet', `Attempting to reclaim ${resource}`);
    const active = this.o.activePods();
    if (active.length === 0) {
      this.o.log.warn('eviction manager: eviction thresholds have been met, but no pods are active to evict');
      return undefined;
    }
    const usage = await this.o.stats.podUsage(active, resource !== 'memory' && resource !== 'pids');
    const stats = (p: Pod): PodUsage | undefined => usage.get(p.metadata?.uid ?? '');
    const ranked = rankPods(threshold.signal, active, stats, await this.o.stats.hasDedicatedImageFs());
    for (const pod of ranked) {
      const grace = isHardEvictionThreshold(threshold) ? IMMEDIATE_EVICTION_GRACE_PERIOD_SECONDS : this.o.maxPodGracePeriodSeconds;
      const message = evictionMessage(resource, pod, stats, toReclaim, observations);
      if (await this.evict(pod, grace, message)) {
        this.evictions?.inc({ eviction_signal: threshold.signal });
        return pod;
      }
    }
    this.o.log.warn('eviction manager: unable to evict any pods from the node');
    return undefined;
  }

  /** The node events the status setters record when a pressure condition flips ("Node n1 status is now: NodeHasDiskPressure"). */
  private recordConditionEvents(before: readonly NodeConditionType[], after: readonly NodeConditionType[]): void {
    for (const [type, on, off] of CONDITION_EVENTS) {
      const is = after.includes(type);
      if (before.includes(type) === is) continue;
      const reason = is ? on : off;
      this.o.log.info({ condition: type, status: is }, 'eviction manager: node pressure condition changed');
      this.o.recorder.event(this.o.nodeRef, 'Normal', reason, `Node ${this.o.nodeRef.name} status is now: ${reason}`);
    }
  }

  /** evictPod: false for a critical pod, which is never evicted. */
  private async evict(pod: Pod, gracePeriodSeconds: number, message: string): Promise<boolean> {
    const key = `${pod.metadata?.namespace}/${pod.metadata?.name}`;
    if (isCriticalPod(pod)) {
      this.o.log.warn({ pod: key }, 'eviction manager: cannot evict a critical pod');
      return false;
    }
    this.o.recorder.event(podRef(pod), 'Warning', REASON_EVICTED, message);
    const condition: PodCondition = { type: 'DisruptionTarget', status: 'True', reason: 'TerminationByKubelet', message, lastTransitionTime: metaTime(new Date(this.now())) };
    try {
      await this.o.evictPod(pod, gracePeriodSeconds, { reason: REASON_EVICTED, message, conditions: [condition] });
      this.o.log.info({ pod: key }, 'eviction manager: pod is evicted successfully');
    } catch (err) {
      this.o.log.warn({ pod: key, err }, 'eviction manager: pod failed to evict');
    }
    return true;
  }
}
