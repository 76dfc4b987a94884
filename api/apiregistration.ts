// apiregistration.k8s.io/v1 APIService (k8s.io/kube-aggregator/pkg/apis/apiregistration/v1):
// kubernetes-types does not ship the aggregator's types, so they are declared here, field for
// field as upstream names them.
import type { ObjectMeta } from 'kubernetes-types/meta/v1';

export const APIREGISTRATION_GROUP = 'apiregistration.k8s.io';

export interface ServiceReference {
  namespace?: string;
  name?: string;
  /** Defaults to 443. */
  port?: number;
}

export interface APIServiceSpec {
  /** Where the group/version is served; absent: by this apiserver itself ("Local"). */
  service?: ServiceReference | null;
  group?: string;
  version?: string;
  insecureSkipTLSVerify?: boolean;
  /** Base64 PEM (a []byte in Go). */
  caBundle?: string;
  groupPriorityMinimum: number;
  versionPriority: number;
}

export type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface APIServiceCondition {
  type: 'Available';
  status: ConditionStatus;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface APIServiceStatus {
  conditions?: APIServiceCondition[];
}

export interface APIService {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  spec: APIServiceSpec;
  status?: APIServiceStatus;
}

/** The Available condition of an APIService, if it has one. */
export function availableCondition(svc: Pick<APIService, 'status'>): APIServiceCondition | undefined {
  return svc.status?.conditions?.find((c) => c.type === 'Available');
}

/** The label the autoregister controller marks the APIServices it manages with. */
export const AUTOREGISTER_LABEL = 'kube-aggregator.kubernetes.io/automanaged';
