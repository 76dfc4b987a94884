// The audit index through a real apiserver (real etcd, the secure handler chain): writes by the
// admin are listed by the uid of the object they wrote — a Deployment created, scaled and
// deleted; a Pod created, bound and its status patched; a ConfigMap updated; a Namespace at the
// cluster path — as an audit.k8s.io/v1 EventList in time order. A `view` user is refused with
// the authorizer's 403, a list without uid is a 400, and discovery names the group.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Agent } from 'undici';
import type { TestApiserver } from '../../test/harness/apiserver.js';
import { startControllerEnv, type ControllerEnv } from '../../test/harness/controllers.js';
import { http } from '../../test/harness/http.js';
import { waitFor } from '../../test/harness/ports.js';

let env: ControllerEnv;
let api: TestApiserver;
let req: ReturnType<typeof http>;
let viewer: Agent;

const INDEX = '/apis/audit.tskube.io/v1alpha1';
type Ev = { kind: string; stage: string; verb: string; user: { username: string }; objectRef: { uid: string; name?: string; namespace?: string; resource: string; subresource?: string }; responseStatus: { code: number }; stageTimestamp: string };
type EventList = { kind: string; apiVersion: string; items: Ev[] };

before(async () => {
  // The aggregation controller fills the `view` ClusterRole's rules, as in a cluster.
  env = await startControllerEnv(['clusterrole-aggregation']);
  api = env.api;
  req = http(api);
  const v = await api.configFor('viewer');
  viewer = new Agent({ connect: { ca: v.ca, cert: v.cert, key: v.key } });
  const rb = await req('POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings', {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: 'viewer-view' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'viewer' }],
  });
  assert.equal(rb.status, 201, rb.text);
});
after(async () => {
  await viewer?.close();
  await env?.stop();
});

/** The index's events for `uid`, once there are `n` of them. */
async function indexed(path: string, uid: string, n: number): Promise<EventList> {
  return waitFor(`${n} audit events for ${uid}`, async () => {
    const r = await req<EventList>('GET', `${path}?uid=${uid}`);
    assert.equal(r.status, 200, r.text);
    return r.body.items.length >= n ? r.body : undefined;
  });
}

const MERGE = { 'content-type': 'application/merge-patch+json' };

describe('the audit index API', () => {
  test('a Deployment created, scaled, patched and deleted: the admin, the verbs, in order', async () => {
    const base = '/apis/apps/v1/namespaces/default/deployments';
    const labels = { app: 'web' };
    const c = await req('POST', base, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: { replicas: 1, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
    });
    assert.equal(c.status, 201, c.text);
    const uid = c.body.metadata.uid as string;
    assert.equal((await req('PATCH', `${base}/web/scale`, { spec: { replicas: 3 } }, MERGE)).status, 200);
    assert.equal((await req('PATCH', `${base}/web`, { metadata: { labels: { tier: 'front' } } }, MERGE)).status, 200);
    assert.equal((await req('DELETE', `${base}/web`)).status, 200);
    const list = await indexed(`${INDEX}/namespaces/default/auditevents`, uid, 4);
    assert.equal(list.kind, 'EventList');
    assert.equal(list.apiVersion, 'audit.k8s.io/v1');
    assert.deepEqual(list.items.map((e) => e.verb), ['create', 'patch', 'patch', 'delete']);
    assert.deepEqual(list.items.map((e) => e.objectRef.subresource ?? ''), ['', 'scale', '', '']);
    for (const e of list.items) {
      assert.equal(e.kind, 'Event');
      assert.equal(e.stage, 'ResponseComplete');
      assert.equal(e.user.username, 'kubernetes-admin');
      assert.equal(e.objectRef.uid, uid);
      assert.equal(e.objectRef.name, 'web');
      assert.equal(e.objectRef.resource, 'deployments');
    }
    assert.equal(list.items[0]!.responseStatus.code, 201);
    const times = list.items.map((e) => e.stageTimestamp);
    assert.deepEqual(times, [...times].sort());
    // The cluster path lists every namespace's; another namespace's path none of these.
    assert.equal((await indexed(`${INDEX}/auditevents`, uid, 4)).items.length, 4);
    assert.equal((await req<EventList>('GET', `${INDEX}/namespaces/kube-system/auditevents?uid=${uid}`)).body.items.length, 0);
  });

  test("a Pod's binding and status are its own events; a ConfigMap's update; a Namespace at the cluster path", async () => {
    const pods = '/api/v1/namespaces/default/pods';
    const p = await req('POST', pods, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p1' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
    assert.equal(p.status, 201, p.text);
    const bind = await req('POST', `${pods}/p1/binding`, { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'p1' }, target: { kind: 'Node', name: 'node-1' } });
    assert.equal(bind.status, 201, bind.text);
    const st = await req('PATCH', `${pods}/p1/status`, { status: { message: 'hello' } }, MERGE);
    assert.equal(st.status, 200, st.text);
    const podEvents = (await indexed(`${INDEX}/namespaces/default/auditevents`, p.body.metadata.uid, 3)).items;
    assert.deepEqual(podEvents.map((e) => [e.verb, e.objectRef.subresource ?? '']), [['create', ''], ['create', 'binding'], ['patch', 'status']]);

    const cms = '/api/v1/namespaces/default/configmaps';
    const cm = await req('POST', cms, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm1' }, data: { a: '1' } });
    const put = await req('PUT', `${cms}/cm1`, { ...cm.body, data: { a: '2' } });
    assert.equal(put.status, 200, put.text);
    assert.deepEqual((await indexed(`${INDEX}/namespaces/default/auditevents`, cm.body.metadata.uid, 2)).items.map((e) => e.verb), ['create', 'update']);

    const ns = await req('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'audited-ns' } });
    assert.equal(ns.status, 201, ns.text);
    const nsEvents = (await indexed(`${INDEX}/auditevents`, ns.body.metadata.uid, 1)).items;
    assert.equal(nsEvents[0]!.objectRef.resource, 'namespaces');
    assert.equal(nsEvents[0]!.objectRef.namespace, undefined);
  });

  test('a view user gets the 403 Status; no uid is a 400; writes are not allowed', async () => {
    const asViewer = http({ url: api.url, dispatcher: viewer });
    // Once the controller aggregated `view` and the authorizer's informers have the binding.
    await waitFor('view reads pods', async () => (await asViewer('GET', '/api/v1/namespaces/default/pods')).status === 200);
    const denied = await asViewer('GET', `${INDEX}/namespaces/default/auditevents?uid=x`);
    assert.equal(denied.status, 403);
    assert.equal(denied.body.kind, 'Status');
    assert.equal(denied.body.reason, 'Forbidden');
    assert.match(denied.body.message, /cannot list resource "auditevents" in API group "audit.tskube.io" in the namespace "default"/);
    assert.equal((await asViewer('GET', `${INDEX}/auditevents?uid=x`)).status, 403);
    const noUID = await req('GET', `${INDEX}/namespaces/default/auditevents`);
    assert.equal(noUID.status, 400);
    assert.equal(noUID.body.kind, 'Status');
    assert.equal(noUID.body.reason, 'BadRequest');
    assert.equal((await req('POST', `${INDEX}/namespaces/default/auditevents`, {})).status, 405);
  });

  test('discovery names the group with one list-only resource', async () => {
    const groups = await req('GET', '/apis');
    assert.ok(groups.body.groups.some((g: { name: string }) => g.name === 'audit.tskube.io'));
    const list = await req('GET', INDEX);
    assert.deepEqual(list.body.resources.map((r: { name: string; verbs: string[]; namespaced: boolean }) => [r.name, r.verbs, r.namespaced]), [['auditevents', ['list'], true]]);
    const agg = await req('GET', '/apis', undefined, { accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList' });
    assert.ok(agg.body.items.some((g: { metadata: { name: string } }) => g.metadata.name === 'audit.tskube.io'));
  });
});
