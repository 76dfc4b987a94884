// apiserver_flowcontrol_* metrics, with Kubernetes' names and labels (flow_schema,
// priority_level, reason), registered on the apiserver's own registry.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export class FlowcontrolMetrics {
  readonly inqueue: Gauge<'priority_level' | 'flow_schema'>;
  readonly executing: Gauge<'priority_level' | 'flow_schema'>;
  readonly dispatched: Counter<'priority_level' | 'flow_schema'>;
  readonly rejected: Counter<'priority_level' | 'flow_schema' | 'reason'>;
  readonly waitDuration: Histogram<'priority_level' | 'flow_schema' | 'execute'>;
  readonly nominalLimit: Gauge<'priority_level'>;

  constructor(registry: Registry) {
    const registers = [registry];
    const labelNames = ['priority_level', 'flow_schema'] as const;
    this.inqueue = new Gauge({ name: 'apiserver_flowcontrol_current_inqueue_requests', help: 'Requests waiting in the queues of a priority level.', labelNames, registers });
    this.executing = new Gauge({ name: 'apiserver_flowcontrol_current_executing_requests', help: 'Requests executing in a priority level.', labelNames, registers });
    this.dispatched = new Counter({ name: 'apiserver_flowcontrol_dispatched_requests_total', help: 'Requests released for execution.', labelNames, registers });
    this.rejected = new Counter({ name: 'apiserver_flowcontrol_rejected_requests_total', help: 'Requests rejected (429) by API Priority and Fairness.', labelNames: [...labelNames, 'reason'] as const, registers });
    this.waitDuration = new Histogram({
      name: 'apiserver_flowcontrol_request_wait_duration_seconds',
      help: 'Time requests spent waiting in their queue.',
      labelNames: [...labelNames, 'execute'] as const,
      buckets: [0, 0.005, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30],
      registers,
    });
    this.nominalLimit = new Gauge({ name: 'apiserver_flowcontrol_nominal_limit_seats', help: 'Seats a priority level is entitled to.', labelNames: ['priority_level'] as const, registers });
  }
}
