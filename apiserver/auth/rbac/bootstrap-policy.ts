// The bootstrap RBAC policy (plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go): the
// ClusterRoles and bindings every cluster starts with, which the apiserver reconciles at start.
// Rules for API groups tskube never serves (certificates, DRA, CSI storage capacity…) are kept
// where Kubernetes users rely on them (admin/edit/view, system:node) and dropped from roles only
// components of other distributions use (heapster, node-problem-detector, aggregator…).
import type { ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding } from 'kubernetes-types/rbac/v1';
import {
  KUBE_CONTROLLER_MANAGER_USER,
  KUBE_PROXY_USER,
  KUBE_SCHEDULER_USER,
  SERVICE_ACCOUNTS_GROUP,
  SYSTEM_AUTHENTICATED,
  SYSTEM_MASTERS,
  SYSTEM_UNAUTHENTICATED,
} from '../../../api/user.js';
import { controllerRoleBindings, controllerRoles } from './controller-policy.js';
import {
  READ,
  READ_UPDATE,
  READ_WRITE,
  WRITE,
  clusterRole,
  clusterRoleBinding,
  eventsRule,
  group,
  role,
  roleBinding,
  rule,
  serviceAccount,
  urlRule,
  user,
} from './policy-builders.js';

export { AUTOUPDATE_ANNOTATION, BOOTSTRAP_LABEL, BOOTSTRAP_LABEL_VALUE } from './policy-builders.js';

/** Group of the Prometheus-style scrapers (user.MonitoringGroup). */
export const MONITORING_GROUP = 'system:monitoring';
/** tskube's cluster DNS server. */
export const TSKUBE_DNS_USER = 'system:tskube-dns';
/** metrics-server's identity (its client certificate; upstream runs it as kube-system/metrics-server). */
export const METRICS_SERVER_USER = 'system:metrics-server';
/** The apiserver's client certificate identity towards kubelets (kubeadm's name). */
export const KUBELET_API_CLIENT_USER = 'kube-apiserver-kubelet-client';

export const AGGREGATE_TO_ADMIN = 'rbac.authorization.k8s.io/aggregate-to-admin';
export const AGGREGATE_TO_EDIT = 'rbac.authorization.k8s.io/aggregate-to-edit';
export const AGGREGATE_TO_VIEW = 'rbac.authorization.k8s.io/aggregate-to-view';

const core = [''];
const apps = ['apps'];
const extensions = ['extensions'];
const batch = ['batch'];
const autoscaling = ['autoscaling'];
const policy = ['policy'];
const networking = ['networking.k8s.io'];
const discovery = ['discovery.k8s.io'];
const coordination = ['coordination.k8s.io'];
const storage = ['storage.k8s.io'];
const authentication = ['authentication.k8s.io'];
const authorization = ['authorization.k8s.io'];

/**
 * What a kubelet may do (Kubernetes' NodeRules()). Not bound to anyone: the Node authorizer
 * evaluates these for `system:node:<name>` users and narrows them to the node's own objects.
 */
export const NODE_RULES: readonly PolicyRule[] = Object.freeze([
  // Checking API access (non-mutating creates).
  rule(['create'], authentication, ['tokenreviews']),
  rule(['create'], authorization, ['subjectaccessreviews', 'localsubjectaccessreviews']),
  // Service env vars.
  rule(READ, core, ['services']),
  // Registering and reporting the Node (NodeRestriction limits a node to its own).
  rule(['create', 'get', 'list', 'watch'], core, ['nodes']),
  rule(['update', 'patch'], core, ['nodes/status']),
  rule(['update', 'patch'], core, ['nodes']),
  rule(['create', 'update', 'patch'], core, ['events']),
  rule(READ, core, ['pods']),
  // Mirror pods, pod status, evictions.
  rule(['create', 'delete'], core, ['pods']),
  rule(['update', 'patch'], core, ['pods/status']),
  rule(['create'], core, ['pods/eviction']),
  // Secrets and configmaps of its pods' volumes and env (the Node authorizer narrows this).
  rule(READ, core, ['secrets', 'configmaps']),
  rule(['get'], core, ['persistentvolumeclaims', 'persistentvolumes']),
  rule(['get'], core, ['endpoints']),
  rule(['create', 'get', 'list', 'watch'], ['certificates.k8s.io'], ['certificatesigningrequests']),
  // Node heartbeats.
  rule(['get', 'create', 'update', 'patch', 'delete'], coordination, ['leases']),
  rule(['get'], storage, ['volumeattachments']),
  // Bound service-account tokens for its pods.
  rule(['create'], core, ['serviceaccounts/token']),
  rule(['get', 'update', 'patch'], core, ['persistentvolumeclaims/status']),
  rule(['get', 'watch', 'list'], storage, ['csidrivers']),
  rule(['get', 'create', 'update', 'patch', 'delete'], storage, ['csinodes']),
  rule(READ, ['node.k8s.io'], ['runtimeclasses']),
].map((r) => Object.freeze(r)));

/** admin = edit + managing roles in the namespace. */
function aggregateToAdmin(): PolicyRule[] {
  return [rule(['create'], authorization, ['localsubjectaccessreviews']), rule(READ_WRITE, ['rbac.authorization.k8s.io'], ['roles', 'rolebindings'])];
}

/** edit = view + writing workloads (but not roles, quotas or status). */
function aggregateToEdit(): PolicyRule[] {
  return [
    // Reading what can escalate (secrets, exec…) is edit's, not view's.
    rule(READ, core, ['pods/attach', 'pods/proxy', 'pods/exec', 'pods/portforward', 'secrets', 'services/proxy']),
    rule(['impersonate'], core, ['serviceaccounts']),
    rule(WRITE, core, ['pods', 'pods/attach', 'pods/proxy', 'pods/exec', 'pods/portforward']),
    rule(['create'], core, ['pods/eviction']),
    rule(WRITE, core, ['replicationcontrollers', 'replicationcontrollers/scale', 'serviceaccounts', 'services', 'services/proxy', 'persistentvolumeclaims', 'configmaps', 'secrets', 'events']),
    rule(['create'], core, ['serviceaccounts/token']),
    rule(WRITE, apps, ['statefulsets', 'statefulsets/scale', 'daemonsets', 'deployments', 'deployments/scale', 'deployments/rollback', 'replicasets', 'replicasets/scale']),
    rule(WRITE, autoscaling, ['horizontalpodautoscalers']),
    rule(WRITE, batch, ['jobs', 'cronjobs']),
    rule(WRITE, extensions, ['daemonsets', 'deployments', 'deployments/scale', 'deployments/rollback', 'ingresses', 'replicasets', 'replicasets/scale', 'replicationcontrollers/scale', 'networkpolicies']),
    rule(WRITE, policy, ['poddisruptionbudgets']),
    rule(WRITE, networking, ['networkpolicies', 'ingresses']),
    rule(READ_WRITE, coordination, ['leases']),
  ];
}

/** view = reading what does not escalate (no secrets, no exec). */
function aggregateToView(): PolicyRule[] {
  return [
    rule(READ, core, ['pods', 'replicationcontrollers', 'replicationcontrollers/scale', 'serviceaccounts', 'services', 'services/status', 'endpoints', 'persistentvolumeclaims', 'persistentvolumeclaims/status', 'configmaps']),
    rule(READ, core, ['limitranges', 'resourcequotas', 'bindings', 'events', 'pods/status', 'resourcequotas/status', 'namespaces/status', 'replicationcontrollers/status', 'pods/log']),
    // Reading namespaces within a namespace means reading *this* namespace.
    rule(READ, core, ['namespaces']),
    rule(READ, discovery, ['endpointslices']),
    rule(READ, apps, ['controllerrevisions', 'statefulsets', 'statefulsets/status', 'statefulsets/scale', 'daemonsets', 'daemonsets/status', 'deployments', 'deployments/status', 'deployments/scale', 'replicasets', 'replicasets/status', 'replicasets/scale']),
    rule(READ, autoscaling, ['horizontalpodautoscalers', 'horizontalpodautoscalers/status']),
    rule(READ, batch, ['jobs', 'cronjobs', 'cronjobs/status', 'jobs/status']),
    rule(READ, extensions, ['daemonsets', 'daemonsets/status', 'deployments', 'deployments/scale', 'deployments/status', 'ingresses', 'ingresses/status', 'replicasets', 'replicasets/scale', 'replicasets/status', 'replicationcontrollers/scale', 'networkpolicies']),
    rule(READ, policy, ['poddisruptionbudgets', 'poddisruptionbudgets/status']),
    rule(READ, networking, ['networkpolicies', 'ingresses', 'ingresses/status']),
  ];
}

function kubeSchedulerRules(): PolicyRule[] {
  return [
    eventsRule(),
    // Leader election.
    rule(['create'], coordination, ['leases']),
    rule(['get', 'update'], coordination, ['leases'], ['kube-scheduler']),
    rule(READ, core, ['nodes']),
    rule(['get', 'list', 'watch', 'delete'], core, ['pods']),
    rule(['create'], core, ['pods/binding', 'bindings']),
    rule(['patch', 'update'], core, ['pods/status']),
    // What selects pods, and what pods use.
    rule(READ, core, ['services', 'replicationcontrollers']),
    rule(READ, ['apps', 'extensions'], ['replicasets']),
    rule(READ, apps, ['statefulsets']),
    rule(READ, policy, ['poddisruptionbudgets']),
    rule(READ, core, ['persistentvolumeclaims', 'persistentvolumes']),
    rule(['create'], authentication, ['tokenreviews']),
    rule(['create'], authorization, ['subjectaccessreviews']),
    rule(READ, storage, ['csinodes']),
    // namespaceSelector of pod affinity.
    rule(READ, core, ['namespaces']),
    rule(READ, storage, ['csidrivers']),
    rule(READ, storage, ['csistoragecapacities']),
  ];
}

function kubeControllerManagerRules(): PolicyRule[] {
  return [
    eventsRule(),
    // Leader election.
    rule(['create'], coordination, ['leases']),
    rule(['get', 'update'], coordination, ['leases'], ['kube-controller-manager']),
    // The token controller (it runs with the manager's own credentials in Kubernetes too).
    rule(['create'], core, ['secrets', 'serviceaccounts']),
    rule(['delete'], core, ['secrets']),
    rule(['get'], core, ['namespaces', 'secrets', 'serviceaccounts', 'configmaps']),
    rule(['update'], core, ['secrets', 'serviceaccounts']),
    rule(['create'], authentication, ['tokenreviews']),
    rule(['create'], authorization, ['subjectaccessreviews']),
    // The shared informers.
    rule(['list', 'watch'], ['*'], ['*']),
    rule(['create'], core, ['serviceaccounts/token']),
  ];
}

export function clusterRoles(): ClusterRole[] {
  return [
    clusterRole('cluster-admin', [rule(['*'], ['*'], ['*']), urlRule(['*'], ['*'])]),
    clusterRole('system:discovery', [urlRule(['get'], ['/livez', '/readyz', '/healthz', '/version', '/version/', '/openapi', '/openapi/*', '/api', '/api/*', '/apis', '/apis/*'])]),
    clusterRole('system:monitoring', [urlRule(['get'], ['/metrics', '/metrics/slis', '/livez', '/readyz', '/healthz', '/livez/*', '/readyz/*', '/healthz/*'])]),
    clusterRole('system:basic-user', [
      rule(['create'], authorization, ['selfsubjectaccessreviews', 'selfsubjectrulesreviews']),
      rule(['create'], authentication, ['selfsubjectreviews']),
    ]),
    clusterRole('system:public-info-viewer', [urlRule(['get'], ['/livez', '/readyz', '/healthz', '/version', '/version/'])]),
    // The user-facing roles are aggregated: their rules come from the system:aggregate-to-* roles
    // (and any role users label), filled in by the clusterrole-aggregation controller.
    clusterRole('admin', [], { aggregateFrom: AGGREGATE_TO_ADMIN }),
    clusterRole('edit', [], { labels: { [AGGREGATE_TO_ADMIN]: 'true' }, aggregateFrom: AGGREGATE_TO_EDIT }),
    clusterRole('view', [], { labels: { [AGGREGATE_TO_EDIT]: 'true' }, aggregateFrom: AGGREGATE_TO_VIEW }),
    clusterRole('system:aggregate-to-admin', aggregateToAdmin(), { labels: { [AGGREGATE_TO_ADMIN]: 'true' } }),
    clusterRole('system:aggregate-to-edit', aggregateToEdit(), { labels: { [AGGREGATE_TO_EDIT]: 'true' } }),
    clusterRole('system:aggregate-to-view', aggregateToView(), { labels: { [AGGREGATE_TO_VIEW]: 'true' } }),
    clusterRole('system:node', structuredClone([...NODE_RULES])),
    clusterRole('system:node-proxier', [
      rule(['list', 'watch'], core, ['services', 'endpoints']),
      rule(READ, core, ['nodes']),
      eventsRule(),
      rule(['list', 'watch'], discovery, ['endpointslices']),
    ]),
    clusterRole('system:kubelet-api-admin', [
      rule(READ, core, ['nodes']),
      rule(['proxy'], core, ['nodes']),
      rule(['*'], core, ['nodes/proxy', 'nodes/metrics', 'nodes/spec', 'nodes/stats', 'nodes/log']),
    ]),
    clusterRole('system:auth-delegator', [rule(['create'], authentication, ['tokenreviews']), rule(['create'], authorization, ['subjectaccessreviews'])]),
    clusterRole('system:kube-controller-manager', kubeControllerManagerRules()),
    clusterRole('system:kube-scheduler', kubeSchedulerRules()),
    clusterRole('system:volume-scheduler', [rule(READ_UPDATE, core, ['persistentvolumes']), rule(READ, storage, ['storageclasses']), rule(READ_UPDATE, core, ['persistentvolumeclaims'])]),
    clusterRole('system:kube-dns', [rule(['list', 'watch'], core, ['endpoints', 'services'])]),
    // tskube's DNS server: reads what it answers from; writes its kube-dns Service via the kube-system Role below,
    // and its DNSRecordsServed Events on Services (dns/milestones.ts).
    clusterRole('system:tskube-dns', [rule(READ, core, ['services', 'endpoints', 'pods', 'namespaces']), rule(READ, discovery, ['endpointslices']), eventsRule()]),
    // metrics-server's roles, as its manifest (components.yaml) ships them: it reads nodes and pods
    // and scrapes kubelets (this kubelet authorizes /stats/summary as nodes/stats); whoever may view
    // a namespace may read its metrics.
    clusterRole('system:metrics-server', [rule(['get'], core, ['nodes/metrics', 'nodes/stats']), rule(['get', 'list', 'watch'], core, ['pods', 'nodes'])]),
    clusterRole('system:aggregated-metrics-reader', [rule(['get', 'list', 'watch'], ['metrics.k8s.io'], ['pods', 'nodes'])], {
      labels: { [AGGREGATE_TO_VIEW]: 'true', [AGGREGATE_TO_EDIT]: 'true', [AGGREGATE_TO_ADMIN]: 'true' },
    }),
    clusterRole('system:service-account-issuer-discovery', [urlRule(['get'], ['/.well-known/openid-configuration', '/openid/v1/jwks'])]),
    ...controllerRoles(),
  ];
}

export function clusterRoleBindings(): ClusterRoleBinding[] {
  return [
    clusterRoleBinding('cluster-admin', [group(SYSTEM_MASTERS)]),
    clusterRoleBinding('system:monitoring', [group(MONITORING_GROUP)]),
    clusterRoleBinding('system:discovery', [group(SYSTEM_AUTHENTICATED)]),
    clusterRoleBinding('system:basic-user', [group(SYSTEM_AUTHENTICATED)]),
    clusterRoleBinding('system:public-info-viewer', [group(SYSTEM_AUTHENTICATED), group(SYSTEM_UNAUTHENTICATED)]),
    clusterRoleBinding('system:node-proxier', [user(KUBE_PROXY_USER)]),
    clusterRoleBinding('system:kube-controller-manager', [user(KUBE_CONTROLLER_MANAGER_USER)]),
    clusterRoleBinding('system:kube-dns', [serviceAccount('kube-system', 'kube-dns')]),
    clusterRoleBinding('system:tskube-dns', [user(TSKUBE_DNS_USER)]),
    clusterRoleBinding('system:kube-scheduler', [user(KUBE_SCHEDULER_USER)]),
    clusterRoleBinding('system:volume-scheduler', [user(KUBE_SCHEDULER_USER)]),
    clusterRoleBinding('system:kubelet-api-admin', [user(KUBELET_API_CLIENT_USER)]),
    clusterRoleBinding('system:metrics-server', [user(METRICS_SERVER_USER)]),
    // Delegated authentication and authorization (TokenReviews, SubjectAccessReviews), as upstream's metrics-server:system:auth-delegator.
    clusterRoleBinding('system:auth-delegator', [user(METRICS_SERVER_USER)], 'metrics-server:system:auth-delegator'),
    // kube-proxy's and tskube DNS's own ports authorize /metrics the same way (every port here
    // authenticates and authorizes): without this no caller, not even cluster-admin, could read them.
    clusterRoleBinding('system:auth-delegator', [user(KUBE_PROXY_USER)], 'kube-proxy:system:auth-delegator'),
    clusterRoleBinding('system:auth-delegator', [user(TSKUBE_DNS_USER)], 'tskube-dns:system:auth-delegator'),
    // Workloads may read the OIDC discovery documents of the token issuer.
    clusterRoleBinding('system:service-account-issuer-discovery', [group(SERVICE_ACCOUNTS_GROUP)]),
    ...controllerRoleBindings(),
  ];
}

/** Namespaced roles: what tskube's DNS may write in kube-system (its kube-dns Service and endpoints). */
export function namespaceRoles(): Role[] {
  return [
    // Aggregated API servers read how the apiserver authenticates (the front-proxy CA and headers).
    role('kube-system', 'extension-apiserver-authentication-reader', [
      rule(READ, core, ['configmaps'], ['extension-apiserver-authentication']),
    ]),
    role('kube-system', 'system:tskube-dns', [
      rule(['create', 'get', 'update'], core, ['services', 'endpoints']),
      rule(['create', 'get', 'update'], discovery, ['endpointslices']),
    ]),
  ];
}

export function namespaceRoleBindings(): RoleBinding[] {
  return [
    roleBinding('kube-system', 'system:tskube-dns', [user(TSKUBE_DNS_USER)]),
    roleBinding('kube-system', 'extension-apiserver-authentication-reader', [user('system:kube-controller-manager'), user('system:kube-scheduler')], 'system::extension-apiserver-authentication-reader'),
  ];
}

export interface BootstrapPolicy {
  clusterRoles: ClusterRole[];
  clusterRoleBindings: ClusterRoleBinding[];
  roles: Role[];
  roleBindings: RoleBinding[];
}

/** The whole bootstrap policy, freshly built (callers may modify it). */
export function bootstrapPolicy(): BootstrapPolicy {
  return { clusterRoles: clusterRoles(), clusterRoleBindings: clusterRoleBindings(), roles: namespaceRoles(), roleBindings: namespaceRoleBindings() };
}
