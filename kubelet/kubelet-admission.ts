// Admission (kubelet.go canAdmitPod/rejectPod): once per pod, in its worker, so pods are
// admitted in the order they are synced. The pods admitted and not yet finished count
// against the node's allocatable; a rejected pod is set to Failed with the reason and never
// retried. The eviction manager's handler runs first (a node under pressure turns pods away,
// reason Evicted), then the resource predicates. The decisions are pure (pod/admission.ts,
// eviction/admission.ts).
import type { Pod } from 'kubernetes-types/core/v1';
import type { Logger } from 'pino';
import type { EventRecorder } from '../client/index.js';
import { admitPod, type AdmitResult, type NodeAllocatable } from './pod/admission.js';
import { podKey, podRef } from './pod/sync-deps.js';
import type { StatusManager } from './status/status-manager.js';

export interface PodAdmissionOptions {
  allocatable(): NodeAllocatable;
  /** The eviction manager's admit handler. */
  pressureAdmit?(pod: Pod): AdmitResult;
  status: StatusManager;
  recorder: EventRecorder;
  log: Logger;
}

export class PodAdmission {
  /** Pods the kubelet has accepted and not yet seen finish: admission counts these. */
  private readonly admitted = new Map<string, Pod>();
  private readonly rejected = new Set<string>();

  constructor(private readonly opts: PodAdmissionOptions) {}

  /** Whether the pod may run here; the first answer for a pod is final. */
  async admit(pod: Pod): Promise<boolean> {
    const uid = pod.metadata?.uid ?? '';
    if (this.admitted.has(uid)) return true;
    if (this.rejected.has(uid)) return false;
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') return true;
    const pressure = this.opts.pressureAdmit?.(pod);
    if (pressure && !pressure.admit) {
      this.rejected.add(uid);
      await this.reject(pod, pressure.reason, pressure.message);
      return false;
    }
    const alloc = this.opts.allocatable();
    const result = admitPod(pod, [...this.admitted.values()], { pods: alloc.pods, cpuMilli: alloc.cpuMilli, memoryBytes: alloc.memoryBytes });
    if (result.admit) {
      this.admitted.set(uid, pod);
      return true;
    }
    this.rejected.add(uid);
    await this.reject(pod, result.reason, result.message);
    return false;
  }

  /** The pod was admitted and has not finished. */
  isAdmitted(uid: string): boolean {
    return this.admitted.has(uid);
  }

  /** The pod no longer counts against allocatable (it finished, or is being terminated). */
  release(uid: string): void {
    this.admitted.delete(uid);
  }

  forget(uid: string): void {
    this.admitted.delete(uid);
    this.rejected.delete(uid);
  }

  private async reject(pod: Pod, reason: string | undefined, message: string | undefined): Promise<void> {
    this.opts.log.warn({ pod: podKey(pod), reason }, 'pod rejected');
    this.opts.recorder.event(podRef(pod), 'Warning', reason ?? 'Rejected', message ?? '');
    await this.opts.status.setPodStatus(pod, { phase: 'Failed', reason, message, ...(pod.status?.qosClass ? { qosClass: pod.status.qosClass } : {}) });
  }
}
