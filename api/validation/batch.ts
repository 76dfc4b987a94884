// batch/v1 Job and CronJob basics (pkg/apis/batch/validation).
import { type ErrorList, Path, field, FIELD_IMMUTABLE, asRecord, asString, validateNonnegative } from './field.js';
import { maxLenError, nameIsDNSSubdomain } from './names.js';
import { validateLabelSelector, validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { templateLabels, validatePodTemplateSpec } from './pod.js';
import { goLabelSelector, selectorMatches } from './selector.js';
import { semanticEqual } from './equal.js';
import { validateIndexedJobName, validateJobPolicies } from './job-policies.js';

type Obj = Record<string, unknown>;
const CONCURRENCY_POLICIES = ['Allow', 'Forbid', 'Replace'];
const COMPLETION_MODES = ['Indexed', 'NonIndexed'];
// CronJob names leave room for the 11-character suffix of the Jobs they spawn.
const CRONJOB_NAME_MAX = 52;

function validateJobSpec(s: Obj, path: Path): ErrorList {
  const errs: ErrorList = [];
  for (const f of ['parallelism', 'completions', 'backoffLimit'] as const) errs.push(...validateNonnegative(s[f], path.child(f)));
  const ads = s['activeDeadlineSeconds'];
  if (typeof ads === 'number' && ads <= 0) errs.push(field.invalid(path.child('activeDeadlineSeconds'), ads, 'must be greater than zero'));
  const mode = asString(s['completionMode']);
  if (mode && !COMPLETION_MODES.includes(mode)) errs.push(field.notSupported(path.child('completionMode'), mode, COMPLETION_MODES));
  if (mode === 'Indexed' && (s['completions'] === undefined || s['completions'] === null))
    errs.push(field.required(path.child('completions'), 'when completion mode is Indexed'));
  const selector = s['selector'];
  if (selector === undefined || selector === null) errs.push(field.required(path.child('selector')));
  else {
    errs.push(...validateLabelSelector(selector, path.child('selector')));
    if (!selectorMatches(selector, templateLabels(s['template'])))
      errs.push(field.invalid(path.child('template', 'metadata', 'labels'), templateLabels(s['template']), '`selector` does not match template `labels`'));
  }
  const template = s['template'];
  if (template === undefined || template === null) return [...errs, field.required(path.child('template'))];
  errs.push(...validatePodTemplateSpec(template, path.child('template')));
  errs.push(...validateJobPolicies(s, path));
  return errs;
}

/** Five standard fields, or one of the @-macros robfig/cron's ParseStandard accepts. */
export function cronScheduleError(schedule: string): string | undefined {
  const s = schedule.trim().replace(/^(TZ|CRON_TZ)=\S+\s+/, '');
  if (/^@(yearly|annually|monthly|weekly|daily|midnight|hourly)$/.test(s) || /^@every\s+\S+$/.test(s)) return undefined;
  const fields = s.split(/\s+/).filter((f) => f !== '');
  if (fields.length !== 5) return `expected exactly 5 fields, found ${fields.length}: ${JSON.stringify(fields).replace(/"/g, '').replace(/,/g, ' ')}`;
  const ok = /^(\*|\?|[0-9A-Za-z]+(-[0-9A-Za-z]+)?)(\/[0-9]+)?(,(\*|[0-9A-Za-z]+(-[0-9A-Za-z]+)?)(\/[0-9]+)?)*$/;
  const bad = fields.find((f) => !ok.test(f));
  return bad === undefined ? undefined : `failed to parse ${JSON.stringify(bad)}`;
}

function validateCronJobSpec(s: Obj, path: Path): ErrorList {
  const errs: ErrorList = [];
  const schedule = asString(s['schedule']);
  if (!schedule) errs.push(field.required(path.child('schedule')));
  else {
    const why = cronScheduleError(schedule);
    if (why) errs.push(field.invalid(path.child('schedule'), schedule, why));
  }
  const policy = asString(s['concurrencyPolicy']);
  if (!policy) errs.push(field.required(path.child('concurrencyPolicy')));
  else if (!CONCURRENCY_POLICIES.includes(policy)) errs.push(field.notSupported(path.child('concurrencyPolicy'), policy, CONCURRENCY_POLICIES));
  for (const f of ['startingDeadlineSeconds', 'successfulJobsHistoryLimit', 'failedJobsHistoryLimit'] as const)
    errs.push(...validateNonnegative(s[f], path.child(f)));
  const jobTemplate = asRecord(s['jobTemplate']);
  const jobSpec = { ...asRecord(jobTemplate['spec']) };
  // The Job controller generates a CronJob's job selectors, so none is required here.
  if (jobSpec['selector'] === undefined) jobSpec['selector'] = { matchLabels: templateLabels(jobSpec['template']) };
  errs.push(...validateJobSpec(jobSpec, path.child('jobTemplate', 'spec')));
  return errs;
}

export function validateJob(obj: Obj): ErrorList {
  const errs = validateObjectMeta(obj['metadata'], true, nameIsDNSSubdomain, Path.root('metadata'));
  errs.push(...validateJobSpec(asRecord(obj['spec']), Path.root('spec')));
  errs.push(...validateIndexedJobName(obj));
  return errs;
}

export function validateJobUpdate(obj: Obj, old: Obj): ErrorList {
  const errs = validateObjectMetaUpdate(obj['metadata'], old['metadata'], Path.root('metadata'));
  errs.push(...validateJobSpec(asRecord(obj['spec']), Path.root('spec')));
  const s = asRecord(obj['spec']);
  const o = asRecord(old['spec']);
  if (!semanticEqual(s['selector'], o['selector'])) errs.push(field.invalid(Path.root('spec', 'selector'), goLabelSelector(s['selector']), FIELD_IMMUTABLE));
  if (!semanticEqual(s['completions'], o['completions']) && s['completionMode'] !== 'Indexed')
    errs.push(field.invalid(Path.root('spec', 'completions'), s['completions'] ?? null, FIELD_IMMUTABLE));
  if (!semanticEqual(s['template'], o['template']) && s['suspend'] !== true)
    errs.push(field.invalid(Path.root('spec', 'template'), '', FIELD_IMMUTABLE));
  return errs;
}

export function validateCronJob(obj: Obj): ErrorList {
  const errs = validateObjectMeta(obj['metadata'], true, nameIsDNSSubdomain, Path.root('metadata'));
  const name = asString(asRecord(obj['metadata'])['name']);
  if (name.length > CRONJOB_NAME_MAX) errs.push(field.invalid(Path.root('metadata', 'name'), name, maxLenError(CRONJOB_NAME_MAX)));
  errs.push(...validateCronJobSpec(asRecord(obj['spec']), Path.root('spec')));
  return errs;
}

export function validateCronJobUpdate(obj: Obj, old: Obj): ErrorList {
  const errs = validateObjectMetaUpdate(obj['metadata'], old['metadata'], Path.root('metadata'));
  errs.push(...validateCronJobSpec(asRecord(obj['spec']), Path.root('spec')));
  return errs;
}
