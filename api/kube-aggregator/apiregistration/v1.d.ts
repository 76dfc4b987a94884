// apiregistration.k8s.io/v1 (k8s.io/kube-aggregator/pkg/apis/apiregistration/v1), written in
// kubernetes-types' shape because that package does not ship the aggregator's types:
// scripts/gen-openapi.mjs turns these declarations into the OpenAPI definitions
// `io.k8s.kube-aggregator.pkg.apis.apiregistration.v1.*`, and api/apiregistration.ts re-exports them.
import { ListMeta, ObjectMeta } from "kubernetes-types/meta/v1";
/** An APIService says which server serves one group-version of the API: this apiserver itself ("Local") or a Service's backends. */
export interface APIService {
    /** APIVersion of this object's schema. */
    apiVersion?: "apiregistration.k8s.io/v1";
    /** Kind of this object. */
    kind?: "APIService";
    /** Standard object metadata; the name is `<version>.<group>`. */
    metadata?: ObjectMeta;
    /** Where and how the group-version is served. */
    spec: APIServiceSpec;
    /** Whether the group-version is available. */
    status?: APIServiceStatus;
}
/** A list of APIServices. */
export interface APIServiceList {
    /** APIVersion of this object's schema. */
    apiVersion?: "apiregistration.k8s.io/v1";
    /** The APIServices. */
    items: APIService[];
    /** Kind of this object. */
    kind?: "APIServiceList";
    /** Standard list metadata. */
    metadata?: ListMeta;
}
/** Where an aggregated group-version is served, and how to reach it. */
export interface APIServiceSpec {
    /** PEM bundle (base64 in JSON) that the server's serving certificate must chain to. */
    caBundle?: string;
    /** The API group served. */
    group?: string;
    /** Orders the group in discovery: higher first. The group's priority is the highest of its APIServices'. */
    groupPriorityMinimum: number;
    /** Skip verifying the server's certificate. Discouraged: set caBundle instead. */
    insecureSkipTLSVerify?: boolean;
    /** The Service whose backends serve the group-version; none means this apiserver serves it itself. */
    service?: ServiceReference;
    /** The API version served. */
    version?: string;
    /** Orders versions inside the group: higher first, then by Kubernetes version order. */
    versionPriority: number;
}
/** The observed state of an APIService. */
export interface APIServiceStatus {
    /** The current conditions: Available. */
    conditions?: APIServiceCondition[];
}
/** One condition of an APIService. */
export interface APIServiceCondition {
    /** When the status last changed. */
    lastTransitionTime?: string;
    /** A human-readable account of the last change. */
    message?: string;
    /** A CamelCase reason for the last change (Local, Passed, ServiceNotFound, FailedDiscoveryCheck…). */
    reason?: string;
    /** True, False or Unknown. */
    status: "True" | "False" | "Unknown";
    /** The condition's type: Available. */
    type: "Available";
}
/** A Service by namespace and name, and the port to use. */
export interface ServiceReference {
    /** The Service's name. */
    name?: string;
    /** The Service's namespace. */
    namespace?: string;
    /** A port of the Service (default 443). */
    port?: number;
}
