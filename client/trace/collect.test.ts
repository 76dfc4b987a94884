// collectTrace over a fake TraceGet: the ownership tree by owner uid, Events by involvedObject.uid,
// the audit index asked once per uid — and asked no more once it refuses.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { collectTrace } from './collect.js';
import { TraceError, type TraceGet } from './types.js';

const owner = (kind: string, name: string, uid: string) => [{ kind, name, uid, controller: true }];

function fakeApi(auditStatus: number): { get: TraceGet; paths: string[] } {
  const paths: string[] = [];
  const routes: Record<string, unknown> = {
    '/apis/apps/v1/namespaces/default/deployments/web': { metadata: { name: 'web', namespace: 'default', uid: 'd1' }, spec: { selector: { matchLabels: { app: 'web' } } } },
    '/apis/apps/v1/namespaces/default/replicasets?labelSelector=app%3Dweb': {
      items: [
        { metadata: { name: 'web-abc', namespace: 'default', uid: 'r1', ownerReferences: owner('Deployment', 'web', 'd1') } },
        { metadata: { name: 'other-abc', namespace: 'default', uid: 'r9', ownerReferences: owner('Deployment', 'other', 'd9') } },
      ],
    },
    '/api/v1/namespaces/default/pods?labelSelector=app%3Dweb': {
      items: [
        { metadata: { name: 'web-abc-x', namespace: 'default', uid: 'p1', ownerReferences: owner('ReplicaSet', 'web-abc', 'r1') } },
        { metadata: { name: 'stray', namespace: 'default', uid: 'p9' } },
      ],
    },
  };
  const get: TraceGet = async (path) => {
    paths.push(path);
    if (path in routes) return { status: 200, body: routes[path] };
    const ev = /events\?fieldSelector=involvedObject\.uid%3D(\w+)$/.exec(path);
    if (ev) return { status: 200, body: { items: [{ involvedObject: { uid: ev[1] }, reason: `R-${ev[1]}`, metadata: {} }] } };
    const au = /auditevents\?uid=(\w+)$/.exec(path);
    if (au) return auditStatus === 200 ? { status: 200, body: { items: [{ verb: 'create', stage: 'ResponseComplete', objectRef: { uid: au[1] } }, { verb: 'create', stage: 'RequestReceived' }] } } : { status: auditStatus, body: { kind: 'Status', code: auditStatus, reason: 'Forbidden', message: 'auditevents is forbidden' } };
    return { status: 404, body: { kind: 'Status', code: 404, reason: 'NotFound', message: `${path} not found` } };
  };
  return { get, paths };
}

test('a Deployment: its ReplicaSets and their Pods by owner uid, Events and audit per object', async () => {
  const { get, paths } = fakeApi(200);
  const d = await collectTrace(get, { kind: 'deploy', namespace: 'default', name: 'web' });
  assert.deepEqual(d.root, { kind: 'Deployment', namespace: 'default', name: 'web', uid: 'd1' });
  assert.deepEqual(d.objects.map((o) => [o.kind, o.name, o.chain.join('>')]), [
    ['Deployment', 'web', 'd1'],
    ['ReplicaSet', 'web-abc', 'd1>r1'],
    ['Pod', 'web-abc-x', 'd1>r1>p1'],
  ]);
  assert.deepEqual(d.events.map((e) => e.reason).sort(), ['R-d1', 'R-p1', 'R-r1']);
  assert.deepEqual(Object.keys(d.auditByUid).sort(), ['d1', 'p1', 'r1']);
  assert.equal(d.auditByUid.d1!.length, 1, 'only ResponseComplete records');
  assert.equal(d.audit.status, 'ok');
  assert.ok(paths.includes('/apis/audit.tskube.io/v1alpha1/namespaces/default/auditevents?uid=d1'));
});

test('the audit index refusing (403) is asked once; the trace goes on without it', async () => {
  const { get, paths } = fakeApi(403);
  const d = await collectTrace(get, { kind: 'Deployment', namespace: 'default', name: 'web' });
  assert.deepEqual(d.audit, { status: 'forbidden', code: 403, message: 'auditevents is forbidden' });
  assert.equal(paths.filter((p) => p.includes('auditevents')).length, 1);
  assert.equal(d.events.length, 3);
});

test('a missing object is a TraceError carrying the apiserver Status; an untraceable kind says which are', async () => {
  const { get } = fakeApi(200);
  await assert.rejects(collectTrace(get, { kind: 'Deployment', namespace: 'default', name: 'nope' }), (e: unknown) => e instanceof TraceError && e.status === 404 && /not found/.test(e.message));
  await assert.rejects(collectTrace(get, { kind: 'ConfigMap', namespace: 'default', name: 'x' }), /cannot be traced/);
});
