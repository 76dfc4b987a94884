// The trace's data model (issue 14 contract §2), shared by `kc trace` and the dashboard's
// waterfall. Browser-safe: type-only imports, no node:* modules, no RestClient — callers hand
// in a TraceGet over whatever transport they have (the kc REST client, the dashboard's proxy).
import type { Event as CoreEvent, ObjectReference } from 'kubernetes-types/core/v1';

/** One GET: the HTTP status and the parsed JSON body (a Status on errors). */
export type TraceGet = (path: string) => Promise<{ status: number; body: unknown }>;

export interface TraceRef {
  kind: string;
  namespace: string;
  name: string;
}

export type StepSource = 'audit' | 'event' | 'condition' | 'milestone' | 'none';

export interface TraceStep {
  /** RFC 3339 with milliseconds; null = unknown (no data for this hop — never guessed). */
  at: string | null;
  /** From the timeline's start; null when `at` is. */
  offsetMs: number | null;
  /** From the previous step whose time is known; null for the first known step and unknown steps. */
  hopMs: number | null;
  /** Who did it: `kubernetes-admin (kubectl)`, `deployment-controller`, `kubelet node-1`… */
  actor: string;
  action: string;
  /** `Kind/name`. */
  object: string;
  source: StepSource;
  detail?: string;
}

export interface Timeline {
  root: TraceRef & { uid: string };
  /** The earliest known time (RFC 3339 ms); '' when no step has a time. */
  start: string;
  steps: TraceStep[];
  /** Why some hops are unknown (e.g. the audit index refused with 403). */
  notes?: string[];
}

/** audit.k8s.io/v1 Event, the fields a trace reads (Metadata level). */
export interface AuditEvent {
  verb?: string;
  stage?: string;
  user?: { username?: string; groups?: string[] };
  impersonatedUser?: { username?: string };
  userAgent?: string;
  objectRef?: { resource?: string; namespace?: string; name?: string; uid?: string; apiGroup?: string; subresource?: string };
  responseStatus?: { code?: number };
  requestReceivedTimestamp?: string;
  stageTimestamp?: string;
}

/** An object of the traced tree, as fetched, with its place in the causal chain. */
export interface TracedObject {
  kind: string;
  namespace: string;
  name: string;
  uid: string;
  /** The uids from the root down to this object (causal ancestors first, this object last). */
  chain: string[];
  /** The controller owner's kind, when it has one (names the controller that created it). */
  ownerKind?: string;
  ownerName?: string;
  /** The object itself (spec/status read by the timeline: conditions, nodeName, endpoints…). */
  object: { metadata?: { creationTimestamp?: string; ownerReferences?: { kind: string; name: string; uid: string; controller?: boolean }[] }; [k: string]: unknown };
}

/** How the audit index answered: `ok`, or why its hops are unknown. */
export interface AuditAvailability {
  status: 'ok' | 'forbidden' | 'unavailable' | 'error';
  code?: number;
  message?: string;
}

/** Everything collectTrace gathered; buildTimeline turns it into steps without any I/O. */
export interface TraceData {
  root: TraceRef & { uid: string };
  objects: TracedObject[];
  /** Core Events whose involvedObject.uid is one of the objects'. */
  events: CoreEvent[];
  audit: AuditAvailability;
  /** Audit events by object uid (ResponseComplete, as the index serves them). */
  auditByUid: Record<string, AuditEvent[]>;
  /** Reads that were refused or cut short (they make some hops unknown). */
  notes?: string[];
}

/** A failed GET of the traced object itself, carrying the apiserver's Status. */
export class TraceError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    message: string,
  ) {
    super(message);
  }
}

export type { CoreEvent, ObjectReference };
