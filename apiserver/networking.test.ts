// networking.k8s.io/v1 over real etcd with raw HTTP: discovery (legacy and aggregated), OpenAPI,
// create with defaults, 422 field causes, cluster-scoped IngressClass, Ingress status subresource.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestApiserver, type TestApiserver } from '../test/harness/apiserver.js';
import { http } from '../test/harness/http.js';

let api: TestApiserver;
let req: ReturnType<typeof http>;

before(async () => {
  api = await startTestApiserver();
  req = http(api);
});
after(async () => {
  await api?.stop();
});

const ING = '/apis/networking.k8s.io/v1/namespaces/default/ingresses';
const ingress = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { name: 'web' },
  spec: { rules: [{ http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { name: 'http' } } } }] } }] },
};

describe('networking.k8s.io/v1', () => {
  test('discovery lists the group, its resources and the status subresource', async () => {
    const groups = await req('GET', '/apis');
    assert.ok(groups.body.groups.some((g: { name: string }) => g.name === 'networking.k8s.io'));
    const list = await req('GET', '/apis/networking.k8s.io/v1');
    const names = list.body.resources.map((r: { name: string }) => r.name);
    for (const n of ['ingresses', 'ingresses/status', 'ingressclasses', 'networkpolicies']) assert.ok(names.includes(n), n);
    const cls = list.body.resources.find((r: { name: string }) => r.name === 'ingressclasses');
    assert.equal(cls.namespaced, false);
    const agg = await req('GET', '/apis', undefined, { accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList' });
    assert.ok(agg.body.items.some((g: { metadata: { name: string } }) => g.metadata.name === 'networking.k8s.io'));
    const v3 = await req('GET', '/openapi/v3/apis/networking.k8s.io/v1');
    assert.equal(v3.status, 200);
    assert.ok(v3.body.components.schemas['io.k8s.api.networking.v1.Ingress']);
  });

  test('create, 422 with field causes, status subresource', async () => {
    const c = await req('POST', ING, ingress);
    assert.equal(c.status, 201, JSON.stringify(c.body));
    const bad = await req('POST', ING, { ...ingress, metadata: { name: 'bad' }, spec: { rules: [{ http: { paths: [{ path: 'x', backend: {} }] } }] } });
    assert.equal(bad.status, 422);
    assert.equal(bad.body.reason, 'Invalid');
    const fields = bad.body.details.causes.map((cause: { field: string }) => cause.field);
    assert.ok(fields.includes('spec.rules[0].http.paths[0].pathType'), fields.join());
    assert.ok(fields.includes('spec.rules[0].http.paths[0].backend'), fields.join());
    const got = await req('GET', `${ING}/web`);
    const s = await req('PUT', `${ING}/web/status`, { ...got.body, status: { loadBalancer: { ingress: [{ ip: '192.0.2.1' }] } } });
    assert.equal(s.status, 200, JSON.stringify(s.body));
    assert.equal(s.body.status.loadBalancer.ingress[0].ip, '192.0.2.1');
    // A write of the main resource does not touch status.
    const u = await req('PUT', `${ING}/web`, { ...s.body, status: {} });
    assert.equal(u.status, 200);
    assert.equal(u.body.status.loadBalancer.ingress[0].ip, '192.0.2.1');
  });

  test('IngressClass is cluster-scoped; NetworkPolicy is defaulted', async () => {
    const cls = await req('POST', '/apis/networking.k8s.io/v1/ingressclasses', { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'nginx' }, spec: { controller: 'k8s.io/ingress-nginx' } });
    assert.equal(cls.status, 201, JSON.stringify(cls.body));
    assert.equal(cls.body.metadata.namespace, undefined);
    const np = await req('POST', '/apis/networking.k8s.io/v1/namespaces/default/networkpolicies', {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'np' },
      spec: { podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8' } }], ports: [{ port: 53 }] }] },
    });
    assert.equal(np.status, 201, JSON.stringify(np.body));
    assert.deepEqual(np.body.spec.policyTypes, ['Ingress', 'Egress']);
    assert.equal(np.body.spec.egress[0].ports[0].protocol, 'TCP');
    const bad = await req('POST', '/apis/networking.k8s.io/v1/namespaces/default/networkpolicies', {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'bad' },
      spec: { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: 'not-a-cidr' } }] }] },
    });
    assert.equal(bad.status, 422);
    assert.equal(bad.body.details.causes[0].field, 'spec.ingress[0].from[0].ipBlock.cidr');
  });
});
