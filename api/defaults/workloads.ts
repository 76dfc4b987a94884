// apps/v1, batch/v1 and ReplicationController defaults (pkg/apis/{apps,batch,core}/v1/defaults.go).
import { type Obj, ensureObj, isObj, setDefault, setDefaultString } from './util.js';
import { defaultPodTemplate } from './pod.js';

function templateLabels(spec: Obj): Obj | undefined {
  const meta = isObj(spec['template']) ? spec['template']['metadata'] : undefined;
  return isObj(meta) && isObj(meta['labels']) ? meta['labels'] : undefined;
}

export function defaultDeployment(obj: Obj): void {
  const spec = ensureObj(obj, 'spec');
  setDefault(spec, 'replicas', 1);
  const strategy = ensureObj(spec, 'strategy');
  setDefaultString(strategy, 'type', 'RollingUpdate');
  if (strategy['type'] === 'RollingUpdate') {
    const ru = ensureObj(strategy, 'rollingUpdate');
    setDefault(ru, 'maxUnavailable', '25%');
    setDefault(ru, 'maxSurge', '25%');
  }
  setDefault(spec, 'revisionHistoryLimit', 10);
  setDefault(spec, 'progressDeadlineSeconds', 600);
  defaultPodTemplate(spec['template']);
}

export function defaultReplicaSet(obj: Obj): void {
  const spec = ensureObj(obj, 'spec');
  setDefault(spec, 'replicas', 1);
  defaultPodTemplate(spec['template']);
}

/** RCs also take their selector and labels from the template when those are empty. */
export function defaultReplicationController(obj: Obj): void {
  const spec = ensureObj(obj, 'spec');
  const labels = templateLabels(spec);
  if (labels) {
    if (!isObj(spec['selector']) || Object.keys(spec['selector']).length === 0) spec['selector'] = { ...labels };
    const meta = ensureObj(obj, 'metadata');
    if (!isObj(meta['labels']) || Object.keys(meta['labels']).length === 0) meta['labels'] = { ...labels };
  }
  setDefault(spec, 'replicas', 1);
  defaultPodTemplate(spec['template']);
}

export function defaultStatefulSet(obj: Obj): void {
  const spec = ensureObj(obj, 'spec');
  setDefault(spec, 'replicas', 1);
  setDefaultString(spec, 'podManagementPolicy', 'OrderedReady');
  const strategy = ensureObj(spec, 'updateStrategy');
  setDefaultString(strategy, 'type', 'RollingUpdate');
  if (strategy['type'] === 'RollingUpdate') setDefault(ensureObj(strategy, 'rollingUpdate'), 'partition', 0);
  setDefault(spec, 'revisionHistoryLimit', 10);
  const retention = ensureObj(spec, 'persistentVolumeClaimRetentionPolicy');
  setDefaultString(retention, 'whenDeleted', 'Retain');
  setDefaultString(retention, 'whenScaled', 'Retain');
  defaultPodTemplate(spec['template']);
}

export function defaultDaemonSet(obj: Obj): void {
  const spec = ensureObj(obj, 'spec');
  const strategy = ensureObj(spec, 'updateStrategy');
  setDefaultString(strategy, 'type', 'RollingUpdate');
  if (strategy['type'] === 'RollingUpdate') {
    const ru = ensureObj(strategy, 'rollingUpdate');
    setDefault(ru, 'maxUnavailable', 1);
    setDefault(ru, 'maxSurge', 0);
  }
  setDefault(spec, 'revisionHistoryLimit', 10);
  defaultPodTemplate(spec['template']);
}

function defaultJobSpec(spec: Obj): void {
  // Both unset means a single-pod job; parallelism alone leaves completions open-ended.
  if ((spec['completions'] === undefined || spec['completions'] === null) && (spec['parallelism'] === undefined || spec['parallelism'] === null))
    spec['completions'] = 1;
  setDefault(spec, 'parallelism', 1);
  setDefault(spec, 'backoffLimit', spec['backoffLimitPerIndex'] !== undefined && spec['backoffLimitPerIndex'] !== null ? 2147483647 : 6);
  setDefaultString(spec, 'completionMode', 'NonIndexed');
  setDefault(spec, 'suspend', false);
  setDefaultString(spec, 'podReplacementPolicy', isObj(spec['podFailurePolicy']) ? 'Failed' : 'TerminatingOrFailed');
  defaultPodTemplate(spec['template']);
}

/**
 * Job defaults, plus the selector k8s's Job strategy generates (controller-uid and job-name
 * labels) unless `manualSelector` is set. The generated selector needs metadata.uid, so the
 * apiserver should assign the uid before defaulting.
 */
export function defaultJob(obj: Obj): void {
  const spec = ensureObj(obj, 'spec');
  defaultJobSpec(spec);
  const meta = ensureObj(obj, 'metadata');
  const labels = templateLabels(spec);
  if (labels && (!isObj(meta['labels']) || Object.keys(meta['labels']).length === 0)) meta['labels'] = { ...labels };
  const uid = typeof meta['uid'] === 'string' ? meta['uid'] : '';
  if (spec['manualSelector'] !== true && (spec['selector'] === undefined || spec['selector'] === null) && uid) {
    const template = ensureObj(spec, 'template');
    const tmeta = ensureObj(template, 'metadata');
    const tl = ensureObj(tmeta, 'labels');
    const name = typeof meta['name'] === 'string' ? meta['name'] : '';
    tl['batch.kubernetes.io/controller-uid'] = uid;
    tl['batch.kubernetes.io/job-name'] = name;
    tl['controller-uid'] = uid;
    tl['job-name'] = name;
    spec['selector'] = { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } };
  }
}

export function defaultCronJob(obj: Obj): void {
  const spec = ensureObj(obj, 'spec');
  setDefaultString(spec, 'concurrencyPolicy', 'Allow');
  setDefault(spec, 'suspend', false);
  setDefault(spec, 'successfulJobsHistoryLimit', 3);
  setDefault(spec, 'failedJobsHistoryLimit', 1);
  const jobTemplate = ensureObj(spec, 'jobTemplate');
  defaultJobSpec(ensureObj(jobTemplate, 'spec'));
}
