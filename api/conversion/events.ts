// events.k8s.io/v1 Event ⇄ core/v1 Event. Both are the same stored objects (Kubernetes keeps
// Events in core/v1 form under /registry/events/); the events.k8s.io names are renames of the
// core fields, as pkg/apis/events/v1/conversion.go maps them.
import type { KObject } from '../types.js';

/** [events.k8s.io/v1 field, core/v1 field] for every field whose name differs. */
const RENAMES: readonly (readonly [string, string])[] = [
  ['regarding', 'involvedObject'],
  ['note', 'message'],
  ['deprecatedCount', 'count'],
  ['deprecatedFirstTimestamp', 'firstTimestamp'],
  ['deprecatedLastTimestamp', 'lastTimestamp'],
  ['deprecatedSource', 'source'],
  ['reportingController', 'reportingComponent'],
];

function rename(obj: KObject, apiVersion: string, from: 0 | 1): KObject {
  const to = from === 0 ? 1 : 0;
  const out: KObject = { ...obj, apiVersion, kind: 'Event' };
  for (const pair of RENAMES) {
    const src = pair[from];
    const dst = pair[to];
    if (!(src in out)) continue;
    const v = out[src];
    delete out[src];
    if (v !== undefined && v !== null && v !== '') out[dst] = v;
  }
  return out;
}

export function eventToEventsV1(ev: KObject): KObject {
  return rename(ev, 'events.k8s.io/v1', 1);
}

export function eventsV1ToEvent(ev: KObject): KObject {
  return rename(ev, 'v1', 0);
}

/** events.k8s.io/v1 field labels → the core/v1 labels the stored objects are selected by. */
export const EVENTS_V1_FIELD_LABELS: Readonly<Record<string, string>> = {
  'regarding.kind': 'involvedObject.kind',
  'regarding.namespace': 'involvedObject.namespace',
  'regarding.name': 'involvedObject.name',
  'regarding.uid': 'involvedObject.uid',
  'regarding.apiVersion': 'involvedObject.apiVersion',
  'regarding.resourceVersion': 'involvedObject.resourceVersion',
  'regarding.fieldPath': 'involvedObject.fieldPath',
  reportingController: 'reportingComponent',
};
