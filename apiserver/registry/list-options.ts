// Query parameters of LIST / WATCH / DELETE requests, parsed and checked once.
import { parseFieldSelector, checkFieldSelector, objectFields, renameFieldLabels, type FieldSelector } from '../../api/fields.js';
import { converterFor } from '../../api/conversion/index.js';
import { parseLabelSelector, type LabelSelector } from '../../api/labels.js';
import type { ResourceInfo } from '../../api/resources.js';
import { errors } from '../../api/status.js';
import type { KObject } from '../../api/types.js';

export type Query = Record<string, string | string[] | undefined>;

export function q1(query: Query, name: string): string | undefined {
  const v = query[name];
  return Array.isArray(v) ? v[v.length - 1] : v;
}

/**
 * A boolean query parameter as Kubernetes reads it (apimachinery's
 * Convert_Slice_string_To_bool): the first value; absent, `0` and `false` (any case) are
 * false, anything else is true, the empty string included (`?watch=` watches; Python's client
 * sends `True`).
 */
export function queryBool(values: string[]): boolean {
  const v = values[0];
  return v !== undefined && v !== '0' && v.toLowerCase() !== 'false';
}

/** Every value of a query parameter, in order. */
export function qAll(query: Query, name: string): string[] {
  const v = query[name];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

export function qBool(query: Query, name: string): boolean {
  return queryBool(qAll(query, name));
}

export interface ListOptions {
  labelSelector: LabelSelector;
  fieldSelector: FieldSelector;
  limit: number;
  continueToken?: string;
  resourceVersion?: string;
  resourceVersionMatch?: 'NotOlderThan' | 'Exact';
  watch: boolean;
  allowWatchBookmarks: boolean;
  sendInitialEvents?: boolean;
  timeoutSeconds?: number;
}

function nonNegativeInt(query: Query, name: string): number | undefined {
  const v = q1(query, name);
  if (v === undefined || v === '') return undefined;
  if (!/^\d+$/.test(v)) throw errors.badRequest(`invalid value for ${name}: "${v}" is not a non-negative integer`);
  return Number(v);
}

export function parseListOptions(info: ResourceInfo, query: Query): ListOptions {
  const asked = parseFieldSelector(q1(query, 'fieldSelector') ?? '');
  checkFieldSelector(info, asked);
  // Objects are matched in their stored form, so the served version's labels are renamed.
  const labels = converterFor(info)?.fieldLabels;
  const fieldSelector = labels ? renameFieldLabels(asked, labels) : asked;
  const rvm = q1(query, 'resourceVersionMatch');
  if (rvm !== undefined && rvm !== '' && rvm !== 'NotOlderThan' && rvm !== 'Exact') {
    throw errors.badRequest(`resourceVersionMatch: Unsupported value: "${rvm}": supported values: "Exact", "NotOlderThan"`);
  }
  const rv = q1(query, 'resourceVersion');
  if (rv !== undefined && rv !== '' && !/^\d+$/.test(rv)) {
    throw errors.badRequest(`resourceVersion: Invalid value: "${rv}": must be a non-negative integer`);
  }
  const opts: ListOptions = {
    labelSelector: parseLabelSelector(q1(query, 'labelSelector') ?? ''),
    fieldSelector,
    limit: nonNegativeInt(query, 'limit') ?? 0,
    continueToken: q1(query, 'continue') || undefined,
    resourceVersion: rv || undefined,
    resourceVersionMatch: (rvm || undefined) as ListOptions['resourceVersionMatch'],
    watch: qBool(query, 'watch'),
    allowWatchBookmarks: qBool(query, 'allowWatchBookmarks'),
    timeoutSeconds: nonNegativeInt(query, 'timeoutSeconds'),
  };
  // A *bool upstream (Convert_Slice_string_To_Pointer_bool): unset when absent, else read like
  // any other boolean.
  if (query.sendInitialEvents !== undefined) opts.sendInitialEvents = qBool(query, 'sendInitialEvents');
  if (opts.continueToken && opts.resourceVersion && opts.resourceVersion !== '0') {
    throw errors.badRequest('specifying resource version is not allowed when using continue');
  }
  if (opts.resourceVersionMatch && opts.resourceVersion === undefined) {
    throw errors.badRequest('resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided');
  }
  if (opts.resourceVersionMatch === 'Exact' && opts.resourceVersion === '0') {
    throw errors.badRequest('resourceVersionMatch: Forbidden: resourceVersionMatch "exact" is forbidden for resourceVersion "0"');
  }
  return opts;
}

/** Whether an object passes the request's label and field selectors. */
export function matcher(info: ResourceInfo, opts: Pick<ListOptions, 'labelSelector' | 'fieldSelector'>): (obj: KObject) => boolean {
  const { labelSelector, fieldSelector } = opts;
  if (labelSelector.empty && fieldSelector.empty) return () => true;
  return (obj) =>
    (labelSelector.empty || labelSelector.matches(obj.metadata?.labels ?? {})) &&
    (fieldSelector.empty || fieldSelector.matches(objectFields(info, obj)));
}

interface ContinueToken {
  v: string;
  rv: number;
  start: string;
}

export function encodeContinue(rv: number, start: string): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start } satisfies ContinueToken)).toString('base64url');
}

export function decodeContinue(token: string): { rv: number; start: string } {
  try {
    const t = JSON.parse(Buffer.from(token, 'base64url').toString()) as Partial<ContinueToken>;
    if (t.v !== 'meta.k8s.io/v1' || typeof t.rv !== 'number' || typeof t.start !== 'string' || t.start.includes('..')) throw new Error('bad');
    return { rv: t.rv, start: t.start };
  } catch {
    throw errors.badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
}
