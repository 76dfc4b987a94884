// The table of every resource the apiserver serves. Adding a resource is one entry here;
// discovery, OpenAPI, routing, storage keys and the CLIs all read this table. Custom resources
// (CRDs) are served next to it by apiserver/apiextensions/.
import type { CustomResourceColumnDefinition, CustomResourceSubresourceScale, JSONSchemaProps } from 'kubernetes-types/apiextensions/v1';

export type Subresource =
  | 'status'
  | 'scale'
  | 'binding'
  | 'eviction'
  | 'log'
  | 'exec'
  | 'attach'
  | 'portforward'
  | 'proxy'
  | 'finalize'
  | 'ephemeralcontainers'
  | 'token';

export interface ResourceInfo {
  /** API group; '' is the core ("legacy") group served under /api. */
  group: string;
  version: string;
  /** Plural lower-case name used in paths: `pods`. */
  resource: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames: string[];
  /** `all` puts the resource in `kubectl get all`. */
  categories: string[];
  subresources: Subresource[];
  /** Field selectors the server accepts besides metadata.name and metadata.namespace. */
  fieldSelectors: string[];
  /** Verbs, when they differ from the full set. */
  verbs?: string[];
  /** Create-only and never stored (TokenReview, SubjectAccessReview…): answered by the server. */
  virtual?: boolean;
  /**
   * Served in this version but stored as another version (possibly of another group) of the
   * same resource name: events.k8s.io/v1 Events are core/v1 Events in etcd, autoscaling/v1
   * HPAs are autoscaling/v2 ones. api/conversion/ converts between the two.
   */
  storedAs?: { group: string; version: string };
  /** Set for a version of a CustomResourceDefinition (apiserver/apiextensions/), never for a built-in. */
  custom?: CustomResourceVersion;
}

/** What a CustomResourceDefinition says about one served version, beyond the names. */
export interface CustomResourceVersion {
  /** The CRD's storage version: objects are kept in etcd at it. */
  storageVersion: string;
  listKind: string;
  schema?: JSONSchemaProps;
  printerColumns: CustomResourceColumnDefinition[];
  scale?: CustomResourceSubresourceScale;
}

export const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function r(
  group: string,
  version: string,
  resource: string,
  kind: string,
  namespaced: boolean,
  opts: Partial<Pick<ResourceInfo, 'shortNames' | 'categories' | 'subresources' | 'fieldSelectors' | 'verbs' | 'virtual' | 'storedAs'>> = {},
): ResourceInfo {
  return {
    group,
    version,
    resource,
    singular: kind.toLowerCase(),
    kind,
    namespaced,
    shortNames: opts.shortNames ?? [],
    categories: opts.categories ?? [],
    subresources: opts.subresources ?? [],
    fieldSelectors: opts.fieldSelectors ?? [],
    ...(opts.verbs ? { verbs: opts.verbs } : {}),
    ...(opts.virtual ? { virtual: true } : {}),
    ...(opts.storedAs ? { storedAs: opts.storedAs } : {}),
  };
}

const ALL = ['all'];

export const RESOURCES: readonly ResourceInfo[] = Object.freeze([
  // core/v1
  r('', 'v1', 'namespaces', 'Namespace', false, {
    shortNames: ['ns'],
    subresources: ['status', 'finalize'],
    fieldSelectors: ['status.phase'],
  }),
  r('', 'v1', 'pods', 'Pod', true, {
    shortNames: ['po'],
    categories: ALL,
    subresources: ['status', 'binding', 'eviction', 'log', 'exec', 'attach', 'portforward', 'proxy', 'ephemeralcontainers'],
    fieldSelectors: [
      'spec.nodeName',
      'spec.restartPolicy',
      'spec.schedulerName',
      'spec.serviceAccountName',
      'spec.hostNetwork',
      'status.phase',
      'status.podIP',
      'status.nominatedNodeName',
    ],
  }),
  r('', 'v1', 'nodes', 'Node', false, { shortNames: ['no'], subresources: ['status', 'proxy'], fieldSelectors: ['spec.unschedulable'] }),
  r('', 'v1', 'services', 'Service', true, {
    shortNames: ['svc'],
    categories: ALL,
    subresources: ['status', 'proxy'],
    fieldSelectors: ['spec.clusterIP', 'spec.type'],
  }),
  r('', 'v1', 'endpoints', 'Endpoints', true, { shortNames: ['ep'] }),
  r('', 'v1', 'configmaps', 'ConfigMap', true, { shortNames: ['cm'] }),
  r('', 'v1', 'secrets', 'Secret', true, { fieldSelectors: ['type'] }),
  r('', 'v1', 'events', 'Event', true, {
    shortNames: ['ev'],
    fieldSelectors: [
      'involvedObject.kind',
      'involvedObject.namespace',
      'involvedObject.name',
      'involvedObject.uid',
      'involvedObject.apiVersion',
      'involvedObject.resourceVersion',
      'involvedObject.fieldPath',
      'reason',
      'reportingComponent',
      'source',
      'type',
    ],
  }),
  r('', 'v1', 'replicationcontrollers', 'ReplicationController', true, {
    shortNames: ['rc'],
    categories: ALL,
    subresources: ['status', 'scale'],
    fieldSelectors: ['status.replicas'],
  }),
  r('', 'v1', 'serviceaccounts', 'ServiceAccount', true, { shortNames: ['sa'], subresources: ['token'] }),
  r('', 'v1', 'persistentvolumes', 'PersistentVolume', false, { shortNames: ['pv'], subresources: ['status'] }),
  r('', 'v1', 'persistentvolumeclaims', 'PersistentVolumeClaim', true, { shortNames: ['pvc'], subresources: ['status'] }),
  r('', 'v1', 'resourcequotas', 'ResourceQuota', true, { shortNames: ['quota'], subresources: ['status'] }),
  r('', 'v1', 'limitranges', 'LimitRange', true, { shortNames: ['limits'] }),
  r('', 'v1', 'podtemplates', 'PodTemplate', true),
  // apps/v1
  r('apps', 'v1', 'deployments', 'Deployment', true, { shortNames: ['deploy'], categories: ALL, subresources: ['status', 'scale'] }),
  r('apps', 'v1', 'replicasets', 'ReplicaSet', true, { shortNames: ['rs'], categories: ALL, subresources: ['status', 'scale'] }),
  r('apps', 'v1', 'daemonsets', 'DaemonSet', true, { shortNames: ['ds'], categories: ALL, subresources: ['status'] }),
  r('apps', 'v1', 'statefulsets', 'StatefulSet', true, { shortNames: ['sts'], categories: ALL, subresources: ['status', 'scale'] }),
  r('apps', 'v1', 'controllerrevisions', 'ControllerRevision', true),
  // batch/v1
  r('batch', 'v1', 'jobs', 'Job', true, { categories: ALL, subresources: ['status'] }),
  r('batch', 'v1', 'cronjobs', 'CronJob', true, { shortNames: ['cj'], categories: ALL, subresources: ['status'] }),
  // autoscaling/v2 (stored), and v1 (kubectl autoscale's version) converted from it
  r('autoscaling', 'v2', 'horizontalpodautoscalers', 'HorizontalPodAutoscaler', true, {
    shortNames: ['hpa'],
    categories: ALL,
    subresources: ['status'],
  }),
  r('autoscaling', 'v1', 'horizontalpodautoscalers', 'HorizontalPodAutoscaler', true, {
    shortNames: ['hpa'],
    categories: ALL,
    subresources: ['status'],
    storedAs: { group: 'autoscaling', version: 'v2' },
  }),
  // apiextensions.k8s.io/v1
  r('apiextensions.k8s.io', 'v1', 'customresourcedefinitions', 'CustomResourceDefinition', false, {
    shortNames: ['crd', 'crds'],
    categories: ['api-extensions'],
    subresources: ['status'],
  }),
  // coordination.k8s.io/v1
  r('coordination.k8s.io', 'v1', 'leases', 'Lease', true),
  // events.k8s.io/v1: the core/v1 Events, with the newer field names
  r('events.k8s.io', 'v1', 'events', 'Event', true, {
    shortNames: ['ev'],
    fieldSelectors: [
      'regarding.kind',
      'regarding.namespace',
      'regarding.name',
      'regarding.uid',
      'regarding.apiVersion',
      'regarding.resourceVersion',
      'regarding.fieldPath',
      'reason',
      'reportingController',
      'type',
    ],
    storedAs: { group: '', version: 'v1' },
  }),
  // discovery.k8s.io/v1
  r('discovery.k8s.io', 'v1', 'endpointslices', 'EndpointSlice', true, { fieldSelectors: ['addressType'] }),
  // networking.k8s.io/v1: stored and validated; no ingress controller or policy enforcement ships
  r('networking.k8s.io', 'v1', 'ingresses', 'Ingress', true, { shortNames: ['ing'], subresources: ['status'] }),
  r('networking.k8s.io', 'v1', 'ingressclasses', 'IngressClass', false),
  r('networking.k8s.io', 'v1', 'networkpolicies', 'NetworkPolicy', true, { shortNames: ['netpol'] }),
  // policy/v1
  r('policy', 'v1', 'poddisruptionbudgets', 'PodDisruptionBudget', true, { shortNames: ['pdb'], subresources: ['status'] }),
  // scheduling.k8s.io/v1: resolved into pods by the Priority admission plugin
  r('scheduling.k8s.io', 'v1', 'priorityclasses', 'PriorityClass', false, { shortNames: ['pc'] }),
  // storage.k8s.io/v1
  r('storage.k8s.io', 'v1', 'storageclasses', 'StorageClass', false, { shortNames: ['sc'] }),
  // authentication.k8s.io/v1, authorization.k8s.io/v1: reviews, answered and never stored
  r('authentication.k8s.io', 'v1', 'tokenreviews', 'TokenReview', false, { verbs: ['create'], virtual: true }),
  r('authentication.k8s.io', 'v1', 'selfsubjectreviews', 'SelfSubjectReview', false, { verbs: ['create'], virtual: true }),
  r('authorization.k8s.io', 'v1', 'subjectaccessreviews', 'SubjectAccessReview', false, { verbs: ['create'], virtual: true }),
  r('authorization.k8s.io', 'v1', 'selfsubjectaccessreviews', 'SelfSubjectAccessReview', false, { verbs: ['create'], virtual: true }),
  r('authorization.k8s.io', 'v1', 'selfsubjectrulesreviews', 'SelfSubjectRulesReview', false, { verbs: ['create'], virtual: true }),
  r('authorization.k8s.io', 'v1', 'localsubjectaccessreviews', 'LocalSubjectAccessReview', true, { verbs: ['create'], virtual: true }),
  // apiregistration.k8s.io/v1: APIServices; groups with a Service are proxied (apiserver/aggregator/)
  r('apiregistration.k8s.io', 'v1', 'apiservices', 'APIService', false, { categories: ['api-extensions'], subresources: ['status'] }),
  // rbac.authorization.k8s.io/v1
  r('rbac.authorization.k8s.io', 'v1', 'roles', 'Role', true),
  r('rbac.authorization.k8s.io', 'v1', 'rolebindings', 'RoleBinding', true),
  r('rbac.authorization.k8s.io', 'v1', 'clusterroles', 'ClusterRole', false),
  r('rbac.authorization.k8s.io', 'v1', 'clusterrolebindings', 'ClusterRoleBinding', false),
]);

/** `v1` for the core group, `apps/v1` otherwise. */
export function apiVersionOf(info: Pick<ResourceInfo, 'group' | 'version'>): string {
  return info.group === '' ? info.version : `${info.group}/${info.version}`;
}

export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.indexOf('/');
  return i < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

const byGroupResource = new Map<string, ResourceInfo>();
const byGroupVersionResource = new Map<string, ResourceInfo>();
const byApiVersionKind = new Map<string, ResourceInfo>();
for (const info of RESOURCES) {
  // group/resource names the stored version (the one listed first).
  if (!info.storedAs) byGroupResource.set(`${info.group}/${info.resource}`, info);
  byGroupVersionResource.set(`${apiVersionOf(info)}/${info.resource}`, info);
  byApiVersionKind.set(`${apiVersionOf(info)}/${info.kind}`, info);
}

/** The stored version of group/resource, or with `version` exactly that served version. */
export function findResource(group: string, resource: string, version?: string): ResourceInfo | undefined {
  if (version === undefined) return byGroupResource.get(`${group}/${resource}`);
  return byGroupVersionResource.get(`${apiVersionOf({ group, version })}/${resource}`);
}

/** The version a served version's objects are stored in (itself for most). */
export function storedInfoOf(info: ResourceInfo): ResourceInfo {
  if (!info.storedAs) return info;
  const stored = findResource(info.storedAs.group, info.resource, info.storedAs.version);
  if (!stored) throw new Error(`${apiVersionOf(info)} ${info.resource}: no stored version ${apiVersionOf(info.storedAs)}`);
  return stored;
}

/** Every stored resource (each served version stored as another left out). */
export function storedResources(): ResourceInfo[] {
  return RESOURCES.filter((r) => !r.storedAs);
}

export function findByKind(apiVersion: string, kind: string): ResourceInfo | undefined {
  return byApiVersionKind.get(`${apiVersion}/${kind}`);
}

/**
 * Resolves what a user types (`po`, `pods`, `pod`, `deployment.apps`, `Deployment`) to a
 * resource, the way kubectl's RESTMapper does.
 */
export function resolveResourceName(name: string): ResourceInfo | undefined {
  const lower = name.toLowerCase();
  const dot = lower.indexOf('.');
  const base = dot < 0 ? lower : lower.slice(0, dot);
  const group = dot < 0 ? undefined : lower.slice(dot + 1);
  const matches = (info: ResourceInfo): boolean =>
    (group === undefined || info.group === group || info.group.startsWith(`${group}.`)) &&
    (info.resource === base || info.singular === base || info.shortNames.includes(base));
  // A stored version wins; a version stored as another answers only when its group is named
  // (`events.events.k8s.io`).
  return RESOURCES.find((info) => !info.storedAs && matches(info)) ?? (group !== undefined ? RESOURCES.find(matches) : undefined);
}

/** The etcd key prefix of a resource: `/registry/pods/` or `/registry/apps/deployments/`. */
export function storagePrefix(etcdPrefix: string, info: Pick<ResourceInfo, 'group' | 'resource'>): string {
  const base = etcdPrefix.replace(/\/+$/, '');
  return info.group === '' ? `${base}/${info.resource}/` : `${base}/${info.group}/${info.resource}/`;
}

/** The etcd key of one object. Cluster-scoped objects have no namespace segment. */
export function storageKey(
  etcdPrefix: string,
  info: Pick<ResourceInfo, 'group' | 'resource' | 'namespaced'>,
  namespace: string | undefined,
  name: string,
): string {
  const prefix = storagePrefix(etcdPrefix, info);
  return info.namespaced ? `${prefix}${namespace}/${name}` : `${prefix}${name}`;
}

export function hasStatus(info: ResourceInfo): boolean {
  return info.subresources.includes('status');
}

/** Group-versions in the order discovery lists them (core first, then groups by name). */
export function groupVersions(resources: readonly ResourceInfo[] = RESOURCES): { group: string; version: string }[] {
  const seen = new Map<string, { group: string; version: string }>();
  for (const info of resources) seen.set(apiVersionOf(info), { group: info.group, version: info.version });
  return [...seen.values()];
}
