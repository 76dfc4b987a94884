// Service ClusterIP / NodePort allocation through the real apiserver on real etcd.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { Etcd3 } from 'etcd3';
import { createApiserver, DEFAULT_OPTIONS, type Apiserver } from '../server/apiserver.js';
import { startTestApiserver, type TestApiserver } from '../../test/harness/apiserver.js';
import { http } from '../../test/harness/http.js';
import { waitFor } from '../../test/harness/ports.js';

const SVC = '/api/v1/namespaces/default/services';

function svc(name: string, spec: Record<string, unknown> = {}) {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { ports: [{ port: 80 }], ...spec } };
}

describe('service allocation (range 10.96.0.0/26, ports 30000-30009)', () => {
  let api: TestApiserver;
  let req: ReturnType<typeof http>;
  before(async () => {
    api = await startTestApiserver({ serviceClusterIPRange: '10.96.0.0/26', serviceNodePortRange: '30000-30009' });
    req = http(api);
  });
  after(async () => api.stop());

  test('the kubernetes Service holds the first address', async () => {
    const r = await req('GET', `${SVC}/kubernetes`);
    assert.equal(r.status, 200);
    assert.equal(r.body.spec.clusterIP, '10.96.0.1');
    assert.deepEqual(r.body.spec.ports.map((p: { port: number }) => p.port), [443]);
  });

  test('50 parallel creates on two apiservers get 50 distinct IPs, never .1 or .10', async () => {
    // A second apiserver on the same etcd competes for the same range.
    const second: Apiserver = await createApiserver({
      ...DEFAULT_OPTIONS,
      compactionIntervalSeconds: 0,
      etcdServers: [api.etcd.endpoint],
      logger: pino({ level: 'silent' }),
      serviceClusterIPRange: '10.96.0.0/26',
      serviceNodePortRange: '30000-30009',
    });
    await second.app.listen({ host: '127.0.0.1', port: 0 });
    await second.ready();
    const addr = second.app.server.address();
    const req2 = http(`http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`);
    try {
      const replies = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? req : req2)('POST', SVC, svc(`p${i}`))));
      assert.deepEqual(replies.map((r) => r.status), replies.map(() => 201), replies.find((r) => r.status !== 201)?.text);
      const ips = replies.map((r) => r.body.spec.clusterIP as string);
      assert.equal(new Set(ips).size, 50);
      for (const ip of ips) {
        assert.match(ip, /^10\.96\.0\.\d+$/);
        assert.ok(!['10.96.0.0', '10.96.0.1', '10.96.0.10', '10.96.0.63'].includes(ip), ip);
        assert.deepEqual(replies.find((r) => r.body.spec.clusterIP === ip)!.body.spec.clusterIPs, [ip]);
      }
      // 62 usable − kubernetes − .10 − these 50 = 10 left; the 11th dynamic create finds none.
      const more = await Promise.all(Array.from({ length: 10 }, (_, i) => req('POST', SVC, svc(`q${i}`))));
      assert.deepEqual(more.map((r) => r.status), more.map(() => 201));
      const full = await req('POST', SVC, svc('full'));
      assert.equal(full.status, 422);
      assert.match(full.body.message, /spec.clusterIPs: Forbidden: failed to allocate a serviceIP: range is full/);
      // .10 is still there for whoever asks for it.
      const dns = await req('POST', SVC, svc('dns', { clusterIP: '10.96.0.10' }));
      assert.equal(dns.status, 201, dns.text);
    } finally {
      await second.close();
      await Promise.all([...Array.from({ length: 50 }, (_, i) => `p${i}`), ...Array.from({ length: 10 }, (_, i) => `q${i}`), 'dns'].map((n) => req('DELETE', `${SVC}/${n}`)));
    }
  });

  test('a requested IP is honoured, refused when taken or out of range, and freed on delete', async () => {
    const a = await req('POST', SVC, svc('want5', { clusterIP: '10.96.0.5' }));
    assert.equal(a.status, 201, a.text);
    assert.equal(a.body.spec.clusterIP, '10.96.0.5');
    const b = await req('POST', SVC, svc('also5', { clusterIP: '10.96.0.5' }));
    assert.equal(b.status, 422);
    assert.equal(b.body.message, 'Service "also5" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.0.5"}: failed to allocate IP 10.96.0.5: provided IP is already allocated');
    assert.equal(b.body.details.causes[0].field, 'spec.clusterIPs');
    const c = await req('POST', SVC, svc('outside', { clusterIP: '10.0.0.5' }));
    assert.equal(c.status, 422);
    assert.equal(
      c.body.details.causes[0].message,
      'Invalid value: []string{"10.0.0.5"}: failed to allocate IP 10.0.0.5: the provided IP (10.0.0.5) is not in the valid range. The range of valid IPs is 10.96.0.0/26',
    );
    assert.equal((await req('DELETE', `${SVC}/want5`)).status, 200);
    const d = await req('POST', SVC, svc('also5', { clusterIP: '10.96.0.5' }));
    assert.equal(d.status, 201, d.text);
    await req('DELETE', `${SVC}/also5`);
  });

  test('clusterIP is immutable; updates keep the allocation', async () => {
    const a = await req('POST', SVC, svc('imm', { clusterIP: '10.96.0.6' }));
    assert.equal(a.status, 201, a.text);
    const changed = await req('PATCH', `${SVC}/imm`, { spec: { clusterIP: '10.96.0.7', clusterIPs: ['10.96.0.7'] } }, { 'content-type': 'application/merge-patch+json' });
    assert.equal(changed.status, 422);
    assert.match(changed.body.message, /may not change once set/);
    const put = await req('PUT', `${SVC}/imm`, { ...svc('imm'), spec: { ports: [{ port: 81 }] } });
    assert.equal(put.status, 200, put.text);
    assert.equal(put.body.spec.clusterIP, '10.96.0.6');
    const taken = await req('POST', SVC, svc('imm2', { clusterIP: '10.96.0.6' }));
    assert.equal(taken.status, 422);
    await req('DELETE', `${SVC}/imm`);
  });

  test('headless and ExternalName Services take no IP; ExternalName → ClusterIP allocates one, and back releases it', async () => {
    const h = await req('POST', SVC, svc('headless', { clusterIP: 'None' }));
    assert.equal(h.status, 201, h.text);
    assert.equal(h.body.spec.clusterIP, 'None');
    const e = await req('POST', SVC, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'ext' }, spec: { type: 'ExternalName', externalName: 'example.com' } });
    assert.equal(e.status, 201, e.text);
    assert.equal(e.body.spec.clusterIP, undefined);
    const toIP = await req('PUT', `${SVC}/ext`, svc('ext', { type: 'ClusterIP', clusterIP: '10.96.0.8' }));
    assert.equal(toIP.status, 200, toIP.text);
    assert.equal(toIP.body.spec.clusterIP, '10.96.0.8');
    assert.equal((await req('POST', SVC, svc('x8', { clusterIP: '10.96.0.8' }))).status, 422);
    const back = await req('PATCH', `${SVC}/ext`, { spec: { type: 'ExternalName', externalName: 'example.com' } }, { 'content-type': 'application/merge-patch+json' });
    assert.equal(back.status, 200, back.text);
    assert.equal(back.body.spec.clusterIP, undefined);
    assert.equal((await req('POST', SVC, svc('x8', { clusterIP: '10.96.0.8' }))).status, 201);
    for (const n of ['headless', 'ext', 'x8']) await req('DELETE', `${SVC}/${n}`);
  });

  test('a create that fails after admission (AlreadyExists, dry run) keeps nothing', async () => {
    assert.equal((await req('POST', SVC, svc('dup', { clusterIP: '10.96.0.20' }))).status, 201);
    const again = await req('POST', SVC, svc('dup', { clusterIP: '10.96.0.21', type: 'NodePort', ports: [{ port: 80, nodePort: 30005 }] }));
    assert.equal(again.status, 409);
    const dry = await req('POST', `${SVC}?dryRun=All`, svc('dry', { clusterIP: '10.96.0.22' }));
    assert.equal(dry.status, 201, dry.text);
    const takers = await Promise.all([
      req('POST', SVC, svc('t21', { clusterIP: '10.96.0.21', type: 'NodePort', ports: [{ port: 80, nodePort: 30005 }] })),
      req('POST', SVC, svc('t22', { clusterIP: '10.96.0.22' })),
    ]);
    assert.deepEqual(takers.map((r) => r.status), [201, 201], takers.map((r) => r.text).join('\n'));
    for (const n of ['dup', 't21', 't22']) await req('DELETE', `${SVC}/${n}`);
  });

  test('NodePorts: allocated in range, conflicts refused, released on type change and delete', async () => {
    const a = await req('POST', SVC, svc('np', { type: 'NodePort', ports: [{ name: 'a', port: 80 }, { name: 'b', port: 81, nodePort: 30001 }] }));
    assert.equal(a.status, 201, a.text);
    const [p0, p1] = a.body.spec.ports.map((p: { nodePort: number }) => p.nodePort);
    assert.ok(p0 >= 30000 && p0 <= 30009 && p0 !== 30001, String(p0));
    assert.equal(p1, 30001);
    const clash = await req('POST', SVC, svc('np2', { type: 'NodePort', ports: [{ port: 80, nodePort: 30001 }] }));
    assert.equal(clash.status, 422);
    assert.equal(clash.body.message, 'Service "np2" is invalid: spec.ports[0].nodePort: Invalid value: 30001: provided port is already allocated');
    const outside = await req('POST', SVC, svc('np3', { type: 'NodePort', ports: [{ port: 80, nodePort: 31000 }] }));
    assert.equal(outside.status, 422);
    assert.equal(outside.body.details.causes[0].message, 'Invalid value: 31000: provided port is not in the valid range. The range of valid ports is 30000-30009');
    // An update may move a node port: the new one is taken, the old one freed.
    const target = [30002, 30003].find((p) => p !== p0)!;
    const moved = await req('PATCH', `${SVC}/np`, { spec: { ports: [{ name: 'a', port: 80, nodePort: p0 }, { name: 'b', port: 81, nodePort: target }] } }, { 'content-type': 'application/merge-patch+json' });
    assert.equal(moved.status, 200, moved.text);
    assert.equal((await req('POST', SVC, svc('np2', { type: 'NodePort', ports: [{ port: 80, nodePort: 30001 }] }))).status, 201);
    assert.equal((await req('DELETE', `${SVC}/np2`)).status, 200);
    // NodePort → ClusterIP drops the ports it carried over, and frees them.
    const toCIP = await req('PATCH', `${SVC}/np`, { spec: { type: 'ClusterIP' } }, { 'content-type': 'application/merge-patch+json' });
    assert.equal(toCIP.status, 200, toCIP.text);
    assert.deepEqual(toCIP.body.spec.ports.map((p: { nodePort?: number }) => p.nodePort), [undefined, undefined]);
    const reuse = await req('POST', SVC, svc('np4', { type: 'NodePort', ports: [{ name: 'a', port: 80, nodePort: p0 }, { name: 'b', port: 81, nodePort: target }] }));
    assert.equal(reuse.status, 201, reuse.text);
    assert.equal((await req('DELETE', `${SVC}/np4`)).status, 200);
    assert.equal((await req('POST', SVC, svc('np5', { type: 'NodePort', ports: [{ port: 80, nodePort: target }] }))).status, 201);
    for (const n of ['np', 'np5']) await req('DELETE', `${SVC}/${n}`);
  });

  test('LoadBalancer allocates node ports unless allocateLoadBalancerNodePorts is false; Local gets a health-check port', async () => {
    const lb = await req('POST', SVC, svc('lb', { type: 'LoadBalancer', externalTrafficPolicy: 'Local' }));
    assert.equal(lb.status, 201, lb.text);
    const np = lb.body.spec.ports[0].nodePort;
    const hc = lb.body.spec.healthCheckNodePort;
    assert.ok(np >= 30000 && np <= 30009);
    assert.ok(hc >= 30000 && hc <= 30009 && hc !== np);
    const bare = await req('POST', SVC, svc('lb2', { type: 'LoadBalancer', allocateLoadBalancerNodePorts: false }));
    assert.equal(bare.status, 201, bare.text);
    assert.equal(bare.body.spec.ports[0].nodePort, undefined);
    assert.equal((await req('DELETE', `${SVC}/lb`)).status, 200);
    const again = await req('POST', SVC, svc('lb3', { type: 'NodePort', ports: [{ name: 'a', port: 80, nodePort: np }, { name: 'b', port: 81, nodePort: hc }] }));
    assert.equal(again.status, 201, again.text);
    for (const n of ['lb2', 'lb3']) await req('DELETE', `${SVC}/${n}`);
  });
});

describe('allocation repair', () => {
  let api: TestApiserver;
  let etcd: Etcd3;
  before(async () => {
    api = await startTestApiserver({ serviceClusterIPRange: '10.96.0.0/24', serviceAllocationRepairIntervalMs: 100 });
    etcd = new Etcd3({ hosts: api.etcd.endpoint });
  });
  after(async () => {
    etcd.close();
    await api.stop();
  });

  test('frees allocations no Service holds and restores ones a Service lost', async () => {
    const req = http(api);
    // An apiserver that crashed between reserving and storing left these behind.
    await etcd.put('/registry/ipallocations/10.96.0.77').value(JSON.stringify({ namespace: 'default', name: 'ghost', uid: 'gone' }));
    await etcd.put('/registry/nodeportallocations/30077').value(JSON.stringify({ namespace: 'default', name: 'ghost', uid: 'gone' }));
    const s = await req('POST', SVC, svc('kept', { type: 'NodePort', clusterIP: '10.96.0.78', ports: [{ port: 80, nodePort: 30078 }] }));
    assert.equal(s.status, 201, s.text);
    await etcd.delete().key('/registry/ipallocations/10.96.0.78');
    await waitFor('orphans freed', async () => !(await etcd.get('/registry/ipallocations/10.96.0.77')) && !(await etcd.get('/registry/nodeportallocations/30077')));
    await waitFor('lost allocation restored', async () => (await etcd.get('/registry/ipallocations/10.96.0.78'))?.includes(s.body.metadata.uid));
    assert.equal((await req('POST', SVC, svc('taker', { clusterIP: '10.96.0.77', type: 'NodePort', ports: [{ port: 80, nodePort: 30077 }] }))).status, 201);
    assert.equal((await req('POST', SVC, svc('clash', { clusterIP: '10.96.0.78' }))).status, 422);
    assert.ok(await etcd.get('/registry/nodeportallocations/30078'), 'live allocations stay');
  });
});
