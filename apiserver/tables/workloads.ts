// Table printers for workload kinds: Deployments, ReplicaSets, ReplicationControllers,
// DaemonSets, StatefulSets, Jobs, CronJobs, HPAs, PDBs, ControllerRevisions, PodTemplates.
import type { Deployment, ReplicaSet, DaemonSet, StatefulSet, ControllerRevision } from 'kubernetes-types/apps/v1';
import type { ReplicationController, PodTemplate } from 'kubernetes-types/core/v1';
import type { Job, CronJob, JobCondition } from 'kubernetes-types/batch/v1';
import type { HorizontalPodAutoscaler, MetricSpec, MetricStatus } from 'kubernetes-types/autoscaling/v2';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1';
import {
  column,
  printer,
  since,
  humanDuration,
  formatLabels,
  formatLabelSelector,
  selectorString,
  containerCells,
  NAME_COLUMN,
  AGE_COLUMN,
  CONTAINERS_COLUMN,
  IMAGES_COLUMN,
  SELECTOR_COLUMN,
  type Cell,
  type TablePrinter,
  objectName as name,
  objectAge as age,
} from './format.js';


/** What every pod-template workload ends with: AGE, then the wide CONTAINERS, IMAGES, SELECTOR. */
const TEMPLATE_COLUMNS = [AGE_COLUMN, CONTAINERS_COLUMN, IMAGES_COLUMN, SELECTOR_COLUMN];
type Containers = Parameters<typeof containerCells>[0];
const templateCells = (o: { metadata?: { creationTimestamp?: string } }, now: Date, containers: Containers, selector: string): Cell[] => [
  age(o, now),
  ...containerCells(containers),
  selector,
];

const replicaCountColumns = [
  NAME_COLUMN,
  column('Desired', 'integer', 'Number of desired pods.'),
  column('Current', 'integer', 'Number of pods created.'),
  column('Ready', 'integer', 'Number of ready pods.'),
  ...TEMPLATE_COLUMNS,
];

export const replicaSetPrinter = printer<ReplicaSet>(replicaCountColumns, (o, now) => [
  name(o),
  o.spec?.replicas ?? 1,
  o.status?.replicas ?? 0,
  o.status?.readyReplicas ?? 0,
  ...templateCells(o, now, o.spec?.template?.spec?.containers, formatLabelSelector(o.spec?.selector)),
]);

export const replicationControllerPrinter = printer<ReplicationController>(replicaCountColumns, (o, now) => [
  name(o),
  o.spec?.replicas ?? 1,
  o.status?.replicas ?? 0,
  o.status?.readyReplicas ?? 0,
  ...templateCells(o, now, o.spec?.template?.spec?.containers, formatLabels(o.spec?.selector)),
]);

export const deploymentPrinter = printer<Deployment>(
  [
    NAME_COLUMN,
    column('Ready', 'string', 'Number of ready pods out of the desired number.'),
    column('Up-to-date', 'string', 'Number of pods running the newest pod template.'),
    column('Available', 'string', 'Number of pods available for at least minReadySeconds.'),
    ...TEMPLATE_COLUMNS,
  ],
  (o, now) => [
    name(o),
    `${o.status?.readyReplicas ?? 0}/${o.spec?.replicas ?? 1}`,
    o.status?.updatedReplicas ?? 0,
    o.status?.availableReplicas ?? 0,
    ...templateCells(o, now, o.spec?.template?.spec?.containers, selectorString(o.spec?.selector) ?? '<invalid>'),
  ],
);

export const daemonSetPrinter = printer<DaemonSet>(
  [
    NAME_COLUMN,
    column('Desired', 'integer', 'Number of nodes that should run the daemon pod.'),
    column('Current', 'integer', 'Number of nodes running at least one daemon pod.'),
    column('Ready', 'integer', 'Number of nodes with a ready daemon pod.'),
    column('Up-to-date', 'integer', 'Number of nodes running the updated daemon pod.'),
    column('Available', 'integer', 'Number of nodes with an available daemon pod.'),
    column('Node Selector', 'string', 'The node selector of the pod template.'),
    ...TEMPLATE_COLUMNS,
  ],
  (o, now) => [
    name(o),
    o.status?.desiredNumberScheduled ?? 0,
    o.status?.currentNumberScheduled ?? 0,
    o.status?.numberReady ?? 0,
    o.status?.updatedNumberScheduled ?? 0,
    o.status?.numberAvailable ?? 0,
    formatLabels(o.spec?.template?.spec?.nodeSelector),
    ...templateCells(o, now, o.spec?.template?.spec?.containers, formatLabelSelector(o.spec?.selector)),
  ],
);

export const statefulSetPrinter = printer<StatefulSet>(
  [NAME_COLUMN, column('Ready', 'string', 'Number of ready pods out of the desired number.'), AGE_COLUMN, CONTAINERS_COLUMN, IMAGES_COLUMN],
  (o, now) => [
    name(o),
    `${o.status?.readyReplicas ?? 0}/${o.spec?.replicas ?? 1}`,
    age(o, now),
    ...containerCells(o.spec?.template?.spec?.containers),
  ],
);

function jobCondition(conditions: JobCondition[] | undefined, type: string): boolean {
  const c = (conditions ?? []).find((x) => x.type === type);
  return c?.status === 'True';
}

function jobStatus(o: Job): string {
  const conditions = o.status?.conditions;
  if (jobCondition(conditions, 'Complete')) return 'Complete';
  if (jobCondition(conditions, 'Failed')) return 'Failed';
  if (o.metadata?.deletionTimestamp) return 'Terminating';
  if (jobCondition(conditions, 'Suspended')) return 'Suspended';
  if (jobCondition(conditions, 'FailureTarget')) return 'FailureTarget';
  return 'Running';
}

function jobCompletions(o: Job): string {
  const succeeded = o.status?.succeeded ?? 0;
  if (o.spec?.completions !== undefined && o.spec.completions !== null) return `${succeeded}/${o.spec.completions}`;
  const parallelism = o.spec?.parallelism ?? 0;
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

function jobDuration(o: Job, now: Date): string {
  const start = o.status?.startTime;
  if (!start) return '';
  const end = o.status?.completionTime ? Date.parse(o.status.completionTime) : now.getTime();
  return humanDuration(end - Date.parse(start));
}

export const jobPrinter = printer<Job>(
  [
    NAME_COLUMN,
    column('Status', 'string', 'Status of the job.'),
    column('Completions', 'string', 'Succeeded pods out of the desired completions.'),
    column('Duration', 'string', 'Time required to complete the job.'),
    ...TEMPLATE_COLUMNS,
  ],
  (o, now) => [
    name(o),
    jobStatus(o),
    jobCompletions(o),
    jobDuration(o, now),
    ...templateCells(o, now, o.spec?.template?.spec?.containers, formatLabelSelector(o.spec?.selector)),
  ],
);

const boolText = (v: boolean | undefined): string => (v === undefined || v === null ? '<unset>' : v ? 'True' : 'False');

export const cronJobPrinter = printer<CronJob>(
  [
    NAME_COLUMN,
    column('Schedule', 'string', 'The schedule in Cron format.'),
    column('Timezone', 'string', 'The time zone of the schedule.'),
    column('Suspend', 'boolean', 'Whether subsequent executions are suspended.'),
    column('Active', 'integer', 'Number of currently running jobs.'),
    column('Last Schedule', 'string', 'When a job was last scheduled.'),
    ...TEMPLATE_COLUMNS,
  ],
  (o, now) => [
    name(o),
    o.spec?.schedule ?? '',
    o.spec?.timeZone ?? '<none>',
    boolText(o.spec?.suspend),
    o.status?.active?.length ?? 0,
    o.status?.lastScheduleTime ? since(o.status.lastScheduleTime, now) : '<none>',
    ...templateCells(o, now, o.spec?.jobTemplate?.spec?.template?.spec?.containers, formatLabelSelector(o.spec?.jobTemplate?.spec?.selector)),
  ],
);

/** One metric as `current/target`, the way `kubectl get hpa` shows TARGETS. */
function formatMetric(spec: MetricSpec, status: MetricStatus | undefined): string {
  const unknown = '<unknown>';
  switch (spec.type) {
    case 'External': {
      const t = spec.external?.target;
      if (t?.averageValue !== undefined) return `${status?.external?.current?.averageValue ?? unknown}/${t.averageValue} (avg)`;
      return `${status?.external?.current?.value ?? unknown}/${t?.value ?? ''}`;
    }
    case 'Pods':
      return `${status?.pods?.current?.averageValue ?? unknown}/${spec.pods?.target?.averageValue ?? ''}`;
    case 'Object': {
      const t = spec.object?.target;
      if (t?.averageValue !== undefined) return `${status?.object?.current?.averageValue ?? unknown}/${t.averageValue} (avg)`;
      return `${status?.object?.current?.value ?? unknown}/${t?.value ?? ''}`;
    }
    case 'Resource':
    case 'ContainerResource': {
      // Since Kubernetes 1.30 the resource's name leads ("cpu: 43%/50%"), kubernetes#122804.
      const src = spec.type === 'Resource' ? spec.resource : spec.containerResource;
      const cur = spec.type === 'Resource' ? status?.resource?.current : status?.containerResource?.current;
      const name = src?.name ?? '';
      if (src?.target?.averageValue !== undefined) return `${name}: ${cur ? (cur.averageValue ?? '<nil>') : unknown}/${src.target.averageValue}`;
      const current = cur?.averageUtilization !== undefined ? `${cur.averageUtilization}%` : unknown;
      const target = src?.target?.averageUtilization !== undefined ? `${src.target.averageUtilization}%` : '<auto>';
      return `${name}: ${current}/${target}`;
    }
    default:
      return '<unknown type>';
  }
}

function formatHPAMetrics(specs: MetricSpec[] | undefined, statuses: MetricStatus[] | undefined): string {
  if (!specs || specs.length === 0) return '<none>';
  const list = specs.map((s, i) => formatMetric(s, statuses?.[i]));
  const max = 2;
  return list.length > max ? `${list.slice(0, max).join(', ')} + ${list.length - max} more...` : list.join(', ');
}

export const horizontalPodAutoscalerPrinter = printer<HorizontalPodAutoscaler>(
  [
    NAME_COLUMN,
    column('Reference', 'string', 'The target resource being scaled.'),
    column('Targets', 'string', 'Current and target values of the metrics.'),
    column('MinPods', 'string', 'The lower limit of replicas.'),
    column('MaxPods', 'integer', 'The upper limit of replicas.'),
    column('Replicas', 'integer', 'Current number of replicas.'),
    AGE_COLUMN,
  ],
  (o, now) => [
    name(o),
    `${o.spec?.scaleTargetRef?.kind ?? ''}/${o.spec?.scaleTargetRef?.name ?? ''}`,
    formatHPAMetrics(o.spec?.metrics, o.status?.currentMetrics),
    o.spec?.minReplicas !== undefined ? String(o.spec.minReplicas) : '<unset>',
    o.spec?.maxReplicas ?? 0,
    o.status?.currentReplicas ?? 0,
    age(o, now),
  ],
);

export const podDisruptionBudgetPrinter = printer<PodDisruptionBudget>(
  [
    NAME_COLUMN,
    column('Min Available', 'string', 'The minimum number of pods that must be available.'),
    column('Max Unavailable', 'string', 'The maximum number of pods that may be unavailable.'),
    column('Allowed Disruptions', 'integer', 'How many pods may be disrupted right now.'),
    AGE_COLUMN,
  ],
  (o, now) => [
    name(o),
    o.spec?.minAvailable !== undefined ? String(o.spec.minAvailable) : 'N/A',
    o.spec?.maxUnavailable !== undefined ? String(o.spec.maxUnavailable) : 'N/A',
    o.status?.disruptionsAllowed ?? 0,
    age(o, now),
  ],
);

export const controllerRevisionPrinter = printer<ControllerRevision>(
  [
    NAME_COLUMN,
    column('Controller', 'string', 'The controller that owns this revision.'),
    column('Revision', 'string', 'The revision number.'),
    AGE_COLUMN,
  ],
  (o, now) => {
    const ref = (o.metadata?.ownerReferences ?? []).find((r) => r.controller);
    let controller = '<none>';
    if (ref) {
      const slash = ref.apiVersion.indexOf('/');
      const group = slash < 0 ? '' : ref.apiVersion.slice(0, slash);
      controller = `${(group ? `${ref.kind}.${group}` : ref.kind).toLowerCase()}/${ref.name}`;
    }
    return [name(o), controller, o.revision, age(o, now)];
  },
);

export const podTemplatePrinter = printer<PodTemplate>(
  [
    NAME_COLUMN,
    column('Containers', 'string', 'Names of each container in the template.'),
    column('Images', 'string', 'Images referenced by each container in the template.'),
    column('Pod Labels', 'string', 'The labels of the pod template.'),
  ],
  (o) => [name(o), ...containerCells(o.template?.spec?.containers), formatLabels(o.template?.metadata?.labels)],
);

export const workloadPrinters: Record<string, TablePrinter> = {
  'apps/deployments': deploymentPrinter,
  'apps/replicasets': replicaSetPrinter,
  'apps/daemonsets': daemonSetPrinter,
  'apps/statefulsets': statefulSetPrinter,
  'apps/controllerrevisions': controllerRevisionPrinter,
  '/replicationcontrollers': replicationControllerPrinter,
  '/podtemplates': podTemplatePrinter,
  'batch/jobs': jobPrinter,
  'batch/cronjobs': cronJobPrinter,
  'autoscaling/horizontalpodautoscalers': horizontalPodAutoscalerPrinter,
  'policy/poddisruptionbudgets': podDisruptionBudgetPrinter,
};
