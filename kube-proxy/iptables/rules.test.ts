// Golden rule sets for the iptables mode (pure: no host involved).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { IptablesRuleBuilder, endpointChain, iptablesRules, probability, restoreText, serviceChain } from './rules.js';
import type { NodeInfo, ServicePort } from '../service-ports.js';

const node: NodeInfo = { nodeName: 'n1', nodeIPs: ['192.0.2.2'], clusterCIDR: '10.244.0.0/16' };
const ep1 = { ip: '10.180.0.1', port: 80, nodeName: 'n1' };
const ep2 = { ip: '10.180.0.2', port: 80, nodeName: 'n2' };
const ep3 = { ip: '10.180.0.3', port: 80, nodeName: 'n2' };

function sp(o: Partial<ServicePort> = {}): ServicePort {
  return {
    name: 'ns1/svc1:p80',
    namespace: 'ns1',
    service: 'svc1',
    portName: 'p80',
    protocol: 'TCP',
    clusterIP: '172.30.0.41',
    port: 80,
    nodePort: 0,
    loadBalancerIPs: [],
    externalIPs: [],
    isLoadBalancer: false,
    affinitySeconds: 0,
    externalLocal: false,
    endpoints: [ep1],
    ...o,
  };
}

const SVC = 'KUBE-SVC-XPGD46QRK7WJZT7O';
const EXT = 'KUBE-EXT-XPGD46QRK7WJZT7O';
const SEP1 = 'KUBE-SEP-SXIVWICOYRO3J4NJ';
const SEP2 = 'KUBE-SEP-LXVODXWDISEETFEF';
const NODEPORTS_JUMP = '-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS';

describe('chain names', () => {
  test('are k8s portProtoHash names (base32 of sha256, 16 characters)', () => {
    // The names kube-proxy itself gives ns1/svc1:p80/tcp and its endpoint 10.180.0.1:80.
    assert.equal(serviceChain(sp()), SVC);
    assert.equal(endpointChain(sp(), '10.180.0.1:80'), SEP1);
  });
  test('probabilities have ten decimals', () => {
    assert.deepEqual([3, 2].map(probability), ['0.3333333333', '0.5000000000']);
  });
});

describe('iptablesRules', () => {
  test('ClusterIP with one endpoint', () => {
    const r = iptablesRules([sp()], node);
    assert.deepEqual([...r.nat.keys()], ['KUBE-SERVICES', 'KUBE-NODEPORTS', 'KUBE-POSTROUTING', 'KUBE-MARK-MASQ', SVC, SEP1]);
    assert.deepEqual(r.nat.get('KUBE-SERVICES'), [
      `-A KUBE-SERVICES -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41/32 --dport 80 -j ${SVC}`,
      NODEPORTS_JUMP,
    ]);
    assert.deepEqual(r.nat.get(SVC), [
      `-A ${SVC} -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41/32 --dport 80 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ`,
      `-A ${SVC} -m comment --comment "ns1/svc1:p80 -> 10.180.0.1:80" -j ${SEP1}`,
    ]);
    assert.deepEqual(r.nat.get(SEP1), [
      `-A ${SEP1} -m comment --comment ns1/svc1:p80 -s 10.180.0.1/32 -j KUBE-MARK-MASQ`,
      `-A ${SEP1} -m comment --comment ns1/svc1:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.1:80`,
    ]);
    assert.deepEqual(r.nat.get('KUBE-POSTROUTING'), [
      '-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN',
      '-A KUBE-POSTROUTING -j MARK --xor-mark 0x4000',
      '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully',
    ]);
    assert.deepEqual(r.nat.get('KUBE-MARK-MASQ'), ['-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000']);
    assert.deepEqual([...r.filter.keys()], ['KUBE-FORWARD', 'KUBE-FIREWALL']);
  });

  test('NodePort with two endpoints', () => {
    const r = iptablesRules([sp({ nodePort: 30001, endpoints: [ep1, ep2] })], node);
    assert.deepEqual(r.nat.get('KUBE-NODEPORTS'), [`-A KUBE-NODEPORTS -m comment --comment ns1/svc1:p80 -m tcp -p tcp --dport 30001 -j ${EXT}`]);
    assert.deepEqual(r.nat.get(EXT), [
      `-A ${EXT} -m comment --comment "masquerade traffic for ns1/svc1:p80 external destinations" -j KUBE-MARK-MASQ`,
      `-A ${EXT} -j ${SVC}`,
    ]);
    assert.deepEqual(r.nat.get(SVC)!.slice(1), [
      `-A ${SVC} -m comment --comment "ns1/svc1:p80 -> 10.180.0.1:80" -m statistic --mode random --probability 0.5000000000 -j ${SEP1}`,
      `-A ${SVC} -m comment --comment "ns1/svc1:p80 -> 10.180.0.2:80" -j ${SEP2}`,
    ]);
    assert.deepEqual(r.nat.get(SEP2), [
      `-A ${SEP2} -m comment --comment ns1/svc1:p80 -s 10.180.0.2/32 -j KUBE-MARK-MASQ`,
      `-A ${SEP2} -m comment --comment ns1/svc1:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.2:80`,
    ]);
  });

  test('ClientIP affinity: sticky checks before the random picks, and a set on DNAT', () => {
    const r = iptablesRules([sp({ affinitySeconds: 10800, endpoints: [ep1, ep2] })], node);
    assert.deepEqual(r.nat.get(SVC)!.slice(1), [
      `-A ${SVC} -m comment --comment "ns1/svc1:p80 -> 10.180.0.1:80" -m recent --name ${SEP1} --mask 255.255.255.255 --rsource --rcheck --seconds 10800 --reap -j ${SEP1}`,
      `-A ${SVC} -m comment --comment "ns1/svc1:p80 -> 10.180.0.2:80" -m recent --name ${SEP2} --mask 255.255.255.255 --rsource --rcheck --seconds 10800 --reap -j ${SEP2}`,
      `-A ${SVC} -m comment --comment "ns1/svc1:p80 -> 10.180.0.1:80" -m statistic --mode random --probability 0.5000000000 -j ${SEP1}`,
      `-A ${SVC} -m comment --comment "ns1/svc1:p80 -> 10.180.0.2:80" -j ${SEP2}`,
    ]);
    assert.equal(
      r.nat.get(SEP1)![1],
      `-A ${SEP1} -m comment --comment ns1/svc1:p80 -m recent --name ${SEP1} --mask 255.255.255.255 --rsource --set -m tcp -p tcp -j DNAT --to-destination 10.180.0.1:80`,
    );
  });

  test('three endpoints: 1/3, 1/2, rest', () => {
    const r = iptablesRules([sp({ endpoints: [ep1, ep2, ep3] })], node);
    const stats = r.nat.get(SVC)!.slice(1).map((l) => /--probability (\S+)/.exec(l)?.[1] ?? 'rest');
    assert.deepEqual(stats, ['0.3333333333', '0.5000000000', 'rest']);
  });

  test('LoadBalancer: service port on the ingress IPs and the host, through KUBE-EXT', () => {
    const r = iptablesRules([sp({ isLoadBalancer: true, nodePort: 30002, loadBalancerIPs: ['192.0.2.2', '192.0.2.9'] })], node);
    assert.deepEqual(r.nat.get('KUBE-SERVICES')!.slice(1, -1), [
      `-A KUBE-SERVICES -m comment --comment "ns1/svc1:p80 loadbalancer IP" -m tcp -p tcp -d 192.0.2.2/32 --dport 80 -j ${EXT}`,
      `-A KUBE-SERVICES -m comment --comment "ns1/svc1:p80 loadbalancer IP" -m tcp -p tcp -d 192.0.2.9/32 --dport 80 -j ${EXT}`,
    ]);
    assert.equal(r.nat.get('KUBE-NODEPORTS')!.length, 1);
  });

  test('externalTrafficPolicy Local: outside traffic only to this node\'s endpoints', () => {
    const r = iptablesRules([sp({ nodePort: 30003, externalLocal: true, endpoints: [ep1, ep2] })], node);
    const svl = 'KUBE-SVL-XPGD46QRK7WJZT7O';
    assert.equal(r.nat.get(EXT)!.at(-1), `-A ${EXT} -j ${svl}`);
    assert.deepEqual(r.nat.get(svl), [`-A ${svl} -m comment --comment "ns1/svc1:p80 -> 10.180.0.1:80" -j ${SEP1}`]);
    const none = iptablesRules([sp({ nodePort: 30003, externalLocal: true, endpoints: [ep2] })], node);
    assert.deepEqual(none.nat.get(svl), [`-A ${svl} -m comment --comment "ns1/svc1:p80 has no local endpoints" -j DROP`]);
  });

  test('no endpoints: no rules at all (the service-range guard rejects)', () => {
    const r = iptablesRules([sp({ nodePort: 30001, endpoints: [] })], node);
    assert.deepEqual(r.nat.get('KUBE-SERVICES'), [NODEPORTS_JUMP]);
    assert.deepEqual(r.nat.get('KUBE-NODEPORTS'), []);
    assert.equal([...r.nat.keys()].filter((c) => c.startsWith('KUBE-S') && c !== 'KUBE-SERVICES').length, 0);
  });
});

describe('restoreText', () => {
  test('first sync writes every chain', () => {
    const text = restoreText(undefined, iptablesRules([sp()], node));
    assert.match(text, /^\*filter\n:KUBE-FORWARD - \[0:0\]\n/);
    assert.match(text, /\*nat\n:KUBE-SERVICES - \[0:0\]\n/);
    assert.equal(text.match(/^COMMIT$/gm)?.length, 2);
  });

  test('nothing changed: nothing to send', () => {
    assert.equal(restoreText(iptablesRules([sp()], node), iptablesRules([sp()], node)), '');
  });

  test('endpoint added: only its service chain and its new endpoint chain are written', () => {
    const before = iptablesRules([sp()], node);
    const after = iptablesRules([sp({ endpoints: [ep1, ep2] })], node);
    const text = restoreText(before, after);
    assert.deepEqual(text.split('\n').filter((l) => l.startsWith(':')), [`:${SVC} - [0:0]`, `:${SEP2} - [0:0]`]);
    assert.ok(!text.includes('*filter'));
    assert.ok(!text.includes(`:KUBE-SERVICES `));
  });

  test('endpoint removed: its chain is flushed and deleted after the service chain stops using it', () => {
    const before = iptablesRules([sp({ endpoints: [ep1, ep2] })], node);
    const after = iptablesRules([sp()], node);
    assert.equal(
      restoreText(before, after),
      [
        '*nat',
        `:${SVC} - [0:0]`,
        `:${SEP2} - [0:0]`,
        ...after.nat.get(SVC)!,
        `-X ${SEP2}`,
        'COMMIT',
        '',
      ].join('\n'),
    );
  });

  test('a full sync deletes stale per-service chains an earlier run left', () => {
    const text = restoreText(undefined, iptablesRules([], node), { nat: ['KUBE-SVC-OLD', 'KUBE-SEP-OLD'] });
    assert.match(text, /:KUBE-SVC-OLD - \[0:0\]\n/);
    assert.match(text, /-X KUBE-SVC-OLD\n-X KUBE-SEP-OLD\nCOMMIT\n$/);
  });
});

describe('IptablesRuleBuilder', () => {
  test('gives exactly iptablesRules\' output, reusing unchanged service ports', () => {
    const builder = new IptablesRuleBuilder();
    const other = sp({ name: 'ns1/svc2:p80', service: 'svc2', clusterIP: '172.30.0.42' });
    const steps = [[sp(), other], [sp({ endpoints: [ep1, ep2] }), other], [sp({ endpoints: [ep2] }), other], [other]];
    let prev: ReturnType<typeof iptablesRules> | undefined;
    for (const ports of steps) {
      const built = builder.build(ports, node);
      const plain = iptablesRules(ports, node);
      assert.deepEqual([...built.nat], [...plain.nat]);
      assert.deepEqual([...built.filter], [...plain.filter]);
      if (prev) assert.equal(restoreText(prev, built), restoreText(prev, plain));
      prev = built;
    }
  });
});
