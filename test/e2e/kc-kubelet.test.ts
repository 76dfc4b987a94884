// kc logs / exec / port-forward / top on pods the real kubelet runs in Docker, through the
// apiserver's streaming proxy and node proxy (top: the metrics API, absent here).
import assert from 'node:assert/strict';
import { get } from 'node:http';
import { after, before, test } from 'node:test';
import { pino } from 'pino';
import type { KubeletServer } from '../../kubelet/server/server.js';
import { freePort, waitFor } from '../harness/ports.js';
import { isRunning, shPod, startKubeletEnv, type KubeletEnv } from './kubelet-harness.js';
import { kcPair, type KcPair } from './kc-harness.js';

const NODE = 'kc-node';
let env: KubeletEnv;
let server: KubeletServer;
let p: KcPair;

before(async () => {
  env = await startKubeletEnv();
  const port = await freePort();
  const kubelet = await env.startKubelet(NODE, { port, nodeIP: '127.0.0.1' });
  server = await env.serve(kubelet, port);
  p = kcPair(env.api.config);
  await env.createPod(NODE, { ...shPod('talker', 'echo one; echo two; sleep 3600'), metadata: { name: 'talker', labels: { app: 'talk' } } });
  await env.createPod(NODE, shPod('web', 'mkdir -p /www && echo hello-from-pod > /www/index.html && exec httpd -f -p 8080 -h /www'));
  await env.waitForPod('talker', 'running', isRunning);
  await env.waitForPod('web', 'running', isRunning);
});

after(async () => {
  await server?.stop();
  await env?.stop();
});

test('logs: whole, --tail, --timestamps, -l with --prefix', async () => {
  await waitFor('both lines logged', async () => (await p.kc(['logs', 'talker'])).stdout === 'one\ntwo\n');
  assert.deepEqual(await p.kc(['logs', 'talker', '--tail=1']), { code: 0, stdout: 'two\n', stderr: '' });
  assert.match((await p.kc(['logs', 'talker', '--timestamps'])).stdout, /^\d{4}-\d\d-\d\dT\S+ one\n\S+ two\n$/);
  assert.deepEqual(await p.kc(['logs', '-l', 'app=talk', '--prefix']), { code: 0, stdout: '[pod/talker/main] one\n[pod/talker/main] two\n', stderr: '' });
  const missing = await p.kc(['logs', 'talker', '-c', 'nope']);
  assert.deepEqual(missing, { code: 1, stdout: '', stderr: 'error: container nope is not valid for pod talker\n' });
});

test('exec: output, the remote exit code, stdin with -i', async () => {
  assert.deepEqual(await p.kc(['exec', 'talker', '--', 'hostname']), { code: 0, stdout: 'talker\n', stderr: '' });
  assert.deepEqual(await p.kc(['exec', 'talker', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3']), {
    code: 3,
    stdout: 'out\n',
    stderr: 'err\ncommand terminated with exit code 3\n',
  });
  assert.deepEqual(await p.kc(['exec', '-i', 'talker', '--', 'tr', 'a-z', 'A-Z'], { input: 'shout\n' }), { code: 0, stdout: 'SHOUT\n', stderr: '' });
  const none = await p.kc(['exec', 'nope', '--', 'true']);
  assert.deepEqual(none, { code: 1, stdout: '', stderr: 'Error from server (NotFound): pods "nope" not found\n' });
});

test('port-forward: a local port reaches the pod', async () => {
  const run = p.start(['port-forward', 'web', ':8080']);
  const line = await waitFor('the Forwarding line', () => /Forwarding from 127\.0\.0\.1:(\d+) -> 8080/.exec(run.output()) ?? undefined);
  const body = await new Promise<string>((resolve, reject) => {
    get(`http://127.0.0.1:${line[1]}/index.html`, (res) => {
      let b = '';
      res.on('data', (d: Buffer) => (b += d.toString()));
      res.on('end', () => resolve(b));
    }).on('error', reject);
  });
  assert.equal(body, 'hello-from-pod\n');
  assert.match(run.output(), /Handling connection for \d+\n/);
  run.stop();
  assert.equal((await run.done).code, 0);
});

test('top reads the metrics API, as kubectl top: without metrics-server it is not available', async () => {
  // The usage itself is tested with metrics-server in metrics-server.test.ts.
  assert.deepEqual(await p.kc(['top', 'nodes']), { code: 1, stdout: '', stderr: 'error: Metrics API not available\n' });
  assert.deepEqual(await p.kc(['top', 'pods']), { code: 1, stdout: '', stderr: 'error: Metrics API not available\n' });
});
