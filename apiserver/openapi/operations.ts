// The REST operations of each served resource, described once and rendered by openapi.ts as
// both OpenAPI v3 (per group-version) and swagger 2.0. Paths, operation ids and actions follow
// the ones Kubernetes publishes (`patchCoreV1NamespacedPod`, x-kubernetes-action `patch`).
import { RESOURCES, apiVersionOf, type ResourceInfo, type Subresource } from '../../api/resources.js';
import { definitionNameFor, type GroupVersionKind } from '../../api/schema.js';
import { subresourceKind } from '../discovery/discovery.js';
import { customDefinitionName } from '../apiextensions/openapi.js';

export interface Parameter {
  name: string;
  in: 'path' | 'query';
  description: string;
  type: 'string' | 'boolean' | 'integer';
  required?: boolean;
}

export type PatchBody = 'patch';

export interface Operation {
  method: 'get' | 'put' | 'post' | 'delete' | 'patch';
  operationId: string;
  description: string;
  /** x-kubernetes-action. */
  action: 'get' | 'list' | 'post' | 'put' | 'patch' | 'delete' | 'deletecollection' | 'connect';
  gvk: GroupVersionKind;
  tag: string;
  parameters: Parameter[];
  /** Definition name of the request body, or 'patch' for the four patch content types. */
  body?: string;
  /** Definition name of the 200 response; undefined for plain text (logs) or no schema. */
  response?: string;
  textResponse?: boolean;
  /** Status codes besides 200 that the operation answers with its object. */
  alsoCreated?: boolean;
  alsoAccepted?: boolean;
  /** A patch of a custom resource: no strategic merge (kubectl then sends a merge patch). */
  noStrategicMerge?: boolean;
}

export interface PathItem {
  path: string;
  parameters: Parameter[];
  operations: Operation[];
}

export const STATUS_DEFINITION = 'io.k8s.apimachinery.pkg.apis.meta.v1.Status';
export const DELETE_OPTIONS_DEFINITION = 'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions';
export const PATCH_DEFINITION = 'io.k8s.apimachinery.pkg.apis.meta.v1.Patch';

const q = (name: string, type: Parameter['type'], description: string): Parameter => ({ name, in: 'query', type, description });

const P = {
  pretty: q('pretty', 'string', "If 'true', then the output is pretty printed."),
  dryRun: q('dryRun', 'string', 'When present, indicates that modifications should not be persisted. The only valid value is All.'),
  fieldManager: q('fieldManager', 'string', 'A name associated with the actor or entity that is making these changes.'),
  fieldValidation: q(
    'fieldValidation',
    'string',
    'How the server treats unknown or duplicate fields in the request: Ignore, Warn (the default) or Strict.',
  ),
  force: q('force', 'boolean', 'Force is going to "force" Apply requests. It must be unset for non-apply patch requests.'),
  allowWatchBookmarks: q('allowWatchBookmarks', 'boolean', 'Requests watch events with type "BOOKMARK".'),
  continue: q('continue', 'string', 'The continue option should be set when retrieving more results from the server.'),
  fieldSelector: q('fieldSelector', 'string', 'A selector to restrict the list of returned objects by their fields.'),
  labelSelector: q('labelSelector', 'string', 'A selector to restrict the list of returned objects by their labels.'),
  limit: q('limit', 'integer', 'The maximum number of responses to return for a list call.'),
  resourceVersion: q('resourceVersion', 'string', 'Constrains which resource versions the request may be served from.'),
  resourceVersionMatch: q('resourceVersionMatch', 'string', 'Determines how resourceVersion is applied to list calls.'),
  sendInitialEvents: q('sendInitialEvents', 'boolean', 'Whether a watch starts with synthetic events for the current state.'),
  timeoutSeconds: q('timeoutSeconds', 'integer', 'Timeout for the list/watch call.'),
  watch: q('watch', 'boolean', 'Watch for changes to the described resources and return them as a stream of events.'),
  gracePeriodSeconds: q('gracePeriodSeconds', 'integer', 'The duration in seconds before the object should be deleted.'),
  orphanDependents: q('orphanDependents', 'boolean', 'Deprecated: please use the PropagationPolicy.'),
  propagationPolicy: q('propagationPolicy', 'string', 'Whether and how garbage collection will be performed: Orphan, Background or Foreground.'),
  container: q('container', 'string', 'The container to use.'),
  command: q('command', 'string', 'Command is the remote command to execute; argv array, one parameter per argument.'),
  stdin: q('stdin', 'boolean', 'Redirect the standard input stream of the pod for this call.'),
  stdout: q('stdout', 'boolean', 'Redirect the standard output stream of the pod for this call.'),
  stderr: q('stderr', 'boolean', 'Redirect the standard error stream of the pod for this call.'),
  tty: q('tty', 'boolean', 'TTY if true indicates that a tty will be allocated for the call.'),
  ports: q('ports', 'integer', 'List of ports to forward.'),
  follow: q('follow', 'boolean', 'Follow the log stream of the pod.'),
  limitBytes: q('limitBytes', 'integer', 'The number of bytes to read from the server before terminating the log output.'),
  previous: q('previous', 'boolean', 'Return previous terminated container logs.'),
  sinceSeconds: q('sinceSeconds', 'integer', 'A relative time in seconds before the current time from which to show logs.'),
  tailLines: q('tailLines', 'integer', 'The number of lines from the end of the logs to show.'),
  timestamps: q('timestamps', 'boolean', 'Add an RFC3339 timestamp at the beginning of every line of log output.'),
  path: q('path', 'string', 'Path is the URL path to use for the current proxy request.'),
} as const;

const WRITE = [P.dryRun, P.fieldManager, P.fieldValidation];
const PATCH = [...WRITE, P.force];
const LIST = [
  P.allowWatchBookmarks,
  P.continue,
  P.fieldSelector,
  P.labelSelector,
  P.limit,
  P.resourceVersion,
  P.resourceVersionMatch,
  P.sendInitialEvents,
  P.timeoutSeconds,
  P.watch,
];
const DELETE = [P.dryRun, P.gracePeriodSeconds, P.orphanDependents, P.propagationPolicy];

const pathParam = (name: string, description: string): Parameter => ({ name, in: 'path', type: 'string', required: true, description });
const NAME = (kind: string): Parameter => pathParam('name', `name of the ${kind}`);
const NAMESPACE = pathParam('namespace', 'object name and auth scope, such as for teams and projects');

/** `Core`, `Apps`, `RbacAuthorization`: the group part of Kubernetes' operation ids. */
function groupId(group: string): string {
  if (group === '') return 'Core';
  return group
    .replace(/\.k8s\.io$/, '')
    .split('.')
    .map((s) => s.charAt(0).toUpperCase() + s.slice(1))
    .join('');
}

const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

export function tagOf(group: string, version: string): string {
  return `${group === '' ? 'core' : group.replace(/\.k8s\.io$/, '').replaceAll('.', '')}_${version}`;
}

/** `/api/v1` or `/apis/apps/v1`. */
export function groupVersionPrefix(group: string, version: string): string {
  return group === '' ? `/api/${version}` : `/apis/${group}/${version}`;
}

function defOf(gvk: GroupVersionKind): string | undefined {
  return definitionNameFor(apiVersionOf(gvk), gvk.kind);
}

type OperationSpec = Omit<Operation, 'gvk' | 'tag'> & { gvk?: GroupVersionKind };

/** What every operation of one resource shares. */
interface ResourceOps {
  info: ResourceInfo;
  /** `/api/v1` or `/apis/<group>/<version>`. */
  prefix: string;
  /** The collection path, namespaced or not. */
  base: string;
  /** `CoreV1NamespacedPod`: the operation id's tail. */
  id: string;
  scopeParams: Parameter[];
  kindDef: string | undefined;
  listDef: string | undefined;
  /** An operation of this resource's kind and tag (unless the spec names another kind). */
  op(o: OperationSpec): Operation;
}

function resourceOps(info: ResourceInfo): ResourceOps {
  const prefix = groupVersionPrefix(info.group, info.version);
  const gvk: GroupVersionKind = { group: info.group, version: info.version, kind: info.kind };
  const tag = tagOf(info.group, info.version);
  return {
    info,
    prefix,
    base: info.namespaced ? `${prefix}/namespaces/{namespace}/${info.resource}` : `${prefix}/${info.resource}`,
    id: `${groupId(info.group)}${cap(info.version)}${info.namespaced ? 'Namespaced' : ''}${info.kind}`,
    scopeParams: info.namespaced ? [NAMESPACE, P.pretty] : [P.pretty],
    kindDef: info.custom ? customDefinitionName(info.group, info.version, info.kind) : defOf(gvk),
    listDef: info.custom ? customDefinitionName(info.group, info.version, info.custom.listKind) : defOf({ ...gvk, kind: `${info.kind}List` }),
    // Custom resources (but not their autoscaling/v1 Scale) take no strategic merge patch.
    op: (o) => ({ gvk, tag, ...o, ...(info.custom && o.body === 'patch' && (o.gvk ?? gvk).kind === info.kind ? { noStrategicMerge: true } : {}) }),
  };
}

function resourcePaths(info: ResourceInfo): PathItem[] {
  const r = resourceOps(info);
  // Reviews (TokenReview, SubjectAccessReview…) are only ever created.
  if (info.virtual) return [{ path: r.base, parameters: r.scopeParams, operations: [createOperation(r)] }];
  const items: PathItem[] = [collectionPath(r), objectPath(r)];
  if (info.namespaced) items.push(allNamespacesPath(r));
  for (const sub of info.subresources) items.push(subresourcePath(r, sub));
  return items;
}

function createOperation({ info, id, kindDef, op }: ResourceOps): Operation {
  return op({
    method: 'post',
    operationId: `create${id}`,
    description: `create a ${info.kind}`,
    action: 'post',
    parameters: WRITE,
    body: kindDef,
    response: kindDef,
    alsoCreated: true,
    alsoAccepted: true,
  });
}

/** list, create, deletecollection. */
function collectionPath(r: ResourceOps): PathItem {
  const { info, id, listDef, op } = r;
  return {
    path: r.base,
    parameters: r.scopeParams,
    operations: [
      op({ method: 'get', operationId: `list${id}`, description: `list or watch objects of kind ${info.kind}`, action: 'list', parameters: LIST, response: listDef }),
      createOperation(r),
      op({
        method: 'delete',
        operationId: `deletecollection${id}`,
        description: `delete collection of ${info.kind}`,
        action: 'deletecollection',
        parameters: [...LIST, ...DELETE],
        body: DELETE_OPTIONS_DEFINITION,
        response: STATUS_DEFINITION,
      }),
    ],
  };
}

/** read, replace, patch, delete of one named object. */
function objectPath({ info, base, id, scopeParams, kindDef, op }: ResourceOps): PathItem {
  return {
    path: `${base}/{name}`,
    parameters: [NAME(info.kind), ...scopeParams],
    operations: [
      op({ method: 'get', operationId: `read${id}`, description: `read the specified ${info.kind}`, action: 'get', parameters: [], response: kindDef }),
      op({ method: 'put', operationId: `replace${id}`, description: `replace the specified ${info.kind}`, action: 'put', parameters: WRITE, body: kindDef, response: kindDef, alsoCreated: true }),
      op({ method: 'patch', operationId: `patch${id}`, description: `partially update the specified ${info.kind}`, action: 'patch', parameters: PATCH, body: 'patch', response: kindDef, alsoCreated: true }),
      op({
        method: 'delete',
        operationId: `delete${id}`,
        description: `delete a ${info.kind}`,
        action: 'delete',
        parameters: DELETE,
        body: DELETE_OPTIONS_DEFINITION,
        response: STATUS_DEFINITION,
        alsoAccepted: true,
      }),
    ],
  };
}

/** The list across namespaces of a namespaced resource. */
function allNamespacesPath({ info, prefix, listDef, op }: ResourceOps): PathItem {
  return {
    path: `${prefix}/${info.resource}`,
    parameters: [P.pretty],
    operations: [
      op({
        method: 'get',
        operationId: `list${groupId(info.group)}${cap(info.version)}${info.kind}ForAllNamespaces`,
        description: `list or watch objects of kind ${info.kind}`,
        action: 'list',
        parameters: LIST,
        response: listDef,
      }),
    ],
  };
}

/** One subresource of a resource: its kind, definition and operation id. */
interface SubresourceOps {
  r: ResourceOps;
  sub: Subresource;
  gvk: GroupVersionKind;
  def: string | undefined;
  subId: string;
}

function subresourcePath(r: ResourceOps, sub: Subresource): PathItem {
  const gvk = subresourceKind(r.info, sub);
  const own = gvk.group === r.info.group && gvk.version === r.info.version && gvk.kind === r.info.kind;
  const s: SubresourceOps = { r, sub, gvk, def: own ? r.kindDef : defOf(gvk), subId: `${r.id}${cap(sub)}` };
  const parameters = [pathParam('name', `name of the ${gvk.kind}`), ...(r.info.namespaced ? [NAMESPACE] : []), P.pretty];
  return { path: `${r.base}/{name}/${sub}`, parameters, operations: subresourceOperations(s) };
}

function subresourceOperations(s: SubresourceOps): Operation[] {
  switch (s.sub) {
    case 'status':
    case 'scale':
    case 'ephemeralcontainers':
      return [readSubresource(s), replaceSubresource(s), patchSubresource(s)];
    case 'binding':
    case 'eviction':
    case 'token':
      return [createSubresource(s)];
    case 'finalize':
      return [replaceSubresource(s)];
    case 'log':
      return [readLog(s)];
    case 'exec':
      return (['get', 'post'] as const).map((m) => connect(s, m, [P.command, P.container, P.stderr, P.stdin, P.stdout, P.tty]));
    case 'attach':
      return (['get', 'post'] as const).map((m) => connect(s, m, [P.container, P.stderr, P.stdin, P.stdout, P.tty]));
    case 'portforward':
      return (['get', 'post'] as const).map((m) => connect(s, m, [P.ports]));
    case 'proxy':
      return (['get', 'post', 'put', 'patch', 'delete'] as const).map((m) => connect(s, m, [P.path]));
  }
}

function readSubresource({ r, sub, gvk, def, subId }: SubresourceOps): Operation {
  return r.op({ method: 'get', operationId: `read${subId}`, description: `read ${sub} of the specified ${r.info.kind}`, action: 'get', gvk, parameters: [], response: def });
}

function replaceSubresource({ r, sub, gvk, def, subId }: SubresourceOps): Operation {
  return r.op({
    method: 'put',
    operationId: `replace${subId}`,
    description: `replace ${sub} of the specified ${r.info.kind}`,
    action: 'put',
    gvk,
    parameters: WRITE,
    body: def,
    response: def,
    alsoCreated: true,
  });
}

function patchSubresource({ r, sub, gvk, def, subId }: SubresourceOps): Operation {
  return r.op({
    method: 'patch',
    operationId: `patch${subId}`,
    description: `partially update ${sub} of the specified ${r.info.kind}`,
    action: 'patch',
    gvk,
    parameters: PATCH,
    body: 'patch',
    response: def,
    alsoCreated: true,
  });
}

function createSubresource({ r, sub, gvk, def, subId }: SubresourceOps): Operation {
  return r.op({
    method: 'post',
    operationId: `create${subId}`,
    description: `create ${sub} of a ${r.info.kind}`,
    action: 'post',
    gvk,
    parameters: WRITE,
    body: def,
    response: def,
    alsoCreated: true,
    alsoAccepted: true,
  });
}

/** pods/log: plain text, under the pod's own kind. */
function readLog({ r, subId }: SubresourceOps): Operation {
  return r.op({
    method: 'get',
    operationId: `read${subId}`,
    description: `read log of the specified ${r.info.kind}`,
    action: 'get',
    parameters: [P.container, P.follow, P.limitBytes, P.previous, P.sinceSeconds, P.tailLines, P.timestamps],
    textResponse: true,
  });
}

function connect({ r, sub, gvk }: SubresourceOps, method: Operation['method'], params: Parameter[]): Operation {
  const { info } = r;
  return r.op({
    method,
    // e.g. connectCoreV1GetNamespacedPodExec
    operationId: `connect${groupId(info.group)}${cap(info.version)}${cap(method)}${info.namespaced ? 'Namespaced' : ''}${info.kind}${cap(sub)}`,
    description: `connect ${method.toUpperCase()} requests to ${sub} of ${info.kind}`,
    action: 'connect',
    gvk,
    parameters: params,
    textResponse: true,
  });
}

/** Every path of one group-version, in resource-table order (custom resources included when given). */
export function pathsFor(group: string, version: string, resources: readonly ResourceInfo[] = RESOURCES): PathItem[] {
  return resources.filter((r) => r.group === group && r.version === version).flatMap(resourcePaths);
}
