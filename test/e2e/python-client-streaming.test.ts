// The official Python client's logs and exec against a pod the real kubelet runs: the apiserver
// proxies read_namespaced_pod_log to the kubelet, and kubernetes.stream.stream() execs over
// WebSocket (v4.channel.k8s.io).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeletServer } from '../../kubelet/server/server.js';
import { pythonClientFor } from '../harness/python.js';
import { freePort } from '../harness/ports.js';
import { isRunning, shPod, startKubeletEnv, type KubeletEnv } from './kubelet-harness.js';

const NODE = 'py-stream';
let env: KubeletEnv;
let server: KubeletServer;
let py: ReturnType<typeof pythonClientFor>;

before(async () => {
  env = await startKubeletEnv();
  const port = await freePort();
  const kubelet = await env.startKubelet(NODE, { port, nodeIP: '127.0.0.1' });
  server = await env.serve(kubelet, port);
  py = pythonClientFor(env.api.config);
  await env.createPod(NODE, shPod('pyexec', 'echo one; echo two; sleep 3600'));
});

after(async () => {
  await server?.stop();
  await env?.stop();
});

test('read_namespaced_pod_log and stream(connect_get_namespaced_pod_exec) on a running pod', async () => {
  await env.waitForPod('pyexec', 'running', isRunning, 60_000);
  const r = await py(
    'logs-exec',
    `
from kubernetes.stream import stream
logs = v1.read_namespaced_pod_log('pyexec', 'default')
tail = v1.read_namespaced_pod_log('pyexec', 'default', tail_lines=1)
hostname = stream(v1.connect_get_namespaced_pod_exec, 'pyexec', 'default', command=['hostname'],
                  stderr=True, stdin=False, stdout=True, tty=False)
resp = stream(v1.connect_get_namespaced_pod_exec, 'pyexec', 'default', command=['sh', '-c', 'echo out; echo err >&2; exit 3'],
              stderr=True, stdin=False, stdout=True, tty=False, _preload_content=False)
resp.run_forever(timeout=10)
out({'logs': logs, 'tail': tail, 'hostname': hostname, 'stdout': resp.read_stdout(), 'stderr': resp.read_stderr(),
     'returncode': resp.returncode})
`,
  );
  assert.equal(r.logs, 'one\ntwo\n');
  assert.equal(r.tail, 'two\n');
  assert.equal(r.hostname, 'pyexec\n');
  // Separate channels (stdout 1, stderr 2), and the exit code from the error channel's Status.
  assert.equal(r.stdout, 'out\n');
  assert.equal(r.stderr, 'err\n');
  assert.equal(r.returncode, 3);
});
