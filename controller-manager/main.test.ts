// The kube-controller-manager binary: flags (and their TSKUBE_ env twins), leader election on
// kube-system/kube-controller-manager, /healthz + /metrics, a clean exit on SIGTERM.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { RestClient } from '../client/index.js';
import { startTestApiserver, type TestApiserver } from '../test/harness/apiserver.js';
import { freePort, waitFor } from '../test/harness/ports.js';

const MAIN = fileURLToPath(new URL('./main.js', import.meta.url));

describe('controller-manager main', () => {
  let api: TestApiserver;
  let client: RestClient;

  before(async () => {
    api = await startTestApiserver();
    client = new RestClient({ server: api.url, qps: 0 });
  });
  after(async () => {
    await client?.close();
    await api?.stop();
  });

  test('leads, runs the chosen controllers, serves health and metrics, exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const proc = spawn(process.execPath, [MAIN, '--master', api.url, '--controllers', 'replicaset,-deployment', '--leader-elect-retry-period', '500ms', '--log-level', 'info'], {
      env: { ...process.env, TSKUBE_PORT: String(port), TSKUBE_CONCURRENT_REPLICASET_SYNCS: '2' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
    try {
      await waitFor('healthz', async () => (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined))?.ok, 15_000);
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
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
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
    const proc = spawn(process.execPath, [MAIN, '--master', api.url, '--controllers', 'nope', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((resolve) => proc.on('exit', (c) => resolve(c)));
    assert.notEqual(code, 0);
    assert.match(err, /"nope" is not in the list of known controllers/);
  });
});
