// networking.k8s.io/v1 Ingress, IngressClass and NetworkPolicy: the main rules of
// pkg/apis/networking/validation (paths, pathType, backends, controller, policyTypes, ports, ipBlock).
import { type ErrorList, Path, field, asArray, asRecord, asString } from './field.js';
import { nameIsDNSSubdomain } from './names.js';
import { validateLabelSelector, validateObjectMeta } from './meta.js';
import { tryParseCidr } from '../net.js';


type Obj = Record<string, unknown>;
const PATH_TYPES = ['Exact', 'ImplementationSpecific', 'Prefix'];
const POLICY_TYPES = ['Egress', 'Ingress'];
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];

function validateBackend(b: Obj, path: Path): ErrorList {
  const errs: ErrorList = [];
  const hasService = b['service'] !== undefined && b['service'] !== null;
  const hasResource = b['resource'] !== undefined && b['resource'] !== null;
  if (hasService && hasResource) errs.push(field.invalid(path, '', 'cannot set both resource and service backends'));
  else if (!hasService && !hasResource) errs.push(field.invalid(path, '', 'resource or service backend is required'));
  if (hasService) {
    const svc = asRecord(b['service']);
    const sp = path.child('service');
    if (!asString(svc['name'])) errs.push(field.required(sp.child('name')));
    const port = asRecord(svc['port']);
    const hasName = asString(port['name']) !== '';
    const hasNumber = typeof port['number'] === 'number' && port['number'] !== 0;
    if (hasName && hasNumber) errs.push(field.invalid(sp.child('port'), port, 'cannot set both port name & port number'));
    else if (!hasName && !hasNumber) errs.push(field.required(sp.child('port'), 'port name or number is required'));
    else if (hasNumber && ((port['number'] as number) < 1 || (port['number'] as number) > 65535))
      errs.push(field.invalid(sp.child('port', 'number'), port['number'], 'must be between 1 and 65535, inclusive'));
  }
  if (hasResource) {
    const res = asRecord(b['resource']);
    if (!asString(res['kind'])) errs.push(field.required(path.child('resource', 'kind')));
    if (!asString(res['name'])) errs.push(field.required(path.child('resource', 'name')));
  }
  return errs;
}

export function validateIngress(o: Obj): ErrorList {
  const errs = validateObjectMeta(o['metadata'], true, nameIsDNSSubdomain, Path.root('metadata'));
  const spec = asRecord(o['spec']);
  const sp = Path.root('spec');
  const rules = asArray(spec['rules']);
  if (spec['defaultBackend'] !== undefined && spec['defaultBackend'] !== null)
    errs.push(...validateBackend(asRecord(spec['defaultBackend']), sp.child('defaultBackend')));
  else if (rules.length === 0) errs.push(field.invalid(sp, '', 'either `defaultBackend` or `rules` must be specified'));
  rules.forEach((rule, i) => {
    const rp = sp.child('rules').index(i);
    const r = asRecord(rule);
    const host = asString(r['host']);
    if (host && !/^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(host))
      errs.push(field.invalid(rp.child('host'), host, "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.'"));
    if (r['http'] === undefined || r['http'] === null) return;
    const hp = rp.child('http', 'paths');
    const paths = asArray(asRecord(r['http'])['paths']);
    if (paths.length === 0) errs.push(field.required(hp));
    paths.forEach((p, j) => {
      const pp = hp.index(j);
      const path = asRecord(p);
      const pathType = asString(path['pathType']);
      const value = asString(path['path']);
      if (!pathType) errs.push(field.required(pp.child('pathType'), 'pathType must be specified'));
      else if (!PATH_TYPES.includes(pathType)) errs.push(field.notSupported(pp.child('pathType'), pathType, PATH_TYPES));
      if ((pathType === 'Exact' || pathType === 'Prefix') && !value.startsWith('/'))
        errs.push(field.invalid(pp.child('path'), value, "must be an absolute path"));
      errs.push(...validateBackend(asRecord(path['backend']), pp.child('backend')));
    });
  });
  return errs;
}

export function validateIngressClass(o: Obj): ErrorList {
  const errs = validateObjectMeta(o['metadata'], false, nameIsDNSSubdomain, Path.root('metadata'));
  const spec = asRecord(o['spec']);
  const controller = asString(spec['controller']);
  if (!controller) errs.push(field.required(Path.root('spec', 'controller')));
  else if (controller.length > 250) errs.push(field.tooLong(Path.root('spec', 'controller'), 250));
  return errs;
}

function validatePeers(peers: unknown[], path: Path): ErrorList {
  const errs: ErrorList = [];
  peers.forEach((peer, i) => {
    const p = asRecord(peer);
    const pp = path.index(i);
    if (p['podSelector']) errs.push(...validateLabelSelector(p['podSelector'], pp.child('podSelector')));
    if (p['namespaceSelector']) errs.push(...validateLabelSelector(p['namespaceSelector'], pp.child('namespaceSelector')));
    if (p['ipBlock'] === undefined || p['ipBlock'] === null) {
      if (!p['podSelector'] && !p['namespaceSelector']) errs.push(field.required(pp, 'must specify a peer'));
      return;
    }
    if (p['podSelector'] || p['namespaceSelector']) errs.push(field.forbidden(pp, 'may not specify more than 1 peer type'));
    const block = asRecord(p['ipBlock']);
    const cidrText = asString(block['cidr']);
    const cidr = cidrText ? tryParseCidr(cidrText) : undefined;
    if (!cidrText) errs.push(field.required(pp.child('ipBlock', 'cidr')));
    else if (!cidr) errs.push(field.invalid(pp.child('ipBlock', 'cidr'), cidrText, 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)'));
    asArray(block['except']).forEach((e, j) => {
      const text = asString(e);
      const ex = tryParseCidr(text);
      const ep = pp.child('ipBlock', 'except').index(j);
      if (!ex) errs.push(field.invalid(ep, text, 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)'));
      else if (cidr && (ex.family !== cidr.family || ex.prefix <= cidr.prefix || ex.base < cidr.base || ex.base >= cidr.base + cidr.size))
        errs.push(field.invalid(ep, text, 'must be a strict subset of `cidr`'));
    });
  });
  return errs;
}

function validatePorts(ports: unknown[], path: Path): ErrorList {
  const errs: ErrorList = [];
  ports.forEach((port, i) => {
    const p = asRecord(port);
    const pp = path.index(i);
    const proto = asString(p['protocol']);
    if (proto && !PROTOCOLS.includes(proto)) errs.push(field.notSupported(pp.child('protocol'), proto, PROTOCOLS));
    const n = p['port'];
    if (typeof n === 'number' && (n < 1 || n > 65535)) errs.push(field.invalid(pp.child('port'), n, 'must be between 1 and 65535, inclusive'));
    const end = p['endPort'];
    if (end !== undefined && end !== null) {
      if (typeof n !== 'number') errs.push(field.required(pp.child('port'), 'must be specified when endPort is specified'));
      else if (typeof end === 'number' && end < n) errs.push(field.invalid(pp.child('endPort'), end, 'must be greater than or equal to `port`'));
    }
  });
  return errs;
}

export function validateNetworkPolicy(o: Obj): ErrorList {
  const errs = validateObjectMeta(o['metadata'], true, nameIsDNSSubdomain, Path.root('metadata'));
  const spec = asRecord(o['spec']);
  const sp = Path.root('spec');
  errs.push(...validateLabelSelector(spec['podSelector'] ?? {}, sp.child('podSelector')));
  asArray(spec['ingress']).forEach((rule, i) => {
    const rp = sp.child('ingress').index(i);
    errs.push(...validatePorts(asArray(asRecord(rule)['ports']), rp.child('ports')));
    errs.push(...validatePeers(asArray(asRecord(rule)['from']), rp.child('from')));
  });
  asArray(spec['egress']).forEach((rule, i) => {
    const rp = sp.child('egress').index(i);
    errs.push(...validatePorts(asArray(asRecord(rule)['ports']), rp.child('ports')));
    errs.push(...validatePeers(asArray(asRecord(rule)['to']), rp.child('to')));
  });
  const types = asArray(spec['policyTypes']);
  if (types.length > 2) errs.push(field.invalid(sp.child('policyTypes'), types, 'may not specify more than two policyTypes'));
  types.forEach((t, i) => {
    if (!POLICY_TYPES.includes(asString(t))) errs.push(field.notSupported(sp.child('policyTypes').index(i), t, POLICY_TYPES));
  });
  return errs;
}
