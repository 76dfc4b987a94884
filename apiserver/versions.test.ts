// Built-in resources served in a second version, stored once (api/resources.ts `storedAs`):
// events.k8s.io/v1 Events are core/v1 Events, autoscaling/v1 HPAs are autoscaling/v2 ones —
// over real etcd, with raw HTTP and the real kubectl 1.32.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestApiserver, type TestApiserver } from '../test/harness/apiserver.js';
import { http, openWatch } from '../test/harness/http.js';
import { kubectlFor } from '../test/harness/kubectl.js';

let api: TestApiserver;
let req: ReturnType<typeof http>;

before(async () => {
  api = await startTestApiserver();
  req = http(api);
});
after(async () => {
  await api?.stop();
});

const CORE = '/api/v1/namespaces/default/events';
const EV = '/apis/events.k8s.io/v1/namespaces/default/events';

async function until<T>(fn: () => T | undefined, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('events.k8s.io/v1', () => {
  test('discovery lists it; a core Event reads as an events.k8s.io one and back', async () => {
    const list = await req('GET', '/apis/events.k8s.io/v1');
    assert.equal(list.status, 200);
    assert.ok(list.body.resources.some((r: { name: string }) => r.name === 'events'));
    const c = await req('POST', CORE, {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'core-1' },
      involvedObject: { kind: 'Pod', name: 'web', namespace: 'default' },
      reason: 'Started',
      message: 'Started container web',
      type: 'Normal',
      source: { component: 'kubelet' },
      count: 2,
    });
    assert.equal(c.status, 201, JSON.stringify(c.body));
    const v1 = await req('GET', `${EV}/core-1`);
    assert.equal(v1.status, 200);
    assert.equal(v1.body.apiVersion, 'events.k8s.io/v1');
    assert.equal(v1.body.note, 'Started container web');
    assert.equal(v1.body.regarding.name, 'web');
    assert.equal(v1.body.deprecatedCount, 2);
    assert.equal(v1.body.message, undefined);
    assert.equal(v1.body.metadata.resourceVersion, c.body.metadata.resourceVersion);

    const n = await req('POST', EV, {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name: 'new-1' },
      eventTime: '2026-12-03T01:00:00.000000Z',
      regarding: { kind: 'Pod', name: 'db', namespace: 'default' },
      reason: 'Scheduled',
      note: 'Assigned to node-1',
      type: 'Normal',
      action: 'Binding',
      reportingController: 'default-scheduler',
      reportingInstance: 'default-scheduler-1',
    });
    assert.equal(n.status, 201, JSON.stringify(n.body));
    assert.equal(n.body.note, 'Assigned to node-1');
    const core = await req('GET', `${CORE}/new-1`);
    assert.equal(core.body.message, 'Assigned to node-1');
    assert.equal(core.body.involvedObject.name, 'db');
    assert.equal(core.body.reportingComponent, 'default-scheduler');
  });

  test('field selectors use the events.k8s.io names; lists and watches convert', async () => {
    const sel = await req('GET', `${EV}?fieldSelector=${encodeURIComponent('regarding.name=db,reportingController=default-scheduler')}`);
    assert.equal(sel.status, 200, JSON.stringify(sel.body));
    assert.equal(sel.body.kind, 'EventList');
    assert.equal(sel.body.apiVersion, 'events.k8s.io/v1');
    assert.deepEqual(sel.body.items.map((e: { metadata: { name: string } }) => e.metadata.name), ['new-1']);
    assert.equal(sel.body.items[0].note, 'Assigned to node-1');
    const core = await req('GET', `${EV}?fieldSelector=involvedObject.name%3Ddb`);
    assert.equal(core.status, 400);
    assert.match(core.body.message, /field label not supported: involvedObject.name/);

    const w = await openWatch(`${api.url}${EV}?watch=true&resourceVersion=${sel.body.metadata.resourceVersion}`, {}, api.dispatcher);
    try {
      await req('POST', CORE, { apiVersion: 'v1', kind: 'Event', metadata: { name: 'core-2' }, involvedObject: { kind: 'Pod', name: 'x' }, reason: 'R', message: 'watched' });
      const ev = await until(() => w.events.find((e) => e.object?.metadata?.name === 'core-2'));
      assert.equal(ev.type, 'ADDED');
      assert.equal(ev.object.apiVersion, 'events.k8s.io/v1');
      assert.equal(ev.object.note, 'watched');
    } finally {
      await w.close();
    }
  });

  test('kubectl reads both groups', async () => {
    const k = kubectlFor(api.config);
    const r = await k.run(['get', 'events.events.k8s.io', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.note}{"\\n"}{end}']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^new-1=Assigned to node-1$/m);
    const core = await k.run(['get', 'events', '--field-selector', 'involvedObject.name=db', '-o', 'name']);
    assert.equal(core.code, 0, core.stderr);
    assert.equal(core.stdout.trim(), 'event/new-1');
  });
});

describe('autoscaling/v1', () => {
  const HPA1 = '/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers';
  const HPA2 = '/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers';
  const ref = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' };

  test('discovery prefers v2 and lists v1', async () => {
    const g = await req('GET', '/apis/autoscaling');
    assert.equal(g.body.preferredVersion.version, 'v2');
    assert.deepEqual(g.body.versions.map((v: { version: string }) => v.version), ['v2', 'v1']);
  });

  test('a v1 HPA is a v2 one with a CPU metric; v2-only fields survive a v1 update', async () => {
    const c = await req('POST', HPA1, { apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: { name: 'web' }, spec: { scaleTargetRef: ref, minReplicas: 1, maxReplicas: 5, targetCPUUtilizationPercentage: 50 } });
    assert.equal(c.status, 201, JSON.stringify(c.body));
    assert.equal(c.body.apiVersion, 'autoscaling/v1');
    assert.equal(c.body.spec.targetCPUUtilizationPercentage, 50);
    const v2 = await req('GET', `${HPA2}/web`);
    assert.deepEqual(v2.body.spec.metrics, [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }]);

    // A v2 client adds a memory metric and a behavior…
    v2.body.spec.metrics.push({ type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '100Mi' } } });
    v2.body.spec.behavior = { scaleDown: { stabilizationWindowSeconds: 60 } };
    const u2 = await req('PUT', `${HPA2}/web`, v2.body);
    assert.equal(u2.status, 200, JSON.stringify(u2.body));
    // …a v1 client changes maxReplicas with what it read…
    const v1 = await req('GET', `${HPA1}/web`);
    assert.ok(v1.body.metadata.annotations['autoscaling.alpha.kubernetes.io/metrics']);
    v1.body.spec.maxReplicas = 7;
    const u1 = await req('PUT', `${HPA1}/web`, v1.body);
    assert.equal(u1.status, 200, JSON.stringify(u1.body));
    // …and the v2 view still has both metrics and the behavior, and no conversion annotations.
    const after = await req('GET', `${HPA2}/web`);
    assert.equal(after.body.spec.maxReplicas, 7);
    assert.equal(after.body.spec.metrics.length, 2);
    assert.equal(after.body.spec.behavior.scaleDown.stabilizationWindowSeconds, 60);
    assert.equal(after.body.metadata.annotations, undefined);
    // A merge patch through v1 works on the v1 form.
    const p = await req('PATCH', `${HPA1}/web`, { spec: { targetCPUUtilizationPercentage: 70 } }, { 'content-type': 'application/merge-patch+json' });
    assert.equal(p.status, 200, JSON.stringify(p.body));
    assert.equal(p.body.spec.targetCPUUtilizationPercentage, 70);
    const afterPatch = await req('GET', `${HPA2}/web`);
    assert.equal(afterPatch.body.spec.metrics[0].resource.target.averageUtilization, 70);
    assert.equal(afterPatch.body.spec.metrics.length, 2);
  });

  test('kubectl autoscale creates one and kubectl get hpa shows it', async () => {
    const k = kubectlFor(api.config);
    const d = await k.run(['create', 'deployment', 'api', '--image=busybox:1.35']);
    assert.equal(d.code, 0, d.stderr);
    const a = await k.run(['autoscale', 'deployment', 'api', '--cpu-percent=50', '--min=1', '--max=4']);
    assert.equal(a.code, 0, a.stderr);
    const g = await k.run(['get', 'hpa', 'api']);
    assert.equal(g.code, 0, g.stderr);
    // Kubernetes 1.30+ names the resource in TARGETS.
    assert.match(g.stdout, /api\s+Deployment\/api\s+cpu: <unknown>\/50%\s+1\s+4\s+0/);
    const v2 = await req('GET', `${HPA2}/api`);
    assert.equal(v2.body.spec.metrics[0].resource.target.averageUtilization, 50);
  });
});
