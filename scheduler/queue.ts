// The scheduling queue (k8s internal/queue/scheduling_queue.go, PriorityQueue):
//  - activeQ: pods ready to be tried, highest priority first, then oldest;
//  - backoffQ: pods that failed and wait out a per-pod backoff (1 s doubling to 10 s);
//  - unschedulablePods: pods no node fits; they stay until a cluster event that one of the
//    plugins which rejected them cares about (a node added, a pod deleted, …) moves them
//    back, or until they have waited maxInUnschedulable (5 min) — never a busy loop.
// A move request that arrives while a pod is being scheduled sends that pod to backoffQ
// instead of unschedulablePods when it fails, so the event is not lost.
import type { ClusterEvent } from './framework/interface.js';
import type { PodInfo } from './framework/types.js';
import { Heap } from './heap.js';

export interface QueuedPodInfo {
  podInfo: PodInfo;
  /** When the pod last entered a queue (activeQ orders by it; backoff counts from it). */
  timestamp: number;
  /** When the pod first entered the queue: the start of its end-to-end scheduling latency. */
  initialAttemptTimestamp: number;
  attempts: number;
  /** Plugins that rejected it in the last attempt. */
  unschedulablePlugins: Set<string>;
  /** The scheduler name (profile) it belongs to. */
  profile: string;
}

export type QueueName = 'active' | 'backoff' | 'unschedulable' | 'gated';

export interface SchedulingQueueOptions {
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  maxInUnschedulableMs?: number;
  now?: () => number;
  /** Could `event` make schedulable a pod these plugins rejected (per profile)? */
  mayHelp?: (profile: string, rejectedBy: ReadonlySet<string>, event: ClusterEvent) => boolean;
  /** Counts pods entering a queue, for metrics. */
  onIncoming?: (queue: QueueName, event: string) => void;
}

const isGated = (p: PodInfo): boolean => (p.pod.spec?.schedulingGates ?? []).length > 0;

/** What counts as a real update of an unscheduled pod (k8s isPodUpdated): not status or bookkeeping. */
function podSpecKey(p: PodInfo): string {
  const { resourceVersion: _rv, managedFields: _mf, generation: _g, ...meta } = p.pod.metadata ?? {};
  return JSON.stringify([meta, p.pod.spec]);
}

export class SchedulingQueue {
  private readonly activeQ: Heap<QueuedPodInfo>;
  private readonly backoffQ: Heap<QueuedPodInfo>;
  private readonly unschedulable = new Map<string, QueuedPodInfo>();
  private readonly gated = new Map<string, QueuedPodInfo>();
  /** Popped and not yet done(). */
  private readonly inFlight = new Map<string, QueuedPodInfo>();
  private readonly waiters: Array<(p: QueuedPodInfo | undefined) => void> = [];
  private cycle = 0;
  private moveRequestCycle = -1;
  private closed = false;
  private backoffTimer: NodeJS.Timeout | undefined;
  private backoffTimerAt = Infinity;
  private leftoverTimer: NodeJS.Timeout | undefined;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly maxInUnschedulableMs: number;
  private readonly now: () => number;
  private timersOn = false;

  constructor(private readonly opts: SchedulingQueueOptions = {}) {
    this.initialBackoffMs = opts.initialBackoffMs ?? 1000;
    this.maxBackoffMs = opts.maxBackoffMs ?? 10_000;
    this.maxInUnschedulableMs = opts.maxInUnschedulableMs ?? 5 * 60_000;
    this.now = opts.now ?? Date.now;
    const uid = (q: QueuedPodInfo): string => q.podInfo.uid;
    this.activeQ = new Heap(uid, (a, b) => a.podInfo.priority > b.podInfo.priority || (a.podInfo.priority === b.podInfo.priority && a.timestamp < b.timestamp));
    this.backoffQ = new Heap(uid, (a, b) => this.backoffExpiry(a) < this.backoffExpiry(b));
  }

  /** Arms the timers that flush backoffQ (when the earliest backoff ends) and old unschedulable pods (every 30 s). */
  start(): void {
    this.timersOn = true;
    this.armBackoffTimer();
    this.leftoverTimer = setInterval(() => this.flushUnschedulableLeftover(), 30_000);
    this.leftoverTimer.unref();
  }

  close(): void {
    this.closed = true;
    this.timersOn = false;
    clearTimeout(this.backoffTimer);
    clearInterval(this.leftoverTimer);
    for (const w of this.waiters.splice(0)) w(undefined);
  }

  get schedulingCycle(): number {
    return this.cycle;
  }

  /** A new unscheduled pod. */
  add(podInfo: PodInfo, profile: string): void {
    const uid = podInfo.uid;
    if (this.has(uid)) return this.update(podInfo);
    const now = this.now();
    const q: QueuedPodInfo = { podInfo, timestamp: now, initialAttemptTimestamp: now, attempts: 0, unschedulablePlugins: new Set(), profile };
    if (isGated(podInfo)) {
      this.gated.set(uid, q);
      this.opts.onIncoming?.('gated', 'PodAdd');
      return;
    }
    this.pushActive(q, 'PodAdd');
  }

  /** An unscheduled pod changed: keep the newest object; a real change makes an unschedulable pod worth retrying. */
  update(podInfo: PodInfo): void {
    const uid = podInfo.uid;
    const inFlight = this.inFlight.get(uid);
    if (inFlight) {
      inFlight.podInfo = podInfo;
      return;
    }
    for (const heap of [this.activeQ, this.backoffQ]) {
      const q = heap.get(uid);
      if (q) {
        q.podInfo = podInfo;
        heap.push(q);
        return;
      }
    }
    const gated = this.gated.get(uid);
    if (gated) {
      gated.podInfo = podInfo;
      if (!isGated(podInfo)) {
        this.gated.delete(uid);
        this.pushActive(gated, 'PodUpdate');
      }
      return;
    }
    const u = this.unschedulable.get(uid);
    if (u) {
      const changed = podSpecKey(u.podInfo) !== podSpecKey(podInfo);
      u.podInfo = podInfo;
      if (changed) {
        this.unschedulable.delete(uid);
        this.requeue(u, 'PodUpdate');
      }
    }
  }

  delete(uid: string): void {
    this.activeQ.delete(uid);
    this.backoffQ.delete(uid);
    this.unschedulable.delete(uid);
    this.gated.delete(uid);
  }

  has(uid: string): boolean {
    return this.activeQ.has(uid) || this.backoffQ.has(uid) || this.unschedulable.has(uid) || this.gated.has(uid) || this.inFlight.has(uid);
  }

  /** The next pod to schedule, waiting if there is none; undefined once closed or when `signal` aborts. */
  pop(signal?: AbortSignal): Promise<QueuedPodInfo | undefined> {
    if (this.closed || signal?.aborted) return Promise.resolve(undefined);
    const q = this.activeQ.pop();
    if (q) return Promise.resolve(this.take(q));
    return new Promise((resolve) => {
      const waiter = (p: QueuedPodInfo | undefined): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve(p);
      };
      const onAbort = (): void => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        resolve(undefined);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /** Non-blocking pop (undefined when activeQ is empty). */
  tryPop(): QueuedPodInfo | undefined {
    const q = this.activeQ.pop();
    return q ? this.take(q) : undefined;
  }

  /** The scheduling attempt (including binding) is over. */
  done(uid: string): void {
    this.inFlight.delete(uid);
  }

  /**
   * A failed attempt: back to backoffQ if the cluster changed during the attempt or the
   * failure was an error (nothing to wait for), otherwise to unschedulablePods.
   */
  addUnschedulableIfNotPresent(q: QueuedPodInfo, podSchedulingCycle: number): void {
    const uid = q.podInfo.uid;
    this.inFlight.delete(uid);
    if (this.activeQ.has(uid) || this.backoffQ.has(uid) || this.unschedulable.has(uid) || this.gated.has(uid)) return;
    q.timestamp = this.now();
    if (this.moveRequestCycle >= podSchedulingCycle || q.unschedulablePlugins.size === 0) {
      this.backoffQ.push(q);
      this.opts.onIncoming?.('backoff', 'ScheduleAttemptFailure');
      this.armBackoffTimer();
    } else {
      this.unschedulable.set(uid, q);
      this.opts.onIncoming?.('unschedulable', 'ScheduleAttemptFailure');
    }
  }

  /** A cluster event: retry unschedulable pods it may help. */
  moveAllToActiveOrBackoffQueue(event: ClusterEvent): void {
    this.moveRequestCycle = this.cycle;
    if (this.unschedulable.size === 0) return;
    for (const [uid, q] of this.unschedulable) {
      if (this.opts.mayHelp && !this.opts.mayHelp(q.profile, q.unschedulablePlugins, event)) continue;
      this.unschedulable.delete(uid);
      this.requeue(q, event.label);
    }
  }

  /** Moves pods whose backoff has ended to activeQ. */
  flushBackoffQCompleted(now = this.now()): void {
    for (let q = this.backoffQ.peek(); q && this.backoffExpiry(q) <= now; q = this.backoffQ.peek()) {
      this.backoffQ.pop();
      this.pushActive(q, 'BackoffComplete');
    }
    this.armBackoffTimer();
  }

  /** Moves pods that sat in unschedulablePods longer than maxInUnschedulable. */
  flushUnschedulableLeftover(now = this.now()): void {
    for (const [uid, q] of this.unschedulable) {
      if (now - q.timestamp < this.maxInUnschedulableMs) continue;
      this.unschedulable.delete(uid);
      this.requeue(q, 'UnschedulableTimeout');
    }
  }

  /** base × 2^(attempts−1), capped (calculateBackoffDuration). */
  backoffDuration(q: QueuedPodInfo): number {
    let d = this.initialBackoffMs;
    for (let i = 1; i < q.attempts; i++) {
      d *= 2;
      if (d >= this.maxBackoffMs) return this.maxBackoffMs;
    }
    return d;
  }

  backoffExpiry(q: QueuedPodInfo): number {
    return q.timestamp + this.backoffDuration(q);
  }

  pending(): Record<QueueName, number> {
    return { active: this.activeQ.size, backoff: this.backoffQ.size, unschedulable: this.unschedulable.size, gated: this.gated.size };
  }

  /** Where a pod is, for tests and debugging. */
  whereIs(uid: string): QueueName | 'inFlight' | undefined {
    if (this.activeQ.has(uid)) return 'active';
    if (this.backoffQ.has(uid)) return 'backoff';
    if (this.unschedulable.has(uid)) return 'unschedulable';
    if (this.gated.has(uid)) return 'gated';
    if (this.inFlight.has(uid)) return 'inFlight';
    return undefined;
  }

  private take(q: QueuedPodInfo): QueuedPodInfo {
    this.cycle++;
    q.attempts++;
    this.inFlight.set(q.podInfo.uid, q);
    return q;
  }

  private requeue(q: QueuedPodInfo, event: string): void {
    if (this.backoffExpiry(q) > this.now()) {
      this.backoffQ.push(q);
      this.opts.onIncoming?.('backoff', event);
      this.armBackoffTimer();
    } else {
      this.pushActive(q, event);
    }
  }

  private pushActive(q: QueuedPodInfo, event: string): void {
    this.opts.onIncoming?.('active', event);
    const waiter = this.waiters.shift();
    if (waiter) waiter(this.take(q));
    else this.activeQ.push(q);
  }

  private armBackoffTimer(): void {
    if (!this.timersOn) return;
    const head = this.backoffQ.peek();
    const at = head ? this.backoffExpiry(head) : Infinity;
    if (at === this.backoffTimerAt) return;
    clearTimeout(this.backoffTimer);
    this.backoffTimerAt = at;
    if (at === Infinity) return;
    this.backoffTimer = setTimeout(() => {
      this.backoffTimerAt = Infinity;
      this.flushBackoffQCompleted();
    }, Math.max(0, at - this.now()));
    this.backoffTimer.unref();
  }
}
