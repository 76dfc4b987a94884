// applyDefaults: what Kubernetes' defaulting (pkg/apis/*/v1/defaults.go) and the always-on
// admission defaults set before validation and storage. Mutates in place; idempotent.
import type { ResourceInfo } from '../resources.js';
import type { KObject } from '../types.js';
import { type Obj, ensureObj } from './util.js';
import { defaultPod, defaultPodTemplate } from './pod.js';
import {
  defaultCronJob,
  defaultDaemonSet,
  defaultDeployment,
  defaultJob,
  defaultReplicaSet,
  defaultReplicationController,
  defaultStatefulSet,
} from './workloads.js';
import { defaultEndpointSlice, defaultEndpoints, defaultService } from './service.js';
import {
  defaultNamespace,
  defaultNode,
  defaultPersistentVolume,
  defaultPersistentVolumeClaim,
  defaultRoleBinding,
  defaultSecret,
  defaultStorageClass,
  defaultPriorityClass,
} from './misc.js';
import { defaultNetworkPolicy } from './networking.js';
import { defaultHorizontalPodAutoscaler } from './autoscaling.js';
import { defaultAPIService } from './apiregistration.js';
import { defaultLimitRange } from './limitrange.js';

const DEFAULTERS: Record<string, (obj: Obj) => void> = {
  Pod: defaultPod,
  PodTemplate: (o) => defaultPodTemplate(ensureObj(o, 'template')),
  Deployment: defaultDeployment,
  ReplicaSet: defaultReplicaSet,
  ReplicationController: defaultReplicationController,
  StatefulSet: defaultStatefulSet,
  DaemonSet: defaultDaemonSet,
  Job: defaultJob,
  CronJob: defaultCronJob,
  Service: defaultService,
  Endpoints: defaultEndpoints,
  EndpointSlice: defaultEndpointSlice,
  Namespace: defaultNamespace,
  Secret: defaultSecret,
  Node: defaultNode,
  RoleBinding: defaultRoleBinding,
  ClusterRoleBinding: defaultRoleBinding,
  PersistentVolumeClaim: defaultPersistentVolumeClaim,
  PersistentVolume: defaultPersistentVolume,
  StorageClass: defaultStorageClass,
  PriorityClass: defaultPriorityClass,
  HorizontalPodAutoscaler: defaultHorizontalPodAutoscaler,
  NetworkPolicy: defaultNetworkPolicy,
  APIService: defaultAPIService,
  LimitRange: defaultLimitRange,
};

export function applyDefaults(info: ResourceInfo, obj: KObject): void {
  DEFAULTERS[info.kind]?.(obj as Obj);
}

export { defaultPullPolicy, defaultPodSpec } from './pod.js';
export { preserveServiceAllocations } from './service.js';
