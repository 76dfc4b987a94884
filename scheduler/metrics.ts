// kube-scheduler's metrics (pkg/scheduler/metrics), the ones that tell whether scheduling
// keeps up: attempts by result, attempt duration, end-to-end latency and queue depth.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { QueueName } from './queue.js';

export class SchedulerMetrics {
  readonly attempts: Counter<'result' | 'profile'>;
  readonly attemptDuration: Histogram<'result' | 'profile'>;
  readonly e2eLatency: Histogram<'attempts'>;
  readonly pendingPods: Gauge<'queue'>;
  readonly incomingPods: Counter<'queue' | 'event'>;
  readonly preemptionAttempts: Counter;
  readonly bindsInFlight: Gauge;

  constructor(registry: Registry, pending: () => Record<QueueName, number>, inFlight: () => number) {
    const registers = [registry];
    this.attempts = new Counter({
      name: 'scheduler_schedule_attempts_total',
      help: 'Number of attempts to schedule pods, by the result: scheduled, unschedulable or error.',
      labelNames: ['result', 'profile'],
      registers,
    });
    this.attemptDuration = new Histogram({
      name: 'scheduler_scheduling_attempt_duration_seconds',
      help: 'Scheduling attempt latency in seconds (scheduling algorithm + binding).',
      labelNames: ['result', 'profile'],
      buckets: [0.0005, 0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256, 0.512, 1.024, 2.048, 4.096, 8.192],
      registers,
    });
    this.e2eLatency = new Histogram({
      name: 'scheduler_pod_scheduling_sli_duration_seconds',
      help: 'E2e latency for a pod being scheduled, from the time the pod enters the scheduling queue until it is bound.',
      labelNames: ['attempts'],
      buckets: [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92, 163.84],
      registers,
    });
    this.pendingPods = new Gauge({
      name: 'scheduler_pending_pods',
      help: 'Number of pending pods, by the queue type: active, backoff, unschedulable, gated.',
      labelNames: ['queue'],
      registers,
      collect() {
        for (const [queue, n] of Object.entries(pending())) this.set({ queue }, n);
      },
    });
    this.incomingPods = new Counter({
      name: 'scheduler_queue_incoming_pods_total',
      help: 'Number of pods added to scheduling queues by event and queue type.',
      labelNames: ['queue', 'event'],
      registers,
    });
    this.preemptionAttempts = new Counter({ name: 'scheduler_preemption_attempts_total', help: 'Total preemption attempts in the cluster till now', registers });
    this.bindsInFlight = new Gauge({
      name: 'scheduler_binds_in_flight',
      help: 'Binding calls sent to the apiserver and not yet answered.',
      registers,
      collect() {
        this.set(inFlight());
      },
    });
  }
}
