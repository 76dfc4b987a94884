// The `system:controller:*` roles of the controllers tskube's controller-manager runs, as
// Kubernetes defines them (bootstrappolicy/controller_policy.go).
//
// How they are bound — our choice: Kubernetes binds each role to the controller's service
// account in kube-system (what kube-controller-manager uses with
// --use-service-account-credentials). tskube's controller-manager runs every controller with its
// own credentials (user system:kube-controller-manager), so each binding names that user as well.
// Keeping one role per controller (rather than one union role) keeps Kubernetes' names, and an
// authorizer reason says which controller's grant allowed a request.
import type { ClusterRole, ClusterRoleBinding, PolicyRule } from 'kubernetes-types/rbac/v1';
import { KUBE_CONTROLLER_MANAGER_USER } from '../../../api/user.js';
import { clusterRole, clusterRoleBinding, eventsRule, rule, serviceAccount, user } from './policy-builders.js';

export const CONTROLLER_ROLE_PREFIX = 'system:controller:';

const core = [''];
const apps = ['apps'];
const appsAndExtensions = ['apps', 'extensions'];
const batch = ['batch'];
const discovery = ['discovery.k8s.io'];
const rbac = ['rbac.authorization.k8s.io'];
const storage = ['storage.k8s.io'];

/** Controller (service account) name → its rules. */
const CONTROLLER_RULES = {
  'clusterrole-aggregation-controller': [
    // It must be able to write any rule into an aggregated role, hence escalate.
    rule(['escalate', 'get', 'list', 'watch', 'update', 'patch'], rbac, ['clusterroles']),
  ],
  'cronjob-controller': [
    rule(['get', 'list', 'watch', 'update'], batch, ['cronjobs']),
    rule(['get', 'list', 'watch', 'create', 'update', 'delete', 'patch'], batch, ['jobs']),
    rule(['update'], batch, ['cronjobs/status']),
    rule(['update'], batch, ['cronjobs/finalizers']),
    rule(['list', 'delete'], core, ['pods']),
    eventsRule(),
  ],
  'daemon-set-controller': [
    rule(['get', 'list', 'watch'], appsAndExtensions, ['daemonsets']),
    rule(['update'], appsAndExtensions, ['daemonsets/status']),
    rule(['update'], appsAndExtensions, ['daemonsets/finalizers']),
    rule(['list', 'watch'], core, ['nodes']),
    rule(['list', 'watch', 'create', 'delete', 'patch'], core, ['pods']),
    rule(['create'], core, ['pods/binding']),
    rule(['get', 'list', 'watch', 'create', 'delete', 'update', 'patch'], apps, ['controllerrevisions']),
    eventsRule(),
  ],
  'deployment-controller': [
    rule(['get', 'list', 'watch', 'update'], appsAndExtensions, ['deployments']),
    rule(['update'], appsAndExtensions, ['deployments/status']),
    rule(['update'], appsAndExtensions, ['deployments/finalizers']),
    rule(['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'], appsAndExtensions, ['replicasets']),
    rule(['get', 'list', 'watch', 'update'], core, ['pods']),
    eventsRule(),
  ],
  'resourcequota-controller': [
    // It counts quota on anything for reconciliation, so it may list and watch everything.
    rule(['list', 'watch'], ['*'], ['*']),
    rule(['update'], core, ['resourcequotas/status']),
    eventsRule(),
  ],
  // persistent-volume-binder and expand-controller as upstream's controller_policy.go declares
  // them (less the in-tree glusterfs/openstack grants no tskube volume plugin needs).
  'persistent-volume-binder': [
    rule(['get', 'list', 'watch', 'update', 'create', 'delete'], core, ['persistentvolumes']),
    rule(['update'], core, ['persistentvolumes/status']),
    rule(['get', 'list', 'watch', 'update'], core, ['persistentvolumeclaims']),
    rule(['update'], core, ['persistentvolumeclaims/status']),
    rule(['list', 'watch', 'get', 'create', 'delete'], core, ['pods']),
    rule(['get', 'list', 'watch'], storage, ['storageclasses']),
    rule(['get', 'list'], core, ['nodes']),
    rule(['watch'], core, ['events']),
    eventsRule(),
  ],
  'expand-controller': [
    rule(['get', 'list', 'watch', 'update', 'patch'], core, ['persistentvolumes']),
    rule(['update', 'patch'], core, ['persistentvolumeclaims/status']),
    rule(['get', 'list', 'watch'], core, ['persistentvolumeclaims']),
    rule(['get', 'list', 'watch'], storage, ['storageclasses']),
    eventsRule(),
  ],
  // k3s' local-path-provisioner ClusterRole, narrowed to what this provisioner does: it makes
  // and removes volume directories through helper pods, and ships the `local-path` class.
  'local-path-provisioner': [
    rule(['get', 'list', 'watch'], core, ['nodes']),
    rule(['get', 'list', 'watch', 'update', 'patch'], core, ['persistentvolumeclaims']),
    rule(['get', 'list', 'watch', 'create', 'delete', 'update', 'patch'], core, ['persistentvolumes']),
    rule(['update'], core, ['persistentvolumes/status']),
    rule(['get', 'list', 'watch', 'create', 'delete'], core, ['pods']),
    rule(['get', 'list', 'watch', 'create'], storage, ['storageclasses']),
    eventsRule(),
  ],
  'pvc-protection-controller': [
    rule(['get', 'list', 'watch', 'update'], core, ['persistentvolumeclaims']),
    rule(['list', 'watch', 'get'], core, ['pods']),
    eventsRule(),
  ],
  'pv-protection-controller': [rule(['get', 'list', 'watch', 'update'], core, ['persistentvolumes']), eventsRule()],
  'ttl-after-finished-controller': [
    rule(['delete', 'get', 'list', 'watch'], ['batch'], ['jobs']),
    eventsRule(),
  ],
  'disruption-controller': [
    rule(['get', 'list', 'watch'], appsAndExtensions, ['deployments', 'replicasets']),
    rule(['get', 'list', 'watch'], core, ['replicationcontrollers']),
    rule(['get', 'list', 'watch'], ['policy'], ['poddisruptionbudgets']),
    rule(['get', 'list', 'watch'], apps, ['statefulsets']),
    rule(['update'], ['policy'], ['poddisruptionbudgets/status']),
    rule(['get'], ['*'], ['*/scale']),
    eventsRule(),
  ],
  'endpoint-controller': [
    rule(['get', 'list', 'watch'], core, ['services', 'pods']),
    rule(['get', 'list', 'create', 'update', 'delete'], core, ['endpoints']),
    rule(['create'], core, ['endpoints/restricted']),
    eventsRule(),
  ],
  'endpointslice-controller': [
    rule(['get', 'list', 'watch'], core, ['services', 'pods', 'nodes']),
    rule(['update'], core, ['services/finalizers']),
    rule(['get', 'list', 'create', 'update', 'delete'], discovery, ['endpointslices']),
    eventsRule(),
  ],
  'generic-garbage-collector': [
    // List/watch everything to build the graph; patch owner references and delete dependents of any kind.
    rule(['get', 'list', 'watch', 'patch', 'update', 'delete'], ['*'], ['*']),
    eventsRule(),
  ],
  'horizontal-pod-autoscaler': [
    rule(['get', 'list', 'watch'], ['autoscaling'], ['horizontalpodautoscalers']),
    rule(['update'], ['autoscaling'], ['horizontalpodautoscalers/status']),
    rule(['get', 'update'], ['*'], ['*/scale']),
    rule(['list'], core, ['pods']),
    // Resource, custom and external metrics.
    rule(['list'], ['metrics.k8s.io'], ['pods']),
    rule(['get', 'list'], ['custom.metrics.k8s.io'], ['*']),
    rule(['get', 'list'], ['external.metrics.k8s.io'], ['*']),
    eventsRule(),
  ],
  'job-controller': [
    rule(['get', 'list', 'watch', 'update', 'patch'], batch, ['jobs']),
    rule(['update'], batch, ['jobs/status']),
    rule(['update'], batch, ['jobs/finalizers']),
    rule(['list', 'watch', 'create', 'delete', 'patch'], core, ['pods']),
    eventsRule(),
  ],
  'namespace-controller': [
    rule(['get', 'list', 'watch', 'delete'], core, ['namespaces']),
    rule(['update'], core, ['namespaces/finalize', 'namespaces/status']),
    // Deleting a namespace deletes everything in it, of every kind.
    rule(['get', 'list', 'delete', 'deletecollection'], ['*'], ['*']),
  ],
  // Kubernetes runs node-lifecycle and node-ipam under this one identity.
  'node-controller': [
    rule(['get', 'list', 'update', 'delete', 'patch'], core, ['nodes']),
    rule(['patch', 'update'], core, ['nodes/status']),
    rule(['patch', 'update'], core, ['pods/status']),
    rule(['list', 'get', 'delete'], core, ['pods']),
    eventsRule(),
  ],
  'replicaset-controller': [
    rule(['get', 'list', 'watch', 'update'], appsAndExtensions, ['replicasets']),
    rule(['update'], appsAndExtensions, ['replicasets/status']),
    rule(['update'], appsAndExtensions, ['replicasets/finalizers']),
    rule(['list', 'watch', 'patch', 'create', 'delete'], core, ['pods']),
    eventsRule(),
  ],
  'replication-controller': [
    rule(['get', 'list', 'watch', 'update'], core, ['replicationcontrollers']),
    rule(['update'], core, ['replicationcontrollers/status']),
    rule(['update'], core, ['replicationcontrollers/finalizers']),
    rule(['list', 'watch', 'patch', 'create', 'delete'], core, ['pods']),
    eventsRule(),
  ],
  'root-ca-cert-publisher': [rule(['create', 'update'], core, ['configmaps']), eventsRule()],
  'service-account-controller': [rule(['create'], core, ['serviceaccounts']), eventsRule()],
  // The service-lb controller (Kubernetes' service-controller).
  'service-controller': [
    rule(['get', 'list', 'watch'], core, ['services']),
    rule(['patch', 'update'], core, ['services/status']),
    rule(['list', 'watch'], core, ['nodes']),
    eventsRule(),
  ],
  'statefulset-controller': [
    rule(['list', 'watch'], core, ['pods']),
    rule(['get', 'list', 'watch'], apps, ['statefulsets']),
    rule(['update'], apps, ['statefulsets/status']),
    rule(['update'], apps, ['statefulsets/finalizers']),
    rule(['get', 'create', 'delete', 'update', 'patch'], core, ['pods']),
    rule(['get', 'create', 'delete', 'update', 'patch', 'list', 'watch'], apps, ['controllerrevisions']),
    rule(['get', 'create'], core, ['persistentvolumeclaims']),
    rule(['update', 'delete'], core, ['persistentvolumeclaims']),
    eventsRule(),
  ],
} satisfies Record<string, PolicyRule[]>;

export type ControllerName = keyof typeof CONTROLLER_RULES;

export function controllerRoles(): ClusterRole[] {
  return Object.entries(CONTROLLER_RULES).map(([name, rules]) => clusterRole(CONTROLLER_ROLE_PREFIX + name, structuredClone(rules)));
}

export function controllerRoleBindings(): ClusterRoleBinding[] {
  return Object.keys(CONTROLLER_RULES).map((name) =>
    clusterRoleBinding(CONTROLLER_ROLE_PREFIX + name, [serviceAccount('kube-system', name), user(KUBE_CONTROLLER_MANAGER_USER)]),
  );
}
