// Service, Endpoints and EndpointSlice rules (pkg/apis/core/validation, pkg/apis/discovery).
import { type ErrorList, Path, field, asArray, asRecord, asString, asStringMap } from './field.js';
import { isDNS1123Subdomain, isQualifiedName, isValidIP, isValidPortNum, nameIsDNS1035Label, nameIsDNSSubdomain } from './names.js';
import { validateLabels, validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { PROTOCOLS, validateDNS1123Label, validatePortNumOrName } from './container.js';

type Obj = Record<string, unknown>;
const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const SESSION_AFFINITIES = ['ClientIP', 'None'];
const TRAFFIC_POLICIES = ['Cluster', 'Local'];
const IP_FAMILIES = ['IPv4', 'IPv6'];
const IP_FAMILY_POLICIES = ['PreferDualStack', 'RequireDualStack', 'SingleStack'];
const ADDRESS_TYPES = ['FQDN', 'IPv4', 'IPv6'];
const IP_ERROR = 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)';

export function clusterIPsOf(spec: Obj): string[] {
  const ips = asArray(spec['clusterIPs']).map(asString);
  if (ips.length === 0 && asString(spec['clusterIP'])) return [asString(spec['clusterIP'])];
  return ips;
}

function isHeadless(spec: Obj): boolean {
  return clusterIPsOf(spec)[0] === 'None';
}

function validateServicePort(port: Obj, requireName: boolean, names: Set<string>, path: Path): ErrorList {
  const errs: ErrorList = [];
  const name = asString(port['name']);
  if (requireName && !name) errs.push(field.required(path.child('name')));
  else if (name) {
    errs.push(...validateDNS1123Label(name, path.child('name')));
    if (names.has(name)) errs.push(field.duplicate(path.child('name'), name));
    else names.add(name);
  }
  const num = typeof port['port'] === 'number' ? port['port'] : 0;
  for (const m of isValidPortNum(num)) errs.push(field.invalid(path.child('port'), num, m));
  const protocol = asString(port['protocol']);
  if (!protocol) errs.push(field.required(path.child('protocol')));
  else if (!PROTOCOLS.includes(protocol)) errs.push(field.notSupported(path.child('protocol'), protocol, PROTOCOLS));
  errs.push(...validatePortNumOrName(port['targetPort'], path.child('targetPort')));
  // Allocation happens elsewhere; here a nodePort only has to be a port number.
  const nodePort = port['nodePort'];
  if (typeof nodePort === 'number' && (nodePort < 0 || nodePort > 65535))
    errs.push(field.invalid(path.child('nodePort'), nodePort, 'must be between 0 and 65535, inclusive'));
  const appProtocol = port['appProtocol'];
  if (typeof appProtocol === 'string') for (const m of isQualifiedName(appProtocol)) errs.push(field.invalid(path.child('appProtocol'), appProtocol, m));
  return errs;
}

function validateClusterIPFields(spec: Obj, path: Path): ErrorList {
  const errs: ErrorList = [];
  const type = asString(spec['type']);
  const ips = asArray(spec['clusterIPs']).map(asString);
  const clusterIP = asString(spec['clusterIP']);
  if (type === 'ExternalName') return errs;
  if (ips.length > 0 && clusterIP !== ips[0]) errs.push(field.invalid(path.child('clusterIPs'), ips, 'first value must match `clusterIP`'));
  ips.forEach((ip, i) => {
    if (i === 0 && ip === 'None') return;
    if (ip === 'None') errs.push(field.invalid(path.child('clusterIPs').index(i), ip, "may only be set to 'None' on the first element"));
    else if (ip && !isValidIP(ip)) errs.push(field.invalid(path.child('clusterIPs').index(i), ip, IP_ERROR));
  });
  const policy = spec['ipFamilyPolicy'];
  if (policy !== undefined && policy !== null && !IP_FAMILY_POLICIES.includes(asString(policy)))
    errs.push(field.notSupported(path.child('ipFamilyPolicy'), policy, IP_FAMILY_POLICIES));
  const seen = new Set<string>();
  asArray(spec['ipFamilies']).forEach((f, i) => {
    const fam = asString(f);
    if (!IP_FAMILIES.includes(fam)) errs.push(field.notSupported(path.child('ipFamilies').index(i), fam, IP_FAMILIES));
    else if (seen.has(fam)) errs.push(field.duplicate(path.child('ipFamilies').index(i), fam));
    seen.add(fam);
  });
  return errs;
}

export function validateService(svc: Obj): ErrorList {
  const errs = validateObjectMeta(svc['metadata'], true, nameIsDNS1035Label, Path.root('metadata'));
  const spec = asRecord(svc['spec']);
  const path = Path.root('spec');
  const type = asString(spec['type']);
  const ports = asArray(spec['ports']);
  if (ports.length === 0 && !isHeadless(spec) && type !== 'ExternalName') errs.push(field.required(path.child('ports')));
  if ((type === 'LoadBalancer' || type === 'NodePort') && isHeadless(spec))
    errs.push(field.invalid(path.child('clusterIPs').index(0), 'None', `may not be set to 'None' for ${type} services`));
  if (type === 'ExternalName') {
    if (asArray(spec['clusterIPs']).length > 0 || asString(spec['clusterIP']))
      errs.push(field.forbidden(path.child('clusterIPs'), 'may not be set for ExternalName services'));
    if (asArray(spec['ipFamilies']).length > 0) errs.push(field.forbidden(path.child('ipFamilies'), 'may not be set for ExternalName services'));
    if (spec['ipFamilyPolicy'] !== undefined && spec['ipFamilyPolicy'] !== null)
      errs.push(field.forbidden(path.child('ipFamilyPolicy'), 'may not be set for ExternalName services'));
    const cname = asString(spec['externalName']).replace(/\.$/, '');
    if (!cname) errs.push(field.required(path.child('externalName')));
    else for (const m of isDNS1123Subdomain(cname)) errs.push(field.invalid(path.child('externalName'), cname, m));
  }
  const names = new Set<string>();
  ports.forEach((p, i) => errs.push(...validateServicePort(asRecord(p), ports.length > 1, names, path.child('ports').index(i))));
  if (spec['selector'] !== undefined && spec['selector'] !== null) errs.push(...validateLabels(spec['selector'], path.child('selector')));
  const affinity = asString(spec['sessionAffinity']);
  if (!affinity) errs.push(field.required(path.child('sessionAffinity')));
  else if (!SESSION_AFFINITIES.includes(affinity)) errs.push(field.notSupported(path.child('sessionAffinity'), affinity, SESSION_AFFINITIES));
  errs.push(...validateClusterIPFields(spec, path));
  asArray(spec['externalIPs']).forEach((ip, i) => {
    if (!isValidIP(asString(ip))) errs.push(field.invalid(path.child('externalIPs').index(i), asString(ip), IP_ERROR));
  });
  if (!type) errs.push(field.required(path.child('type')));
  else if (!SERVICE_TYPES.includes(type)) errs.push(field.notSupported(path.child('type'), type, SERVICE_TYPES));
  if (type === 'ClusterIP')
    ports.forEach((p, i) => {
      if (asRecord(p)['nodePort']) errs.push(field.forbidden(path.child('ports').index(i).child('nodePort'), "may not be used when `type` is 'ClusterIP'"));
    });
  const seenNodePorts = new Set<string>();
  const seenPorts = new Set<string>();
  ports.forEach((raw, i) => {
    const p = asRecord(raw);
    const protocol = asString(p['protocol']);
    if (p['nodePort']) {
      const key = `${protocol}/${String(p['nodePort'])}`;
      if (seenNodePorts.has(key)) errs.push(field.duplicate(path.child('ports').index(i).child('nodePort'), p['nodePort']));
      seenNodePorts.add(key);
    }
    const key = `${protocol}/${String(p['port'])}`;
    if (seenPorts.has(key)) errs.push(field.duplicate(path.child('ports').index(i), { port: p['port'], protocol }));
    seenPorts.add(key);
  });
  const external = type === 'NodePort' || type === 'LoadBalancer' || asArray(spec['externalIPs']).length > 0;
  const etp = asString(spec['externalTrafficPolicy']);
  if (!external && etp) errs.push(field.invalid(path.child('externalTrafficPolicy'), etp, 'may only be set for externally-accessible services'));
  if (external && !etp) errs.push(field.required(path.child('externalTrafficPolicy')));
  if (etp && !TRAFFIC_POLICIES.includes(etp)) errs.push(field.notSupported(path.child('externalTrafficPolicy'), etp, TRAFFIC_POLICIES));
  const itp = spec['internalTrafficPolicy'];
  if ((itp === undefined || itp === null) && (type === 'ClusterIP' || type === 'NodePort' || type === 'LoadBalancer'))
    errs.push(field.required(path.child('internalTrafficPolicy')));
  if (itp !== undefined && itp !== null && !TRAFFIC_POLICIES.includes(asString(itp)))
    errs.push(field.notSupported(path.child('internalTrafficPolicy'), itp, TRAFFIC_POLICIES));
  return errs;
}

/**
 * clusterIPs may not change once allocated (switching to or from ExternalName aside). An
 * update that leaves them empty keeps the old ones, as k8s's registry copies them over.
 */
export function validateServiceUpdate(svc: Obj, old: Obj): ErrorList {
  const errs = validateObjectMetaUpdate(svc['metadata'], old['metadata'], Path.root('metadata'));
  const spec = asRecord(svc['spec']);
  const oldSpec = asRecord(old['spec']);
  const newIPs = clusterIPsOf(spec);
  const oldIPs = clusterIPsOf(oldSpec);
  const externalName = spec['type'] === 'ExternalName' || oldSpec['type'] === 'ExternalName';
  const path = Path.root('spec', 'clusterIPs');
  if (!externalName && newIPs.length > 0 && !(isHeadless(spec) && isHeadless(oldSpec))) {
    if (newIPs.length === oldIPs.length) {
      oldIPs.forEach((ip, i) => {
        if (ip !== newIPs[i]) errs.push(field.invalid(path.index(i), newIPs, 'may not change once set'));
      });
    } else if (oldIPs.length > 0 && oldIPs[0] !== newIPs[0]) {
      errs.push(field.invalid(path.index(0), newIPs, 'may not change once set'));
    }
  }
  // Validate the object as it will be stored: empty clusterIPs carried over from the old object.
  const effective = newIPs.length === 0 && !externalName ? { ...svc, spec: { ...spec, clusterIP: oldSpec['clusterIP'], clusterIPs: oldSpec['clusterIPs'] } } : svc;
  errs.push(...validateService(effective).filter((e) => !e.field.startsWith('metadata.')));
  return errs;
}

function validateEndpointPort(port: Obj, requireName: boolean, path: Path): ErrorList {
  const errs: ErrorList = [];
  const name = asString(port['name']);
  if (requireName && !name) errs.push(field.required(path.child('name')));
  else if (name) errs.push(...validateDNS1123Label(name, path.child('name')));
  const num = typeof port['port'] === 'number' ? port['port'] : 0;
  for (const m of isValidPortNum(num)) errs.push(field.invalid(path.child('port'), num, m));
  const protocol = asString(port['protocol']);
  if (!protocol) errs.push(field.required(path.child('protocol')));
  else if (!PROTOCOLS.includes(protocol)) errs.push(field.notSupported(path.child('protocol'), protocol, PROTOCOLS));
  return errs;
}

export function validateEndpoints(ep: Obj): ErrorList {
  const errs = validateObjectMeta(ep['metadata'], true, nameIsDNSSubdomain, Path.root('metadata'));
  asArray(ep['subsets']).forEach((rawSubset, si) => {
    const subset = asRecord(rawSubset);
    const sp = Path.root('subsets').index(si);
    for (const kind of ['addresses', 'notReadyAddresses'])
      asArray(subset[kind]).forEach((a, ai) => {
        const ip = asString(asRecord(a)['ip']);
        if (!isValidIP(ip)) errs.push(field.invalid(sp.child(kind).index(ai).child('ip'), ip, IP_ERROR));
      });
    const ports = asArray(subset['ports']);
    ports.forEach((p, pi) => errs.push(...validateEndpointPort(asRecord(p), ports.length > 1, sp.child('ports').index(pi))));
  });
  return errs;
}

export function validateEndpointSlice(slice: Obj): ErrorList {
  const errs = validateObjectMeta(slice['metadata'], true, nameIsDNSSubdomain, Path.root('metadata'));
  const addressType = asString(slice['addressType']);
  if (!addressType) errs.push(field.required(Path.root('addressType')));
  else if (!ADDRESS_TYPES.includes(addressType)) errs.push(field.notSupported(Path.root('addressType'), addressType, ADDRESS_TYPES));
  asArray(slice['endpoints']).forEach((raw, i) => {
    const ep = asRecord(raw);
    const p = Path.root('endpoints').index(i);
    const addresses = asArray(ep['addresses']).map(asString);
    if (addresses.length === 0) errs.push(field.required(p.child('addresses'), 'must contain at least 1 address'));
    else if (addresses.length > 100) errs.push(field.invalid(p.child('addresses'), addresses.length, 'must not have more than 100 addresses'));
    addresses.forEach((a, ai) => {
      const ok = addressType === 'FQDN' ? isDNS1123Subdomain(a).length === 0 : isValidIP(a);
      if (!ok) errs.push(field.invalid(p.child('addresses').index(ai), a, addressType === 'FQDN' ? 'must be a valid FQDN' : IP_ERROR));
    });
    errs.push(...validateLabels(asStringMap(ep['deprecatedTopology']), p.child('deprecatedTopology')));
  });
  const names = new Set<string>();
  asArray(slice['ports']).forEach((raw, i) => {
    const port = asRecord(raw);
    const p = Path.root('ports').index(i);
    const name = asString(port['name']);
    if (name) errs.push(...validateDNS1123Label(name, p.child('name')));
    if (names.has(name)) errs.push(field.duplicate(p.child('name'), name));
    names.add(name);
    if (port['port'] !== undefined && port['port'] !== null)
      for (const m of isValidPortNum(Number(port['port']))) errs.push(field.invalid(p.child('port'), port['port'], m));
    const protocol = asString(port['protocol']);
    if (!protocol) errs.push(field.required(p.child('protocol')));
    else if (!PROTOCOLS.includes(protocol)) errs.push(field.notSupported(p.child('protocol'), protocol, PROTOCOLS));
  });
  return errs;
}
