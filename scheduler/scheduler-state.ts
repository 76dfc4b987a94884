// What the Scheduler's phase files (event-handlers.ts, schedule-one.ts) need of it. The
// `Scheduler` class implements this; the phases import only this interface, so they never
// import scheduler.ts back (it imports them).
import type { Node, Pod } from 'kubernetes-types/core/v1';
import type { Logger } from 'pino';
import type { EventRecorder, ResourceClient, SharedInformer, SharedInformerFactory } from '../client/index.js';
import type { SchedulerCache } from './cache.js';
import type { Framework } from './framework/runtime.js';
import type { PodInfo } from './framework/types.js';
import type { SchedulerMetrics } from './metrics.js';
import type { SchedulingQueue } from './queue.js';

export interface SchedulerState {
  readonly log: Logger;
  readonly pods: ResourceClient<Pod>;
  readonly cache: SchedulerCache;
  readonly queue: SchedulingQueue;
  /** One framework per profile, by schedulerName (k8s profile.Map). */
  readonly profiles: ReadonlyMap<string, Framework>;
  readonly metrics: SchedulerMetrics;
  readonly podInformer: SharedInformer<Pod>;
  readonly nodeInformer: SharedInformer<Node>;
  /** The shared informers (plugins' too: their events re-queue pods). */
  readonly informerFactory: SharedInformerFactory;
  readonly random: () => number;
  /** Where the next decision starts in the node list (nextStartNodeIndex). */
  nextStartIndex: number;
  /** Binding calls sent and not yet answered. */
  bindsInFlight: number;
  /** The event recorder of the pod's scheduler (profile). */
  recorderFor(p: PodInfo): EventRecorder;
  /** The current version of the pod from the informer, if it is still ours to schedule. */
  stillPending(p: PodInfo): Pod | undefined;
  /** Called when a bind is answered: frees its slot. */
  releaseBindSlot(): void;
}
