// Table printer for apiregistration.k8s.io/v1 APIServices, with kube-aggregator's columns
// (pkg/registry/apiservice/etcd: Name, Service, Available, Age): the Service as
// `namespace/name` or `Local`, availability as `True` or `False (Reason)`.
import type { APIService } from '../../api/apiregistration.js';
import { availableCondition } from '../../api/apiregistration.js';
import { column, printer, NAME_COLUMN, AGE_COLUMN, objectName as name, objectAge as age, type TablePrinter } from './format.js';

function available(o: APIService): string {
  const c = availableCondition(o);
  if (!c) return 'Unknown';
  return c.status === 'True' ? 'True' : `${c.status} (${c.reason ?? ''})`;
}

export const apiServicePrinter = printer<APIService>(
  [NAME_COLUMN, column('Service', 'string', 'The reference to the service that hosts this API endpoint.'), column('Available', 'string', 'Whether this service is available.'), AGE_COLUMN],
  (o, now) => [name(o), o.spec?.service ? `${o.spec.service.namespace}/${o.spec.service.name}` : 'Local', available(o), age(o, now)],
);

export const apiRegistrationPrinters: Record<string, TablePrinter> = {
  'apiregistration.k8s.io/apiservices': apiServicePrinter,
};
