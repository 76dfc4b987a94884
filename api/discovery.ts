// Well-known labels of discovery.k8s.io/v1 EndpointSlices (k8s.io/api/discovery/v1).

/** The label tying an EndpointSlice to its Service. */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
/** Which controller manages an EndpointSlice. */
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
