// The pure half of /api/watch: which watch a request asks for, and how watch events are written
// as server-sent events (the HTML `text/event-stream` format: `id:`, `event:`, `data:` lines
// and a blank line; the browser's EventSource hands `id` back as Last-Event-ID on reconnect).
import { errors, type StatusError } from '../../api/status.js';

/** A watch the browser may open: a collection path and where to start. */
export interface WatchRequest {
  /** `/api/v1/namespaces/default/pods`, `/apis/apps/v1/deployments` … */
  path: string;
  /** Watch from after this resourceVersion (the list's, or Last-Event-ID on reconnect). */
  resourceVersion?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

// A collection path: /api/v1[/namespaces/<ns>]/<resource> or /apis/<group>/<version>[…]; names are
// DNS labels/subdomains, so nothing else is ever needed here.
const COLLECTION = /^\/(api\/v1|apis\/[a-z0-9.-]+\/[a-z0-9]+)(\/namespaces\/[a-z0-9-]+)?\/[a-z0-9.-]+$/;
const RV = /^[0-9]+$/;

/** Parses `?path=…&resourceVersion=…` (Last-Event-ID wins: it is later than the list's). */
export function parseWatchRequest(query: URLSearchParams, lastEventId: string | undefined): WatchRequest | StatusError {
  const path = query.get('path') ?? '';
  if (!COLLECTION.test(path)) return errors.badRequest(`path must be a collection path such as /api/v1/namespaces/default/pods, got ${JSON.stringify(path)}`);
  const rv = lastEventId?.trim() || query.get('resourceVersion') || undefined;
  if (rv !== undefined && !RV.test(rv)) return errors.badRequest(`invalid resourceVersion ${JSON.stringify(rv)}`);
  const out: WatchRequest = { path };
  if (rv !== undefined) out.resourceVersion = rv;
  const ls = query.get('labelSelector');
  const fs = query.get('fieldSelector');
  if (ls) out.labelSelector = ls;
  if (fs) out.fieldSelector = fs;
  return out;
}

/** The apiserver watch URL (path + query) for a request resumed at `resourceVersion`. */
export function watchUrl(w: WatchRequest, resourceVersion: string | undefined): string {
  const q = new URLSearchParams({ watch: 'true', allowWatchBookmarks: 'true' });
  if (resourceVersion !== undefined) q.set('resourceVersion', resourceVersion);
  if (w.labelSelector) q.set('labelSelector', w.labelSelector);
  if (w.fieldSelector) q.set('fieldSelector', w.fieldSelector);
  return `${w.path}?${q.toString()}`;
}

export interface SseEvent {
  id?: string;
  event?: string;
  data: string;
}

/** One event in the text/event-stream format; multi-line data becomes several data: lines. */
export function formatSse(e: SseEvent): string {
  let out = '';
  // An id with a newline would break framing; resourceVersions never have one.
  if (e.id !== undefined && !/[\r\n]/.test(e.id)) out += `id: ${e.id}\n`;
  if (e.event) out += `event: ${e.event}\n`;
  for (const line of e.data.split(/\r\n|\r|\n/)) out += `data: ${line}\n`;
  return out + '\n';
}

export const HEARTBEAT = ': heartbeat\n\n';

/** A watch event as the apiserver sends it. */
export interface WatchEvent {
  type: string;
  object: { code?: number; metadata?: { resourceVersion?: string } } & Record<string, unknown>;
}

export function isWatchEvent(v: unknown): v is WatchEvent {
  return typeof v === 'object' && v !== null && typeof (v as WatchEvent).type === 'string' && typeof (v as WatchEvent).object === 'object' && (v as WatchEvent).object !== null;
}

/** What to do with one watch event: relay it (with its id), or the watch expired, or it failed. */
export type Decision = { kind: 'relay'; sse: string; resourceVersion?: string } | { kind: 'expired'; sse: string } | { kind: 'error'; sse: string };

export function decide(e: WatchEvent): Decision {
  const data = JSON.stringify(e.object);
  if (e.type === 'ERROR') {
    // 410 Gone / Expired: the resourceVersion was compacted away; the page must relist.
    if (e.object.code === 410) return { kind: 'expired', sse: formatSse({ event: 'expired', data }) };
    return { kind: 'error', sse: formatSse({ event: 'error', data }) };
  }
  const rv = e.object.metadata?.resourceVersion;
  return { kind: 'relay', sse: formatSse({ ...(rv ? { id: rv } : {}), event: e.type, data }), ...(rv ? { resourceVersion: rv } : {}) };
}

export function apiserverEvent(up: boolean): string {
  return formatSse({ event: 'apiserver', data: JSON.stringify({ up }) });
}
