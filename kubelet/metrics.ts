// The kubelet's Prometheus metrics (names as pkg/kubelet/metrics): pod start latency,
// runtime operation latencies and errors, PLEG relist duration, running pods/containers,
// probe results. `instrumentRuntime` wraps a Runtime so every call is timed.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Runtime } from './runtime/runtime.js';

export interface KubeletMetrics {
  podStartDuration: Histogram<string>;
  runtimeOperations: Histogram<'operation_type'>;
  runtimeOperationErrors: Counter<'operation_type'>;
  plegRelistDuration: Histogram<string>;
  runningPods: Gauge<string>;
  runningContainers: Gauge<'container_state'>;
  probeTotal: Counter<'probe_type' | 'result'>;
  podWorkerDuration: Histogram<'operation_type'>;
}

export function newKubeletMetrics(registry: Registry): KubeletMetrics {
  const registers = [registry];
  return {
    podStartDuration: new Histogram({
      name: 'kubelet_pod_start_duration_seconds',
      help: 'Duration in seconds from the kubelet seeing a pod for the first time to the pod starting to run',
      buckets: [0.1, 0.25, 0.5, 1, 2, 3, 4, 5, 6, 8, 10, 20, 30, 45, 60, 120, 300],
      registers,
    }),
    runtimeOperations: new Histogram({
      name: 'kubelet_runtime_operations_duration_seconds',
      help: 'Duration in seconds of runtime operations, by operation type',
      labelNames: ['operation_type'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    runtimeOperationErrors: new Counter({
      name: 'kubelet_runtime_operations_errors_total',
      help: 'Cumulative number of runtime operation errors by operation type',
      labelNames: ['operation_type'],
      registers,
    }),
    plegRelistDuration: new Histogram({
      name: 'kubelet_pleg_relist_duration_seconds',
      help: 'Duration in seconds for relisting pods in PLEG',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    runningPods: new Gauge({ name: 'kubelet_running_pods', help: 'Number of pods that have a running pod sandbox', registers }),
    runningContainers: new Gauge({
      name: 'kubelet_running_containers',
      help: 'Number of containers currently running',
      labelNames: ['container_state'],
      registers,
    }),
    probeTotal: new Counter({
      name: 'prober_probe_total',
      help: 'Cumulative number of a liveness, readiness or startup probe for a container by result',
      labelNames: ['probe_type', 'result'],
      registers,
    }),
    podWorkerDuration: new Histogram({
      name: 'kubelet_pod_worker_duration_seconds',
      help: 'Duration in seconds to sync a single pod',
      labelNames: ['operation_type'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
  };
}

/** The runtime with every method timed into kubelet_runtime_operations_duration_seconds. */
export function instrumentRuntime(runtime: Runtime, m: KubeletMetrics): Runtime {
  return new Proxy(runtime, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== 'function' || prop === 'events' || prop === 'close' || typeof prop !== 'string') {
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      }
      return (...args: unknown[]) => {
        const end = m.runtimeOperations.startTimer({ operation_type: prop });
        let result: unknown;
        try {
          result = (v as (...a: unknown[]) => unknown).apply(target, args);
        } catch (err) {
          m.runtimeOperationErrors.inc({ operation_type: prop });
          throw err;
        }
        if (result instanceof Promise) {
          return result.then(
            (r: unknown) => {
              end();
              return r;
            },
            (err: unknown) => {
              end();
              m.runtimeOperationErrors.inc({ operation_type: prop });
              throw err;
            },
          );
        }
        end();
        return result;
      };
    },
  });
}
