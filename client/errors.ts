// Turning error replies into StatusErrors (as client-go's rest.Result.Error does), and the
// predicates controllers branch on (apimachinery's errors.IsNotFound, IsConflict, …).
import type { Status } from 'kubernetes-types/meta/v1';
import { StatusError, type StatusReason } from '../api/status.js';

/** The reason Kubernetes gives a bare HTTP code when the body is not a Status. */
const reasonForCode: Record<number, StatusReason> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  410: 'Gone',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

function isStatus(v: unknown): v is Status {
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'Status';
}

/** Builds a StatusError from a failed reply: the server's own Status when it sent one. */
export function statusErrorFromResponse(code: number, bodyText: string, method = '', path = ''): StatusError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bodyText);
  } catch {
    parsed = undefined;
  }
  if (isStatus(parsed) && parsed.status !== 'Success') return statusErrorFromStatus(parsed, code);
  const reason = reasonForCode[code] ?? (code >= 500 ? 'InternalError' : 'BadRequest');
  const snippet = bodyText.trim().slice(0, 200);
  const message =
    code === 404 && !snippet
      ? `the server could not find the requested resource${path ? ` (${method} ${path})` : ''}`
      : `an error on the server (${JSON.stringify(snippet || 'unknown')}) has prevented the request from succeeding${path ? ` (${method} ${path})` : ''}`;
  return new StatusError(code, reason, message);
}

/** A StatusError carrying a Status as received (e.g. from a watch ERROR event). */
export function statusErrorFromStatus(status: Status, fallbackCode = 500): StatusError {
  const code = status.code ?? fallbackCode;
  // Servers may send reasons we don't enumerate; StatusError keeps the string as it came.
  const reason = (status.reason ?? reasonForCode[code] ?? '') as StatusReason;
  return new StatusError(code, reason, status.message ?? '', status.details);
}

function reasonOf(e: unknown): { code: number; reason: string } | undefined {
  return e instanceof StatusError ? { code: e.code, reason: e.reason } : undefined;
}

export function isNotFound(e: unknown): boolean {
  const r = reasonOf(e);
  return r !== undefined && (r.reason === 'NotFound' || (r.reason === '' && r.code === 404));
}
export function isAlreadyExists(e: unknown): boolean {
  return reasonOf(e)?.reason === 'AlreadyExists';
}
export function isConflict(e: unknown): boolean {
  const r = reasonOf(e);
  return r !== undefined && (r.reason === 'Conflict' || (r.reason === '' && r.code === 409));
}
export function isInvalid(e: unknown): boolean {
  return reasonOf(e)?.reason === 'Invalid';
}
/** 410: a resourceVersion or continue token older than the server keeps (Expired or Gone). */
export function isResourceExpired(e: unknown): boolean {
  const r = reasonOf(e);
  return r !== undefined && (r.reason === 'Expired' || r.reason === 'Gone' || r.code === 410);
}
export function isTooManyRequests(e: unknown): boolean {
  const r = reasonOf(e);
  return r !== undefined && (r.reason === 'TooManyRequests' || r.code === 429);
}

/**
 * A write that failed this way may still have happened: the server answered 500 (an etcd
 * deadline: the entry can commit later) or 504, or the connection broke after the request was
 * sent. A refused connection, a 4xx or a 429/503 (turned away before any work) did not happen.
 */
export function isOutcomeUnknown(e: unknown): boolean {
  if (e instanceof StatusError) return e.code === 500 || e.code === 504;
  const code = (e as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && ['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT'].includes(code);
}
