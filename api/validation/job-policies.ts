// Job spec rules beyond the basics (pkg/apis/batch/validation): podFailurePolicy rules,
// podReplacementPolicy, restartPolicy with a policy, and the Indexed completion mode limits.
import { type ErrorList, type FieldError, Path, field, asArray, asRecord, asString, validateNonnegative } from './field.js';
import { isDNS1123Label, isQualifiedName } from './names.js';

type Obj = Record<string, unknown>;
const MAX_RULES = 20;
const MAX_EXIT_CODE_VALUES = 255;
const MAX_CONDITION_PATTERNS = 20;
const MAX_PARALLELISM_INDEXED = 100_000;
const ACTIONS = ['Count', 'FailIndex', 'FailJob', 'Ignore'];
const OPERATORS = ['In', 'NotIn'];
const CONDITION_STATUSES = ['False', 'True', 'Unknown'];
const REPLACEMENT_POLICIES = ['Failed', 'TerminatingOrFailed'];

const isSet = (v: unknown): boolean => v !== undefined && v !== null;
const quoted = (xs: readonly string[]): string => `[${xs.map((x) => JSON.stringify(x)).join(' ')}]`;

/** field.TooMany: `Too many: 21: must have at most 20 items`. */
function tooMany(path: Path, actual: number, max: number): FieldError {
  return { reason: 'FieldValueTooMany', field: path.toString(), message: `Too many: ${actual}: must have at most ${max} items` };
}

function containerNames(spec: Obj): Set<string> {
  const tspec = asRecord(asRecord(spec['template'])['spec']);
  return new Set([...asArray(tspec['containers']), ...asArray(tspec['initContainers'])].map((c) => asString(asRecord(c)['name'])));
}

function validateOnExitCodes(req: Obj, path: Path, names: Set<string>): ErrorList {
  const errs: ErrorList = [];
  const op = asString(req['operator']);
  if (!op) errs.push(field.required(path.child('operator'), `valid values: ${quoted(OPERATORS)}`));
  else if (!OPERATORS.includes(op)) errs.push(field.notSupported(path.child('operator'), op, OPERATORS));
  const name = req['containerName'];
  if (isSet(name) && !names.has(asString(name))) errs.push(field.invalid(path.child('containerName'), name, 'must be one of the container or initContainer names in the pod template'));
  const values = asArray(req['values']).filter((v): v is number => typeof v === 'number');
  const vp = path.child('values');
  if (values.length === 0) errs.push(field.invalid(vp, values, 'at least one value is required'));
  else if (values.length > MAX_EXIT_CODE_VALUES) errs.push(tooMany(vp, values.length, MAX_EXIT_CODE_VALUES));
  const seen = new Set<number>();
  values.forEach((v, j) => {
    if (op === 'In' && v === 0) errs.push(field.invalid(vp.index(j), v, 'must not be 0 for the In operator'));
    if (seen.has(v)) errs.push(field.duplicate(vp.index(j), v));
    seen.add(v);
  });
  if (values.some((v, j) => j > 0 && values[j - 1]! > v)) errs.push(field.invalid(vp, values, 'must be ordered'));
  return errs;
}

function validateOnPodConditions(patterns: unknown[], path: Path): ErrorList {
  const errs: ErrorList = [];
  if (patterns.length > MAX_CONDITION_PATTERNS) errs.push(tooMany(path, patterns.length, MAX_CONDITION_PATTERNS));
  patterns.forEach((raw, j) => {
    const p = asRecord(raw);
    const type = asString(p['type']);
    for (const msg of isQualifiedName(type)) errs.push(type ? field.invalid(path.index(j).child('type'), type, msg) : field.required(path.index(j).child('type')));
    const status = asString(p['status']);
    const sp = path.index(j).child('status');
    if (!status) errs.push(field.required(sp, `valid values: ${quoted(CONDITION_STATUSES)}`));
    else if (!CONDITION_STATUSES.includes(status)) errs.push(field.notSupported(sp, status, CONDITION_STATUSES));
  });
  return errs;
}

function validateRule(spec: Obj, rule: Obj, path: Path, names: Set<string>): ErrorList {
  const errs: ErrorList = [];
  const action = asString(rule['action']);
  const ap = path.child('action');
  if (!action) errs.push(field.required(ap, `valid values: ${quoted(ACTIONS)}`));
  else if (action === 'FailIndex') {
    if (!isSet(spec['backoffLimitPerIndex'])) errs.push(field.invalid(ap, action, 'requires the backoffLimitPerIndex to be set'));
  } else if (!ACTIONS.includes(action)) errs.push(field.notSupported(ap, action, ACTIONS));
  const onExit = isSet(rule['onExitCodes']);
  const conditions = asArray(rule['onPodConditions']);
  if (onExit) errs.push(...validateOnExitCodes(asRecord(rule['onExitCodes']), path.child('onExitCodes'), names));
  if (conditions.length > 0) errs.push(...validateOnPodConditions(conditions, path.child('onPodConditions')));
  // Go prints field.OmitValueType{} as just the detail.
  if (onExit && conditions.length > 0) errs.push({ reason: 'FieldValueInvalid', field: path.toString(), message: 'Invalid value: specifying both OnExitCodes and OnPodConditions is not supported' });
  if (!onExit && conditions.length === 0) errs.push({ reason: 'FieldValueInvalid', field: path.toString(), message: 'Invalid value: specifying one of OnExitCodes and OnPodConditions is required' });
  return errs;
}

function validatePodFailurePolicy(spec: Obj, path: Path): ErrorList {
  const rules = asArray(asRecord(spec['podFailurePolicy'])['rules']);
  const errs: ErrorList = [];
  if (rules.length > MAX_RULES) errs.push(tooMany(path.child('rules'), rules.length, MAX_RULES));
  const names = containerNames(spec);
  rules.forEach((r, i) => errs.push(...validateRule(spec, asRecord(r), path.child('rules').index(i), names)));
  return errs;
}

/** The Job spec rules of validateJobSpec that concern policies and the completion mode (restartPolicy included). */
export function validateJobPolicies(s: Obj, path: Path): ErrorList {
  const errs: ErrorList = [];
  for (const f of ['ttlSecondsAfterFinished', 'backoffLimitPerIndex', 'maxFailedIndexes'] as const) errs.push(...validateNonnegative(s[f], path.child(f)));
  if (isSet(s['maxFailedIndexes']) && !isSet(s['backoffLimitPerIndex'])) errs.push(field.required(path.child('backoffLimitPerIndex'), 'when maxFailedIndexes is specified'));
  const indexed = s['completionMode'] === 'Indexed';
  if (indexed && typeof s['parallelism'] === 'number' && s['parallelism'] > MAX_PARALLELISM_INDEXED)
    errs.push(field.invalid(path.child('parallelism'), s['parallelism'], `must be less than or equal to ${MAX_PARALLELISM_INDEXED} when completion mode is Indexed`));
  if (!indexed) {
    for (const f of ['backoffLimitPerIndex', 'maxFailedIndexes'] as const) if (isSet(s[f])) errs.push(field.invalid(path.child(f), s[f], 'requires indexed completion mode'));
  }
  const hasPolicy = isSet(s['podFailurePolicy']);
  if (hasPolicy) errs.push(...validatePodFailurePolicy(s, path.child('podFailurePolicy')));
  const replacement = s['podReplacementPolicy'];
  if (isSet(replacement)) {
    if (hasPolicy && replacement !== 'Failed') errs.push(field.notSupported(path.child('podReplacementPolicy'), replacement, ['Failed']));
    else if (!hasPolicy && !REPLACEMENT_POLICIES.includes(asString(replacement))) errs.push(field.notSupported(path.child('podReplacementPolicy'), replacement, REPLACEMENT_POLICIES));
  }
  const rp = path.child('template', 'spec', 'restartPolicy');
  const restart = asString(asRecord(asRecord(s['template'])['spec'])['restartPolicy']);
  // The pod defaults leave Always when nothing was said, so both mean "not set" here.
  if (restart === 'Always' || restart === '') errs.push(field.required(rp, 'valid values: "OnFailure", "Never"'));
  else if (restart !== 'OnFailure' && restart !== 'Never') errs.push(field.notSupported(rp, restart, ['OnFailure', 'Never']));
  else if (hasPolicy && restart !== 'Never') errs.push(field.invalid(rp, restart, 'only "Never" is supported when podFailurePolicy is specified'));
  return errs;
}

/** An Indexed Job's pods are named `<job>-<index>` as hostnames: the largest must be a DNS label. */
export function validateIndexedJobName(obj: Obj): ErrorList {
  const spec = asRecord(obj['spec']);
  const completions = spec['completions'];
  if (spec['completionMode'] !== 'Indexed' || typeof completions !== 'number' || completions <= 0) return [];
  const name = asString(asRecord(obj['metadata'])['name']);
  const hostname = `${name}-${completions - 1}`;
  return isDNS1123Label(hostname).length > 0
    ? [field.invalid(Path.root('metadata', 'name'), name, `will not able to create pod with invalid DNS label: ${hostname}`)]
    : [];
}
