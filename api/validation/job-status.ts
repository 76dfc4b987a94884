// Job status invariants the apiserver enforces on every status write (validateJobStatus):
// non-negative counters, and uncountedTerminatedPods uids neither empty nor listed twice —
// the Job controller's finalizer tracking relies on both lists being sets.
import { type ErrorList, Path, field, asArray, asRecord, validateNonnegative } from './field.js';

type Obj = Record<string, unknown>;

export function validateJobStatus(obj: Obj): ErrorList {
  const status = asRecord(obj['status']);
  const path = Path.root('status');
  const errs: ErrorList = [];
  for (const f of ['active', 'succeeded', 'failed', 'ready', 'terminating'] as const) errs.push(...validateNonnegative(status[f], path.child(f)));
  const uncounted = asRecord(status['uncountedTerminatedPods']);
  const seen = new Set<unknown>();
  for (const list of ['succeeded', 'failed'] as const) {
    asArray(uncounted[list]).forEach((uid, i) => {
      const p = path.child('uncountedTerminatedPods', list).index(i);
      if (uid === '' || uid === null || uid === undefined) errs.push(field.invalid(p, uid ?? '', 'must not be empty'));
      else if (seen.has(uid)) errs.push(field.duplicate(p, uid));
      else seen.add(uid);
    });
  }
  return errs;
}
