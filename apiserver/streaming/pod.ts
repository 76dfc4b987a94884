// What the apiserver decides before it contacts a kubelet for pods/log, exec, attach and
// portforward (k8s' pod LogLocation / streamLocation and the kubelet's container-log status
// check), and the kubelet URL it then uses. Pure: pod and node in, options or a Status out.
import { errors } from '../../api/status.js';
import { isObject, type KObject } from '../../api/types.js';
import { qAll, qBool, type Query } from '../registry/list-options.js';

export const DEFAULT_KUBELET_PORT = 10250;
/** Which node address the kubelet is reached on, best first. */
const ADDRESS_PREFERENCE = ['InternalIP', 'Hostname', 'InternalDNS', 'ExternalIP', 'ExternalDNS'];

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (isObject(v) ? v : {});
const list = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObject) : []);
const names = (v: unknown): string[] => list(v).map((c) => String(c.name ?? ''));

export interface KubeletEndpoint {
  host: string;
  port: number;
}

/** The kubelet's address from Node.status (addresses + daemonEndpoints); undefined when it has none. */
export function kubeletEndpoint(node: KObject): KubeletEndpoint | undefined {
  const status = obj(node.status);
  const addresses = list(status.addresses);
  let host: string | undefined;
  for (const type of ADDRESS_PREFERENCE) {
    const a = addresses.find((x) => x.type === type && typeof x.address === 'string' && x.address);
    if (a) {
      host = String(a.address);
      break;
    }
  }
  if (!host) return undefined;
  const port = Number(obj(obj(status.daemonEndpoints).kubeletEndpoint).Port);
  return { host, port: Number.isInteger(port) && port > 0 && port < 65536 ? port : DEFAULT_KUBELET_PORT };
}

export function endpointURL(ep: KubeletEndpoint, scheme: 'http' | 'https' | 'ws' | 'wss', path: string): string {
  const host = ep.host.includes(':') ? `[${ep.host}]` : ep.host;
  return `${scheme}://${host}:${ep.port}${path}`;
}

function podName(pod: KObject): string {
  return String(pod.metadata?.name ?? '');
}

/**
 * The container a log request is about: the named one (which must exist), or the only one.
 * Messages as k8s' validateContainer (all containers, init first, in "[a b]" form).
 */
export function logContainer(pod: KObject, requested: string | undefined): string {
  const spec = obj(pod.spec);
  const all = [...names(spec.initContainers), ...names(spec.containers), ...names(spec.ephemeralContainers)];
  if (!requested) {
    const containers = names(spec.containers);
    if (containers.length === 1) return containers[0]!;
    if (containers.length === 0) throw errors.badRequest(`a container name must be specified for pod ${podName(pod)}`);
    throw errors.badRequest(`a container name must be specified for pod ${podName(pod)}, choose one of: [${all.join(' ')}]`);
  }
  if (!all.includes(requested)) throw errors.badRequest(`container ${requested} is not valid for pod ${podName(pod)}`);
  return requested;
}

/** The container an exec/attach is about (k8s' streamLocation wording). */
export function streamContainer(pod: KObject, requested: string | undefined): string {
  const spec = obj(pod.spec);
  if (!requested) {
    const containers = names(spec.containers);
    if (containers.length === 1) return containers[0]!;
    if (containers.length === 0) throw errors.badRequest(`a container name must be specified for pod ${podName(pod)}`);
    let msg = `a container name must be specified for pod ${podName(pod)}, choose one of: [${containers.join(' ')}]`;
    const init = names(spec.initContainers);
    if (init.length) msg += ` or one of the init containers: [${init.join(' ')}]`;
    throw errors.badRequest(msg);
  }
  const all = [...names(spec.initContainers), ...names(spec.containers), ...names(spec.ephemeralContainers)];
  if (!all.includes(requested)) throw errors.badRequest(`container ${requested} is not valid for pod ${podName(pod)}`);
  return requested;
}

/** The node a stream goes to; a pod that is not scheduled yet has none. */
export function assignedNode(pod: KObject): string | undefined {
  const n = obj(pod.spec).nodeName;
  return typeof n === 'string' && n ? n : undefined;
}

/**
 * Whether the container has logs to show, from the pod's status (the kubelet's
 * validateContainerLogStatus). A container without a status has not been created yet.
 */
export function checkLogStatus(pod: KObject, container: string, previous: boolean): void {
  const name = podName(pod);
  const status = obj(pod.status);
  const cs = [...list(status.containerStatuses), ...list(status.initContainerStatuses), ...list(status.ephemeralContainerStatuses)].find(
    (s) => s.name === container,
  );
  const waitingToStart = (reason: string) => errors.badRequest(`container "${container}" in pod "${name}" is waiting to start: ${reason}`);
  if (!cs) throw waitingToStart('ContainerCreating');
  const state = obj(cs.state);
  const last = obj(obj(cs.lastState).terminated);
  const lastId = typeof last.containerID === 'string' ? last.containerID : '';
  if (previous) {
    if (!lastId) throw errors.badRequest(`previous terminated container "${container}" in pod "${name}" not found`);
    return;
  }
  if (isObject(state.running)) return;
  if (isObject(state.terminated)) {
    if (state.terminated.containerID || lastId) return;
    throw errors.badRequest(`container "${container}" in pod "${name}" is terminated`);
  }
  if (lastId) return;
  if (isObject(state.waiting)) {
    const reason = typeof state.waiting.reason === 'string' && state.waiting.reason ? state.waiting.reason : 'ContainerCreating';
    if (reason === 'ErrImagePull') throw waitingToStart("image can't be pulled");
    if (reason === 'ImagePullBackOff') throw waitingToStart('trying and failing to pull image');
    throw waitingToStart(reason);
  }
  throw errors.badRequest(`container "${container}" in pod "${name}" is waiting to start - no logs yet`);
}

const one = (q: Query, k: string): string | undefined => {
  const v = q[k];
  return Array.isArray(v) ? v[0] : v;
};


function intParam(q: Query, k: string, min: number, rule: string): number | undefined {
  const v = one(q, k);
  if (v === undefined || v === '') return undefined;
  if (!/^-?\d+$/.test(v)) throw errors.badRequest(`${k}: Invalid value: "${v}": must be an integer`);
  const n = Number(v);
  if (n < min) throw errors.badRequest(`${k}: Invalid value: ${n}: ${rule}`);
  return n;
}

export interface PodLogRequest {
  container?: string;
  previous: boolean;
  /** The query for the kubelet's /containerLogs. */
  kubeletQuery: URLSearchParams;
}

/** PodLogOptions from the query, validated as k8s does. */
export function podLogRequest(q: Query): PodLogRequest {
  const out = new URLSearchParams();
  for (const k of ['follow', 'previous', 'timestamps']) if (qBool(q, k)) out.set(k, 'true');
  const ints: Array<[string, number, string]> = [
    ['tailLines', 0, 'must be greater than or equal to 0'],
    ['sinceSeconds', 1, 'must be greater than 0'],
    ['limitBytes', 1, 'must be greater than 0'],
  ];
  for (const [k, min, rule] of ints) {
    const n = intParam(q, k, min, rule);
    if (n !== undefined) out.set(k, String(n));
  }
  const sinceTime = one(q, 'sinceTime');
  if (sinceTime) {
    if (Number.isNaN(Date.parse(sinceTime))) throw errors.badRequest(`sinceTime: Invalid value: "${sinceTime}": must be an RFC3339 time`);
    if (out.has('sinceSeconds')) throw errors.badRequest('at most one of `sinceTime` or `sinceSeconds` may be specified');
    out.set('sinceTime', sinceTime);
  }
  const container = one(q, 'container');
  return { ...(container ? { container } : {}), previous: out.has('previous'), kubeletQuery: out };
}

export interface StreamRequest {
  container?: string;
  /** The query for the kubelet's /exec or /attach. */
  kubeletQuery: URLSearchParams;
}

/** PodExecOptions / PodAttachOptions from the query. */
export function streamRequest(q: Query, kind: 'exec' | 'attach'): StreamRequest {
  const out = new URLSearchParams();
  const command = qAll(q, 'command');
  if (kind === 'exec' && command.length === 0) throw errors.badRequest('you must specify at least one command for the container');
  for (const c of command) out.append('command', c);
  const streams: Array<[string, string]> = [
    ['stdin', 'input'],
    ['stdout', 'output'],
    ['stderr', 'error'],
    ['tty', 'tty'],
  ];
  for (const [k, kubeletName] of streams) if (qBool(q, k)) out.set(kubeletName, '1');
  if (!out.has('input') && !out.has('output') && !out.has('error')) throw errors.badRequest('you must specify at least 1 of stdin, stdout, stderr');
  const container = one(q, 'container');
  return { ...(container ? { container } : {}), kubeletQuery: out };
}
