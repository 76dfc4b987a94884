// Entry points the apiserver calls. Each returns Kubernetes field causes; the apiserver turns a
// non-empty list into `errors.invalid(kind, {group, resource}, name, causes)` → HTTP 422.
// Objects are expected to be defaulted (api/defaults) first, as in Kubernetes.
import type { StatusCause } from 'kubernetes-types/meta/v1';
import type { ResourceInfo } from '../resources.js';
import type { KObject } from '../types.js';
import { type ErrorList, Path } from './field.js';
import { nameIsDNSLabel, nameIsDNSSubdomain } from './names.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { validatePod, validatePodStatusUpdate, validatePodTemplateSpec, validatePodUpdate } from './pod.js';
import { validateWorkload, validateWorkloadStatus, validateWorkloadUpdate } from './workloads.js';
import { validateCronJob, validateCronJobUpdate, validateJob, validateJobUpdate } from './batch.js';
import { validateJobStatus } from './job-status.js';
import { validateEndpointSlice, validateEndpoints, validateService, validateServiceUpdate } from './service.js';
import { validateConfigMap, validateConfigMapUpdate, validateSecret, validateSecretUpdate } from './config.js';
import {
  validateEvent,
  validateLease,
  validateNamespace,
  validateNode,
  validateNodeUpdate,
  validatePersistentVolumeClaim,
} from './cluster.js';
import { validateIngress, validateIngressClass, validateNetworkPolicy } from './networking.js';
import { validateHorizontalPodAutoscaler, validateHorizontalPodAutoscalerStatus } from './autoscaling.js';
import { validateRole, validateRoleBinding, validateRoleBindingUpdate } from './rbac.js';
import { validateAPIService } from './apiregistration.js';
import { validateLimitRange } from './limitrange.js';
import { validateResourceQuota, validateResourceQuotaStatus } from './resourcequota.js';
import { validatePriorityClass, validatePriorityClassUpdate } from './scheduling.js';
import { validatePersistentVolumeClaimUpdate, validatePersistentVolumeUpdate } from './storage.js';

type Obj = Record<string, unknown>;
type CreateValidator = (obj: Obj, info: ResourceInfo) => ErrorList;
type UpdateValidator = (obj: Obj, old: Obj, info: ResourceInfo) => ErrorList;

const WORKLOADS = ['Deployment', 'ReplicaSet', 'ReplicationController', 'StatefulSet', 'DaemonSet'];

/** Metadata-only validation for kinds without rules of their own. */
function validateGeneric(obj: Obj, info: ResourceInfo): ErrorList {
  return validateObjectMeta(obj['metadata'], info.namespaced, info.kind === 'Namespace' ? nameIsDNSLabel : nameIsDNSSubdomain, Path.root('metadata'));
}

const CREATE: Record<string, CreateValidator> = {
  Pod: (o) => validatePod(o),
  PodTemplate: (o, info) => [...validateGeneric(o, info), ...validatePodTemplateSpec(o['template'], Path.root('template'))],
  Service: (o) => validateService(o),
  Endpoints: (o) => validateEndpoints(o),
  EndpointSlice: (o) => validateEndpointSlice(o),
  ConfigMap: (o) => validateConfigMap(o),
  Secret: (o) => validateSecret(o),
  Namespace: (o) => validateNamespace(o),
  Node: (o) => validateNode(o),
  Event: (o) => validateEvent(o),
  Lease: (o) => validateLease(o),
  PersistentVolumeClaim: (o) => validatePersistentVolumeClaim(o),
  HorizontalPodAutoscaler: (o) => validateHorizontalPodAutoscaler(o),
  Job: (o) => validateJob(o),
  CronJob: (o) => validateCronJob(o),
  Ingress: (o) => validateIngress(o),
  IngressClass: (o) => validateIngressClass(o),
  NetworkPolicy: (o) => validateNetworkPolicy(o),
  Role: (o) => validateRole(o, true),
  ClusterRole: (o) => validateRole(o, false),
  RoleBinding: (o) => validateRoleBinding(o, true),
  ClusterRoleBinding: (o) => validateRoleBinding(o, false),
  APIService: (o) => validateAPIService(o),
  LimitRange: (o) => validateLimitRange(o),
  ResourceQuota: (o) => validateResourceQuota(o),
  PriorityClass: (o) => validatePriorityClass(o),
};
for (const kind of WORKLOADS) CREATE[kind] = (o) => validateWorkload(kind, o);

/** Update validators that add immutability rules; others re-run create rules minus name checks. */
const UPDATE: Record<string, UpdateValidator> = {
  Pod: (o, old) => validatePodUpdate(o, old),
  Service: (o, old) => validateServiceUpdate(o, old),
  ConfigMap: (o, old) => validateConfigMapUpdate(o, old),
  Secret: (o, old) => validateSecretUpdate(o, old),
  Node: (o, old, info) => [...genericUpdate(o, old, info), ...validateNodeUpdate(o, old)],
  Job: (o, old) => validateJobUpdate(o, old),
  CronJob: (o, old) => validateCronJobUpdate(o, old),
  RoleBinding: (o, old) => validateRoleBindingUpdate(o, old, true),
  ClusterRoleBinding: (o, old) => validateRoleBindingUpdate(o, old, false),
  PriorityClass: (o, old) => validatePriorityClassUpdate(o, old),
  PersistentVolumeClaim: (o, old, info) => [...genericUpdate(o, old, info), ...validatePersistentVolumeClaimUpdate(o, old)],
  PersistentVolume: (o, old, info) => [...genericUpdate(o, old, info), ...validatePersistentVolumeUpdate(o, old)],
};
for (const kind of WORKLOADS) UPDATE[kind] = (o, old) => validateWorkloadUpdate(kind, o, old);

function genericUpdate(obj: Obj, old: Obj, info: ResourceInfo): ErrorList {
  const errs = validateObjectMetaUpdate(obj['metadata'], old['metadata'], Path.root('metadata'));
  const create = CREATE[info.kind] ?? validateGeneric;
  // Name and namespace rules were enforced at create time and are immutable since.
  errs.push(...create(obj, info).filter((e) => !e.field.startsWith('metadata.')));
  return errs;
}

export function validateObjectCreate(info: ResourceInfo, obj: KObject): StatusCause[] {
  const validator = CREATE[info.kind] ?? validateGeneric;
  return validator(obj as Obj, info);
}

export function validateObjectUpdate(info: ResourceInfo, obj: KObject, old: KObject): StatusCause[] {
  const validator = UPDATE[info.kind] ?? genericUpdate;
  return validator(obj as Obj, old as Obj, info);
}

/** Status writes: metadata update rules plus the few status invariants k8s enforces. */
export function validateStatusUpdate(info: ResourceInfo, obj: KObject, old: KObject): StatusCause[] {
  const o = obj as Obj;
  const prev = old as Obj;
  if (info.kind === 'Pod') return validatePodStatusUpdate(o, prev);
  const errs = validateObjectMetaUpdate(o['metadata'], prev['metadata'], Path.root('metadata'));
  if (o['status'] !== undefined && o['status'] !== null && (typeof o['status'] !== 'object' || Array.isArray(o['status'])))
    errs.push({ reason: 'FieldValueTypeInvalid', field: 'status', message: 'Invalid value: "status": must be an object' });
  if (WORKLOADS.includes(info.kind) || info.kind === 'Job') errs.push(...validateWorkloadStatus(o));
  if (info.kind === 'Job') errs.push(...validateJobStatus(o));
  if (info.kind === 'HorizontalPodAutoscaler') errs.push(...validateHorizontalPodAutoscalerStatus(o));
  if (info.kind === 'ResourceQuota') errs.push(...validateResourceQuotaStatus(o));
  return errs;
}

export type { FieldError, ErrorList, ErrorType } from './field.js';
