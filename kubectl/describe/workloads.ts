// kubectl describe for Deployments (with their ReplicaSets) and ReplicaSets.
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1';
import type { Event, Pod } from 'kubernetes-types/core/v1';
import { formatLabelSelector } from '../../api/labels.js';
import { goJson } from '../../api/go-format.js';
import { writePodTemplate } from './containers.js';
import { controllerOf } from './pod.js';
import { DescribeWriter, rfc1123z, writeAnnotations, writeEvents, writeLabels } from './writer.js';

const HASH = 'pod-template-hash';

function templateKey(t: unknown): string {
  const copy = structuredClone(t ?? {}) as { metadata?: { labels?: Record<string, string> } };
  if (copy.metadata?.labels) delete copy.metadata.labels[HASH];
  return goJson(copy);
}

/** deploymentutil.GetAllReplicaSets: the RS whose template is the Deployment's, and all the others it owns. */
export function splitReplicaSets(d: Deployment, all: ReplicaSet[]): { newRS?: ReplicaSet; oldRSs: ReplicaSet[] } {
  const owned = all.filter((rs) => rs.metadata?.ownerReferences?.some((r) => r.controller && r.uid === d.metadata?.uid));
  const key = templateKey(d.spec?.template);
  const sorted = [...owned].sort((a, b) => String(a.metadata?.creationTimestamp).localeCompare(String(b.metadata?.creationTimestamp)));
  const newRS = sorted.find((rs) => templateKey(rs.spec?.template) === key);
  return { newRS, oldRSs: sorted.filter((rs) => rs !== newRS) };
}

function rsList(list: ReplicaSet[]): string {
  if (list.length === 0) return '<none>';
  return list.map((rs) => `${rs.metadata?.name} (${rs.status?.replicas ?? 0}/${rs.spec?.replicas ?? 0} replicas created)`).join(', ');
}

function intOrPercent(v: string | number | undefined, dflt: string): string {
  return v === undefined ? dflt : String(v);
}

export function describeDeployment(d: Deployment, replicaSets: ReplicaSet[], events: Event[] | undefined, now = Date.now()): string {
  const w = new DescribeWriter();
  const m = d.metadata ?? {};
  const s = d.status ?? {};
  w.line(0, `Name:\t${m.name ?? ''}`);
  w.line(0, `Namespace:\t${m.namespace ?? ''}`);
  w.line(0, `CreationTimestamp:\t${rfc1123z(m.creationTimestamp)}`);
  writeLabels(w, 0, m.labels);
  writeAnnotations(w, 0, m.annotations);
  w.line(0, `Selector:\t${formatLabelSelector(d.spec?.selector)}`);
  w.line(0, `Replicas:\t${d.spec?.replicas ?? 1} desired | ${s.updatedReplicas ?? 0} updated | ${s.replicas ?? 0} total | ${s.availableReplicas ?? 0} available | ${s.unavailableReplicas ?? 0} unavailable`);
  w.line(0, `StrategyType:\t${d.spec?.strategy?.type ?? ''}`);
  w.line(0, `MinReadySeconds:\t${d.spec?.minReadySeconds ?? 0}`);
  const ru = d.spec?.strategy?.rollingUpdate;
  if (ru) w.line(0, `RollingUpdateStrategy:\t${intOrPercent(ru.maxUnavailable, '25%')} max unavailable, ${intOrPercent(ru.maxSurge, '25%')} max surge`);
  writePodTemplate(w, d.spec?.template);
  if (s.conditions?.length) {
    w.line(0, 'Conditions:');
    w.line(1, 'Type\tStatus\tReason');
    w.line(1, '----\t------\t------');
    for (const c of s.conditions) w.line(1, `${c.type} \t${c.status}\t${c.reason ?? ''}`);
  }
  const { newRS, oldRSs } = splitReplicaSets(d, replicaSets);
  if (newRS || oldRSs.length > 0) {
    w.line(0, `OldReplicaSets:\t${rsList(oldRSs)}`);
    w.line(0, `NewReplicaSet:\t${rsList(newRS ? [newRS] : [])}`);
  }
  writeEvents(w, events, now);
  return w.toString();
}

/** Pods of a ReplicaSet by phase, as describe's "Pods Status" line shows them. */
function podsStatus(pods: Pod[]): string {
  const count = (p: string): number => pods.filter((x) => x.status?.phase === p).length;
  return `${count('Running')} Running / ${count('Pending')} Waiting / ${count('Succeeded')} Succeeded / ${count('Failed')} Failed`;
}

export function describeReplicaSet(rs: ReplicaSet, pods: Pod[], events: Event[] | undefined, now = Date.now()): string {
  const w = new DescribeWriter();
  const m = rs.metadata ?? {};
  w.line(0, `Name:\t${m.name ?? ''}`);
  w.line(0, `Namespace:\t${m.namespace ?? ''}`);
  w.line(0, `Selector:\t${formatLabelSelector(rs.spec?.selector)}`);
  writeLabels(w, 0, m.labels);
  writeAnnotations(w, 0, m.annotations);
  const ctrl = controllerOf(m);
  if (ctrl) w.line(0, `Controlled By:\t${ctrl}`);
  w.line(0, `Replicas:\t${rs.status?.replicas ?? 0} current / ${rs.spec?.replicas ?? 1} desired`);
  w.line(0, `Pods Status:\t${podsStatus(pods)}`);
  writePodTemplate(w, rs.spec?.template);
  if (rs.status?.conditions?.length) {
    w.line(0, 'Conditions:');
    w.line(1, 'Type\tStatus\tReason');
    w.line(1, '----\t------\t------');
    for (const c of rs.status.conditions) w.line(1, `${c.type} \t${c.status}\t${c.reason ?? ''}`);
  }
  writeEvents(w, events, now);
  return w.toString();
}
