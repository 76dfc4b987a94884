// The CLI as scripts/up and the compose init container run it: the built main.js in a child process.
import { test, describe, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeCert } from './x509.js';
import { loadKubeconfig } from '../kubeconfig.js';
import { loadEncryptionConfiguration } from '../../apiserver/encryption/config.js';

const MAIN = fileURLToPath(new URL('./main.js', import.meta.url));

/** The environment without TSKUBE_* twins that could leak in from the caller. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TSKUBE_')));
  return { ...env, ...extra };
}

function run(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [MAIN, ...args], { env: cleanEnv(env), encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('tskube-pki CLI', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'tskube-pki-cli-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('creates the layout, then reuses it; one line per file', () => {
    const args = [
      '--dir', dir,
      '--server', 'https://127.0.0.1:6443',
      '--nodes', 'node-1,node-2',
      '--apiserver-ip', '10.0.0.5', '--apiserver-ip', '10.0.0.6',
      '--apiserver-dns', 'tskube.example',
      '--node-ip', 'node-1=172.18.0.3',
      '--service-cluster-ip-range', '10.100.0.0/16',
      '--cluster-domain', 'tskube.test',
      '--server-for', 'kubelet-node-1=https://apiserver:6443',
      '--service-account-key-algorithm', 'ES256',
    ];
    const first = run(args);
    assert.equal(first.code, 0, first.stderr);
    const lines = first.stdout.trim().split('\n');
    assert.ok(lines.every((l) => /^created \S+$/.test(l)), first.stdout);
    assert.ok(lines.includes('created pki/ca.crt'));
    assert.ok(lines.includes('created pki/kubelet-node-2-serving.crt'));
    assert.ok(lines.includes('created kubeconfigs/kubelet-node-2.kubeconfig'));
    assert.ok(lines.includes('created kubeconfig'));
    for (const l of lines) assert.ok(existsSync(join(dir, l.slice('created '.length))), l);

    const apiserver = describeCert(readFileSync(join(dir, 'pki/apiserver.crt'), 'utf8'));
    assert.deepEqual(apiserver.ipAddresses, ['127.0.0.1', '10.100.0.1', '10.0.0.5', '10.0.0.6']);
    assert.ok(apiserver.dnsNames.includes('kubernetes.default.svc.tskube.test'));
    assert.ok(apiserver.dnsNames.includes('tskube.example'));
    assert.ok(describeCert(readFileSync(join(dir, 'pki/kubelet-node-1-serving.crt'), 'utf8')).ipAddresses.includes('172.18.0.3'));
    assert.equal(loadKubeconfig({ kubeconfig: join(dir, 'kubeconfigs/kubelet-node-1.kubeconfig') }, {}).config.server, 'https://apiserver:6443');
    assert.equal(loadKubeconfig({ kubeconfig: join(dir, 'kubeconfigs/kubelet-node-2.kubeconfig') }, {}).config.server, 'https://127.0.0.1:6443');

    const second = run(args);
    assert.equal(second.code, 0, second.stderr);
    assert.deepEqual(second.stdout.trim().split('\n'), lines.map((l) => l.replace(/^created /, 'reused ')));
  });

  test('is configured by its TSKUBE_* environment twins', () => {
    const r = run([], {
      TSKUBE_DIR: dir,
      TSKUBE_NODES: 'node-a,node-b',
      TSKUBE_APISERVER_IP: '10.0.0.7',
      TSKUBE_SERVER_FOR: 'kube-proxy=https://apiserver:6443,dns=https://apiserver:6443',
      TSKUBE_SERVICE_ACCOUNT_KEY_ALGORITHM: 'ES256',
    });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.includes('created kubeconfigs/kubelet-node-b.kubeconfig'));
    assert.ok(describeCert(readFileSync(join(dir, 'pki/apiserver.crt'), 'utf8')).ipAddresses.includes('10.0.0.7'));
    assert.equal(loadKubeconfig({ kubeconfig: join(dir, 'kubeconfigs/dns.kubeconfig') }, {}).config.server, 'https://apiserver:6443');
    assert.equal(loadKubeconfig({ kubeconfig: join(dir, 'kubeconfig') }, {}).config.server, 'https://127.0.0.1:6443');
  });

  test('--encryption-config: an aescbc configuration with a random 32-byte key, kept once it exists', () => {
    const path = join(dir, 'encryption-config.yaml');
    const first = run(['--dir', dir, '--encryption-config', path]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^created encryption-config\.yaml$/m);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    const config = loadEncryptionConfiguration(path);
    assert.deepEqual(config.resources[0]!.resources, ['secrets']);
    const [aescbc, identity] = config.resources[0]!.providers;
    assert.ok(aescbc && 'aescbc' in aescbc);
    assert.equal(Buffer.from(aescbc.aescbc.keys[0]!.secret, 'base64').length, 32);
    assert.deepEqual(identity, { identity: {} });
    const written = readFileSync(path, 'utf8');

    const second = run(['--dir', dir, '--encryption-config', path]);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /^reused encryption-config\.yaml$/m);
    assert.equal(readFileSync(path, 'utf8'), written);

    // Another cluster gets another key; a file outside --dir is named as given.
    const other = join(dir, 'elsewhere.yaml');
    const third = run(['--dir', join(dir, 'other'), '--encryption-config', other]);
    assert.equal(third.code, 0, third.stderr);
    assert.ok(third.stdout.includes(`created ${other}\n`));
    assert.notEqual(readFileSync(other, 'utf8'), written);
  });

  test('--encryption-config keeps a file it did not write, whatever it holds', () => {
    const path = join(dir, 'mine.yaml');
    writeFileSync(path, 'operator-managed\n');
    const r = run(['--dir', dir, '--encryption-config', path]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^reused mine\.yaml$/m);
    assert.equal(readFileSync(path, 'utf8'), 'operator-managed\n');
  });

  const bad: [string, string[], RegExp][] = [
    ['an unknown flag', ['--bogus'], /^error: Unknown argument: bogus$/],
    ['a malformed --node-ip', ['--nodes', 'node-1', '--node-ip', 'node-1'], /^error: --node-ip wants name=value/],
    ['a bad service range', ['--service-cluster-ip-range', '10.96.0/12'], /^error: invalid IPv4 CIDR/],
    ['a bad IP', ['--apiserver-ip', '10.0.0.999'], /^error: invalid IP address "10\.0\.0\.999"$/],
    ['a --server-for naming no kubeconfig', ['--nodes', 'node-1', '--server-for', 'kubelet-node1=https://x:6443'], /^error: --server-for kubelet-node1: no such kubeconfig/],
    ['a bad algorithm', ['--service-account-key-algorithm', 'HS256'], /^error: Invalid values:/],
  ];
  for (const [what, args, message] of bad) {
    test(`${what}: exit 1 with one line, nothing written`, () => {
      const r = run(['--dir', join(dir, 'state'), ...args]);
      assert.equal(r.code, 1);
      assert.equal(r.stdout, '');
      const lines = r.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0]!, message);
      assert.deepEqual(readdirSync(dir), []);
    });
  }
});
