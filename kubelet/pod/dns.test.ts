import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1';
import { formatResolvConf, podHostsFile, podResolvConf, type DnsSettings } from './dns.js';

const settings: DnsSettings = {
  clusterDNS: ['10.96.0.10'],
  clusterDomain: 'cluster.local',
  hostResolvConf: 'nameserver 127.0.0.53\nnameserver 192.0.2.53\nsearch corp.example\noptions edns0\n',
};
const pod = (spec: Partial<NonNullable<Pod['spec']>> = {}): Pod => ({ metadata: { name: 'web-0', namespace: 'shop' }, spec: { containers: [], ...spec } });

test('ClusterFirst: cluster DNS, the namespace search path, ndots:5', () => {
  const c = podResolvConf(pod(), settings);
  assert.equal(formatResolvConf(c), 'search shop.svc.cluster.local svc.cluster.local cluster.local corp.example\nnameserver 10.96.0.10\noptions ndots:5\n');
});

test('Default (and ClusterFirst without --cluster-dns, or on the host network): the host resolver, minus loopback', () => {
  for (const p of [pod({ dnsPolicy: 'Default' }), pod({ hostNetwork: true })]) {
    assert.deepEqual(podResolvConf(p, settings), { nameservers: ['192.0.2.53'], searches: ['corp.example'], options: ['edns0'] });
  }
  assert.deepEqual(podResolvConf(pod(), { ...settings, clusterDNS: [] }).nameservers, ['192.0.2.53']);
  assert.deepEqual(podResolvConf(pod({ hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' }), settings).nameservers, ['10.96.0.10']);
});

test('None takes only dnsConfig; dnsConfig merges into other policies, options by name', () => {
  const none = podResolvConf(pod({ dnsPolicy: 'None', dnsConfig: { nameservers: ['1.1.1.1'], searches: ['a.b'], options: [{ name: 'ndots', value: '2' }] } }), settings);
  assert.deepEqual(none, { nameservers: ['1.1.1.1'], searches: ['a.b'], options: ['ndots:2'] });
  const merged = podResolvConf(pod({ dnsConfig: { options: [{ name: 'ndots', value: '1' }, { name: 'rotate' }] } }), settings);
  assert.deepEqual(merged.options, ['ndots:1', 'rotate']);
});

test('/etc/hosts: localhost, the pod IP with its hostname (FQDN with a subdomain), host aliases', () => {
  const plain = podHostsFile(pod(), '10.244.0.9', 'cluster.local');
  assert.match(plain, /^127\.0\.0\.1\tlocalhost$/m);
  assert.match(plain, /^10\.244\.0\.9\tweb-0$/m);
  const sub = podHostsFile(pod({ hostname: 'db', subdomain: 'dbs', hostAliases: [{ ip: '10.1.1.1', hostnames: ['foo', 'bar'] }] }), '10.244.0.9', 'cluster.local');
  assert.match(sub, /^10\.244\.0\.9\tdb\.dbs\.shop\.svc\.cluster\.local\tdb$/m);
  assert.match(sub, /^10\.1\.1\.1\tfoo\tbar$/m);
});
