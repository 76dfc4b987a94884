// logs, exec and port-forward end to end: the real kubectl 1.32 → apiserver (real etcd) →
// kubelet server → Docker. The pods' containers are made directly with the runtime (labelled
// as the kubelet would label them) and the kubelet server finds them by those labels, so this
// does not depend on the kubelet's pod workers. Everything made here is removed in `after`.
import * as k8s from '@kubernetes/client-node';
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { PassThrough } from 'node:stream';
import { pino } from 'pino';
import { WebSocket } from 'ws';
import { DockerRuntime } from '../../kubelet/runtime/docker/runtime.js';
import { DockerClient } from '../../kubelet/runtime/docker/client.js';
import { LABEL_CONTAINER_NAME, LABEL_NODE_NAME, LABEL_POD_NAME, LABEL_POD_NAMESPACE, LABEL_POD_UID } from '../../kubelet/runtime/runtime.js';
import { startKubeletServer, type KubeletServer, type ResolvedPod } from '../../kubelet/server/server.js';
import { startTestApiserver, type TestApiserver } from '../harness/apiserver.js';
import { http } from '../harness/http.js';
import { kubectlFor } from '../harness/kubectl.js';
import { kubeletServing } from './kubelet-harness.js';
import { freePort, waitFor } from '../harness/ports.js';

const run = randomBytes(4).toString('hex');
const NODE = `stream-${run}`;
const BUSYBOX = 'busybox:1.35';
const network = { name: `tskube-stream-${run}`, subnet: `10.253.${randomBytes(1)[0]}.0/24` };

let api: TestApiserver;
let rt: DockerRuntime;
let docker: DockerClient;
let kubelet: KubeletServer;
let k: ReturnType<typeof kubectlFor>;
let req: ReturnType<typeof http>;

/** What the kubelet would answer: the pod's containers by name, newest first, from their labels. */
async function resolvePod(namespace: string, name: string): Promise<ResolvedPod | undefined> {
  const all = await rt.listContainers({ labelSelector: { [LABEL_POD_NAMESPACE]: namespace, [LABEL_POD_NAME]: name } });
  if (!all.length) return undefined;
  const containers: ResolvedPod['containers'] = new Map();
  for (const c of [...all].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())) {
    const cname = c.labels[LABEL_CONTAINER_NAME]!;
    const known = containers.get(cname);
    if (!known) containers.set(cname, { id: c.id });
    else if (!known.previousId) known.previousId = c.id;
  }
  return { podUid: all[0]!.labels[LABEL_POD_UID]!, containers };
}

interface PodSpec {
  containers: Array<{ name: string; script: string }>;
  /** Report the containers as running in the pod's status (what the kubelet would do). */
  running?: boolean;
  node?: string;
}

/** A Pod object bound to our node, and its containers started directly on Docker. */
async function makePod(name: string, spec: PodSpec): Promise<Record<string, string>> {
  const created = await req('POST', '/api/v1/namespaces/default/pods', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: {
      nodeName: spec.node ?? NODE,
      containers: spec.containers.map((c) => ({ name: c.name, image: BUSYBOX, command: ['sh', '-c', c.script] })),
    },
  });
  assert.equal(created.status, 201, created.text);
  const uid = created.body.metadata.uid as string;
  const sandbox = await rt.runPodSandbox({ metadata: { name, namespace: 'default', uid, attempt: 0 }, network });
  const ids: Record<string, string> = {};
  for (const c of spec.containers) {
    ids[c.name] = await rt.createContainer(sandbox, { metadata: { name: c.name, attempt: 0 }, image: BUSYBOX, command: ['sh', '-c', c.script] });
    await rt.startContainer(ids[c.name]!);
  }
  if (spec.running !== false) {
    const now = new Date().toISOString();
    const status = {
      phase: 'Running',
      containerStatuses: spec.containers.map((c) => ({
        name: c.name,
        ready: true,
        restartCount: 0,
        image: BUSYBOX,
        imageID: '',
        containerID: `docker://${ids[c.name]}`,
        state: { running: { startedAt: now } },
      })),
    };
    const patched = await req('PATCH', `/api/v1/namespaces/default/pods/${name}/status`, { status }, { 'content-type': 'application/merge-patch+json' });
    assert.equal(patched.status, 200, patched.text);
  }
  return ids;
}

before(async () => {
  docker = new DockerClient();
  api = await startTestApiserver();
  req = http(api);
  k = kubectlFor(api.config);
  rt = new DockerRuntime({ nodeName: NODE, podNetwork: network });
  assert.ok(await rt.imageStatus(BUSYBOX), `${BUSYBOX} must exist: run scripts/build-images`);
  kubelet = await startKubeletServer({ runtime: rt, nodeName: NODE, bindAddress: '127.0.0.1', port: 0, resolvePod, log: pino({ level: 'silent' }), secure: await kubeletServing(api, NODE) });
  const node = await req('POST', '/api/v1/nodes', {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: NODE },
    status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }], daemonEndpoints: { kubeletEndpoint: { Port: kubelet.port } } },
  });
  assert.equal(node.status, 201, node.text);
});

after(async () => {
  await kubelet?.stop();
  // Raw API, not the runtime: cleanup must not depend on the code under test.
  const filters = JSON.stringify({ label: [`${LABEL_NODE_NAME}=${NODE}`] });
  const leftovers = (await docker.request<Array<{ Id: string }>>('GET', '/containers/json', { query: { all: true, filters } })) ?? [];
  await Promise.all(leftovers.map((c) => docker.request('DELETE', `/containers/${c.Id}`, { query: { force: true, v: true } }).catch(() => undefined)));
  await docker.request('DELETE', `/networks/${network.name}`).catch(() => undefined);
  await rt?.close();
  await docker.close();
  await api?.stop();
});

describe('kubectl logs', () => {
  before(async () => {
    await makePod('logger', { containers: [{ name: 'app', script: 'echo one; echo two; echo three; while [ ! -f /tmp/go ]; do sleep 0.1; done; echo after-follow; sleep 3600' }] });
    await waitFor('first lines logged', async () => (await k.run(['logs', 'logger'])).stdout.includes('three'));
  });

  test('shows the container output', async () => {
    const r = await k.run(['logs', 'logger']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'one\ntwo\nthree\n');
  });

  test('--tail keeps the last lines', async () => {
    const r = await k.run(['logs', 'logger', '--tail=1']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'three\n');
  });

  test('-f streams a line written after following started', async () => {
    const f = k.start(['logs', '-f', 'logger']);
    try {
      await waitFor('existing lines', () => f.output().includes('three'));
      const [id] = (await rt.listContainers({ labelSelector: { [LABEL_POD_NAME]: 'logger' } })).map((c) => c.id);
      await rt.execSync(id!, ['touch', '/tmp/go'], 10);
      await waitFor('the new line through the follow', () => f.output().includes('after-follow'));
    } finally {
      f.proc.kill('SIGKILL');
    }
  });

  test('a pod with several containers needs a container name (raw API)', async () => {
    await makePod('two', { containers: [{ name: 'a', script: 'sleep 3600' }, { name: 'b', script: 'sleep 3600' }] });
    const r = await req('GET', '/api/v1/namespaces/default/pods/two/log');
    assert.equal(r.status, 400);
    assert.equal(r.body.message, 'a container name must be specified for pod two, choose one of: [a b]');
    const bad = await req('GET', '/api/v1/namespaces/default/pods/two/log?container=zzz');
    assert.equal(bad.status, 400);
    assert.equal(bad.body.message, 'container zzz is not valid for pod two');
  });

  test('a container that has not started yet is a BadRequest, a missing pod NotFound', async () => {
    await req('POST', '/api/v1/namespaces/default/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'pending' }, spec: { containers: [{ name: 'c', image: BUSYBOX }] } });
    const r = await k.run(['logs', 'pending']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Error from server \(BadRequest\): container "c" in pod "pending" is waiting to start: ContainerCreating/);
    const missing = await k.run(['logs', 'nope']);
    assert.match(missing.stderr, /\(NotFound\): pods "nope" not found/);
  });
});

describe('kubectl exec', () => {
  before(async () => {
    await makePod('shell', { containers: [{ name: 'sh', script: 'sleep 3600' }] });
  });

  test('runs a command and prints its output', async () => {
    const r = await k.run(['exec', 'shell', '--', 'echo', 'hi']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'hi\n');
  });

  test('a non-zero exit code becomes kubectl\'s exit code', async () => {
    const r = await k.run(['exec', 'shell', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
    assert.equal(r.code, 3);
    assert.equal(r.stdout, 'out\n');
    assert.match(r.stderr, /err\n/);
    assert.match(r.stderr, /command terminated with exit code 3/);
  });

  test('-i passes stdin through and closes it', async () => {
    const r = await k.run(['exec', '-i', 'shell', '--', 'sh', '-c', 'cat; echo done'], 'hello\nworld\n');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'hello\nworld\ndone\n');
  });

  test('errors: unknown container, unknown pod', async () => {
    const c = await k.run(['exec', 'shell', '-c', 'nope', '--', 'true']);
    assert.notEqual(c.code, 0);
    assert.match(c.stderr, /container nope is not valid for pod shell/);
    const p = await k.run(['exec', 'ghost', '--', 'true']);
    assert.match(p.stderr, /pods "ghost" not found/);
  });
});

describe('@kubernetes/client-node', () => {
  test('Exec runs a command and reports its status; Log reads the output', async () => {
    const kc = kubeConfig();
    const stdout = new PassThrough();
    let out = '';
    stdout.on('data', (d: Buffer) => (out += d.toString()));
    const status = await new Promise<k8s.V1Status>((resolve, reject) => {
      new k8s.Exec(kc)
        .exec('default', 'shell', 'sh', ['sh', '-c', 'echo from-client-node; exit 4'], stdout, null, null, false, (st) => resolve(st))
        .catch(reject);
    });
    assert.equal(status.status, 'Failure');
    assert.equal(status.reason, 'NonZeroExitCode');
    assert.equal(status.details?.causes?.[0]?.message, '4');
    await waitFor('exec output', () => out === 'from-client-node\n');

    const logs = new PassThrough();
    let text = '';
    logs.on('data', (d: Buffer) => (text += d.toString()));
    await new k8s.Log(kc).log('default', 'logger', 'app', logs, { tailLines: 2 });
    // The logger pod has written its last line by now (the kubectl logs -f test made it).
    await waitFor('log output', () => text === 'three\nafter-follow\n');
  });
});

describe('kubectl port-forward', () => {
  test('a local port reaches a server in the pod', async () => {
    await makePod('web', { containers: [{ name: 'srv', script: 'exec nc -ll -p 8080 -e echo pong' }] });
    const local = await freePort();
    const pf = k.start(['port-forward', 'pod/web', `${local}:8080`, '--address', '127.0.0.1']);
    try {
      await waitFor('port-forward ready', () => pf.output().includes(`Forwarding from 127.0.0.1:${local}`));
      // Twice: every local connection is its own pair of SPDY streams.
      for (let i = 0; i < 2; i++) {
        const reply = await waitFor('pong through the tunnel', () => readFrom(local), 20_000, 200);
        assert.match(reply, /pong/);
      }
    } finally {
      pf.proc.kill('SIGKILL');
    }
  });

  test('kubectl with WebSockets turned off: port-forward and exec over plain SPDY/3.1 upgrades', async () => {
    // kubectl reads these at start; a second kubectl environment keeps them out of the others.
    process.env.KUBECTL_PORT_FORWARD_WEBSOCKETS = 'false';
    process.env.KUBECTL_REMOTE_COMMAND_WEBSOCKETS = 'false';
    const spdyOnly = kubectlFor(api.config);
    delete process.env.KUBECTL_PORT_FORWARD_WEBSOCKETS;
    delete process.env.KUBECTL_REMOTE_COMMAND_WEBSOCKETS;
    const local = await freePort();
    const pf = spdyOnly.start(['port-forward', 'pod/web', `${local}:8080`, '--address', '127.0.0.1']);
    try {
      await waitFor('port-forward ready', () => pf.output().includes(`Forwarding from 127.0.0.1:${local}`));
      assert.match(await waitFor('pong through SPDY', () => readFrom(local), 20_000, 200), /pong/);
    } finally {
      pf.proc.kill('SIGKILL');
    }
    const exec = await spdyOnly.run(['exec', 'shell', '--', 'sh', '-c', 'echo over-spdy; exit 4']);
    assert.equal(exec.code, 4, exec.stderr);
    assert.equal(exec.stdout, 'over-spdy\n');
  });

  test('@kubernetes/client-node PortForward: the kubelet\'s channel protocol, relayed', async () => {
    const output = new PassThrough();
    let text = '';
    output.on('data', (d: Buffer) => (text += d.toString()));
    const ws = (await new k8s.PortForward(kubeConfig()).portForward('default', 'web', [8080], output, null, new PassThrough())) as WebSocket;
    try {
      await waitFor('pong through the relay', () => text.includes('pong'));
    } finally {
      ws.close();
    }
  });
});

describe('errors and nodes/proxy', () => {
  test('a node whose kubelet does not answer is a 503', async () => {
    const port = await freePort();
    await req('POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: `dead-${run}` }, status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }], daemonEndpoints: { kubeletEndpoint: { Port: port } } } });
    await req('POST', '/api/v1/namespaces/default/pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'orphan' },
      spec: { nodeName: `dead-${run}`, containers: [{ name: 'c', image: BUSYBOX }] },
      status: {},
    });
    await req('PATCH', '/api/v1/namespaces/default/pods/orphan/status', { status: { containerStatuses: [{ name: 'c', ready: true, restartCount: 0, image: BUSYBOX, imageID: '', state: { running: {} } }] } }, { 'content-type': 'application/merge-patch+json' });
    const r = await req('GET', '/api/v1/namespaces/default/pods/orphan/log');
    assert.equal(r.status, 503);
    assert.equal(r.body.reason, 'ServiceUnavailable');
    assert.match(r.body.message, /unable to reach the kubelet of node "dead-/);
    const e = await k.run(['exec', 'orphan', '--', 'true']);
    assert.notEqual(e.code, 0);
    assert.match(e.stderr, /unable to reach the kubelet/);
  });

  test('nodes/<n>/proxy/stats/summary reaches the kubelet', async () => {
    const r = await req('GET', `/api/v1/nodes/${NODE}/proxy/stats/summary`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.node.nodeName, NODE);
    assert.ok(r.body.node.memory.workingSetBytes > 0);
    const pod = r.body.pods.find((p: { podRef: { name: string } }) => p.podRef.name === 'shell');
    assert.ok(pod, 'the exec pod is in the summary');
    assert.equal(pod.containers[0].name, 'sh');
    assert.ok(pod.containers[0].cpu.usageCoreNanoSeconds > 0);
    assert.ok(pod.containers[0].memory.workingSetBytes > 0);
  });

  test('a raw WebSocket exec on v4 gets its status on channel 3', async () => {
    const url = `${api.url.replace('http', 'ws')}/api/v1/namespaces/default/pods/shell/exec?command=sh&command=-c&command=exit%205&stdout=true`;
    const ws = new WebSocket(url, ['v4.channel.k8s.io'], { ca: api.config.ca, cert: api.config.cert, key: api.config.key });
    const frames: Buffer[] = [];
    ws.on('message', (d: Buffer) => frames.push(d));
    await new Promise((resolve) => ws.once('close', resolve));
    assert.equal(ws.protocol, 'v4.channel.k8s.io');
    const status = frames.find((f) => f[0] === 3);
    assert.ok(status);
    const st = JSON.parse(status.subarray(1).toString());
    assert.equal(st.reason, 'NonZeroExitCode');
    assert.deepEqual(st.details.causes, [{ reason: 'ExitCode', message: '5' }]);
  });
});

function kubeConfig(): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: api.url, caData: Buffer.from(api.config.ca!).toString('base64') }],
    users: [{ name: 'u', certData: Buffer.from(api.config.cert!).toString('base64'), keyData: Buffer.from(api.config.key!).toString('base64') }],
    contexts: [{ name: 'ctx', cluster: 'c', user: 'u', namespace: 'default' }],
    currentContext: 'ctx',
  });
  return kc;
}

function readFrom(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    let text = '';
    s.on('data', (d) => (text += d.toString()));
    s.on('error', () => resolve(undefined));
    s.on('close', () => resolve(text || undefined));
    s.setTimeout(5000, () => s.destroy());
  });
}
