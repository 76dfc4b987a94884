// The only way the app talks to the cluster: the dashboard daemon's proxy (/api/k8s/<path>),
// which forwards as the logged-in user. Every request carries the CSRF header the daemon
// requires on non-GET requests; errors become ApiError with the Kubernetes Status' message.

export interface Status {
  kind?: string;
  apiVersion?: string;
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: { causes?: Array<{ field?: string; message?: string; reason?: string }> };
}

export class ApiError extends Error {
  constructor(readonly code: number, message: string, readonly status?: Status) {
    super(message);
  }
}

/** Called when a request answers 401 (session expired): the app goes back to the login page. */
let onUnauthorized: () => void = () => {};
export function setUnauthorizedHandler(fn: () => void): void { onUnauthorized = fn; }

export const CSRF_HEADER = { 'X-Tskube-Dashboard': '1' } as const;

export interface RequestOpts {
  method?: string;
  body?: unknown;
  contentType?: string;
  query?: Record<string, string | number | boolean | undefined>;
  signal?: AbortSignal;
}

export function k8sUrl(path: string, query?: RequestOpts['query']): string {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) qs.set(k, String(v));
  const q = qs.toString();
  const sep = path.includes('?') ? '&' : '?';
  return `/api/k8s${path}${q ? sep + q : ''}`;
}

/** Raw request through the proxy; throws ApiError on a non-2xx answer. */
export async function k8sFetch(path: string, opts: RequestOpts = {}): Promise<Response> {
  const headers: Record<string, string> = { ...CSRF_HEADER, Accept: 'application/json' };
  let body: string | undefined;
  if (opts.body !== undefined) {
    headers['Content-Type'] = opts.contentType ?? 'application/json';
    body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
  }
  const res = await fetch(k8sUrl(path, opts.query), {
    method: opts.method ?? 'GET', headers, body, signal: opts.signal, credentials: 'same-origin',
  });
  if (!res.ok) throw await toApiError(res);
  return res;
}

export async function k8s<T = unknown>(path: string, opts: RequestOpts = {}): Promise<T> {
  const res = await k8sFetch(path, opts);
  const text = await res.text();
  return (text ? JSON.parse(text) : {}) as T;
}

export async function toApiError(res: Response): Promise<ApiError> {
  if (res.status === 401) onUnauthorized();
  const text = await res.text().catch(() => '');
  let status: Status | undefined;
  try { status = JSON.parse(text) as Status; } catch { /* not JSON: use the text */ }
  const message = status?.message || text.trim() || `${res.status} ${res.statusText}`;
  return new ApiError(res.status, message, status);
}

export function errorMessage(e: unknown): string {
  if (e instanceof ApiError) return e.message;
  if (e instanceof Error) return e.message;
  return String(e);
}

/** Dashboard daemon endpoints outside the proxy (login, me, logout). */
export async function daemon<T>(path: string, method = 'GET', body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method, credentials: 'same-origin',
    headers: { ...CSRF_HEADER, Accept: 'application/json', ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  let parsed: unknown;
  try { parsed = text ? JSON.parse(text) : {}; } catch { parsed = undefined; }
  if (!res.ok) {
    const s = parsed as Status | undefined;
    throw new ApiError(res.status, s?.message || text || `${res.status}`, s);
  }
  return parsed as T;
}
