// The shared desired state and the userspace mode's pure parts.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Service } from 'kubernetes-types/core/v1';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1';
import { buildServicePorts } from './service-ports.js';
import { LoadBalancer, portalRules, userspaceListeners } from './userspace/rules.js';
import { splitRule } from './exec.js';

const svc = (name: string, spec: Service['spec'], status?: Service['status']): Service => ({
  metadata: { namespace: 'default', name },
  spec: { clusterIP: '10.96.0.20', ports: [{ name: 'http', port: 80, protocol: 'TCP' }], ...spec },
  ...(status ? { status } : {}),
});

const slice = (service: string, endpoints: EndpointSlice['endpoints'], port = 8080): EndpointSlice => ({
  metadata: { namespace: 'default', name: `${service}-abc`, labels: { 'kubernetes.io/service-name': service } },
  addressType: 'IPv4',
  ports: [{ name: 'http', port, protocol: 'TCP' }],
  endpoints,
});

describe('buildServicePorts', () => {
  test('ready endpoints only, terminating never, not-ready with publishNotReadyAddresses', () => {
    const eps: EndpointSlice['endpoints'] = [
      { addresses: ['10.244.0.3'], conditions: { ready: true } },
      { addresses: ['10.244.0.2'] },
      { addresses: ['10.244.0.4'], conditions: { ready: false } },
      { addresses: ['10.244.0.5'], conditions: { ready: false, terminating: true } },
    ];
    const [p] = buildServicePorts([svc('web', {})], [slice('web', eps)]);
    assert.equal(p!.name, 'default/web:http');
    assert.deepEqual(p!.endpoints.map((e) => `${e.ip}:${e.port}`), ['10.244.0.2:8080', '10.244.0.3:8080']);
    const [q] = buildServicePorts([svc('web', { publishNotReadyAddresses: true })], [slice('web', eps)]);
    assert.deepEqual(q!.endpoints.map((e) => e.ip), ['10.244.0.2', '10.244.0.3', '10.244.0.4']);
  });

  test('headless and ExternalName Services are not proxied; other services\' slices do not leak in', () => {
    const ports = buildServicePorts(
      [svc('headless', { clusterIP: 'None' }), svc('ext', { type: 'ExternalName', externalName: 'x.example', clusterIP: undefined }), svc('a', {})],
      [slice('b', [{ addresses: ['10.244.0.9'] }])],
    );
    assert.deepEqual(ports.map((p) => [p.name, p.endpoints.length]), [['default/a:http', 0]]);
  });

  test('NodePort, LoadBalancer ingress and ClientIP affinity are carried', () => {
    const [p] = buildServicePorts(
      [svc('lb', { type: 'LoadBalancer', sessionAffinity: 'ClientIP', ports: [{ port: 80, nodePort: 30080 }] }, { loadBalancer: { ingress: [{ ip: '192.0.2.2' }] } })],
      [],
    );
    assert.equal(p!.name, 'default/lb');
    assert.equal(p!.nodePort, 30080);
    assert.deepEqual(p!.loadBalancerIPs, ['192.0.2.2']);
    assert.equal(p!.affinitySeconds, 10800);
  });
});

describe('userspace', () => {
  const node = { nodeName: 'n1', nodeIPs: ['192.0.2.2'], clusterCIDR: '10.244.0.0/16' };
  test('a portal per service port, NodePorts per address, nothing without endpoints or for UDP', () => {
    const ports = buildServicePorts(
      [
        svc('np', { type: 'NodePort', ports: [{ name: 'http', port: 80, nodePort: 30080 }, { name: 'dns', port: 53, protocol: 'UDP', nodePort: 30053 }] }),
        svc('empty', { clusterIP: '10.96.0.21' }),
      ],
      [slice('np', [{ addresses: ['10.244.0.2'] }])],
    );
    const ls = userspaceListeners(ports, node, { nodePortAddresses: ['127.0.0.1', '192.0.2.2'] });
    assert.deepEqual(ls.map((l) => [l.key, l.address, l.port]), [
      ['default/np:http/TCP/portal', '0.0.0.0', 0],
      ['default/np:http/TCP/nodePort/127.0.0.1:30080', '127.0.0.1', 30080],
      ['default/np:http/TCP/nodePort/192.0.2.2:30080', '192.0.2.2', 30080],
    ]);
    const rules = portalRules(ls, new Map([['default/np:http/TCP/portal', 41234]]));
    assert.deepEqual(rules.nat.get('KUBE-PORTALS-HOST'), [
      '-A KUBE-PORTALS-HOST -m comment --comment default/np:http -m tcp -p tcp -d 10.96.0.20/32 --dport 80 -j REDIRECT --to-ports 41234',
    ]);
  });

  test('round robin; ClientIP affinity sticks to the endpoint that took the client', () => {
    const lb = new LoadBalancer(['a', 'b', 'c'], 0);
    assert.deepEqual([lb.order('x', 0)[0], lb.order('x', 0)[0], lb.order('x', 0)[0], lb.order('x', 0)[0]], ['a', 'b', 'c', 'a']);
    assert.deepEqual(lb.order('x', 0), ['b', 'c', 'a'], 'the rest follow in rotation, for retries');
    const sticky = new LoadBalancer(['a', 'b'], 10);
    sticky.connected('1.2.3.4', 'b', 0);
    assert.equal(sticky.order('1.2.3.4', 5_000)[0], 'b');
    assert.equal(sticky.order('1.2.3.4', 5_000)[0], 'b');
    assert.equal(sticky.order('1.2.3.4', 11_000)[0] !== undefined, true);
    sticky.update(['a'], 10);
    assert.deepEqual(sticky.order('1.2.3.4', 6_000), ['a'], 'a removed endpoint drops its stickiness');
  });

  test('splitRule reads iptables-save quoting', () => {
    assert.deepEqual(splitRule('-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES'), [
      '-A', 'OUTPUT', '-m', 'comment', '--comment', 'kubernetes service portals', '-j', 'KUBE-SERVICES',
    ]);
  });
});
