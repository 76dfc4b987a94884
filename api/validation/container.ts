// Container-level rules of pkg/apis/core/validation: names, image, ports, env, mounts, probes,
// resources. Shared by regular and init containers.
import { type ErrorList, Path, field, asArray, asRecord, asString, validateNonnegative } from './field.js';
import {
  isConfigMapKey,
  isDNS1123Label,
  isHTTPHeaderName,
  isRelaxedEnvVarName,
  isValidPortName,
  isValidPortNum,
  nameIsDNSSubdomain,
  isQualifiedName,
} from './names.js';
import { QUANTITY_FORMAT_ERROR, parseQuantity, compareQuantities, formatQuantity, type Quantity } from '../quantity.js';

export const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const TERMINATION_MESSAGE_POLICIES = ['File', 'FallbackToLogsOnError'];
const ENV_FIELD_PATHS = [
  'metadata.name',
  'metadata.namespace',
  'metadata.uid',
  'spec.nodeName',
  'spec.serviceAccountName',
  'status.hostIP',
  'status.hostIPs',
  'status.podIP',
  'status.podIPs',
];
const RESOURCE_FIELD_PATHS = ['limits.cpu', 'limits.ephemeral-storage', 'limits.memory', 'requests.cpu', 'requests.ephemeral-storage', 'requests.memory'];
const STANDARD_CONTAINER_RESOURCES = new Set(['cpu', 'memory', 'ephemeral-storage']);

export function validateDNS1123Label(value: string, path: Path): ErrorList {
  return isDNS1123Label(value).map((m) => field.invalid(path, value, m));
}

/** An int port number or an IANA service name, as in probes and Service targetPort. */
export function validatePortNumOrName(port: unknown, path: Path): ErrorList {
  if (typeof port === 'number') return isValidPortNum(port).map((m) => field.invalid(path, port, m));
  if (typeof port === 'string') return isValidPortName(port).map((m) => field.invalid(path, port, m));
  return [field.invalid(path, port ?? null, 'must be an integer or a port name')];
}

function validateContainerPorts(ports: unknown, path: Path): ErrorList {
  const errs: ErrorList = [];
  const names = new Set<string>();
  asArray(ports).forEach((raw, i) => {
    const port = asRecord(raw);
    const p = path.index(i);
    const name = asString(port['name']);
    if (name) {
      const msgs = isValidPortName(name);
      if (msgs.length) msgs.forEach((m) => errs.push(field.invalid(p.child('name'), name, m)));
      else if (names.has(name)) errs.push(field.duplicate(p.child('name'), name));
      else names.add(name);
    }
    const containerPort = port['containerPort'];
    if (containerPort === undefined || containerPort === 0) errs.push(field.required(p.child('containerPort')));
    else for (const m of isValidPortNum(Number(containerPort))) errs.push(field.invalid(p.child('containerPort'), containerPort, m));
    const hostPort = port['hostPort'];
    if (hostPort !== undefined && hostPort !== 0)
      for (const m of isValidPortNum(Number(hostPort))) errs.push(field.invalid(p.child('hostPort'), hostPort, m));
    const protocol = asString(port['protocol']);
    if (!protocol) errs.push(field.required(p.child('protocol')));
    else if (!PROTOCOLS.includes(protocol)) errs.push(field.notSupported(p.child('protocol'), protocol, PROTOCOLS));
  });
  return errs;
}

function validateKeySelector(sel: Record<string, unknown>, path: Path): ErrorList {
  const errs: ErrorList = [];
  const name = asString(sel['name']);
  for (const m of nameIsDNSSubdomain(name, false)) errs.push(field.invalid(path.child('name'), name, m));
  const key = asString(sel['key']);
  if (!key) errs.push(field.required(path.child('key')));
  else for (const m of isConfigMapKey(key)) errs.push(field.invalid(path.child('key'), key, m));
  return errs;
}

function validateEnvValueFrom(env: Record<string, unknown>, path: Path): ErrorList {
  if (env['valueFrom'] === undefined || env['valueFrom'] === null) return [];
  const from = asRecord(env['valueFrom']);
  const errs: ErrorList = [];
  let sources = 0;
  if (from['fieldRef']) {
    sources++;
    const ref = asRecord(from['fieldRef']);
    const p = path.child('fieldRef');
    const fieldPath = asString(ref['fieldPath']);
    if (!asString(ref['apiVersion'])) errs.push(field.required(p.child('apiVersion')));
    else if (!fieldPath) errs.push(field.required(p.child('fieldPath')));
    else {
      const sub = /^(metadata\.(?:labels|annotations))\['(.*)'\]$/.exec(fieldPath);
      if (sub) {
        const key = sub[1] === 'metadata.annotations' ? (sub[2] ?? '').toLowerCase() : (sub[2] ?? '');
        for (const m of isQualifiedName(key)) errs.push(field.invalid(p, key, m));
      } else if (!ENV_FIELD_PATHS.includes(fieldPath)) errs.push(field.notSupported(p.child('fieldPath'), fieldPath, ENV_FIELD_PATHS));
    }
  }
  if (from['resourceFieldRef']) {
    sources++;
    const ref = asRecord(from['resourceFieldRef']);
    const resource = asString(ref['resource']);
    const p = path.child('resourceFieldRef');
    if (!resource) errs.push(field.required(p.child('resource')));
    else if (!RESOURCE_FIELD_PATHS.includes(resource) && !/^(requests|limits)\.hugepages-/.test(resource))
      errs.push(field.notSupported(p.child('resource'), resource, RESOURCE_FIELD_PATHS));
  }
  if (from['configMapKeyRef']) {
    sources++;
    errs.push(...validateKeySelector(asRecord(from['configMapKeyRef']), path.child('configMapKeyRef')));
  }
  if (from['secretKeyRef']) {
    sources++;
    errs.push(...validateKeySelector(asRecord(from['secretKeyRef']), path.child('secretKeyRef')));
  }
  if (sources === 0) errs.push(field.invalid(path, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
  else if (asString(env['value'])) errs.push(field.invalid(path, '', 'may not be specified when `value` is not empty'));
  else if (sources > 1) errs.push(field.invalid(path, '', 'may not have more than one field specified at a time'));
  return errs;
}

function validateEnv(vars: unknown, path: Path): ErrorList {
  const errs: ErrorList = [];
  asArray(vars).forEach((raw, i) => {
    const env = asRecord(raw);
    const p = path.index(i);
    const name = asString(env['name']);
    if (!name) errs.push(field.required(p.child('name')));
    else for (const m of isRelaxedEnvVarName(name)) errs.push(field.invalid(p.child('name'), name, m));
    errs.push(...validateEnvValueFrom(env, p.child('valueFrom')));
  });
  return errs;
}

function validateEnvFrom(sources: unknown, path: Path): ErrorList {
  const errs: ErrorList = [];
  asArray(sources).forEach((raw, i) => {
    const src = asRecord(raw);
    const p = path.index(i);
    const prefix = asString(src['prefix']);
    if (prefix) for (const m of isRelaxedEnvVarName(prefix)) errs.push(field.invalid(p.child('prefix'), prefix, m));
    let n = 0;
    for (const kind of ['configMapRef', 'secretRef']) {
      if (!src[kind]) continue;
      n++;
      const name = asString(asRecord(src[kind])['name']);
      if (!name) errs.push(field.required(p.child(kind, 'name')));
      else for (const m of nameIsDNSSubdomain(name, true)) errs.push(field.invalid(p.child(kind, 'name'), name, m));
    }
    if (n === 0) errs.push(field.invalid(path, '', 'must specify one of: `configMapRef` or `secretRef`'));
    else if (n > 1) errs.push(field.invalid(path, '', 'may not have more than one field specified at a time'));
  });
  return errs;
}

function validateVolumeMounts(mounts: unknown, volumes: ReadonlySet<string>, path: Path): ErrorList {
  const errs: ErrorList = [];
  const mountPaths = new Set<string>();
  asArray(mounts).forEach((raw, i) => {
    const mnt = asRecord(raw);
    const p = path.index(i);
    const name = asString(mnt['name']);
    const mountPath = asString(mnt['mountPath']);
    if (!name) errs.push(field.required(p.child('name')));
    if (!volumes.has(name)) errs.push(field.notFound(p.child('name'), name));
    if (!mountPath) errs.push(field.required(p.child('mountPath')));
    if (mountPaths.has(mountPath)) errs.push(field.invalid(p.child('mountPath'), mountPath, 'must be unique'));
    mountPaths.add(mountPath);
    const subPath = asString(mnt['subPath']);
    if (subPath) errs.push(...validateLocalDescendingPath(subPath, path.child('subPath')));
    const subPathExpr = asString(mnt['subPathExpr']);
    if (subPathExpr && subPath) errs.push(field.invalid(p.child('subPathExpr'), subPathExpr, 'subPathExpr and subPath are mutually exclusive'));
  });
  return errs;
}

/** Relative paths that never climb out of their volume (no absolute path, no '..' element). */
export function validateLocalDescendingPath(target: string, path: Path): ErrorList {
  const errs: ErrorList = [];
  if (target.startsWith('/')) errs.push(field.invalid(path, target, 'must be a relative path'));
  if (target.split(/[/\\]/).includes('..')) errs.push(field.invalid(path, target, "must not contain '..'"));
  return errs;
}

function validateHandler(handler: Record<string, unknown>, path: Path, kinds: readonly string[]): ErrorList {
  const errs: ErrorList = [];
  let n = 0;
  for (const kind of kinds) {
    if (handler[kind] === undefined || handler[kind] === null) continue;
    if (n > 0) {
      errs.push(field.forbidden(path.child(kind), 'may not specify more than 1 handler type'));
      continue;
    }
    n++;
    const h = asRecord(handler[kind]);
    const p = path.child(kind);
    if (kind === 'exec' && asArray(h['command']).length === 0) errs.push(field.required(p.child('command')));
    if (kind === 'httpGet') {
      if (!asString(h['path'])) errs.push(field.required(p.child('path')));
      errs.push(...validatePortNumOrName(h['port'], p.child('port')));
      const scheme = asString(h['scheme']);
      if (scheme !== 'HTTP' && scheme !== 'HTTPS') errs.push(field.notSupported(p.child('scheme'), scheme, ['HTTP', 'HTTPS']));
      for (const hdr of asArray(h['httpHeaders'])) {
        const hn = asString(asRecord(hdr)['name']);
        for (const m of isHTTPHeaderName(hn)) errs.push(field.invalid(p.child('httpHeaders'), hn, m));
      }
    }
    if (kind === 'tcpSocket') errs.push(...validatePortNumOrName(h['port'], p.child('port')));
    if (kind === 'grpc') errs.push(...validatePortNumOrName(typeof h['port'] === 'number' ? h['port'] : -1, p.child('port')));
  }
  if (n === 0) errs.push(field.required(path, 'must specify a handler type'));
  return errs;
}

const PROBE_HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'grpc'];
const LIFECYCLE_HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'sleep'];

function validateProbe(raw: unknown, path: Path, kind: 'liveness' | 'readiness' | 'startup'): ErrorList {
  if (raw === undefined || raw === null) return [];
  const probe = asRecord(raw);
  const errs = validateHandler(probe, path, PROBE_HANDLERS);
  for (const f of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold'])
    errs.push(...validateNonnegative(probe[f], path.child(f)));
  const tgps = probe['terminationGracePeriodSeconds'];
  if (typeof tgps === 'number' && tgps <= 0) errs.push(field.invalid(path.child('terminationGracePeriodSeconds'), tgps, 'must be greater than 0'));
  if (kind !== 'readiness' && probe['successThreshold'] !== undefined && probe['successThreshold'] !== 1)
    errs.push(field.invalid(path.child('successThreshold'), probe['successThreshold'], 'must be 1'));
  if (kind === 'readiness' && tgps !== undefined && tgps !== null)
    errs.push(field.invalid(path.child('terminationGracePeriodSeconds'), tgps, 'must not be set for readinessProbes'));
  return errs;
}

export function validateResourceName(name: string, path: Path): ErrorList {
  const errs = isQualifiedName(name).map((m) => field.invalid(path, name, m));
  if (errs.length) return errs;
  if (!name.includes('/') && !STANDARD_CONTAINER_RESOURCES.has(name) && !name.startsWith('hugepages-'))
    return [field.invalid(path, name, 'must be a standard resource for containers')];
  return [];
}

function parseResourceList(list: unknown, path: Path, errs: ErrorList): Map<string, Quantity> {
  const out = new Map<string, Quantity>();
  for (const [name, value] of Object.entries(asRecord(list))) {
    const p = path.key(name);
    errs.push(...validateResourceName(name, p));
    const text = typeof value === 'number' ? String(value) : asString(value);
    let q: Quantity;
    try {
      q = parseQuantity(text);
    } catch {
      errs.push(field.invalid(p, text, QUANTITY_FORMAT_ERROR));
      continue;
    }
    if (q.nanos < 0n) errs.push(field.invalid(p, formatQuantity(q), 'must be greater than or equal to 0'));
    out.set(name, q);
  }
  return out;
}

/** Resource names are qualified, quantities parse and are ≥ 0, requests ≤ limits. */
export function validateResourceRequirements(raw: unknown, path: Path): ErrorList {
  const res = asRecord(raw);
  const errs: ErrorList = [];
  const limits = parseResourceList(res['limits'], path.child('limits'), errs);
  const requests = parseResourceList(res['requests'], path.child('requests'), errs);
  for (const [name, req] of requests) {
    const limit = limits.get(name);
    if (!limit) continue;
    const reqText = formatQuantity(req);
    // Only cpu, memory and ephemeral storage may be overcommitted; everything else must match.
    const overcommit = STANDARD_CONTAINER_RESOURCES.has(name);
    if (!overcommit && compareQuantities(req, limit) !== 0)
      errs.push(field.invalid(path.child('requests'), reqText, `must be equal to ${name} limit of ${formatQuantity(limit)}`));
    else if (compareQuantities(req, limit) > 0)
      errs.push(field.invalid(path.child('requests'), reqText, `must be less than or equal to ${name} limit of ${formatQuantity(limit)}`));
  }
  return errs;
}

export type ContainerKind = 'containers' | 'initContainers';

/** Checks common to every container (validateContainerCommon). */
export function validateContainerCommon(raw: unknown, volumes: ReadonlySet<string>, path: Path): ErrorList {
  const ctr = asRecord(raw);
  const errs: ErrorList = [];
  const name = asString(ctr['name']);
  if (!name) errs.push(field.required(path.child('name')));
  else errs.push(...validateDNS1123Label(name, path.child('name')));
  if (!asString(ctr['image'])) errs.push(field.required(path.child('image')));
  const tmp = asString(ctr['terminationMessagePolicy']);
  if (!tmp) errs.push(field.required(path.child('terminationMessagePolicy')));
  else if (!TERMINATION_MESSAGE_POLICIES.includes(tmp))
    errs.push(field.notSupported(path.child('terminationMessagePolicy'), tmp, TERMINATION_MESSAGE_POLICIES));
  errs.push(...validateContainerPorts(ctr['ports'], path.child('ports')));
  errs.push(...validateEnv(ctr['env'], path.child('env')));
  errs.push(...validateEnvFrom(ctr['envFrom'], path.child('envFrom')));
  errs.push(...validateVolumeMounts(ctr['volumeMounts'], volumes, path.child('volumeMounts')));
  const pull = asString(ctr['imagePullPolicy']);
  if (!pull) errs.push(field.required(path.child('imagePullPolicy')));
  else if (!PULL_POLICIES.includes(pull)) errs.push(field.notSupported(path.child('imagePullPolicy'), pull, PULL_POLICIES));
  errs.push(...validateResourceRequirements(ctr['resources'], path.child('resources')));
  return errs;
}

/** Probes and lifecycle hooks, allowed on regular containers (and restartable init containers). */
export function validateContainerProbes(raw: unknown, path: Path): ErrorList {
  const ctr = asRecord(raw);
  const errs: ErrorList = [];
  const lifecycle = asRecord(ctr['lifecycle']);
  for (const hook of ['postStart', 'preStop'])
    if (lifecycle[hook]) errs.push(...validateHandler(asRecord(lifecycle[hook]), path.child('lifecycle', hook), LIFECYCLE_HANDLERS));
  errs.push(...validateProbe(ctr['livenessProbe'], path.child('livenessProbe'), 'liveness'));
  errs.push(...validateProbe(ctr['readinessProbe'], path.child('readinessProbe'), 'readiness'));
  errs.push(...validateProbe(ctr['startupProbe'], path.child('startupProbe'), 'startup'));
  return errs;
}

/** Host ports must not collide across the given containers (protocol/hostIP/port). */
export function checkHostPortConflicts(containers: unknown[], path: Path): ErrorList {
  const errs: ErrorList = [];
  const seen = new Set<string>();
  containers.forEach((raw, ci) => {
    asArray(asRecord(raw)['ports']).forEach((pr, pi) => {
      const port = asRecord(pr);
      const hostPort = port['hostPort'];
      if (!hostPort) return;
      const key = `${asString(port['protocol'])}/${asString(port['hostIP'])}/${String(hostPort)}`;
      if (seen.has(key)) errs.push(field.duplicate(path.index(ci).child('ports').index(pi).child('hostPort'), key));
      else seen.add(key);
    });
  });
  return errs;
}
