// The pure resolver: (question, cluster state) → response sections, against the Kubernetes
// DNS schema (kubernetes/dns docs/specification.md) and CoreDNS's behaviour where it is silent.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { Answer, RecordType } from 'dns-packet';
import type { Namespace, Pod, Service } from 'kubernetes-types/core/v1';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1';
import { Store } from '../client/index.js';
import { ListerClusterState, endpointSliceIndexers, podIndexers, serviceIndexers, type ClusterState } from './cluster-state.js';
import type { ZoneConfig } from './records.js';
import { resolve } from './resolve.js';

function svc(ns: string, name: string, spec: NonNullable<Service['spec']>): Service {
  return { metadata: { namespace: ns, name }, spec };
}

function slice(ns: string, service: string, name: string, endpoints: EndpointSlice['endpoints'], ports: EndpointSlice['ports'], addressType = 'IPv4'): EndpointSlice {
  return { metadata: { namespace: ns, name, labels: { 'kubernetes.io/service-name': service } }, addressType, endpoints, ports };
}

function clusterState(objs: { services?: Service[]; slices?: EndpointSlice[]; namespaces?: string[]; pods?: Pod[] }): ClusterState {
  const services = new Store<Service>(serviceIndexers);
  const endpointSlices = new Store<EndpointSlice>(endpointSliceIndexers);
  const namespaces = new Store<Namespace>();
  const pods = new Store<Pod>(podIndexers);
  for (const s of objs.services ?? []) services.upsert(structuredClone(s));
  for (const s of objs.slices ?? []) endpointSlices.upsert(structuredClone(s));
  for (const n of objs.namespaces ?? ['default', 'kube-system']) namespaces.upsert({ metadata: { name: n } });
  for (const p of objs.pods ?? []) pods.upsert(structuredClone(p));
  return new ListerClusterState({ services, endpointSlices, namespaces, pods, serial: () => 42 });
}

const cfg: ZoneConfig = { zone: 'cluster.local', ttl: 5, podMode: 'insecure' };

const state = clusterState({
  services: [
    svc('default', 'web', {
      type: 'ClusterIP',
      clusterIP: '10.96.0.20',
      clusterIPs: ['10.96.0.20'],
      ports: [
        { name: 'http', port: 80, protocol: 'TCP' },
        { name: 'dns', port: 53, protocol: 'UDP' },
        { port: 8080, protocol: 'TCP' },
      ],
    }),
    svc('default', 'db', { clusterIP: 'None', ports: [{ name: 'mysql', port: 3306, protocol: 'TCP' }] }),
    svc('default', 'empty-headless', { clusterIP: 'None', ports: [{ name: 'x', port: 1 }] }),
    svc('default', 'ext', { type: 'ExternalName', externalName: 'www.example.com' }),
    svc('default', 'alias', { type: 'ExternalName', externalName: 'web.default.svc.cluster.local' }),
    svc('default', 'loop', { type: 'ExternalName', externalName: 'loop.default.svc.cluster.local' }),
    svc('kube-system', 'kube-dns', { clusterIP: '10.96.0.10', ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] }),
    svc('default', 'v6', { clusterIP: 'fd00:10:96::20', ports: [{ name: 'http', port: 80 }] }),
  ],
  slices: [
    slice(
      'default',
      'db',
      'db-abc',
      [
        { addresses: ['10.244.0.5'], hostname: 'db-0', conditions: { ready: true } },
        { addresses: ['10.244.0.6'], conditions: {} },
        { addresses: ['10.244.0.7'], hostname: 'db-2', conditions: { ready: false } },
      ],
      [{ name: 'mysql', port: 3306, protocol: 'TCP' }],
    ),
    slice('default', 'web', 'web-abc', [{ addresses: ['10.244.0.9'], conditions: { ready: true } }], [{ name: 'http', port: 8080, protocol: 'TCP' }]),
  ],
});

function ask(name: string, type: RecordType | 'ANY' = 'A', s: ClusterState = state, c: ZoneConfig = cfg) {
  // Decoded queries carry 'ANY' (255) although the typings' RecordType lacks it.
  return resolve({ name, type: type as RecordType, class: 'IN' }, s, c);
}

function data(answers: Answer[]): unknown[] {
  return answers.map((a) => (a.type === 'OPT' ? undefined : a.data));
}

describe('services with a ClusterIP', () => {
  test('A is the ClusterIP, owner spelled as asked, TTL as configured', () => {
    const r = ask('Web.default.svc.cluster.local');
    assert.equal(r.rcode, 'NOERROR');
    assert.equal(r.authoritative, true);
    assert.deepEqual(r.answers, [{ name: 'Web.default.svc.cluster.local', type: 'A', ttl: 5, class: 'IN', data: '10.96.0.20' }]);
  });

  test('AAAA for an IPv4-only service is NODATA with the zone SOA', () => {
    const r = ask('web.default.svc.cluster.local', 'AAAA');
    assert.equal(r.rcode, 'NOERROR');
    assert.deepEqual(r.answers, []);
    assert.equal(r.authorities.length, 1);
    const soa = r.authorities[0];
    assert.equal(soa.type, 'SOA');
    assert.equal(soa.name, 'cluster.local');
    assert.deepEqual(soa.type === 'SOA' && soa.data, {
      mname: 'ns.dns.cluster.local', rname: 'hostmaster.cluster.local', serial: 42, refresh: 7200, retry: 1800, expire: 86400, minimum: 5,
    });
  });

  test('SRV for a named port points at the service, with its A as glue', () => {
    const r = ask('_http._tcp.web.default.svc.cluster.local', 'SRV');
    assert.equal(r.rcode, 'NOERROR');
    assert.deepEqual(data(r.answers), [{ priority: 0, weight: 100, port: 80, target: 'web.default.svc.cluster.local' }]);
    assert.deepEqual(r.additionals, [{ name: 'web.default.svc.cluster.local', type: 'A', ttl: 5, class: 'IN', data: '10.96.0.20' }]);
  });

  test('SRV matches the protocol too; unknown port names are NXDOMAIN', () => {
    assert.deepEqual(data(ask('_dns._udp.web.default.svc.cluster.local', 'SRV').answers), [{ priority: 0, weight: 100, port: 53, target: 'web.default.svc.cluster.local' }]);
    assert.equal(ask('_dns._tcp.web.default.svc.cluster.local', 'SRV').rcode, 'NXDOMAIN');
    assert.equal(ask('_nope._tcp.web.default.svc.cluster.local', 'SRV').rcode, 'NXDOMAIN');
  });

  test('_tcp.<svc> is an empty non-terminal (NODATA), SRV on the bare name lists every port', () => {
    const nt = ask('_tcp.web.default.svc.cluster.local', 'SRV');
    assert.equal(nt.rcode, 'NOERROR');
    assert.deepEqual(nt.answers, []);
    assert.deepEqual(
      data(ask('web.default.svc.cluster.local', 'SRV').answers).map((d) => (d as { port: number }).port),
      [80, 53, 8080],
    );
  });

  test('endpoints of a ClusterIP service answer by their dashed IP', () => {
    assert.deepEqual(data(ask('10-244-0-9.web.default.svc.cluster.local').answers), ['10.244.0.9']);
  });

  test('IPv6 ClusterIPs answer AAAA, not A', () => {
    assert.deepEqual(data(ask('v6.default.svc.cluster.local', 'AAAA').answers), ['fd00:10:96::20']);
    assert.deepEqual(ask('v6.default.svc.cluster.local', 'A').answers, []);
  });
});

describe('headless services', () => {
  test('A records of ready endpoints only (missing ready condition = ready)', () => {
    const r = ask('db.default.svc.cluster.local');
    assert.deepEqual(data(r.answers).sort(), ['10.244.0.5', '10.244.0.6']);
  });

  test('hostname and dashed-IP endpoint names resolve; not-ready ones do not', () => {
    assert.deepEqual(data(ask('db-0.db.default.svc.cluster.local').answers), ['10.244.0.5']);
    assert.deepEqual(data(ask('10-244-0-6.db.default.svc.cluster.local').answers), ['10.244.0.6']);
    assert.equal(ask('db-2.db.default.svc.cluster.local').rcode, 'NXDOMAIN');
  });

  test('SRV has one record per ready endpoint, targets are endpoint names with A glue', () => {
    const r = ask('_mysql._tcp.db.default.svc.cluster.local', 'SRV');
    assert.deepEqual(data(r.answers), [
      { priority: 0, weight: 50, port: 3306, target: 'db-0.db.default.svc.cluster.local' },
      { priority: 0, weight: 50, port: 3306, target: '10-244-0-6.db.default.svc.cluster.local' },
    ]);
    assert.deepEqual(
      r.additionals.map((a) => [a.name, a.type === 'OPT' ? '' : a.data]),
      [
        ['db-0.db.default.svc.cluster.local', '10.244.0.5'],
        ['10-244-0-6.db.default.svc.cluster.local', '10.244.0.6'],
      ],
    );
  });

  test('no ready endpoints: NXDOMAIN (spec §2.4.1)', () => {
    assert.equal(ask('empty-headless.default.svc.cluster.local').rcode, 'NXDOMAIN');
  });

  test('publishNotReadyAddresses includes not-ready endpoints', () => {
    const s = clusterState({
      services: [svc('default', 'db', { clusterIP: 'None', publishNotReadyAddresses: true, ports: [{ name: 'm', port: 1 }] })],
      slices: [slice('default', 'db', 'db-x', [{ addresses: ['10.244.0.7'], conditions: { ready: false } }], [])],
    });
    assert.deepEqual(data(ask('db.default.svc.cluster.local', 'A', s).answers), ['10.244.0.7']);
  });

  test('the same address in two slices is answered once, with both slices\' ports', () => {
    const s = clusterState({
      services: [svc('default', 'h', { clusterIP: 'None', ports: [{ name: 'a', port: 1 }, { name: 'b', port: 2 }] })],
      slices: [
        slice('default', 'h', 'h-1', [{ addresses: ['10.244.0.8'] }], [{ name: 'a', port: 1, protocol: 'TCP' }]),
        slice('default', 'h', 'h-2', [{ addresses: ['10.244.0.8'] }], [{ name: 'b', port: 2, protocol: 'TCP' }]),
      ],
    });
    assert.deepEqual(data(ask('h.default.svc.cluster.local', 'A', s).answers), ['10.244.0.8']);
    assert.deepEqual(data(ask('_b._tcp.h.default.svc.cluster.local', 'SRV', s).answers), [{ priority: 0, weight: 100, port: 2, target: '10-244-0-8.h.default.svc.cluster.local' }]);
  });
});

describe('ExternalName', () => {
  test('any type but CNAME gets the CNAME and a hint to chase it upstream', () => {
    const r = ask('ext.default.svc.cluster.local');
    assert.equal(r.rcode, 'NOERROR');
    assert.deepEqual(r.answers, [{ name: 'ext.default.svc.cluster.local', type: 'CNAME', ttl: 5, class: 'IN', data: 'www.example.com' }]);
    assert.equal(r.chase, 'www.example.com');
  });

  test('CNAME queries get just the CNAME', () => {
    const r = ask('ext.default.svc.cluster.local', 'CNAME');
    assert.deepEqual(data(r.answers), ['www.example.com']);
    assert.equal(r.chase, undefined);
  });

  test('a target inside the zone is followed', () => {
    const r = ask('alias.default.svc.cluster.local');
    assert.deepEqual(r.answers.map((a) => a.type), ['CNAME', 'A']);
    assert.deepEqual(data(r.answers), ['web.default.svc.cluster.local', '10.96.0.20']);
  });

  test('a CNAME loop ends in SERVFAIL instead of spinning', () => {
    assert.equal(ask('loop.default.svc.cluster.local').rcode, 'SERVFAIL');
  });
});

describe('pods', () => {
  test('insecure: any well-formed dashed IP in an existing namespace', () => {
    assert.deepEqual(data(ask('10-244-3-4.default.pod.cluster.local').answers), ['10.244.3.4']);
    assert.equal(ask('10-244-3-4.nope.pod.cluster.local').rcode, 'NXDOMAIN');
    assert.equal(ask('not-an-ip.default.pod.cluster.local').rcode, 'NXDOMAIN');
  });

  test('verified: only pods that exist with that IP in that namespace', () => {
    const s = clusterState({ pods: [{ metadata: { namespace: 'default', name: 'p' }, status: { podIP: '10.244.3.4', podIPs: [{ ip: '10.244.3.4' }] } }] });
    const verified = { ...cfg, podMode: 'verified' as const };
    assert.deepEqual(data(ask('10-244-3-4.default.pod.cluster.local', 'A', s, verified).answers), ['10.244.3.4']);
    assert.equal(ask('10-244-3-5.default.pod.cluster.local', 'A', s, verified).rcode, 'NXDOMAIN');
    assert.equal(ask('10-244-3-4.kube-system.pod.cluster.local', 'A', s, verified).rcode, 'NXDOMAIN');
  });

  test('disabled: never', () => {
    assert.equal(ask('10-244-3-4.default.pod.cluster.local', 'A', state, { ...cfg, podMode: 'disabled' }).rcode, 'NXDOMAIN');
  });
});

describe('PTR', () => {
  test('a ClusterIP points at its service', () => {
    assert.deepEqual(data(ask('20.0.96.10.in-addr.arpa', 'PTR').answers), ['web.default.svc.cluster.local']);
  });

  test('an endpoint address points at its endpoint name', () => {
    assert.deepEqual(data(ask('5.0.244.10.in-addr.arpa', 'PTR').answers), ['db-0.db.default.svc.cluster.local']);
    assert.deepEqual(data(ask('6.0.244.10.in-addr.arpa', 'PTR').answers), ['10-244-0-6.db.default.svc.cluster.local']);
  });

  test('unknown addresses are NXDOMAIN with the reverse zone SOA, and may fall through upstream', () => {
    const r = ask('1.2.3.4.in-addr.arpa', 'PTR');
    assert.equal(r.rcode, 'NXDOMAIN');
    assert.equal(r.fallthrough, true);
    assert.equal(r.authorities[0].name, 'in-addr.arpa');
  });
});

describe('the zone itself', () => {
  test('unknown names: NXDOMAIN with SOA; namespaces and svc/pod roots: NODATA', () => {
    for (const name of ['nope.default.svc.cluster.local', 'foo.cluster.local', 'x.y.z.nope.default.svc.cluster.local', 'web.nope.svc.cluster.local', 'nope.svc.cluster.local']) {
      const r = ask(name);
      assert.equal(r.rcode, 'NXDOMAIN', name);
      assert.equal(r.authorities[0].type, 'SOA', name);
      assert.equal(r.fallthrough, false, name);
    }
    for (const name of ['default.svc.cluster.local', 'svc.cluster.local', 'pod.cluster.local', 'default.pod.cluster.local']) {
      const r = ask(name);
      assert.equal(r.rcode, 'NOERROR', name);
      assert.deepEqual(r.answers, [], name);
    }
  });

  test('apex SOA and NS; ns.dns resolves to the kube-dns ClusterIP', () => {
    assert.deepEqual(ask('cluster.local', 'SOA').answers.map((a) => a.type), ['SOA']);
    assert.deepEqual(data(ask('cluster.local', 'NS').answers), ['ns.dns.cluster.local']);
    assert.deepEqual(data(ask('ns.dns.cluster.local').answers), ['10.96.0.10']);
  });

  test('dns-version TXT', () => {
    assert.deepEqual(data(ask('dns-version.cluster.local', 'TXT').answers), ['1.1.0']);
  });

  test('ANY returns every record of the name', () => {
    assert.deepEqual(ask('web.default.svc.cluster.local', 'ANY').answers.map((a) => a.type), ['A', 'SRV', 'SRV', 'SRV']);
  });

  test('names outside the zone are refused (or forwarded), not answered', () => {
    const r = ask('example.com');
    assert.equal(r.rcode, 'REFUSED');
    assert.equal(r.authoritative, false);
    assert.equal(r.fallthrough, true);
  });

  test('another cluster domain', () => {
    const r = ask('web.default.svc.k8s.test', 'A', state, { ...cfg, zone: 'k8s.test' });
    assert.deepEqual(data(r.answers), ['10.96.0.20']);
    assert.equal(ask('web.default.svc.cluster.local', 'A', state, { ...cfg, zone: 'k8s.test' }).rcode, 'REFUSED');
  });
});
