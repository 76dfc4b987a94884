// Fixtures for the trace core's unit tests: a Deployment web → ReplicaSet web-abc → Pod
// web-abc-x on node-1, and a Service web over it, with audit records and Events as the
// components write them.
import type { AuditEvent, CoreEvent, TraceData, TracedObject } from './types.js';

export const T = (s: string) => `2026-12-03T10:00:${s}Z`;

export function audit(uid: string, verb: string, user: string, at: string, extra: Partial<AuditEvent> & { subresource?: string; userAgent?: string } = {}): AuditEvent {
  const { subresource, ...rest } = extra;
  return { verb, stage: 'ResponseComplete', user: { username: user }, objectRef: { uid, ...(subresource ? { subresource } : {}) }, responseStatus: { code: verb === 'create' ? 201 : 200 }, stageTimestamp: at, ...rest };
}

export function event(uid: string, kind: string, name: string, reason: string, message: string, at: string, source: { component: string; host?: string }, fieldPath?: string): CoreEvent {
  return { metadata: { name: `${name}.${reason}` }, involvedObject: { uid, kind, name, namespace: 'default', ...(fieldPath ? { fieldPath } : {}) }, reason, message, type: 'Normal', firstTimestamp: at, lastTimestamp: at, count: 1, source };
}

export const deployment: TracedObject = { kind: 'Deployment', namespace: 'default', name: 'web', uid: 'd1', chain: ['d1'], object: { metadata: { creationTimestamp: T('00') } } };
export const replicaSet: TracedObject = {
  kind: 'ReplicaSet',
  namespace: 'default',
  name: 'web-abc',
  uid: 'r1',
  chain: ['d1', 'r1'],
  ownerKind: 'Deployment',
  ownerName: 'web',
  object: { metadata: { creationTimestamp: T('00'), ownerReferences: [{ kind: 'Deployment', name: 'web', uid: 'd1', controller: true }] } },
};

export function pod(conditions: { type: string; status: string; lastTransitionTime?: string }[], chain = ['d1', 'r1', 'p1']): TracedObject {
  return {
    kind: 'Pod',
    namespace: 'default',
    name: 'web-abc-x',
    uid: 'p1',
    chain,
    ownerKind: 'ReplicaSet',
    ownerName: 'web-abc',
    object: {
      metadata: { creationTimestamp: T('00'), ownerReferences: [{ kind: 'ReplicaSet', name: 'web-abc', uid: 'r1', controller: true }] },
      spec: { nodeName: 'node-1', containers: [{ name: 'web', image: 'nginx:1.27' }] },
      status: { conditions },
    },
  };
}

export const readyPod = () =>
  pod([
    { type: 'PodScheduled', status: 'True', lastTransitionTime: T('00') },
    { type: 'Ready', status: 'True', lastTransitionTime: T('02') },
  ]);

const kubelet = { component: 'kubelet', host: 'node-1' };
export const kubeletEvents = (): CoreEvent[] => [
  event('p1', 'Pod', 'web-abc-x', 'Pulled', 'Container image "nginx:1.27" already present on machine', T('01'), kubelet, 'spec.containers{web}'),
  event('p1', 'Pod', 'web-abc-x', 'Created', 'Created container web', T('01'), kubelet, 'spec.containers{web}'),
  event('p1', 'Pod', 'web-abc-x', 'Started', 'Started container web', T('01'), kubelet, 'spec.containers{web}'),
];

export const controllerEvents = (): CoreEvent[] => [
  event('d1', 'Deployment', 'web', 'ScalingReplicaSet', 'Scaled up replica set web-abc from 0 to 1', T('00'), { component: 'deployment-controller' }),
  event('r1', 'ReplicaSet', 'web-abc', 'SuccessfulCreate', 'Created pod: web-abc-x', T('00'), { component: 'replicaset-controller' }),
  event('p1', 'Pod', 'web-abc-x', 'Scheduled', 'Successfully assigned default/web-abc-x to node-1', T('00'), { component: 'default-scheduler' }),
];

const KCM = 'system:kube-controller-manager';
export const deploymentAudit = (): Record<string, AuditEvent[]> => ({
  d1: [audit('d1', 'create', 'kubernetes-admin', T('00.100000'), { userAgent: 'kubectl.1.32/v1.32.0 (linux/amd64) kubernetes/70d3cc9' }), audit('d1', 'update', KCM, T('00.300000'), { subresource: 'status' })],
  r1: [audit('r1', 'create', KCM, T('00.250000'), { userAgent: 'kube-controller-manager/v0.1.0' })],
  p1: [audit('p1', 'create', KCM, T('00.400000')), audit('p1', 'create', 'system:kube-scheduler', T('00.600000'), { subresource: 'binding' }), audit('p1', 'patch', 'system:node:node-1', T('01.500000'), { subresource: 'status' })],
});

export function deploymentData(over: Partial<TraceData> = {}): TraceData {
  return {
    root: { kind: 'Deployment', namespace: 'default', name: 'web', uid: 'd1' },
    objects: [deployment, replicaSet, readyPod()],
    events: [...controllerEvents(), ...kubeletEvents()],
    audit: { status: 'ok' },
    auditByUid: deploymentAudit(),
    ...over,
  };
}
