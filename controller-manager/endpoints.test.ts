// The Endpoints controller's pure core: which pods land in which subset, as k8s computes it.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, Service } from 'kubernetes-types/core/v1';
import { computeEndpointSubsets, desiredEndpoints, endpointsUpToDate, repackSubsets, truncateSubsets } from './endpoints.js';
import { findPort, HEADLESS_LABEL } from './controller/endpoint-util.js';

function svc(name: string, ports: NonNullable<Service['spec']>['ports'], extra: Partial<NonNullable<Service['spec']>> = {}): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'ns', uid: `svc-${name}` }, spec: { selector: { app: name }, ports, ...extra } };
}

function pod(name: string, ip: string, opts: { ready?: boolean; ports?: { name: string; containerPort: number }[]; deleting?: boolean; phase?: string; node?: string } = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'ns', uid: `uid-${name}`, labels: { app: 'web' }, ...(opts.deleting ? { deletionTimestamp: '2024-01-01T00:00:00Z' } : {}) },
    spec: { nodeName: opts.node ?? 'node-1', containers: [{ name: 'c', image: 'busybox', ports: opts.ports }] },
    status: { phase: opts.phase ?? 'Running', podIP: ip || undefined, conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }] },
  };
}

describe('endpoints: subsets from a service and its pods', () => {
  test('ready pods are addresses, not-ready ones notReadyAddresses, with targetRef and nodeName', () => {
    const { subsets } = computeEndpointSubsets(svc('web', [{ name: 'http', port: 80, targetPort: 8080 }]), [pod('a', '10.0.0.2'), pod('b', '10.0.0.1', { ready: false })]);
    assert.equal(subsets.length, 1);
    assert.deepEqual(subsets[0].addresses, [{ ip: '10.0.0.2', nodeName: 'node-1', targetRef: { kind: 'Pod', namespace: 'ns', name: 'a', uid: 'uid-a' } }]);
    assert.deepEqual(subsets[0].notReadyAddresses?.map((a) => a.ip), ['10.0.0.1']);
    assert.deepEqual(subsets[0].ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
  });

  test('pods without an IP, finished pods and terminating pods are left out', () => {
    const pods = [pod('noip', ''), pod('done', '10.0.0.3', { phase: 'Succeeded' }), pod('bye', '10.0.0.4', { deleting: true }), pod('ok', '10.0.0.5')];
    const { subsets } = computeEndpointSubsets(svc('web', [{ port: 80 }]), pods);
    assert.deepEqual(subsets.flatMap((s) => [...(s.addresses ?? []), ...(s.notReadyAddresses ?? [])]).map((a) => a.ip), ['10.0.0.5']);
  });

  test('publishNotReadyAddresses publishes not-ready and terminating pods as ready', () => {
    const { subsets } = computeEndpointSubsets(svc('web', [{ port: 80 }], { publishNotReadyAddresses: true }), [pod('a', '10.0.0.1', { ready: false }), pod('b', '10.0.0.2', { deleting: true })]);
    assert.deepEqual(subsets[0].addresses?.map((a) => a.ip), ['10.0.0.1', '10.0.0.2']);
    assert.equal(subsets[0].notReadyAddresses, undefined);
  });

  test('a named targetPort resolves per pod; pods without that port are skipped for it', () => {
    const s = svc('web', [{ name: 'http', port: 80, targetPort: 'web' }, { name: 'metrics', port: 9090 }]);
    const pods = [
      pod('a', '10.0.0.1', { ports: [{ name: 'web', containerPort: 8080 }] }),
      pod('b', '10.0.0.2', { ports: [{ name: 'web', containerPort: 8081 }] }),
      pod('c', '10.0.0.3'),
    ];
    const { subsets } = computeEndpointSubsets(s, pods);
    const byIp = (ip: string) => subsets.filter((x) => x.addresses?.some((a) => a.ip === ip)).flatMap((x) => x.ports?.map((p) => `${p.name}:${p.port}`) ?? []).sort();
    assert.deepEqual(byIp('10.0.0.1'), ['http:8080', 'metrics:9090']);
    assert.deepEqual(byIp('10.0.0.2'), ['http:8081', 'metrics:9090']);
    assert.deepEqual(byIp('10.0.0.3'), ['metrics:9090']);
    assert.equal(findPort(pods[2], { port: 80, targetPort: 'web' }), undefined);
    assert.equal(findPort(pods[0], { port: 80, targetPort: 'web', protocol: 'UDP' }), undefined, 'protocol must match too');
  });

  test('repacking groups ports offered by the same addresses, and is order-independent', () => {
    const addr = (ip: string) => ({ ip, targetRef: { kind: 'Pod', uid: ip } });
    const e = [
      { address: addr('1.1.1.2'), ready: true, ports: [{ name: 'a', port: 1, protocol: 'TCP' }] },
      { address: addr('1.1.1.1'), ready: true, ports: [{ name: 'a', port: 1, protocol: 'TCP' }] },
      { address: addr('1.1.1.1'), ready: true, ports: [{ name: 'b', port: 2, protocol: 'TCP' }] },
      { address: addr('1.1.1.2'), ready: true, ports: [{ name: 'b', port: 2, protocol: 'TCP' }] },
    ];
    const packed = repackSubsets(e);
    assert.equal(packed.length, 1);
    assert.deepEqual(packed[0].ports?.map((p) => p.name), ['a', 'b']);
    assert.deepEqual(repackSubsets([...e].reverse()), packed);
  });

  test('headless services without ports still publish addresses; labels carry the headless marker', () => {
    const s = svc('web', [], { clusterIP: 'None' });
    const ep = desiredEndpoints(s, [pod('a', '10.0.0.1')]);
    assert.deepEqual(ep.subsets?.[0].addresses?.map((a) => a.ip), ['10.0.0.1']);
    assert.equal(ep.subsets?.[0].ports, undefined);
    assert.equal(ep.metadata?.labels?.[HEADLESS_LABEL], '');
  });

  test('over capacity: truncated with ready addresses first', () => {
    const subsets = [{ addresses: [{ ip: '1.1.1.1' }, { ip: '1.1.1.2' }], notReadyAddresses: [{ ip: '1.1.1.3' }] }];
    const r = truncateSubsets(subsets, 2);
    assert.equal(r.truncated, true);
    assert.deepEqual(r.subsets.flatMap((s) => [...(s.addresses ?? []), ...(s.notReadyAddresses ?? [])]).map((a) => a.ip), ['1.1.1.1', '1.1.1.2']);
  });

  test('up to date ignores server-added defaults and empty fields, notices real changes', () => {
    const s = svc('web', [{ port: 80 }]);
    const want = desiredEndpoints(s, [pod('a', '10.0.0.1')]);
    const stored = { ...structuredClone(want), metadata: { ...want.metadata, resourceVersion: '5', uid: 'x', annotations: {} } };
    assert.equal(endpointsUpToDate(stored, want), true);
    assert.equal(endpointsUpToDate(stored, desiredEndpoints(s, [pod('a', '10.0.0.1', { ready: false })])), false);
  });
});
