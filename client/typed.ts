// Which kubernetes-types interface each served resource holds, so `client.resource('pods')`
// is a ResourceClient<Pod> without a type argument. Keys are `resource` or `resource.group`
// as kubectl spells them; api/resources.ts stays the source of what is served.
import type { ObjectMeta, ListMeta } from 'kubernetes-types/meta/v1';
import type * as core from 'kubernetes-types/core/v1';
import type * as apps from 'kubernetes-types/apps/v1';
import type * as batch from 'kubernetes-types/batch/v1';
import type * as autoscaling from 'kubernetes-types/autoscaling/v2';
import type * as coordination from 'kubernetes-types/coordination/v1';
import type * as discovery from 'kubernetes-types/discovery/v1';
import type * as policy from 'kubernetes-types/policy/v1';
import type * as storage from 'kubernetes-types/storage/v1';
import type * as scheduling from 'kubernetes-types/scheduling/v1';
import type * as rbac from 'kubernetes-types/rbac/v1';

/** What every API object has; kubernetes-types interfaces satisfy it (KObject's index signature they don't). */
export interface ObjectLike {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
}

/** A list reply (`PodList`, …). */
export interface ListOf<T> {
  apiVersion?: string;
  kind?: string;
  metadata: ListMeta;
  items: T[];
}

export interface ResourceTypes {
  namespaces: core.Namespace;
  pods: core.Pod;
  nodes: core.Node;
  services: core.Service;
  endpoints: core.Endpoints;
  configmaps: core.ConfigMap;
  secrets: core.Secret;
  events: core.Event;
  replicationcontrollers: core.ReplicationController;
  serviceaccounts: core.ServiceAccount;
  persistentvolumes: core.PersistentVolume;
  persistentvolumeclaims: core.PersistentVolumeClaim;
  resourcequotas: core.ResourceQuota;
  limitranges: core.LimitRange;
  podtemplates: core.PodTemplate;
  'deployments.apps': apps.Deployment;
  'replicasets.apps': apps.ReplicaSet;
  'daemonsets.apps': apps.DaemonSet;
  'statefulsets.apps': apps.StatefulSet;
  'controllerrevisions.apps': apps.ControllerRevision;
  'jobs.batch': batch.Job;
  'cronjobs.batch': batch.CronJob;
  'horizontalpodautoscalers.autoscaling': autoscaling.HorizontalPodAutoscaler;
  'leases.coordination.k8s.io': coordination.Lease;
  'endpointslices.discovery.k8s.io': discovery.EndpointSlice;
  'poddisruptionbudgets.policy': policy.PodDisruptionBudget;
  'storageclasses.storage.k8s.io': storage.StorageClass;
  'priorityclasses.scheduling.k8s.io': scheduling.PriorityClass;
  'roles.rbac.authorization.k8s.io': rbac.Role;
  'rolebindings.rbac.authorization.k8s.io': rbac.RoleBinding;
  'clusterroles.rbac.authorization.k8s.io': rbac.ClusterRole;
  'clusterrolebindings.rbac.authorization.k8s.io': rbac.ClusterRoleBinding;
}

export type ResourceName = keyof ResourceTypes;
