import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { deletionConditions, discoveredContentResources, mergeConditions, namespacedContentResources } from './namespace.js';

describe('namespace deletion', () => {
  test('every namespaced resource is emptied, cluster-scoped ones are not', () => {
    const names = namespacedContentResources().map((r) => r.resource);
    for (const n of ['pods', 'services', 'configmaps', 'deployments', 'endpointslices', 'events', 'leases']) assert.ok(names.includes(n), n);
    for (const n of ['nodes', 'namespaces', 'clusterroles']) assert.ok(!names.includes(n), n);
  });

  test('custom resources from discovery are emptied too: namespaced, deletable, preferred version once', () => {
    const r = (name: string, version: string, namespaced = true, verbs = ['list', 'deletecollection', 'delete']) => ({
      name, singular: '', shortNames: [], group: 'stable.example.com', version, namespaced, kind: 'CronTab', verbs, categories: [],
    });
    const found = [
      r('crontabs', 'v1'),
      r('crontabs', 'v1beta1'),
      r('crontabs/status', 'v1'),
      r('regions', 'v1', false),
      r('readonly', 'v1', true, ['list']),
      { ...r('pods', 'v1'), group: '' },
    ];
    const infos = discoveredContentResources(found);
    assert.deepEqual(infos.map((i) => `${i.resource}.${i.group}/${i.version}`), ['crontabs.stable.example.com/v1']);
    assert.equal(infos[0]!.singular, 'crontab');
  });

  test('conditions report remaining content and finalizers as k8s words them', () => {
    const c = deletionConditions({ remaining: new Map([['pods', 2]]), finalizers: new Map([['example.com/x', 1]]), failures: [], estimateSeconds: 30 }, 't1');
    const get = (t: string) => c.find((x) => x.type === t)!;
    assert.deepEqual([get('NamespaceContentRemaining').status, get('NamespaceContentRemaining').reason, get('NamespaceContentRemaining').message], [
      'True',
      'SomeResourcesRemain',
      'Some resources are remaining: pods has 2 resource instances',
    ]);
    assert.equal(get('NamespaceFinalizersRemaining').message, 'Some content in the namespace has finalizers remaining: example.com/x has 1 resource instances');
    assert.equal(get('NamespaceDeletionContentFailure').status, 'False');
    const done = deletionConditions({ remaining: new Map(), finalizers: new Map(), failures: [], estimateSeconds: 0 }, 't2');
    const merged = mergeConditions(c, done);
    assert.equal(merged.find((x) => x.type === 'NamespaceContentRemaining')?.lastTransitionTime, 't2', 'status changed');
    assert.equal(merged.find((x) => x.type === 'NamespaceDeletionContentFailure')?.lastTransitionTime, 't1', 'status unchanged');
  });
});
