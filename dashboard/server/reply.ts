// How the dashboard answers by itself (not relaying the apiserver): always a Kubernetes Status
// for errors, so the SPA shows every failure the same way it shows the apiserver's own, and
// JSON for its few own endpoints.
import type { ServerResponse } from 'node:http';
import type { Status } from 'kubernetes-types/meta/v1';
import { StatusError, errors } from '../../api/status.js';

/** Headers every answer of the dashboard carries (it is a browser-facing origin). */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  // The login-once link's nonce must not leak through Referer.
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

export function sendJson(res: ServerResponse, code: number, body: unknown, headers: Record<string, string | string[]> = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(code, { ...SECURITY_HEADERS, 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendStatus(res: ServerResponse, e: StatusError, headers: Record<string, string | string[]> = {}): void {
  sendJson(res, e.code, e.status, headers);
}

/** Any thrown value as a Status: StatusErrors as they are, anything else an InternalError. */
export function toStatusError(e: unknown): StatusError {
  if (e instanceof StatusError) return e;
  return errors.internal(e instanceof Error ? e.message : String(e));
}

/** A Status parsed from an apiserver body, or one made from the code when the body is not one. */
export function statusFromBody(code: number, text: string): Status {
  try {
    const parsed = JSON.parse(text) as Status;
    if (parsed && parsed.kind === 'Status') return parsed;
  } catch {
    // not JSON: made below
  }
  const reason = code === 401 ? 'Unauthorized' : code === 403 ? 'Forbidden' : code === 404 ? 'NotFound' : code === 503 ? 'ServiceUnavailable' : code >= 500 ? 'InternalError' : 'BadRequest';
  return new StatusError(code, reason, text.trim() || `the server responded with the status code ${code}`).status;
}

/** The apiserver could not be reached (the one case the dashboard answers 503). */
export function apiserverUnavailable(e: unknown): StatusError {
  const why = e instanceof Error ? ((e as { code?: string }).code ?? e.message) : String(e);
  return errors.serviceUnavailable(`the apiserver is unavailable: ${why}`);
}
