// Pure mapping of what Docker reports about containers over time — /events messages and
// /containers/{id}/stats samples — to the runtime's ContainerEvent and ContainerStats.
import {
  CONTAINER_TYPE_SANDBOX,
  LABEL_CONTAINER_TYPE,
  LABEL_SANDBOX_ID,
  type ContainerEvent,
  type ContainerEventType,
  type ContainerStats,
  type Labels,
} from '../runtime.js';

export interface DockerEvent {
  Type?: string;
  Action?: string;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
  time?: number;
  timeNano?: number;
}

const EVENT_TYPES: Record<string, ContainerEventType> = {
  create: 'ContainerCreated',
  start: 'ContainerStarted',
  die: 'ContainerStopped',
  destroy: 'ContainerDeleted',
};

/** Docker puts these next to the container's labels in Actor.Attributes. */
const NON_LABEL_ATTRIBUTES = new Set(['image', 'name', 'exitCode', 'signal', 'execDuration']);

/** The lifecycle events the PLEG cares about; null for everything else (exec_*, kill, oom…). */
export function toContainerEvent(e: DockerEvent): ContainerEvent | null {
  if (e.Type !== 'container' || !e.Action || !e.Actor?.ID) return null;
  const type = EVENT_TYPES[e.Action];
  if (!type) return null;
  const attrs = e.Actor.Attributes ?? {};
  const labels: Labels = {};
  for (const [k, v] of Object.entries(attrs)) if (!NON_LABEL_ATTRIBUTES.has(k)) labels[k] = v;
  const sandbox = labels[LABEL_CONTAINER_TYPE] === CONTAINER_TYPE_SANDBOX;
  const time = e.timeNano !== undefined ? new Date(Math.floor(e.timeNano / 1e6)) : new Date((e.time ?? 0) * 1000);
  const event: ContainerEvent = {
    type,
    action: e.Action,
    containerId: e.Actor.ID,
    sandbox,
    podSandboxId: sandbox ? e.Actor.ID : (labels[LABEL_SANDBOX_ID] ?? ''),
    labels,
    time,
  };
  if (type === 'ContainerStopped' && attrs.exitCode !== undefined) event.exitCode = Number(attrs.exitCode);
  return event;
}

export interface DockerStats {
  read?: string;
  cpu_stats?: { cpu_usage?: { total_usage?: number } };
  memory_stats?: { usage?: number; stats?: Record<string, number> };
}

/**
 * Working set as cAdvisor defines it: usage minus inactive file cache (cgroup v1 reports it
 * as total_inactive_file, v2 as inactive_file), never below zero.
 */
export function workingSetBytes(memory: DockerStats['memory_stats']): number {
  const usage = memory?.usage ?? 0;
  const stats = memory?.stats ?? {};
  const inactive = stats.total_inactive_file ?? stats.inactive_file ?? 0;
  return Math.max(0, usage - inactive);
}

export function toContainerStats(id: string, labels: Labels, s: DockerStats): ContainerStats {
  const read = s.read ? new Date(s.read) : new Date();
  return {
    id,
    labels,
    timestamp: Number.isNaN(read.getTime()) || read.getTime() <= 0 ? new Date() : read,
    cpuUsageCoreNanoSeconds: s.cpu_stats?.cpu_usage?.total_usage ?? 0,
    memoryWorkingSetBytes: workingSetBytes(s.memory_stats),
    memoryUsageBytes: s.memory_stats?.usage ?? 0,
  };
}
