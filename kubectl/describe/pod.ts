// kubectl describe pod.
import type { Event, Pod } from 'kubernetes-types/core/v1';
import { podQOSClass } from '../../api/qos.js';
import { writeContainers, writeTolerations, writeVolumes } from './containers.js';
import { DescribeWriter, rfc1123z, since, writeAnnotations, writeEvents, writeLabels } from './writer.js';

/** The QoS class (status.qosClass when the server set it). */
export function qosClass(pod: Pod): string {
  return pod.status?.qosClass ?? podQOSClass(pod);
}

export function controllerOf(meta: { ownerReferences?: readonly { kind: string; name: string; controller?: boolean }[] } | undefined): string {
  const ref = meta?.ownerReferences?.find((r) => r.controller);
  return ref ? `${ref.kind}/${ref.name}` : '';
}

export function describePod(pod: Pod, events: Event[] | undefined, now = Date.now()): string {
  const w = new DescribeWriter();
  const m = pod.metadata ?? {};
  const spec = pod.spec ?? { containers: [] };
  const st = pod.status ?? {};
  w.line(0, `Name:\t${m.name ?? ''}`);
  w.line(0, `Namespace:\t${m.namespace ?? ''}`);
  if (spec.priority !== undefined) w.line(0, `Priority:\t${spec.priority}`);
  if (spec.priorityClassName) w.line(0, `Priority Class Name:\t${spec.priorityClassName}`);
  if (spec.runtimeClassName) w.line(0, `Runtime Class Name:\t${spec.runtimeClassName}`);
  if (spec.serviceAccountName) w.line(0, `Service Account:\t${spec.serviceAccountName}`);
  w.line(0, `Node:\t${spec.nodeName ? `${spec.nodeName}/${st.hostIP ?? ''}` : '<none>'}`);
  if (st.startTime) w.line(0, `Start Time:\t${rfc1123z(st.startTime)}`);
  writeLabels(w, 0, m.labels);
  writeAnnotations(w, 0, m.annotations);
  if (m.deletionTimestamp && st.phase !== 'Failed' && st.phase !== 'Succeeded') {
    w.line(0, `Status:\tTerminating (lasts ${since(m.deletionTimestamp, now)})`);
    w.line(0, `Termination Grace Period:\t${m.deletionGracePeriodSeconds ?? 0}s`);
  } else {
    w.line(0, `Status:\t${st.phase ?? ''}`);
  }
  if (st.reason) w.line(0, `Reason:\t${st.reason}`);
  if (st.message) w.line(0, `Message:\t${st.message}`);
  w.line(0, `IP:\t${st.podIP ?? ''}`);
  if (!st.podIPs?.length) w.line(0, 'IPs:\t<none>');
  else {
    w.line(0, 'IPs:');
    for (const ip of st.podIPs) w.line(1, `IP:\t${ip.ip}`);
  }
  const ctrl = controllerOf(m);
  if (ctrl) w.line(0, `Controlled By:\t${ctrl}`);
  if (st.nominatedNodeName) w.line(0, `NominatedNodeName:\t${st.nominatedNodeName}`);
  if (spec.initContainers?.length) writeContainers(w, 'Init Containers', spec.initContainers, st.initContainerStatuses, '');
  writeContainers(w, 'Containers', spec.containers, st.containerStatuses, '');
  if (st.conditions?.length) {
    w.line(0, 'Conditions:');
    w.line(1, 'Type\tStatus');
    for (const c of st.conditions) w.line(1, `${c.type} \t${c.status} `);
  }
  writeVolumes(w, spec.volumes, '');
  w.line(0, `QoS Class:\t${qosClass(pod)}`);
  writeLabels(w, 0, spec.nodeSelector, 'Node-Selectors');
  writeTolerations(w, 0, spec.tolerations);
  writeEvents(w, events, now);
  return w.toString();
}
