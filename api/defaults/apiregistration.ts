// apiregistration.k8s.io/v1 defaults (kube-aggregator's SetDefaults_ServiceReference): a
// Service reference's port is 443 unless given.
import { type Obj } from './util.js';

export function defaultAPIService(o: Obj): void {
  const spec = o['spec'];
  if (!spec || typeof spec !== 'object') return;
  const svc = (spec as Obj)['service'];
  if (svc && typeof svc === 'object' && (svc as Obj)['port'] === undefined) (svc as Obj)['port'] = 443;
}
