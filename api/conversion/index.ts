// Conversion between a served version and the version its objects are stored in, for the
// built-in resources served in more than one form (api/resources.ts `storedAs`). Each pair is a
// pure function pair; the apiserver converts request bodies in and every object out.
import type { ResourceInfo } from '../resources.js';
import type { KObject } from '../types.js';
import { hpaV1ToV2, hpaV2ToV1 } from './autoscaling.js';
import { EVENTS_V1_FIELD_LABELS, eventToEventsV1, eventsV1ToEvent } from './events.js';

export interface VersionConverter {
  /** The served form → the stored form. */
  toStorage(obj: KObject): KObject;
  /** The stored form → the served form. */
  fromStorage(obj: KObject): KObject;
  /** Field-selector labels of the served version → the stored version's (undefined: same name). */
  fieldLabels?: Readonly<Record<string, string>>;
}

const CONVERTERS: Record<string, VersionConverter> = {
  'events.k8s.io/v1/Event': { toStorage: eventsV1ToEvent, fromStorage: eventToEventsV1, fieldLabels: EVENTS_V1_FIELD_LABELS },
  'autoscaling/v1/HorizontalPodAutoscaler': { toStorage: hpaV1ToV2, fromStorage: hpaV2ToV1 },
};

/** The converter of a served version stored as another; undefined for stored versions. */
export function converterFor(info: Pick<ResourceInfo, 'group' | 'version' | 'kind' | 'storedAs'>): VersionConverter | undefined {
  if (!info.storedAs) return undefined;
  const c = CONVERTERS[`${info.group}/${info.version}/${info.kind}`];
  if (!c) throw new Error(`no conversion for ${info.group}/${info.version} ${info.kind}`);
  return c;
}
