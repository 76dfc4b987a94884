// kubectl's generic describer (what it shows for kinds without their own): the metadata
// header, then every field of the object, sorted, with smart labels.
import type { ConfigMap, Event, Secret } from 'kubernetes-types/core/v1';
import { byBytes } from '../../api/json.js';
import type { KObject } from '../../api/types.js';
import { DescribeWriter, writeAnnotations, writeEvents, writeLabels, writeUnstructured } from './writer.js';

export function describeGeneric(obj: KObject, events: Event[] | undefined, now = Date.now()): string {
  const w = new DescribeWriter();
  const m = obj.metadata ?? {};
  w.line(0, `Name:\t${m.name ?? ''}`);
  w.line(0, `Namespace:\t${m.namespace ?? ''}`);
  writeLabels(w, 0, m.labels);
  writeAnnotations(w, 0, m.annotations);
  writeUnstructured(w, 0, obj as Record<string, unknown>, '', ['.metadata.managedFields', '.metadata.name', '.metadata.namespace', '.metadata.labels', '.metadata.annotations']);
  writeEvents(w, events, now);
  return w.toString();
}

export function describeConfigMap(cm: ConfigMap, events: Event[] | undefined, now = Date.now()): string {
  const w = new DescribeWriter();
  const m = cm.metadata ?? {};
  w.line(0, `Name:\t${m.name ?? ''}`);
  w.line(0, `Namespace:\t${m.namespace ?? ''}`);
  writeLabels(w, 0, m.labels);
  writeAnnotations(w, 0, m.annotations);
  w.write(0, '\nData\n====\n');
  for (const k of Object.keys(cm.data ?? {}).sort(byBytes)) w.write(0, `${k}:\n----\n${cm.data![k]}\n\n`);
  w.write(0, '\nBinaryData\n====\n');
  for (const k of Object.keys(cm.binaryData ?? {}).sort(byBytes)) w.write(0, `${k}: ${Buffer.from(cm.binaryData![k]!, 'base64').length} bytes\n`);
  w.write(0, '\n');
  writeEvents(w, events, now);
  return w.toString();
}

export function describeSecret(s: Secret, events: Event[] | undefined, now = Date.now()): string {
  const w = new DescribeWriter();
  const m = s.metadata ?? {};
  w.line(0, `Name:\t${m.name ?? ''}`);
  w.line(0, `Namespace:\t${m.namespace ?? ''}`);
  writeLabels(w, 0, m.labels);
  writeAnnotations(w, 0, m.annotations);
  w.write(0, `\nType:\t${s.type ?? ''}\n\nData\n====\n`);
  for (const k of Object.keys(s.data ?? {}).sort(byBytes)) w.write(0, `${k}:\t${Buffer.from(s.data![k]!, 'base64').length} bytes\n`);
  void events;
  void now;
  return w.toString();
}
