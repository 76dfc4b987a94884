// Builds audit.k8s.io/v1 Events from what the handler chain learnt about a request
// (k8s.io/apiserver/pkg/audit/request.go: LogRequestMetadata, LogRequestObject,
// LogResponseObject). Pure functions: the plugin decides when, this file decides what.
import type { UserInfo } from '../../api/user.js';
import type { RequestContext } from '../auth/context.js';
import { decodeBody } from '../handlers/encoding.js';
import { AUDIT_API_VERSION, levelAtLeast, type AuditEvent, type EventUser, type Level, type ObjectReference, type ResponseStatus, type Stage } from './types.js';

const MAX_USER_AGENT_LENGTH = 1024;
const USER_AGENT_TRUNCATE_SUFFIX = '...TRUNCATED';

// ---- time ------------------------------------------------------------------------------------

/** metav1.MicroTime: `2026-12-02T20:31:51.123456Z` (UTC, always six fractional digits). */
// Not api/time.ts's metaMicroTime: that one pads milliseconds, audit stage times carry real microseconds.
export function microTime(epochMs: number): string {
  // Whole microseconds first: the fraction of a float this size is off by a fraction of one.
  const micros = Math.round(epochMs * 1000);
  const iso = new Date(Math.floor(micros / 1000)).toISOString(); // …:51.123Z
  return `${iso.slice(0, -1)}${String(micros % 1000).padStart(3, '0')}Z`;
}

// Date.now() has whole milliseconds; performance.now() has microseconds but a monotonic clock.
// Wall time with microseconds is the monotonic clock offset to the wall clock, re-anchored when
// the wall clock is stepped (NTP) so the two never drift apart by more than a few milliseconds.
let clockOffset = Date.now() - performance.now();

/** Now, in epoch milliseconds with a microsecond fraction. */
export function nowEpochMs(): number {
  const wall = Date.now();
  const t = clockOffset + performance.now();
  if (Math.abs(t - wall) < 2) return t;
  clockOffset = wall - performance.now();
  return wall;
}

// ---- users and objects -------------------------------------------------------------------------

export function eventUser(u: UserInfo | undefined): EventUser {
  if (!u) return {};
  return {
    username: u.username,
    ...(u.uid ? { uid: u.uid } : {}),
    ...(u.groups.length ? { groups: [...u.groups] } : {}),
    ...(u.extra && Object.keys(u.extra).length ? { extra: u.extra } : {}),
  };
}

export function truncateUserAgent(ua: string): string {
  return ua.length > MAX_USER_AGENT_LENGTH ? ua.slice(0, MAX_USER_AGENT_LENGTH) + USER_AGENT_TRUNCATE_SUFFIX : ua;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The object a resource request is about. Like Kubernetes' LogRequestObject, what the URL
 * leaves out (a create's name, an update's uid and resourceVersion) comes from the request
 * body's metadata — at every level, so a Metadata event of a create still names the object.
 * `objectUID` (the handler's, for the audit index) wins over the body's uid.
 */
export function objectRefOf(ctx: RequestContext, requestObject: unknown, objectUID?: string, objectName?: string): ObjectReference | undefined {
  const a = ctx.attributes;
  if (!a.resourceRequest) return undefined;
  const meta = isObj(requestObject) && isObj(requestObject.metadata) ? requestObject.metadata : {};
  const str = (v: unknown): string => (typeof v === 'string' ? v : '');
  const ref: ObjectReference = {};
  const set = (k: keyof ObjectReference, v: string): void => {
    if (v) ref[k] = v;
  };
  set('resource', a.resource);
  set('namespace', a.namespace || str(meta.namespace));
  set('name', a.name || objectName || str(meta.name));
  set('uid', objectUID || str(meta.uid));
  set('apiGroup', a.apiGroup);
  set('apiVersion', a.apiVersion);
  set('resourceVersion', str(meta.resourceVersion));
  set('subresource', a.subresource);
  return ref;
}

// ---- bodies ----------------------------------------------------------------------------------

/** A request or response body as the apiserver saw it; decoded only when an event needs it. */
export interface RawBody {
  data: Buffer | string;
  contentType: string | undefined;
}

/** JSON (and the YAML/protobuf the apiserver accepts) → object; anything else → undefined. */
export function decodeRawBody(body: RawBody | undefined): unknown {
  if (!body || body.data.length === 0) return undefined;
  try {
    return decodeBody(body.contentType, typeof body.data === 'string' ? Buffer.from(body.data) : body.data);
  } catch {
    return undefined;
  }
}

function dropManagedFields(o: unknown): void {
  if (isObj(o) && isObj(o.metadata)) delete o.metadata.managedFields;
}

/** omitManagedFields: objects, lists' items and Tables' row objects lose metadata.managedFields (in place). */
export function omitManagedFields<T>(obj: T): T {
  if (!isObj(obj)) return obj;
  dropManagedFields(obj);
  if (Array.isArray(obj.items)) obj.items.forEach(dropManagedFields);
  if (obj.kind === 'Table' && Array.isArray(obj.rows)) {
    for (const row of obj.rows) if (isObj(row)) dropManagedFields(row.object);
  }
  return obj;
}

/** The Status fields audit keeps besides the code. */
export type StatusFields = Pick<ResponseStatus, 'status' | 'message' | 'reason' | 'details'>;

/**
 * responseStatus: the code, plus — when the reply was a Status (every error is) — its status,
 * message, reason and details, as Kubernetes' LogResponseObject copies them; `fallback` when
 * it was not.
 */
export function responseStatusOf(code: number, responseObject: unknown, fallback?: StatusFields): ResponseStatus {
  let f: StatusFields = fallback ?? {};
  if (isObj(responseObject) && responseObject.kind === 'Status') {
    const s = responseObject;
    f = {
      ...(typeof s.status === 'string' ? { status: s.status } : {}),
      ...(typeof s.message === 'string' ? { message: s.message } : {}),
      ...(typeof s.reason === 'string' ? { reason: s.reason } : {}),
      ...(isObj(s.details) ? { details: s.details as StatusFields['details'] } : {}),
    };
  }
  // metav1.Status's key order, empty fields left out.
  return {
    metadata: {},
    ...(f.status ? { status: f.status } : {}),
    ...(f.message ? { message: f.message } : {}),
    ...(f.reason ? { reason: f.reason } : {}),
    ...(f.details ? { details: f.details } : {}),
    code,
  };
}

// ---- the event -------------------------------------------------------------------------------

/** Everything one event is made of, snapshotted when its stage happens. */
export interface EventInput {
  ctx: RequestContext;
  level: Exclude<Level, 'None'>;
  stage: Stage;
  /** Path and query as received. */
  requestURI: string;
  /** Epoch ms (with fraction) the stage happened at. */
  stageTime: number;
  omitManagedFields: boolean;
  /** Read when the stage happened: impersonation and authorization fill these after audit. */
  impersonatedUser?: UserInfo;
  annotations: Record<string, string>;
  /** The uid the handler wrote (RequestContext.objectUID): only the audit index's events take it. */
  objectUID?: string;
  /** The name the handler wrote, with objectUID. */
  objectName?: string;
  /** Decoded request body (any level: objectRef reads its metadata). */
  requestObject?: unknown;
  /** Not set for RequestReceived. */
  responseStatus?: ResponseStatus;
  /** Decoded response body (RequestResponse only). */
  responseObject?: unknown;
}

export function buildEvent(e: EventInput): AuditEvent {
  const ctx = e.ctx;
  const received = ctx.receivedAt.getTime();
  const objectRef = objectRefOf(ctx, e.requestObject, e.objectUID, e.objectName);
  const ev: AuditEvent = {
    kind: 'Event',
    apiVersion: AUDIT_API_VERSION,
    level: e.level,
    auditID: ctx.auditID,
    stage: e.stage,
    requestURI: e.requestURI,
    verb: ctx.attributes.verb,
    user: eventUser(ctx.authenticatedUser),
    ...(e.impersonatedUser ? { impersonatedUser: eventUser(e.impersonatedUser) } : {}),
    ...(ctx.sourceIPs.length ? { sourceIPs: [...ctx.sourceIPs] } : {}),
    ...(ctx.userAgent ? { userAgent: truncateUserAgent(ctx.userAgent) } : {}),
    ...(objectRef ? { objectRef } : {}),
    ...(e.responseStatus ? { responseStatus: e.responseStatus } : {}),
    requestReceivedTimestamp: microTime(received),
    // RequestReceived happens at receipt; a later stage never reads earlier than it.
    stageTimestamp: microTime(e.stage === 'RequestReceived' ? received : Math.max(received, e.stageTime)),
  };
  if (levelAtLeast(e.level, 'Request') && e.requestObject !== undefined) {
    ev.requestObject = e.omitManagedFields ? omitManagedFields(e.requestObject) : e.requestObject;
  }
  if (levelAtLeast(e.level, 'RequestResponse') && e.responseObject !== undefined) {
    ev.responseObject = e.omitManagedFields ? omitManagedFields(e.responseObject) : e.responseObject;
  }
  if (Object.keys(e.annotations).length) ev.annotations = { ...e.annotations };
  // Keep Kubernetes' field order (requestObject and responseObject before the timestamps).
  return reorder(ev);
}

const ORDER: (keyof AuditEvent)[] = [
  'kind', 'apiVersion', 'level', 'auditID', 'stage', 'requestURI', 'verb', 'user', 'impersonatedUser', 'sourceIPs', 'userAgent',
  'objectRef', 'responseStatus', 'requestObject', 'responseObject', 'requestReceivedTimestamp', 'stageTimestamp', 'annotations',
];

function reorder(ev: AuditEvent): AuditEvent {
  const out: Record<string, unknown> = {};
  for (const k of ORDER) if (ev[k] !== undefined) out[k] = ev[k];
  return out as unknown as AuditEvent;
}
