import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { RESOURCES, apiVersionOf } from '../../api/resources.js';
import {
  AGGREGATED_DISCOVERY_CONTENT_TYPE,
  wantsAggregatedDiscovery,
  coreAPIVersions,
  apiGroupList,
  apiGroup,
  apiResourceList,
  aggregatedDiscovery,
  versionInfo,
} from './discovery.js';

interface DiscoveryResource {
  resource: string;
  responseKind: { group: string; version: string; kind: string };
  scope: string;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
  subresources?: { subresource: string; responseKind: { group: string; version: string; kind: string }; verbs: string[] }[];
}
interface DiscoveryList {
  kind: string;
  apiVersion: string;
  items: { metadata: { name?: string }; versions: { version: string; resources: DiscoveryResource[] }[] }[];
}
interface ResourceList {
  groupVersion: string;
  resources: { name: string; kind: string; namespaced: boolean; verbs: string[]; group?: string; version?: string; shortNames?: string[] }[];
}

const KUBECTL_ACCEPT =
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';

describe('content negotiation', () => {
  test('the content type constant is the one kubectl requires', () => {
    assert.equal(AGGREGATED_DISCOVERY_CONTENT_TYPE, 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
  });

  test('kubectl 1.32 gets v2; older clients v2beta1; plain JSON clients the legacy documents', () => {
    assert.equal(wantsAggregatedDiscovery(KUBECTL_ACCEPT), 'v2');
    assert.equal(wantsAggregatedDiscovery('application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json'), 'v2beta1');
    assert.equal(wantsAggregatedDiscovery('application/json'), undefined);
    assert.equal(wantsAggregatedDiscovery('application/json, */*'), undefined);
    assert.equal(wantsAggregatedDiscovery(undefined), undefined);
    assert.equal(wantsAggregatedDiscovery('application/json;q=0.9,application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList'), 'v2');
    assert.equal(wantsAggregatedDiscovery('application/json;g=apidiscovery.k8s.io;v=v3;as=APIGroupDiscoveryList,application/json'), undefined);
  });
});

describe('aggregated discovery', () => {
  const all = [...(aggregatedDiscovery('api', 'v2') as DiscoveryList).items, ...(aggregatedDiscovery('apis', 'v2') as DiscoveryList).items];
  const find = (group: string, resource: string, version?: string): DiscoveryResource | undefined =>
    all
      .find((g) => (g.metadata.name ?? '') === group)
      ?.versions.filter((v) => version === undefined || v.version === version)
      .flatMap((v) => v.resources)
      .find((r) => r.resource === resource);

  test('lists every resource with kind, scope, verbs, shortNames and categories', () => {
    for (const info of RESOURCES) {
      const r = find(info.group, info.resource, info.version);
      assert.ok(r, `${info.group}/${info.resource}`);
      assert.deepEqual(r.responseKind, { group: info.group, version: info.version, kind: info.kind });
      assert.equal(r.scope, info.namespaced ? 'Namespaced' : 'Cluster');
      // Reviews (TokenReview, SubjectAccessReview…) are only ever created, as in Kubernetes.
      if (info.virtual) assert.deepEqual(r.verbs, ['create'], info.resource);
      else assert.ok(r.verbs.includes('get') && r.verbs.includes('list') && r.verbs.includes('watch'));
      assert.deepEqual(r.shortNames ?? [], info.shortNames);
      assert.deepEqual(r.categories ?? [], info.categories);
    }
    assert.deepEqual(find('', 'pods')?.shortNames, ['po']);
    assert.deepEqual(find('apps', 'deployments')?.categories, ['all']);
  });

  test('subresources carry their own kinds and verbs', () => {
    const pods = find('', 'pods');
    const sub = (name: string) => pods?.subresources?.find((s) => s.subresource === name);
    assert.deepEqual(sub('eviction')?.responseKind, { group: 'policy', version: 'v1', kind: 'Eviction' });
    assert.deepEqual(sub('eviction')?.verbs, ['create']);
    assert.deepEqual(sub('binding')?.responseKind.kind, 'Binding');
    assert.deepEqual(sub('status')?.verbs, ['get', 'patch', 'update']);
    assert.deepEqual(sub('log')?.verbs, ['get']);
    const scale = find('apps', 'deployments')?.subresources?.find((s) => s.subresource === 'scale');
    assert.deepEqual(scale?.responseKind, { group: 'autoscaling', version: 'v1', kind: 'Scale' });
  });

  test('the core group comes from /api, named groups from /apis, with the version in apiVersion', () => {
    const api = aggregatedDiscovery('api', 'v2') as DiscoveryList;
    assert.equal(api.kind, 'APIGroupDiscoveryList');
    assert.equal(api.apiVersion, 'apidiscovery.k8s.io/v2');
    assert.equal(api.items.length, 1);
    assert.equal(api.items[0]?.metadata.name, undefined);
    const apis = aggregatedDiscovery('apis', 'v2beta1') as DiscoveryList;
    assert.equal(apis.apiVersion, 'apidiscovery.k8s.io/v2beta1');
    assert.ok(apis.items.some((g) => g.metadata.name === 'apps'));
    assert.ok(!apis.items.some((g) => !g.metadata.name));
  });
});

describe('legacy discovery', () => {
  test('/api and /apis', () => {
    assert.deepEqual(coreAPIVersions('10.0.0.1:6443'), {
      kind: 'APIVersions',
      versions: ['v1'],
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '10.0.0.1:6443' }],
    });
    const groups = apiGroupList() as { kind: string; groups: { name: string; preferredVersion: { groupVersion: string } }[] };
    assert.equal(groups.kind, 'APIGroupList');
    const apps = groups.groups.find((g) => g.name === 'apps');
    assert.equal(apps?.preferredVersion.groupVersion, 'apps/v1');
    assert.equal((apiGroup('batch') as { kind: string; name: string }).name, 'batch');
    assert.equal(apiGroup('nope.example.com'), undefined);
    assert.equal(apiGroup(''), undefined);
  });

  test('every group-version lists its resources, and /api/v1 lists pods/eviction (kubectl drain needs it)', () => {
    for (const info of RESOURCES) {
      const list = apiResourceList(info.group, info.version) as ResourceList;
      assert.equal(list.groupVersion, apiVersionOf(info));
      const r = list.resources.find((x) => x.name === info.resource);
      assert.equal(r?.kind, info.kind);
      assert.equal(r?.namespaced, info.namespaced);
      for (const sub of info.subresources) assert.ok(list.resources.some((x) => x.name === `${info.resource}/${sub}`), `${info.resource}/${sub}`);
    }
    const core = apiResourceList('', 'v1') as ResourceList;
    const eviction = core.resources.find((r) => r.name === 'pods/eviction');
    assert.deepEqual(eviction && { group: eviction.group, version: eviction.version, kind: eviction.kind, verbs: eviction.verbs }, {
      group: 'policy',
      version: 'v1',
      kind: 'Eviction',
      verbs: ['create'],
    });
    assert.equal(apiResourceList('apps', 'v9'), undefined);
  });
});

test('/version reports Kubernetes 1.32 so kubectl picks its matching version', () => {
  const v = versionInfo() as { major: string; minor: string; gitVersion: string; platform: string };
  assert.equal(v.major, '1');
  assert.equal(v.minor, '32');
  assert.match(v.gitVersion, /^v1\.32\.\d+/);
  assert.match(v.platform, /^\w+\/\w+$/);
});
