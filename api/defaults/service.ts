// Service and endpoint defaults (core/v1 SetDefaults_Service plus the IP-family and clusterIPs
// normalisation the Service registry does before storing).
import { type Obj, ensureObj, isObj, objects, setDefault, setDefaultString } from './util.js';

export function defaultService(obj: Obj): void {
  const spec = ensureObj(obj, 'spec');
  setDefaultString(spec, 'sessionAffinity', 'None');
  setDefaultString(spec, 'type', 'ClusterIP');
  if (spec['sessionAffinity'] === 'ClientIP') {
    const cfg = ensureObj(ensureObj(spec, 'sessionAffinityConfig'), 'clientIP');
    setDefault(cfg, 'timeoutSeconds', 10800);
  }
  for (const port of objects(spec['ports'])) {
    setDefaultString(port, 'protocol', 'TCP');
    // targetPort defaults to port; 0 and "" both mean unset (IntOrString zero value).
    if (port['targetPort'] === undefined || port['targetPort'] === null || port['targetPort'] === 0 || port['targetPort'] === '')
      port['targetPort'] = port['port'];
  }
  const type = spec['type'];
  if (type === 'NodePort' || type === 'LoadBalancer') setDefaultString(spec, 'externalTrafficPolicy', 'Cluster');
  if (type === 'LoadBalancer') setDefault(spec, 'allocateLoadBalancerNodePorts', true);
  if (type === 'ExternalName') return;
  setDefaultString(spec, 'internalTrafficPolicy', 'Cluster');
  // clusterIP and clusterIPs[0] always agree once stored.
  const clusterIP = typeof spec['clusterIP'] === 'string' ? spec['clusterIP'] : '';
  const clusterIPs = Array.isArray(spec['clusterIPs']) ? spec['clusterIPs'] : [];
  if (clusterIP && clusterIPs.length === 0) spec['clusterIPs'] = [clusterIP];
  if (!clusterIP && typeof clusterIPs[0] === 'string') spec['clusterIP'] = clusterIPs[0];
  setDefaultString(spec, 'ipFamilyPolicy', 'SingleStack');
  if (!Array.isArray(spec['ipFamilies']) || spec['ipFamilies'].length === 0) {
    const first = Array.isArray(spec['clusterIPs']) ? spec['clusterIPs'][0] : undefined;
    spec['ipFamilies'] = [typeof first === 'string' && first.includes(':') ? 'IPv6' : 'IPv4'];
  }
}

/**
 * On update, a Service that omits clusterIP/clusterIPs (as `kubectl replace` manifests do)
 * keeps the allocated ones, and NodePorts stay as allocated — k8s's registry copies them over.
 * Call before defaulting/validating an update.
 */
export function preserveServiceAllocations(obj: Obj, old: Obj): void {
  const spec = ensureObj(obj, 'spec');
  const oldSpec = isObj(old['spec']) ? old['spec'] : {};
  dropTypeDependentFields(spec, oldSpec);
  if (spec['type'] === 'ExternalName' || oldSpec['type'] === 'ExternalName') return;
  const empty = (v: unknown): boolean => v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);
  if (empty(spec['clusterIP']) && empty(spec['clusterIPs'])) {
    if (!empty(oldSpec['clusterIP'])) spec['clusterIP'] = oldSpec['clusterIP'];
    if (!empty(oldSpec['clusterIPs'])) spec['clusterIPs'] = oldSpec['clusterIPs'];
  }
  if (empty(spec['ipFamilies']) && !empty(oldSpec['ipFamilies'])) spec['ipFamilies'] = oldSpec['ipFamilies'];
  if (empty(spec['ipFamilyPolicy']) && !empty(oldSpec['ipFamilyPolicy'])) spec['ipFamilyPolicy'] = oldSpec['ipFamilyPolicy'];
  // Only between two types that both use node ports (k8s patchAllocatedValues).
  if (!needsNodePort(spec) || !needsNodePort(oldSpec)) return;
  const oldPorts = objects(oldSpec['ports']);
  for (const port of objects(spec['ports'])) {
    if (port['nodePort']) continue;
    const match = oldPorts.find((p) => p['port'] === port['port'] && (p['protocol'] ?? 'TCP') === (port['protocol'] ?? 'TCP'));
    if (match && match['nodePort']) port['nodePort'] = match['nodePort'];
  }
}

function needsNodePort(spec: Obj): boolean {
  return spec['type'] === 'NodePort' || (spec['type'] === 'LoadBalancer' && spec['allocateLoadBalancerNodePorts'] !== false);
}

/**
 * k8s dropTypeDependentFields: switching to a type that does not use node ports (or cluster
 * IPs, for ExternalName) clears the values the update merely carried over from the old object,
 * so `type: ClusterIP` on a NodePort Service releases its ports instead of failing validation.
 */
function dropTypeDependentFields(spec: Obj, oldSpec: Obj): void {
  const nodePortsOf = (s: Obj): string =>
    JSON.stringify(objects(s['ports']).map((p) => p['nodePort']).filter((n) => typeof n === 'number' && n > 0).sort());
  if (needsNodePort(oldSpec) && !needsNodePort(spec) && nodePortsOf(spec) === nodePortsOf(oldSpec)) {
    for (const port of objects(spec['ports'])) delete port['nodePort'];
  }
  const external = spec['type'] === 'NodePort' || spec['type'] === 'LoadBalancer' || (Array.isArray(spec['externalIPs']) && spec['externalIPs'].length > 0);
  if (!external && spec['externalTrafficPolicy'] === oldSpec['externalTrafficPolicy']) delete spec['externalTrafficPolicy'];
  if (oldSpec['type'] === 'LoadBalancer' && spec['type'] !== 'LoadBalancer') {
    for (const f of ['allocateLoadBalancerNodePorts', 'loadBalancerClass', 'healthCheckNodePort']) if (spec[f] === oldSpec[f]) delete spec[f];
  }
  const ipsOf = (s: Obj): string => JSON.stringify([s['clusterIP'] ?? '', s['clusterIPs'] ?? []]);
  if (oldSpec['type'] !== 'ExternalName' && spec['type'] === 'ExternalName' && ipsOf(spec) === ipsOf(oldSpec)) {
    delete spec['clusterIP'];
    delete spec['clusterIPs'];
    delete spec['ipFamilies'];
    delete spec['ipFamilyPolicy'];
  }
}

export function defaultEndpoints(obj: Obj): void {
  for (const subset of objects(obj['subsets'])) for (const port of objects(subset['ports'])) setDefaultString(port, 'protocol', 'TCP');
}

export function defaultEndpointSlice(obj: Obj): void {
  for (const port of objects(obj['ports'])) {
    setDefault(port, 'name', '');
    setDefaultString(port, 'protocol', 'TCP');
  }
}
