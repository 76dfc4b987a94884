// apiregistration.k8s.io/v1 APIService (k8s.io/kube-aggregator/pkg/apis/apiregistration/v1):
// the types (declared in kube-aggregator/apiregistration/v1.d.ts, in kubernetes-types' shape,
// which also feeds the OpenAPI generator) and small helpers.
import type { APIService, APIServiceCondition } from './kube-aggregator/apiregistration/v1.js';

export type { APIService, APIServiceCondition, APIServiceList, APIServiceSpec, APIServiceStatus, ServiceReference } from './kube-aggregator/apiregistration/v1.js';

export const APIREGISTRATION_GROUP = 'apiregistration.k8s.io';

/** The Available condition of an APIService, if it has one. */
export function availableCondition(svc: Pick<APIService, 'status'>): APIServiceCondition | undefined {
  return svc.status?.conditions?.find((c) => c.type === 'Available');
}

/** The label the autoregister controller marks the APIServices it manages with. */
export const AUTOREGISTER_LABEL = 'kube-aggregator.kubernetes.io/automanaged';
