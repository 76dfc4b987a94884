// The audit.k8s.io/v1 types (k8s.io/apiserver/pkg/apis/audit/v1/types.go): the Policy a cluster
// admin writes and the Events the apiserver logs. Audit is not a served API, so
// kubernetes-types has no copy of these; they are written out here with Kubernetes' field names
// and JSON order.
import type { Status } from 'kubernetes-types/meta/v1';

export const AUDIT_API_VERSION = 'audit.k8s.io/v1';

/** How much of a request is logged, in increasing order. */
export type Level = 'None' | 'Metadata' | 'Request' | 'RequestResponse';
export const LEVELS: readonly Level[] = ['None', 'Metadata', 'Request', 'RequestResponse'];

export function levelAtLeast(level: Level, min: Level): boolean {
  return LEVELS.indexOf(level) >= LEVELS.indexOf(min);
}

/** The points in a request's life an event is written at. */
export type Stage = 'RequestReceived' | 'ResponseStarted' | 'ResponseComplete' | 'Panic';
export const STAGES: readonly Stage[] = ['RequestReceived', 'ResponseStarted', 'ResponseComplete', 'Panic'];

export interface GroupResources {
  /** '' is the core group. */
  group?: string;
  // `pods`, `pods/log`, `pods/*` (pods and its subresources), `*/scale` (that subresource of anything),
  // `*`; empty or absent = every resource of the group.
  resources?: string[];
  resourceNames?: string[];
}

export interface PolicyRule {
  level: Level;
  users?: string[];
  userGroups?: string[];
  verbs?: string[];
  resources?: GroupResources[];
  /** '' matches cluster-scoped resources (and only resource requests). */
  namespaces?: string[];
  /** Exact paths, or a prefix ending in `*`. */
  nonResourceURLs?: string[];
  omitStages?: Stage[];
  /** Unset: the policy's own omitManagedFields applies. */
  omitManagedFields?: boolean;
}

export interface Policy {
  apiVersion: typeof AUDIT_API_VERSION;
  kind: 'Policy';
  metadata?: { name?: string; [k: string]: unknown };
  rules: PolicyRule[];
  /** Stages no event is written at, for every request (joined to each rule's). */
  omitStages?: Stage[];
  omitManagedFields?: boolean;
}

/** What the policy decided for one request (auditinternal.RequestAuditConfig). */
export interface RequestAuditConfig {
  level: Level;
  omitStages: Stage[];
  omitManagedFields: boolean;
}

export interface EventUser {
  username?: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

export interface ObjectReference {
  resource?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  apiGroup?: string;
  apiVersion?: string;
  resourceVersion?: string;
  subresource?: string;
}

/** metav1.Status as audit keeps it: the bounded fields only (no kind/apiVersion). */
export type ResponseStatus = Pick<Status, 'status' | 'message' | 'reason' | 'details'> & { metadata: Record<string, never>; code: number };

export interface AuditEvent {
  kind: 'Event';
  apiVersion: typeof AUDIT_API_VERSION;
  level: Exclude<Level, 'None'>;
  auditID: string;
  stage: Stage;
  requestURI: string;
  verb: string;
  user: EventUser;
  impersonatedUser?: EventUser;
  sourceIPs?: string[];
  userAgent?: string;
  objectRef?: ObjectReference;
  responseStatus?: ResponseStatus;
  requestObject?: unknown;
  responseObject?: unknown;
  /** metav1.MicroTime: RFC 3339 with six fractional digits. */
  requestReceivedTimestamp: string;
  stageTimestamp: string;
  annotations?: Record<string, string>;
}
