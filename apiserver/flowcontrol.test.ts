// API Priority and Fairness end to end: with a small concurrency limit, one user flooding
// LISTs gets 429 TooManyRequests with Retry-After while a second user and a node, each making
// one request at a time, are never rejected; every answer names its FlowSchema and level.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Agent } from 'undici';
import { FLOW_SCHEMAS, PRIORITY_LEVELS } from './filters/flowcontrol/bootstrap.js';
import { startTestApiserver, type TestApiserver } from '../test/harness/apiserver.js';
import { http, type HttpReply } from '../test/harness/http.js';
import { waitFor } from '../test/harness/ports.js';

let api: TestApiserver;
const uid = (list: readonly { metadata: { name: string; uid: string } }[], name: string) => list.find((o) => o.metadata.name === name)!.metadata.uid;

/** Keep-alive clients whose connections outlive the test's waits, with room to connect under load. */
async function clientFor(user: string, groups: string[], connections: number) {
  const c = await api.configFor(user, groups);
  const dispatcher = new Agent({ connect: { ca: c.ca, cert: c.cert, key: c.key, timeout: 120_000 }, connections, keepAliveTimeout: 600_000, keepAliveMaxTimeout: 600_000 });
  return http({ url: api.url, dispatcher });
}

before(async () => {
  // 2 + 1 seats in all: global-default and system get one seat each.
  api = await startTestApiserver({ maxRequestsInflight: 2, maxMutatingRequestsInflight: 1 });
  const admin = http(api);
  await admin('POST', '/apis/rbac.authorization.k8s.io/v1/clusterroles', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'cm-reader' }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] }] });
  await admin('POST', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'cm-readers' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cm-reader' },
    subjects: [{ kind: 'User', name: 'flooder', apiGroup: 'rbac.authorization.k8s.io' }, { kind: 'User', name: 'polite', apiGroup: 'rbac.authorization.k8s.io' }],
  });
  for (let i = 0; i < 20; i++) await admin('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}` }, data: { k: 'v'.repeat(200) } });
});
after(async () => {
  await api?.stop();
});

test('a flooding user gets 429 with Retry-After; a polite user and a node get none', async () => {
  const flooder = await clientFor('flooder', [], 400);
  const polite = await clientFor('polite', [], 1);
  const node = await clientFor('system:node:worker-1', ['system:nodes'], 1);
  // Their connections are made before the flood (this process is also the server).
  assert.equal((await polite('GET', '/api/v1/namespaces/default/configmaps')).status, 200);
  assert.notEqual((await node('GET', '/api/v1/nodes/worker-1')).status, 429);
  const rejected: HttpReply[] = [];
  const floodCodes = new Set<number>();
  let stop = false;
  // 400 requests always outstanding: more than the flow's hand of 6 queues × 50 can hold.
  const flood = Array.from({ length: 400 }, async () => {
    while (!stop) {
      // A connection that cannot be made under the load is retried, not counted.
      const r = await flooder('GET', '/api/v1/namespaces/default/configmaps').catch(() => undefined);
      if (!r) continue;
      floodCodes.add(r.status);
      if (r.status === 429) rejected.push(r);
    }
  });
  try {
    await waitFor('the flood is rejected', () => rejected.length > 0, 60_000);
    const politeCodes: number[] = [];
    const nodeCodes: number[] = [];
    for (let i = 0; i < 20; i++) {
      const p = await polite('GET', '/api/v1/namespaces/default/configmaps');
      politeCodes.push(p.status);
      assert.equal(p.headers.get('x-kubernetes-pf-prioritylevel-uid'), uid(PRIORITY_LEVELS, 'global-default'));
      const n = await node('GET', '/api/v1/nodes/worker-1');
      nodeCodes.push(n.status);
      assert.equal(n.headers.get('x-kubernetes-pf-flowschema-uid'), uid(FLOW_SCHEMAS, 'system-node-high'));
    }
    assert.ok(politeCodes.every((c) => c === 200), `polite user: ${politeCodes.join(',')}`);
    assert.ok(nodeCodes.every((c) => c !== 429), `node: ${nodeCodes.join(',')}`);
  } finally {
    stop = true;
    await Promise.all(flood);
  }
  const r = rejected[0]!;
  assert.equal(r.body.kind, 'Status');
  assert.equal(r.body.reason, 'TooManyRequests');
  assert.equal(r.body.code, 429);
  assert.equal(r.headers.get('retry-after'), '1');
  assert.equal(r.headers.get('x-kubernetes-pf-flowschema-uid'), uid(FLOW_SCHEMAS, 'global-default'));
  assert.equal(r.headers.get('x-kubernetes-pf-prioritylevel-uid'), uid(PRIORITY_LEVELS, 'global-default'));
  assert.deepEqual([...floodCodes].sort(), [200, 429]);
  const metrics = await http(api)('GET', '/metrics');
  assert.match(metrics.text, /apiserver_flowcontrol_rejected_requests_total\{priority_level="global-default",flow_schema="global-default",reason="queue-full"\} [1-9]/);
  assert.match(metrics.text, /apiserver_flowcontrol_dispatched_requests_total\{priority_level="node-high",flow_schema="system-node-high"\} [1-9]/);
});

test('system:masters is exempt: never queued, never rejected', async () => {
  const admin = http(api);
  const replies = await Promise.all(Array.from({ length: 100 }, () => admin('GET', '/api/v1/namespaces/default/configmaps')));
  assert.ok(replies.every((r) => r.status === 200));
  assert.equal(replies[0]!.headers.get('x-kubernetes-pf-prioritylevel-uid'), uid(PRIORITY_LEVELS, 'exempt'));
});
