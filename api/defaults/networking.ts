// networking.k8s.io/v1 defaults (pkg/apis/networking/v1/defaults.go). Ingress and IngressClass
// have none in v1 (pathType is required, not defaulted).
import { type Obj, ensureObj, objects, setDefaultString } from './util.js';

/** Ports default to TCP; policyTypes to Ingress, plus Egress when egress rules are given. */
export function defaultNetworkPolicy(obj: Obj): void {
  const spec = ensureObj(obj, 'spec');
  ensureObj(spec, 'podSelector');
  for (const rule of [...objects(spec['ingress']), ...objects(spec['egress'])])
    for (const port of objects(rule['ports'])) setDefaultString(port, 'protocol', 'TCP');
  if (!Array.isArray(spec['policyTypes']) || spec['policyTypes'].length === 0)
    spec['policyTypes'] = Array.isArray(spec['egress']) && spec['egress'].length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
}
