// The pod table row: READY, STATUS and RESTARTS computed the way kubectl has always shown
// them (printPod in kubernetes/pkg/printers/internalversion), including init containers,
// restartable (sidecar) init containers, CrashLoopBackOff, Completed and Terminating.
import type { Pod, ContainerStatus, Container } from 'kubernetes-types/core/v1';
import { column, NAME_COLUMN, AGE_COLUMN, since, printer, type Cell, type TableColumnDefinition, type TableRowCondition } from './format.js';

export const podColumns: TableColumnDefinition[] = [
  NAME_COLUMN,
  column('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
  column('Status', 'string', 'The aggregate status of the containers in this pod.'),
  column('Restarts', 'string', 'How many times the containers restarted, and how long ago the last restart was.'),
  AGE_COLUMN,
  column('IP', 'string', 'The IP address allocated to the pod.', 1),
  column('Node', 'string', 'The node the pod is bound to.', 1),
  column('Nominated Node', 'string', 'The node preemption nominated for this pod.', 1),
  column('Readiness Gates', 'string', 'How many of the readiness gates are satisfied.', 1),
];

const NODE_UNREACHABLE_REASON = 'NodeLost';

function isRestartable(c: Container | undefined): boolean {
  return c?.restartPolicy === 'Always';
}

function later(a: string | undefined, b: string | undefined): string | undefined {
  if (!b) return a;
  if (!a) return b;
  return Date.parse(b) > Date.parse(a) ? b : a;
}

function conditionTrue(pod: Pod, type: string): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === type && c.status === 'True');
}

function terminatedReason(prefix: string, t: NonNullable<NonNullable<ContainerStatus['state']>['terminated']>): string {
  if (t.reason) return prefix + t.reason;
  if (t.signal) return `${prefix}Signal:${t.signal}`;
  return `${prefix}ExitCode:${t.exitCode}`;
}

/** The Ready / Status / Restarts columns and the last restart time. */
export function podStatusSummary(pod: Pod): { ready: string; reason: string; restarts: number; lastRestart: string | undefined } {
  const spec = pod.spec;
  const status = pod.status ?? {};
  let total = spec?.containers?.length ?? 0;
  let ready = 0;
  let restarts = 0;
  let sidecarRestarts = 0;
  let lastRestart: string | undefined;
  let lastSidecarRestart: string | undefined;
  const phase = status.phase ?? '';
  let reason: string = status.reason || phase;
  for (const c of status.conditions ?? []) {
    if (c.type === 'PodScheduled' && c.reason === 'SchedulingGated') reason = 'SchedulingGated';
  }

  const initSpecs = new Map<string, Container>();
  for (const c of spec?.initContainers ?? []) {
    initSpecs.set(c.name, c);
    if (isRestartable(c)) total++;
  }

  let initializing = false;
  const initStatuses = status.initContainerStatuses ?? [];
  for (let i = 0; i < initStatuses.length; i++) {
    const c = initStatuses[i] as ContainerStatus;
    restarts += c.restartCount ?? 0;
    lastRestart = later(lastRestart, c.lastState?.terminated?.finishedAt);
    const sidecar = isRestartable(initSpecs.get(c.name));
    if (sidecar) {
      sidecarRestarts += c.restartCount ?? 0;
      lastSidecarRestart = later(lastSidecarRestart, c.lastState?.terminated?.finishedAt);
    }
    const terminated = c.state?.terminated;
    const waiting = c.state?.waiting;
    if (terminated && terminated.exitCode === 0) continue;
    if (sidecar && c.started) {
      if (c.ready) ready++;
      continue;
    }
    if (terminated) reason = terminatedReason('Init:', terminated);
    else if (waiting?.reason && waiting.reason !== 'PodInitializing') reason = `Init:${waiting.reason}`;
    else reason = `Init:${i}/${spec?.initContainers?.length ?? 0}`;
    initializing = true;
    break;
  }

  if (!initializing || conditionTrue(pod, 'Initialized')) {
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    const statuses = status.containerStatuses ?? [];
    // Walk backwards so the first container's state wins, as kubectl does.
    for (let i = statuses.length - 1; i >= 0; i--) {
      const c = statuses[i] as ContainerStatus;
      restarts += c.restartCount ?? 0;
      lastRestart = later(lastRestart, c.lastState?.terminated?.finishedAt);
      const waiting = c.state?.waiting;
      const terminated = c.state?.terminated;
      if (waiting?.reason) reason = waiting.reason;
      else if (terminated) reason = terminatedReason('', terminated);
      else if (c.ready && c.state?.running) {
        hasRunning = true;
        ready++;
      }
    }
    if (reason === 'Completed' && hasRunning) reason = conditionTrue(pod, 'Ready') ? 'Running' : 'NotReady';
  }

  if (pod.metadata?.deletionTimestamp && status.reason === NODE_UNREACHABLE_REASON) reason = 'Unknown';
  else if (pod.metadata?.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed') reason = 'Terminating';

  return { ready: `${ready}/${total}`, reason, restarts, lastRestart };
}

export function podCells(pod: Pod, now: Date): Cell[] {
  const s = podStatusSummary(pod);
  const restarts = s.restarts !== 0 && s.lastRestart ? `${s.restarts} (${since(s.lastRestart, now)} ago)` : String(s.restarts);
  const gates = pod.spec?.readinessGates ?? [];
  let readinessGates = '<none>';
  if (gates.length > 0) {
    const conditions = pod.status?.conditions ?? [];
    const satisfied = gates.filter((g) => conditions.find((c) => c.type === g.conditionType)?.status === 'True').length;
    readinessGates = `${satisfied}/${gates.length}`;
  }
  return [
    pod.metadata?.name ?? '',
    s.ready,
    s.reason,
    restarts,
    since(pod.metadata?.creationTimestamp, now),
    pod.status?.podIPs?.[0]?.ip || '<none>',
    pod.spec?.nodeName || '<none>',
    pod.status?.nominatedNodeName || '<none>',
    readinessGates,
  ];
}

/** Row conditions kubectl uses to recognise finished pods. */
export function podRowConditions(pod: Pod): TableRowCondition[] | undefined {
  switch (pod.status?.phase) {
    case 'Succeeded':
      return [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }];
    case 'Failed':
      return [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }];
    default:
      return undefined;
  }
}

export const podPrinter = printer<Pod>(podColumns, podCells, podRowConditions);
