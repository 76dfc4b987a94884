import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { APIService } from '../../api/apiregistration.js';
import { DiscoveryCache, mergeAggregated, mergeGroupList, remoteGroup } from './discovery.js';
import { localAPIService } from './priorities.js';

const remote = (group: string, version: string, gpm = 100, vp = 100): APIService => ({
  metadata: { name: `${version}.${group}` },
  spec: { group, version, service: { namespace: 'ns', name: 'svc', port: 443 }, groupPriorityMinimum: gpm, versionPriority: vp },
});
const services = [localAPIService('', 'v1'), localAPIService('apps', 'v1'), localAPIService('batch', 'v1'), remote('metrics.k8s.io', 'v1beta1'), remote('z.example.com', 'v1', 17900)];
const gv = (group: string, version: string) => ({ groupVersion: `${group}/${version}`, version });
const base = { kind: 'APIGroupList', apiVersion: 'v1', groups: [{ name: 'batch', versions: [gv('batch', 'v1')], preferredVersion: gv('batch', 'v1') }, { name: 'apps', versions: [gv('apps', 'v1')], preferredVersion: gv('apps', 'v1') }] };

describe('legacy discovery', () => {
  test('/apis orders built-in and aggregated groups by groupPriorityMinimum', () => {
    const merged = mergeGroupList(base, services) as typeof base;
    assert.deepEqual(merged.groups.map((g) => g.name), ['z.example.com', 'apps', 'batch', 'metrics.k8s.io']);
    assert.deepEqual(merged.groups[3], { name: 'metrics.k8s.io', versions: [gv('metrics.k8s.io', 'v1beta1')], preferredVersion: gv('metrics.k8s.io', 'v1beta1') });
  });

  test('/apis/<group> for an aggregated group only', () => {
    assert.deepEqual(remoteGroup('metrics.k8s.io', services), { kind: 'APIGroup', apiVersion: 'v1', name: 'metrics.k8s.io', versions: [gv('metrics.k8s.io', 'v1beta1')], preferredVersion: gv('metrics.k8s.io', 'v1beta1') });
    assert.equal(remoteGroup('apps', services), undefined);
  });
});

describe('aggregated discovery', () => {
  const list = { kind: 'APIResourceList', groupVersion: 'metrics.k8s.io/v1beta1', resources: [{ name: 'pods', singularName: '', namespaced: true, kind: 'PodMetrics', verbs: ['get', 'list'] }, { name: 'nodes', singularName: '', namespaced: false, kind: 'NodeMetrics', verbs: ['get', 'list'] }] };
  const agg = { kind: 'APIGroupDiscoveryList', items: [{ metadata: { name: 'apps' }, versions: [] }, { metadata: { name: 'batch' }, versions: [] }] };

  test('a group whose backend never answered is left out; one that did carries its resources', () => {
    const cache = new DiscoveryCache();
    assert.deepEqual(mergeAggregated(agg, services, cache).items.map((i) => i.metadata.name), ['apps', 'batch']);
    cache.update('v1beta1.metrics.k8s.io', Buffer.from(JSON.stringify(list)));
    const item = mergeAggregated(agg, services, cache).items.at(-1)!;
    assert.equal(item.metadata.name, 'metrics.k8s.io');
    assert.deepEqual(item.versions, [{
      version: 'v1beta1',
      freshness: 'Current',
      resources: [
        { resource: 'pods', responseKind: { group: 'metrics.k8s.io', version: 'v1beta1', kind: 'PodMetrics' }, scope: 'Namespaced', singularResource: 'podmetrics', verbs: ['get', 'list'] },
        { resource: 'nodes', responseKind: { group: 'metrics.k8s.io', version: 'v1beta1', kind: 'NodeMetrics' }, scope: 'Cluster', singularResource: 'nodemetrics', verbs: ['get', 'list'] },
      ],
    }]);
  });

  test('a backend that stops answering is Stale until it answers again', () => {
    const cache = new DiscoveryCache();
    cache.update('v1beta1.metrics.k8s.io', Buffer.from(JSON.stringify(list)));
    cache.markStale('v1beta1.metrics.k8s.io');
    const version = (mergeAggregated(agg, services, cache).items.at(-1)!.versions[0] as { freshness: string });
    assert.equal(version.freshness, 'Stale');
    cache.update('v1beta1.metrics.k8s.io', Buffer.from(JSON.stringify(list)));
    assert.equal(cache.get('v1beta1.metrics.k8s.io')!.fresh, true);
  });
});
