// The streaming path with the real kubelet running the pods: kubectl → apiserver → the kubelet
// server wired to the kubelet's own pod resolver, with pod status as the kubelet reports it —
// including a restarted container's previous logs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import type { KubeletServer } from '../../kubelet/server/server.js';
import { kubectlFor } from '../harness/kubectl.js';
import { freePort } from '../harness/ports.js';
import { isRunning, shPod, startKubeletEnv, type KubeletEnv } from './kubelet-harness.js';

const NODE = 'stream-kubelet';
let env: KubeletEnv;
let server: KubeletServer;
let k: ReturnType<typeof kubectlFor>;

before(async () => {
  env = await startKubeletEnv();
  const port = await freePort();
  // The kubelet registers its Node with this address and port; the apiserver dials them.
  const kubelet = await env.startKubelet(NODE, { port, nodeIP: '127.0.0.1' });
  server = await env.serve(kubelet, port);
  k = kubectlFor(env.api.config);
  await env.createPod(NODE, shPod('steady', 'echo ready; sleep 3600'));
  // Prints its run number, then fails: the kubelet restarts it (restartPolicy Always).
  await env.createPod(NODE, shPod('flaky', 'n=$(cat /proc/sys/kernel/random/uuid | cut -c1-8); echo "run $n"; sleep 1; exit 1'));
});

after(async () => {
  await server?.stop();
  await env?.stop();
});

test('kubectl logs and exec on a pod the kubelet runs', async () => {
  await env.waitForPod('steady', 'running', isRunning);
  const logs = await k.run(['logs', 'steady']);
  assert.equal(logs.code, 0, logs.stderr);
  assert.equal(logs.stdout, 'ready\n');
  const exec = await k.run(['exec', 'steady', '--', 'hostname']);
  assert.equal(exec.code, 0, exec.stderr);
  assert.equal(exec.stdout, 'steady\n');
});

test('kubectl logs --previous shows the run before the restart', async () => {
  const pod = await env.waitForPod('flaky', 'restarted once', (p) => (p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1 && !!p.status?.containerStatuses?.[0]?.lastState?.terminated, 60_000);
  const previous = await k.run(['logs', 'flaky', '--previous']);
  assert.equal(previous.code, 0, previous.stderr);
  assert.match(previous.stdout, /^run [0-9a-f]{8}\n$/);
  const current = await k.run(['logs', 'flaky']);
  assert.equal(current.code, 0, current.stderr);
  // The current attempt is a different run (or, between restarts, the same last one).
  assert.match(current.stdout, /^run [0-9a-f]{8}\n$/);
  assert.ok(pod.status?.containerStatuses?.[0]?.lastState?.terminated?.exitCode === 1);
});
