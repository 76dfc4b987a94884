// The EndpointSlice controller's pure core: endpoint conditions, grouping by port list, and
// the slice plan (reuse, fill, split at the limit, placeholder, stale-cache tracking).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1';
import { desiredEndpointGroups, planSlices, podToEndpoint, sliceLabels, SliceTracker } from './endpointslice.js';
import { MANAGED_BY_LABEL, SERVICE_NAME_LABEL } from '../api/discovery.js';
import type { Pod, Service } from 'kubernetes-types/core/v1';

function svc(name: string, ports: NonNullable<Service['spec']>['ports'], extra: Partial<NonNullable<Service['spec']>> = {}): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'ns', uid: `svc-${name}` }, spec: { selector: { app: name }, ports, ...extra } };
}

function pod(name: string, ip: string, opts: { ready?: boolean; ports?: { name: string; containerPort: number }[]; deleting?: boolean } = {}): Pod {
  return {
    metadata: { name, namespace: 'ns', uid: `uid-${name}`, labels: { app: 'web' }, ...(opts.deleting ? { deletionTimestamp: '2024-01-01T00:00:00Z' } : {}) },
    spec: { nodeName: 'node-1', containers: [{ name: 'c', image: 'busybox', ports: opts.ports }] },
    status: { phase: 'Running', podIP: ip, conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }] },
  };
}

const web = svc('web', [{ name: 'http', port: 80, targetPort: 8080 }]);
const pods = (n: number) => Array.from({ length: n }, (_, i) => pod(`p${i}`, `10.0.${Math.floor(i / 250)}.${(i % 250) + 1}`));

/** What the apiserver would store for a planned slice. */
function stored(s: EndpointSlice, i: number): EndpointSlice {
  return { ...structuredClone(s), metadata: { ...s.metadata, name: `web-${i}`, resourceVersion: String(10 + i) } };
}

describe('endpointslice: endpoints', () => {
  test('conditions: ready/serving/terminating as k8s', () => {
    assert.deepEqual(podToEndpoint(pod('a', '10.0.0.1'), web, 'IPv4')?.conditions, { ready: true, serving: true, terminating: false });
    assert.deepEqual(podToEndpoint(pod('a', '10.0.0.1', { ready: false }), web, 'IPv4')?.conditions, { ready: false, serving: false, terminating: false });
    assert.deepEqual(podToEndpoint(pod('a', '10.0.0.1', { deleting: true }), web, 'IPv4')?.conditions, { ready: false, serving: true, terminating: true });
    const pnra = svc('web', [{ port: 80 }], { publishNotReadyAddresses: true });
    assert.equal(podToEndpoint(pod('a', '10.0.0.1', { deleting: true }), pnra, 'IPv4')?.conditions?.ready, true);
    const ep = podToEndpoint(pod('a', '10.0.0.1'), web, 'IPv4', () => 'zone-a');
    assert.equal(ep?.nodeName, 'node-1');
    assert.equal(ep?.zone, 'zone-a');
    assert.deepEqual(ep?.targetRef, { kind: 'Pod', namespace: 'ns', name: 'a', uid: 'uid-a' });
    assert.equal(podToEndpoint(pod('a', '10.0.0.1'), web, 'IPv6'), undefined);
  });

  test('terminating pods are kept (unlike Endpoints); different named-port numbers make separate groups', () => {
    const s = svc('web', [{ name: 'http', port: 80, targetPort: 'web' }]);
    const groups = desiredEndpointGroups(s, [
      pod('a', '10.0.0.1', { ports: [{ name: 'web', containerPort: 8080 }] }),
      pod('b', '10.0.0.2', { ports: [{ name: 'web', containerPort: 8081 }], deleting: true }),
      pod('c', '10.0.0.3'),
    ]);
    assert.deepEqual(groups.map((g) => [g.ports.map((p) => p.port), g.endpoints.map((e) => e.addresses[0])]), [
      [[8080], ['10.0.0.1']],
      [[8081], ['10.0.0.2']],
    ]);
  });
});

describe('endpointslice: planning slices', () => {
  test('250 endpoints → 100 + 100 + 50, labelled and owned by the service', () => {
    const plan = planSlices(web, desiredEndpointGroups(web, pods(250)), [], 100);
    assert.deepEqual(plan.create.map((s) => s.endpoints.length), [100, 100, 50]);
    const s = plan.create[0];
    assert.equal(s.metadata?.labels?.[SERVICE_NAME_LABEL], 'web');
    assert.equal(s.metadata?.labels?.[MANAGED_BY_LABEL], 'endpointslice-controller.k8s.io');
    assert.equal(s.metadata?.generateName, 'web-');
    assert.deepEqual(s.metadata?.ownerReferences, [{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: 'svc-web', controller: true, blockOwnerDeletion: true }]);
    assert.equal(s.addressType, 'IPv4');
    assert.deepEqual(s.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
  });

  test('nothing changed → nothing written; one pod not ready → only its slice is updated', () => {
    const first = planSlices(web, desiredEndpointGroups(web, pods(150)), [], 100).create.map(stored);
    const same = planSlices(web, desiredEndpointGroups(web, pods(150)), first, 100);
    assert.deepEqual(same, { create: [], update: [], delete: [] });
    const changed = pods(150);
    changed[120] = pod('p120', changed[120].status!.podIP!, { ready: false });
    const plan = planSlices(web, desiredEndpointGroups(web, changed), first, 100);
    assert.equal(plan.create.length + plan.delete.length, 0);
    assert.deepEqual(plan.update.map((s) => s.metadata?.name), ['web-1']);
  });

  test('removed endpoints leave their slice; new ones fill free room before a new slice is made', () => {
    const first = planSlices(web, desiredEndpointGroups(web, pods(150)), [], 100).create.map(stored);
    const fewer = pods(150).filter((_, i) => i < 100 || i >= 140); // drops 40 from the second slice
    const plan = planSlices(web, desiredEndpointGroups(web, [...fewer, ...pods(300).slice(150, 170)]), first, 100);
    assert.equal(plan.create.length, 0, '10 remaining + 20 new fit in the second slice');
    assert.deepEqual(plan.update.map((s) => [s.metadata?.name, s.endpoints.length]), [['web-1', 10 + 20]]);
  });

  test('no endpoints: one empty placeholder slice (the last slice becomes it), the others are deleted', () => {
    const first = planSlices(web, desiredEndpointGroups(web, pods(150)), [], 100).create.map(stored);
    const plan = planSlices(web, [], first, 100);
    assert.equal(plan.create.length, 0);
    assert.equal(plan.delete.length, 1);
    assert.equal(plan.update.length, 1, 'a slice about to go is reused for the placeholder');
    assert.deepEqual([plan.update[0].endpoints, plan.update[0].ports], [[], []]);
    const again = planSlices(web, [], [plan.update[0]], 100);
    assert.deepEqual(again, { create: [], update: [], delete: [] });
    const fresh = planSlices(web, [], [], 100);
    assert.deepEqual([fresh.create.length, fresh.create[0].endpoints, fresh.create[0].ports], [1, [], []]);
  });

  test('the first endpoints go into the placeholder: an update, never a second slice beside it', () => {
    const placeholder = stored(planSlices(web, [], [], 100).create[0], 0);
    const plan = planSlices(web, desiredEndpointGroups(web, pods(2)), [placeholder], 100);
    assert.deepEqual([plan.create.length, plan.delete.length], [0, 0]);
    assert.deepEqual(plan.update.map((s) => [s.metadata?.name, s.endpoints.length, s.ports?.length]), [[placeholder.metadata?.name, 2, 1]]);
  });

  test('slices owned by an older service of the same name are deleted', () => {
    const old = planSlices({ ...web, metadata: { ...web.metadata, uid: 'old' } }, desiredEndpointGroups(web, pods(2)), [], 100).create.map(stored);
    const plan = planSlices(web, desiredEndpointGroups(web, pods(2)), old, 100);
    assert.equal(plan.delete.length, 1);
    assert.equal(plan.create.length, 1);
  });

  test('service label changes reach every slice', () => {
    const first = planSlices(web, desiredEndpointGroups(web, pods(2)), [], 100).create.map(stored);
    const relabelled = { ...web, metadata: { ...web.metadata, labels: { tier: 'front' } } };
    const plan = planSlices(relabelled, desiredEndpointGroups(relabelled, pods(2)), first, 100);
    assert.equal(plan.update.length, 1);
    assert.deepEqual(plan.update[0].metadata?.labels, sliceLabels(relabelled));
    assert.equal(plan.update[0].metadata?.labels?.tier, 'front');
  });
});

describe('endpointslice: tracker', () => {
  test('stale until the cache shows our writes and deletes', () => {
    const t = new SliceTracker();
    const slice = (name: string, rv: string): EndpointSlice => ({ addressType: 'IPv4', endpoints: [], metadata: { name, resourceVersion: rv } });
    t.wrote('u', slice('a', '20'));
    t.deleted('u', 'b');
    assert.equal(t.stale('u', [slice('a', '19'), slice('b', '5')]), true);
    assert.equal(t.stale('u', [slice('a', '20'), slice('b', '5')]), true, 'b is still there');
    assert.equal(t.stale('u', [slice('a', '21')]), false);
    assert.equal(t.stale('other', []), false);
  });
});
