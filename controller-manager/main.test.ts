// The kube-controller-manager binary: flags (and their TSKUBE_ env twins), leader election on
// kube-system/kube-controller-manager as system:kube-controller-manager (its kubeconfig and
// the bootstrap RBAC policy), /healthz open and /metrics only for authorized callers on its
// HTTPS port, a clean exit on SIGTERM.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, fetch } from 'undici';
import { RestClient } from '../client/index.js';
import { startTestApiserver, type TestApiserver } from '../test/harness/apiserver.js';
import { kubeconfigFor } from '../test/harness/kubectl.js';
import { freePort, waitFor } from '../test/harness/ports.js';

const MAIN = fileURLToPath(new URL('./main.js', import.meta.url));

describe('controller-manager main', () => {
  let api: TestApiserver;
  let client: RestClient;
  let kubeconfig: string;

  before(async () => {
    api = await startTestApiserver();
    client = new RestClient({ ...api.config, qps: 0 });
    kubeconfig = kubeconfigFor(await api.configFor('system:kube-controller-manager'), mkdtempSync(join(tmpdir(), 'tskube-cm-')));
  });
  after(async () => {
    await client?.close();
    await api?.stop();
  });

  test('leads, runs the chosen controllers, serves health and metrics, exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const proc = spawn(process.execPath, [MAIN, '--kubeconfig', kubeconfig, '--controllers', 'replicaset,-deployment', '--leader-elect-retry-period', '500ms', '--log-level', 'info'], {
      env: { ...process.env, TSKUBE_SECURE_PORT: String(port), TSKUBE_CONCURRENT_REPLICASET_SYNCS: '2' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
    try {
      // A self-signed serving certificate (no --tls-cert-file): the client does not verify it.
      const anonymous = new Agent({ connect: { rejectUnauthorized: false } });
      const as = (c: { cert?: string; key?: string }) => new Agent({ connect: { rejectUnauthorized: false, cert: c.cert, key: c.key } });
      await waitFor('healthz', async () => (await fetch(`https://127.0.0.1:${port}/healthz`, { dispatcher: anonymous }).catch(() => undefined))?.ok, 15_000);
      const lease = await waitFor('lease', () => client.resource('leases.coordination.k8s.io', 'kube-system').get('kube-controller-manager'), 15_000);
      assert.ok(lease.spec?.holderIdentity);
      const started = out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'controller-manager started');
      assert.deepEqual(started?.controllers, ['replicaset']);
      assert.equal(started?.component, 'kube-controller-manager');

      await client.resource('replicasets.apps', 'default').create({
        metadata: { name: 'm' },
        spec: { replicas: 1, selector: { matchLabels: { app: 'm' } }, template: { metadata: { labels: { app: 'm' } }, spec: { containers: [{ name: 'c', image: 'busybox:1.35' }] } } },
      });
      await waitFor('pod created', async () => (await client.resource('pods', 'default').list({ labelSelector: 'app=m' })).items.length === 1, 15_000);
      const metricsAs = (dispatcher: Agent) => fetch(`https://127.0.0.1:${port}/metrics`, { dispatcher });
      assert.equal((await metricsAs(anonymous)).status, 401, 'no credentials: 401');
      const nobody = await metricsAs(as(await api.configFor('nobody')));
      assert.equal(nobody.status, 403, 'authenticated but not allowed to get /metrics');
      assert.match(await nobody.text(), /Forbidden \(user=nobody, verb=get, path=\/metrics\)/);
      const metrics = await (await metricsAs(as(api.config))).text();
      assert.match(metrics, /workqueue_depth\{name="replicaset"\}/);
    } finally {
      proc.kill('SIGTERM');
    }
    assert.equal(await exited, 0);
    // A clean stop releases the lease so a standby takes over at once.
    const lease = await client.resource('leases.coordination.k8s.io', 'kube-system').get('kube-controller-manager');
    assert.equal(lease.spec?.holderIdentity ?? '', '');
  });

  test('an unknown controller name is an error', async () => {
    const proc = spawn(process.execPath, [MAIN, '--kubeconfig', kubeconfig, '--controllers', 'nope', '--secure-port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((resolve) => proc.on('exit', (c) => resolve(c)));
    assert.notEqual(code, 0);
    assert.match(err, /"nope" is not in the list of known controllers/);
  });
});
