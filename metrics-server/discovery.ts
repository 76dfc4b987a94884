// The discovery documents an aggregated API server answers (k8s' genericapiserver discovery
// handlers): /apis lists its one group, /apis/metrics.k8s.io the group, and
// /apis/metrics.k8s.io/v1beta1 its two read-only resources, as metrics-server registers them.
import { METRICS_API_VERSION, METRICS_GROUP, METRICS_VERSION } from './objects.js';

const groupVersion = { groupVersion: METRICS_API_VERSION, version: METRICS_VERSION };

export function apiGroup(): Record<string, unknown> {
  return { kind: 'APIGroup', apiVersion: 'v1', name: METRICS_GROUP, versions: [groupVersion], preferredVersion: groupVersion };
}

export function apiGroupList(): Record<string, unknown> {
  const { kind: _kind, apiVersion: _v, ...group } = apiGroup();
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: [group] };
}

export function apiResourceList(): Record<string, unknown> {
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: METRICS_API_VERSION,
    resources: [
      { name: 'nodes', singularName: '', namespaced: false, kind: 'NodeMetrics', verbs: ['get', 'list'] },
      { name: 'pods', singularName: '', namespaced: true, kind: 'PodMetrics', verbs: ['get', 'list'] },
    ],
  };
}

/** /apis with the aggregated Accept (APIGroupDiscoveryList), which the aggregator asks for first. */
export function apiGroupDiscoveryList(version: 'v2' | 'v2beta1'): Record<string, unknown> {
  const resource = (name: string, kind: string, scope: 'Cluster' | 'Namespaced') => ({
    resource: name,
    responseKind: { group: METRICS_GROUP, version: METRICS_VERSION, kind },
    scope,
    singularResource: '',
    verbs: ['get', 'list'],
  });
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: `apidiscovery.k8s.io/${version}`,
    metadata: {},
    items: [
      {
        metadata: { name: METRICS_GROUP, creationTimestamp: null },
        versions: [{ version: METRICS_VERSION, resources: [resource('nodes', 'NodeMetrics', 'Cluster'), resource('pods', 'PodMetrics', 'Namespaced')], freshness: 'Current' }],
      },
    ],
  };
}
