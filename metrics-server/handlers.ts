// The metrics.k8s.io/v1beta1 REST handlers (metrics-server's pkg/api node.go and pod.go): list
// and get NodeMetrics and PodMetrics for the Nodes and Pods the informers hold, filtered by
// labelSelector and by fieldSelector on metadata.name/metadata.namespace, sorted by name.
// An object that exists but has no metrics yet is a 404, as upstream answers. Pure apart from
// reading the stores.
import type { Node, Pod } from 'kubernetes-types/core/v1';
import { parseFieldSelector } from '../api/fields.js';
import { parseLabelSelector } from '../api/labels.js';
import { errors, StatusError } from '../api/status.js';
import { aggregatedDiscoveryContentType, wantsAggregatedDiscovery } from '../apiserver/discovery/discovery.js';
import { negotiate } from '../apiserver/handlers/encoding.js';
import { metricsTable } from './table.js';
import { apiGroup, apiGroupDiscoveryList, apiGroupList, apiResourceList } from './discovery.js';
import { METRICS_GROUP, metricsList, nodeMetricsObject, podMetricsObject, type NodeMetrics, type PodMetrics } from './objects.js';
import type { RequestInfo } from './request-info.js';
import type { MetricsStorage } from './storage.js';

export interface MetricsSource {
  storage: MetricsStorage;
  nodes(): Node[];
  node(name: string): Node | undefined;
  pods(namespace?: string): Pod[];
  pod(namespace: string, name: string): Pod | undefined;
  now?: () => Date;
}

export interface Answer {
  code: number;
  body: unknown;
  /** Default application/json. */
  contentType?: string;
}

const nodeMetricsGR = { group: METRICS_GROUP, resource: 'nodemetrics' };
const podMetricsGR = { group: METRICS_GROUP, resource: 'podmetrics' };

function selectors(query: URLSearchParams) {
  const labels = parseLabelSelector(query.get('labelSelector') ?? '');
  const fields = parseFieldSelector(query.get('fieldSelector') ?? '');
  return {
    match: (meta: { name?: string; namespace?: string; labels?: Record<string, string> } | undefined): boolean =>
      labels.matches(meta?.labels ?? {}) && fields.matches({ 'metadata.name': meta?.name ?? '', ...(meta?.namespace !== undefined ? { 'metadata.namespace': meta.namespace } : {}) }),
  };
}

function nodes(src: MetricsSource, info: Extract<RequestInfo, { resourceRequest: true }>, query: URLSearchParams): Answer {
  const now = src.now?.() ?? new Date();
  if (info.name !== undefined) {
    const node = src.node(info.name);
    if (!node) throw errors.notFound({ group: '', resource: 'nodes' }, info.name);
    const m = src.storage.nodeMetrics(info.name);
    if (!m) throw errors.notFound(nodeMetricsGR, info.name);
    return { code: 200, body: nodeMetricsObject(node, m, now) };
  }
  const { match } = selectors(query);
  const items: NodeMetrics[] = [];
  for (const n of src.nodes().filter((x) => match(x.metadata))) {
    const m = src.storage.nodeMetrics(n.metadata?.name ?? '');
    if (m) items.push(nodeMetricsObject(n, m, now));
  }
  items.sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  return { code: 200, body: metricsList('NodeMetricsList', items) };
}

function pods(src: MetricsSource, info: Extract<RequestInfo, { resourceRequest: true }>, query: URLSearchParams): Answer {
  const now = src.now?.() ?? new Date();
  if (info.name !== undefined) {
    const ns = info.namespace ?? '';
    const pod = src.pod(ns, info.name);
    if (!pod) throw errors.notFound({ group: '', resource: 'pods' }, info.name);
    const m = src.storage.podMetrics(ns, info.name);
    if (!m) throw errors.notFound(podMetricsGR, `${ns}/${info.name}`);
    return { code: 200, body: podMetricsObject(pod, m, now) };
  }
  const { match } = selectors(query);
  const items: PodMetrics[] = [];
  for (const p of src.pods(info.namespace).filter((x) => match(x.metadata))) {
    const m = src.storage.podMetrics(p.metadata?.namespace ?? '', p.metadata?.name ?? '');
    if (m) items.push(podMetricsObject(p, m, now));
  }
  items.sort((a, b) => a.metadata.namespace.localeCompare(b.metadata.namespace) || a.metadata.name.localeCompare(b.metadata.name));
  return { code: 200, body: metricsList('PodMetricsList', items) };
}

function notFoundPath(): Answer {
  return { code: 404, body: new StatusError(404, 'NotFound', 'the server could not find the requested resource').status };
}

/** The answer as a Table when the client asks for one (kubectl get). */
function asTable(answer: Answer, accept: string | undefined, includeObject: string | null): Answer {
  const n = negotiate(accept);
  if (!n.table) return answer;
  const body = answer.body as { items?: (NodeMetrics | PodMetrics)[] } & (NodeMetrics | PodMetrics);
  const mode = includeObject === 'None' || includeObject === 'Object' ? includeObject : 'Metadata';
  return { code: answer.code, body: metricsTable(body.items ?? [body], mode), contentType: n.contentType };
}

/** Answers a request that has been authenticated and authorized. */
export function handleMetricsRequest(src: MetricsSource, info: RequestInfo, url: URL, accept?: string): Answer {
  try {
    if (!info.resourceRequest) {
      if (info.verb !== 'get') return notFoundPath();
      const path = url.pathname.replace(/\/+$/, '');
      if (path === '/apis') {
        const aggregated = wantsAggregatedDiscovery(accept);
        if (aggregated) return { code: 200, body: apiGroupDiscoveryList(aggregated), contentType: aggregatedDiscoveryContentType(aggregated) };
        return { code: 200, body: apiGroupList() };
      }
      if (path === `/apis/${METRICS_GROUP}`) return { code: 200, body: apiGroup() };
      if (path === `/apis/${METRICS_GROUP}/v1beta1`) return { code: 200, body: apiResourceList() };
      return notFoundPath();
    }
    const known = (info.resource === 'nodes' && info.namespace === undefined) || info.resource === 'pods';
    if (!known) return notFoundPath();
    if (info.verb !== 'get' && info.verb !== 'list') {
      const gr = info.resource === 'nodes' ? nodeMetricsGR : podMetricsGR;
      return { code: 405, body: errors.methodNotAllowed(`${info.verb} is not supported on resources of kind "${gr.resource}.${gr.group}"`).status };
    }
    const answer = info.resource === 'nodes' ? nodes(src, info, url.searchParams) : pods(src, info, url.searchParams);
    return asTable(answer, accept, url.searchParams.get('includeObject'));
  } catch (e) {
    if (e instanceof StatusError) return { code: e.code, body: e.status };
    throw e;
  }
}
