import { test, describe, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureClusterPki, canonicalIP, type ClusterPkiOptions } from './pki.js';
import { clusterPkiPaths } from './layout.js';
import { describeCert, isSignedBy, issueCert, publicKeyOf } from './x509.js';
import { loadKubeconfig } from '../kubeconfig.js';

const CERT_NAMES = [
  'apiserver',
  'apiserver-kubelet-client',
  'admin',
  'kube-scheduler',
  'kube-controller-manager',
  'kube-proxy',
  'dns',
  'metrics-server',
  'metrics-server-serving',
  'kubelet-node-1',
  'kubelet-node-1-serving',
];
const KUBECONFIGS = [
  'kubeconfig',
  'kubeconfigs/kube-scheduler.kubeconfig',
  'kubeconfigs/kube-controller-manager.kubeconfig',
  'kubeconfigs/kube-proxy.kubeconfig',
  'kubeconfigs/dns.kubeconfig',
  'kubeconfigs/metrics-server.kubeconfig',
  'kubeconfigs/kubelet-node-1.kubeconfig',
];
const FRONT_PROXY_FILES = ['pki/front-proxy-ca.crt', 'pki/front-proxy-ca.key', 'pki/front-proxy-client.crt', 'pki/front-proxy-client.key'];
const ALL_FILES = [
  'pki/ca.crt',
  'pki/ca.key',
  ...FRONT_PROXY_FILES,
  ...CERT_NAMES.flatMap((n) => [`pki/${n}.crt`, `pki/${n}.key`]),
  'pki/sa.key',
  'pki/sa.pub',
  ...KUBECONFIGS,
];

/** Every file under dir (relative path → content). */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = join(entry.parentPath, entry.name);
    out.set(full.slice(dir.length + 1), readFileSync(full, 'utf8'));
  }
  return out;
}

/** The relative paths whose content differs between two snapshots. */
function changed(a: Map<string, string>, b: Map<string, string>): string[] {
  return [...b.keys()].filter((k) => a.get(k) !== b.get(k)).sort();
}

const sortedCopy = (xs: string[]) => [...xs].sort();

describe('ensureClusterPki', () => {
  let dir: string;
  let opts: ClusterPkiOptions;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tskube-pki-'));
    opts = {
      dir,
      server: 'https://127.0.0.1:6443',
      nodes: ['node-1'],
      nodeIPs: { 'node-1': '172.18.0.3' },
      apiserverIPs: ['192.168.1.10'],
      serviceAccountKeyAlgorithm: 'ES256',
    };
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('the first run creates everything, with the right subjects and names', async () => {
    const result = await ensureClusterPki(opts);
    assert.deepEqual(sortedCopy(result.created), sortedCopy(ALL_FILES));
    assert.deepEqual(result.reused, []);
    assert.deepEqual(result.files.map((f) => f.path).slice(0, 2), ['pki/ca.crt', 'pki/ca.key']);

    const p = clusterPkiPaths(dir);
    const ca = readFileSync(p.caCert, 'utf8');
    assert.equal(describeCert(ca).commonName, 'tskube-ca');
    assert.equal(describeCert(ca).isCA, true);

    const apiserver = describeCert(readFileSync(p.apiserverCert, 'utf8'));
    assert.equal(apiserver.commonName, 'kube-apiserver');
    assert.deepEqual(apiserver.usages, ['server']);
    assert.deepEqual(apiserver.dnsNames, [
      'localhost',
      'kubernetes',
      'kubernetes.default',
      'kubernetes.default.svc',
      'kubernetes.default.svc.cluster.local',
    ]);
    assert.deepEqual(apiserver.ipAddresses, ['127.0.0.1', '10.96.0.1', '192.168.1.10']);

    const expectations: [string, string, string[], ('server' | 'client')[]][] = [
      ['apiserver-kubelet-client', 'kube-apiserver-kubelet-client', [], ['client']],
      ['admin', 'kubernetes-admin', ['system:masters'], ['client']],
      ['kube-scheduler', 'system:kube-scheduler', [], ['client']],
      ['kube-controller-manager', 'system:kube-controller-manager', [], ['client']],
      ['kube-proxy', 'system:kube-proxy', [], ['client']],
      ['dns', 'system:tskube-dns', [], ['client']],
      ['metrics-server', 'system:metrics-server', [], ['client']],
      ['metrics-server-serving', 'metrics-server', [], ['server']],
      ['kubelet-node-1', 'system:node:node-1', ['system:nodes'], ['client']],
      ['kubelet-node-1-serving', 'system:node:node-1', [], ['server']],
    ];
    for (const [name, cn, orgs, usages] of expectations) {
      const pem = readFileSync(join(dir, 'pki', `${name}.crt`), 'utf8');
      const d = describeCert(pem);
      assert.equal(d.commonName, cn, name);
      assert.deepEqual(d.organizations, orgs, name);
      assert.deepEqual(d.usages, usages, name);
      assert.ok(isSignedBy(pem, ca), name);
    }
    const serving = describeCert(readFileSync(p.kubeletServingCert('node-1'), 'utf8'));
    assert.deepEqual(serving.dnsNames, ['node-1', 'localhost']);
    assert.deepEqual(serving.ipAddresses, ['127.0.0.1', '172.18.0.3', '192.168.1.10']);
    assert.equal(publicKeyOf(readFileSync(p.serviceAccountKey, 'utf8')), readFileSync(p.serviceAccountPub, 'utf8'));
  });

  test('cluster domain and service range shape the apiserver names', async () => {
    await ensureClusterPki({ ...opts, clusterDomain: 'tskube.test', serviceIP: '10.100.0.1', apiserverDNSNames: ['api.example.com'] });
    const d = describeCert(readFileSync(clusterPkiPaths(dir).apiserverCert, 'utf8'));
    assert.ok(d.dnsNames.includes('kubernetes.default.svc.tskube.test'));
    assert.ok(d.dnsNames.includes('api.example.com'));
    assert.ok(!d.dnsNames.includes('kubernetes.default.svc.cluster.local'));
    assert.ok(d.ipAddresses.includes('10.100.0.1'));
    assert.ok(!d.ipAddresses.includes('10.96.0.1'));
  });

  test('a second run reuses everything and leaves every file byte-identical', async () => {
    await ensureClusterPki(opts);
    const before = snapshot(dir);
    const result = await ensureClusterPki(opts);
    assert.deepEqual(result.created, []);
    assert.deepEqual(sortedCopy(result.reused), sortedCopy(ALL_FILES));
    assert.deepEqual(changed(before, snapshot(dir)), []);
  });

  test('a deleted leaf is re-issued alone (with its kubeconfig)', async () => {
    await ensureClusterPki(opts);
    const before = snapshot(dir);
    unlinkSync(join(dir, 'pki/kube-proxy.crt'));
    const result = await ensureClusterPki(opts);
    const expected = ['kubeconfigs/kube-proxy.kubeconfig', 'pki/kube-proxy.crt', 'pki/kube-proxy.key'];
    assert.deepEqual(sortedCopy(result.created), expected);
    assert.deepEqual(changed(before, snapshot(dir)), expected);
    assert.equal(describeCert(readFileSync(join(dir, 'pki/kube-proxy.crt'), 'utf8')).commonName, 'system:kube-proxy');
  });

  test('a new apiserver DNS name re-issues only apiserver.crt', async () => {
    await ensureClusterPki(opts);
    const result = await ensureClusterPki({ ...opts, apiserverDNSNames: ['tskube.example'] });
    assert.deepEqual(sortedCopy(result.created), ['pki/apiserver.crt', 'pki/apiserver.key']);
  });

  test('a new host IP re-issues only the serving certificates that name it', async () => {
    await ensureClusterPki(opts);
    const before = snapshot(dir);
    const result = await ensureClusterPki({ ...opts, apiserverIPs: ['192.168.1.10', '10.0.0.5'] });
    const expected = [
      'pki/apiserver.crt',
      'pki/apiserver.key',
      'pki/kubelet-node-1-serving.crt',
      'pki/kubelet-node-1-serving.key',
      'pki/metrics-server-serving.crt',
      'pki/metrics-server-serving.key',
    ];
    assert.deepEqual(sortedCopy(result.created), expected);
    assert.deepEqual(changed(before, snapshot(dir)), expected);
    assert.ok(describeCert(readFileSync(clusterPkiPaths(dir).apiserverCert, 'utf8')).ipAddresses.includes('10.0.0.5'));
  });

  test('IPs are compared by address, not spelling', async () => {
    await ensureClusterPki({ ...opts, apiserverIPs: ['::1'] });
    const result = await ensureClusterPki({ ...opts, apiserverIPs: ['0:0:0:0:0:0:0:1'] });
    assert.deepEqual(result.created, []);
    assert.equal(canonicalIP('FE80:0:0:0:0:0:0:1'), 'fe80::1');
  });

  test('a leaf expiring within 30 days, or saying the wrong thing, is re-issued', async () => {
    await ensureClusterPki(opts);
    const p = clusterPkiPaths(dir);
    const ca = { cert: readFileSync(p.caCert, 'utf8'), key: readFileSync(p.caKey, 'utf8') };
    const expiring = await issueCert(ca, { commonName: 'system:kube-scheduler', usages: ['client'], validityDays: 20 });
    writeFileSync(join(dir, 'pki/kube-scheduler.crt'), expiring.cert);
    writeFileSync(join(dir, 'pki/kube-scheduler.key'), expiring.key);
    const wrongGroup = await issueCert(ca, { commonName: 'system:node:node-1', organizations: ['system:masters'], usages: ['client'] });
    writeFileSync(join(dir, 'pki/kubelet-node-1.crt'), wrongGroup.cert);
    writeFileSync(join(dir, 'pki/kubelet-node-1.key'), wrongGroup.key);
    // A certificate whose key is not the one beside it.
    writeFileSync(join(dir, 'pki/dns.key'), expiring.key);

    const result = await ensureClusterPki(opts);
    assert.deepEqual(sortedCopy(result.created), [
      'kubeconfigs/dns.kubeconfig',
      'kubeconfigs/kube-scheduler.kubeconfig',
      'kubeconfigs/kubelet-node-1.kubeconfig',
      'pki/dns.crt',
      'pki/dns.key',
      'pki/kube-scheduler.crt',
      'pki/kube-scheduler.key',
      'pki/kubelet-node-1.crt',
      'pki/kubelet-node-1.key',
    ]);
    const scheduler = describeCert(readFileSync(join(dir, 'pki/kube-scheduler.crt'), 'utf8'));
    assert.ok(scheduler.notAfter.getTime() > Date.now() + 300 * 24 * 60 * 60 * 1000);
    assert.deepEqual(describeCert(readFileSync(join(dir, 'pki/kubelet-node-1.crt'), 'utf8')).organizations, ['system:nodes']);
  });

  test('a missing CA regenerates the CA and every leaf, but keeps the service-account key', async () => {
    await ensureClusterPki(opts);
    const before = snapshot(dir);
    unlinkSync(join(dir, 'pki/ca.crt'));
    const result = await ensureClusterPki(opts);
    // The front-proxy CA is its own: it and its client certificate stay.
    assert.deepEqual(sortedCopy(result.reused), sortedCopy(['pki/sa.key', 'pki/sa.pub', ...FRONT_PROXY_FILES]));
    assert.deepEqual(sortedCopy(result.created), sortedCopy(ALL_FILES.filter((f) => !f.startsWith('pki/sa.') && !FRONT_PROXY_FILES.includes(f))));
    const after = snapshot(dir);
    assert.equal(after.get('pki/sa.key'), before.get('pki/sa.key'));
    assert.notEqual(after.get('pki/ca.key'), before.get('pki/ca.key'));
    for (const name of CERT_NAMES) assert.ok(isSignedBy(after.get(`pki/${name}.crt`)!, after.get('pki/ca.crt')!), name);
  });

  test('the front-proxy client certificate is signed by the front-proxy CA, not the cluster CA', async () => {
    await ensureClusterPki(opts);
    const files = snapshot(dir);
    const client = files.get('pki/front-proxy-client.crt')!;
    assert.ok(isSignedBy(client, files.get('pki/front-proxy-ca.crt')!));
    assert.ok(!isSignedBy(client, files.get('pki/ca.crt')!));
    assert.equal(describeCert(client).commonName, 'front-proxy-client');
    assert.deepEqual(describeCert(client).usages, ['client']);
  });

  test('a CA that is not a CA (or garbage) is replaced', async () => {
    await ensureClusterPki(opts);
    writeFileSync(join(dir, 'pki/ca.crt'), readFileSync(join(dir, 'pki/admin.crt')));
    writeFileSync(join(dir, 'pki/ca.key'), readFileSync(join(dir, 'pki/admin.key')));
    const result = await ensureClusterPki(opts);
    assert.ok(result.created.includes('pki/ca.crt'));
    assert.equal(describeCert(readFileSync(join(dir, 'pki/ca.crt'), 'utf8')).isCA, true);

    writeFileSync(join(dir, 'pki/ca.crt'), 'garbage');
    assert.ok((await ensureClusterPki(opts)).created.includes('pki/ca.crt'));
  });

  test('sa.key is never replaced: a missing sa.pub is derived from it, a broken sa.key is an error', async () => {
    await ensureClusterPki(opts);
    const key = readFileSync(join(dir, 'pki/sa.key'), 'utf8');
    unlinkSync(join(dir, 'pki/sa.pub'));
    const result = await ensureClusterPki({ ...opts, serviceAccountKeyAlgorithm: 'RS256' });
    assert.deepEqual(result.created, ['pki/sa.pub']);
    assert.equal(readFileSync(join(dir, 'pki/sa.key'), 'utf8'), key);
    assert.equal(readFileSync(join(dir, 'pki/sa.pub'), 'utf8'), publicKeyOf(key));

    writeFileSync(join(dir, 'pki/sa.pub'), 'garbage');
    assert.deepEqual((await ensureClusterPki(opts)).created, ['pki/sa.pub']);

    writeFileSync(join(dir, 'pki/sa.key'), 'garbage');
    await assert.rejects(ensureClusterPki(opts), /pki\/sa\.key is not a private key; remove it/);
    assert.equal(readFileSync(join(dir, 'pki/sa.key'), 'utf8'), 'garbage');
  });

  test('a new sa.key is RS256 (RSA 2048) by default', async () => {
    const { serviceAccountKeyAlgorithm: _, ...rest } = opts;
    await ensureClusterPki(rest);
    assert.match(readFileSync(join(dir, 'pki/sa.pub'), 'utf8'), /^-----BEGIN PUBLIC KEY-----/);
    const key = createPrivateKey(readFileSync(join(dir, 'pki/sa.key'), 'utf8'));
    assert.equal(key.asymmetricKeyType, 'rsa');
    assert.equal(key.asymmetricKeyDetails?.modulusLength, 2048);
  });

  test('kubeconfigs load with loadKubeconfig: embedded CA, the right user, per-component servers', async () => {
    await ensureClusterPki({ ...opts, serverFor: (c) => (c === 'kubelet-node-1' ? 'https://apiserver:6443' : undefined) });
    const p = clusterPkiPaths(dir);
    const ca = readFileSync(p.caCert, 'utf8');

    const admin = loadKubeconfig({ kubeconfig: p.adminKubeconfig }, {});
    assert.equal(admin.contextName, 'tskube');
    assert.equal(admin.namespace, 'default');
    assert.equal(admin.config.server, 'https://127.0.0.1:6443');
    assert.equal(admin.config.ca, ca);
    assert.equal(admin.config.cert, readFileSync(join(dir, 'pki/admin.crt'), 'utf8'));
    assert.equal(admin.config.key, readFileSync(join(dir, 'pki/admin.key'), 'utf8'));
    assert.equal(describeCert(admin.config.cert!).commonName, 'kubernetes-admin');

    const cns: Record<string, string> = {
      'kube-scheduler': 'system:kube-scheduler',
      'kube-controller-manager': 'system:kube-controller-manager',
      'kube-proxy': 'system:kube-proxy',
      dns: 'system:tskube-dns',
      'kubelet-node-1': 'system:node:node-1',
    };
    for (const [component, cn] of Object.entries(cns)) {
      const loaded = loadKubeconfig({ kubeconfig: p.kubeconfig(component) }, {});
      assert.equal(describeCert(loaded.config.cert!).commonName, cn, component);
      assert.equal(loaded.config.ca, ca, component);
      assert.equal(loaded.config.server, component === 'kubelet-node-1' ? 'https://apiserver:6443' : 'https://127.0.0.1:6443', component);
    }
  });

  test('a kubeconfig is rewritten only when its content changes', async () => {
    await ensureClusterPki(opts);
    const path = join(dir, 'kubeconfigs/dns.kubeconfig');
    const untouched = join(dir, 'kubeconfigs/kube-proxy.kubeconfig');
    const mtime = statSync(untouched).mtimeMs;
    const result = await ensureClusterPki({ ...opts, serverFor: (c) => (c === 'dns' ? 'https://apiserver:6443' : undefined) });
    assert.deepEqual(result.created, ['kubeconfigs/dns.kubeconfig']);
    assert.match(readFileSync(path, 'utf8'), /server: https:\/\/apiserver:6443/);
    assert.equal(statSync(untouched).mtimeMs, mtime);
  });

  test('file modes: keys and kubeconfigs 0600, certificates 0644, directories 0700 (also repaired on reuse)', async () => {
    await ensureClusterPki(opts);
    const mode = (rel: string) => statSync(join(dir, rel)).mode & 0o777;
    const check = () => {
      assert.equal(mode('pki'), 0o700);
      assert.equal(mode('kubeconfigs'), 0o700);
      for (const f of ALL_FILES) {
        const want = f.endsWith('.crt') || f.endsWith('.pub') ? 0o644 : 0o600;
        assert.equal(mode(f), want, f);
      }
    };
    check();
    chmodSync(join(dir, 'pki/admin.key'), 0o644);
    chmodSync(join(dir, 'kubeconfig'), 0o644);
    chmodSync(join(dir, 'pki'), 0o755);
    await ensureClusterPki(opts);
    check();
  });

  test('bad input is rejected with one clear message before anything is written', async () => {
    await assert.rejects(ensureClusterPki({ ...opts, apiserverIPs: ['10.0.0.300'] }), /invalid IP address "10\.0\.0\.300"/);
    await assert.rejects(ensureClusterPki({ ...opts, nodes: ['../evil'] }), /invalid node name/);
    await assert.rejects(ensureClusterPki({ ...opts, server: 'apiserver:6443' }), /invalid server URL/);
    await assert.rejects(ensureClusterPki({ ...opts, nodeIPs: { 'node-9': '1.2.3.4' } }), /unknown node "node-9"/);
    assert.deepEqual(readdirSync(dir), []);
  });
});
