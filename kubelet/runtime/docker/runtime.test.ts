// The Docker runtime against the real Docker Engine on this host. Everything created here
// is labelled tskube.test=<run id> and removed in `after`, together with the test network.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import type { Readable } from 'node:stream';
import { DockerRuntime } from './runtime.js';
import { DockerClient } from './client.js';
import { freePort, waitFor } from '../../../test/harness/ports.js';
import {
  ConflictError,
  DeadlineExceededError,
  ImageNotFoundError,
  ImagePullError,
  LABEL_POD_UID,
  type ContainerConfig,
  type ContainerEvent,
  type PodSandboxConfig,
} from '../runtime.js';

const run = randomBytes(4).toString('hex');
const TEST_LABEL = 'tskube.test';
const BUSYBOX = 'busybox:1.35';
const network = { name: `tskube-test-${run}`, subnet: `10.252.${randomBytes(1)[0]}.0/24` };

let rt: DockerRuntime;
let docker: DockerClient;

function sandboxConfig(name: string, extra: Partial<PodSandboxConfig> = {}): PodSandboxConfig {
  return {
    metadata: { name, namespace: 'default', uid: `${name}-${run}`, attempt: 0 },
    network,
    ...extra,
    labels: { [TEST_LABEL]: run, ...(extra.labels ?? {}) },
  };
}

function containerConfig(name: string, script: string, extra: Partial<ContainerConfig> = {}): ContainerConfig {
  return {
    metadata: { name, attempt: 0 },
    image: BUSYBOX,
    command: ['sh', '-c', script],
    ...extra,
    labels: { [TEST_LABEL]: run, ...(extra.labels ?? {}) },
  };
}

async function startContainer(sandboxId: string, name: string, script: string, extra: Partial<ContainerConfig> = {}): Promise<string> {
  const id = await rt.createContainer(sandboxId, containerConfig(name, script, extra));
  await rt.startContainer(id);
  return id;
}

/** Collects a stream's text as it arrives, without consuming it to the end. */
function collect(stream: Readable): { text: string } {
  const out = { text: '' };
  stream.on('data', (chunk) => (out.text += String(chunk)));
  return out;
}

async function readAll(stream: Readable): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += String(chunk);
  return text;
}

function ipInSubnet(ip: string, subnet: string): boolean {
  const prefix = subnet.split('.').slice(0, 3).join('.') + '.';
  return ip.startsWith(prefix);
}

before(async () => {
  docker = new DockerClient();
  rt = new DockerRuntime({ nodeName: `test-node-${run}`, podNetwork: network });
  const present = await rt.imageStatus(BUSYBOX);
  assert.ok(present, `${BUSYBOX} must exist: run scripts/build-images`);
});

after(async () => {
  // Raw API, not the runtime: cleanup must not depend on the code under test.
  const leftovers: Array<{ Id: string }> = [];
  for (const label of [`${TEST_LABEL}=${run}`, `io.tskube.node.name=test-node-${run}`]) {
    const filters = JSON.stringify({ label: [label] });
    leftovers.push(...((await docker.request<Array<{ Id: string }>>('GET', '/containers/json', { query: { all: true, filters } })) ?? []));
  }
  await Promise.all(leftovers.map((c) => docker.request('DELETE', `/containers/${c.Id}`, { query: { force: true, v: true } }).catch(() => undefined)));
  await docker.request('DELETE', `/networks/${network.name}`).catch(() => undefined);
  await rt.close();
  await docker.close();
});

describe('DockerRuntime', () => {
  test('reports its version', async () => {
    const v = await rt.version();
    assert.equal(v.runtimeName, 'docker');
    assert.equal(v.runtimeApiVersion, '1.41');
  });

  test('a sandbox gets an IP on the pod network and the pod name as hostname', async () => {
    const sb = await rt.runPodSandbox(sandboxConfig('net'));
    const status = await rt.podSandboxStatus(sb);
    assert.equal(status.state, 'ready');
    assert.ok(ipInSubnet(status.network.ip, network.subnet), `${status.network.ip} not in ${network.subnet}`);
    assert.equal(status.metadata.name, 'net');
    const c = await startContainer(sb, 'app', 'sleep 1000');
    const r = await rt.execSync(c, ['sh', '-c', 'hostname; ip -4 -o addr show eth0'], 10);
    const [hostname, addr] = r.stdout.toString().split('\n');
    assert.equal(hostname, 'net');
    assert.ok(addr?.includes(status.network.ip), `container shares the sandbox IP: ${addr}`);
  });

  test('two containers of a pod talk over localhost', async () => {
    const sb = await rt.runPodSandbox(sandboxConfig('localhost'));
    await startContainer(sb, 'server', 'exec nc -ll -p 8080 -e echo pong');
    const client = await startContainer(sb, 'client', 'sleep 1000');
    const reply = await waitFor('server on 127.0.0.1:8080', async () => {
      const r = await rt.execSync(client, ['sh', '-c', 'nc 127.0.0.1 8080 </dev/null'], 10);
      return r.stdout.toString().includes('pong') ? r.stdout.toString() : undefined;
    });
    assert.equal(reply.trim(), 'pong');
  });

  test('a hostPort on the sandbox reaches the pod from the host', async () => {
    const hostPort = await freePort();
    const sb = await rt.runPodSandbox(
      sandboxConfig('hostport', { portMappings: [{ containerPort: 8080, hostPort, hostIp: '127.0.0.1' }] }),
    );
    await startContainer(sb, 'server', 'exec nc -ll -p 8080 -e echo pong');
    const reply = await waitFor('pong through the host port', () =>
      new Promise<string | undefined>((resolve) => {
        const sock = connect(hostPort, '127.0.0.1');
        let data = '';
        sock.on('data', (d) => (data += String(d)));
        sock.on('close', () => resolve(data.includes('pong') ? data : undefined));
        sock.on('error', () => resolve(undefined));
      }),
    );
    assert.equal(reply.trim(), 'pong');
  });

  test('exec reports stdout, stderr and a non-zero exit code', async () => {
    const sb = await rt.runPodSandbox(sandboxConfig('exec'));
    const c = await startContainer(sb, 'app', 'sleep 1000');
    const r = await rt.execSync(c, ['sh', '-c', 'echo out; echo err >&2; exit 3'], 10);
    assert.equal(r.stdout.toString(), 'out\n');
    assert.equal(r.stderr.toString(), 'err\n');
    assert.equal(r.exitCode, 3);

    const session = await rt.exec(c, ['sh', '-c', 'cat; echo done >&2'], { stdin: true });
    assert.ok(session.stdin);
    session.stdin.write('hello ');
    session.stdin.end('world\n');
    const [out, err, code] = await Promise.all([readAll(session.stdout), readAll(session.stderr), session.exitCode]);
    assert.equal(out, 'hello world\n');
    assert.equal(err, 'done\n');
    assert.equal(code, 0);

    const tty = await rt.exec(c, ['sh', '-c', 'tty'], { tty: true });
    assert.match(await readAll(tty.stdout), /^\/dev\/pts\/\d+/);
    assert.equal(await tty.exitCode, 0);

    await assert.rejects(rt.execSync(c, ['sleep', '30'], 1), DeadlineExceededError);
  });

  test('logs: follow receives a line written after following started; tail and timestamps', async () => {
    const sb = await rt.runPodSandbox(sandboxConfig('logs'));
    const c = await startContainer(
      sb,
      'app',
      'for i in 1 2 3 4 5; do echo line$i; done; echo oops >&2; until [ -f /tmp/go ]; do sleep 0.05; done; echo after-follow; sleep 1000',
    );
    const follow = await rt.logs(c, { follow: true });
    const followed = collect(follow);
    await waitFor('the first lines while following', () => followed.text.includes('oops\n'));
    // stdout and stderr are separate pipes: only each one's own order is guaranteed.
    assert.deepEqual(followed.text.split('\n').filter((l) => l.startsWith('line')), ['line1', 'line2', 'line3', 'line4', 'line5']);
    await rt.execSync(c, ['touch', '/tmp/go'], 10);
    await waitFor('a line written after following started', () => followed.text.endsWith('after-follow\n'));
    follow.destroy();

    assert.equal(await readAll(await rt.logs(c, { tailLines: 1 })), 'after-follow\n');
    assert.equal(await readAll(await rt.logs(c, { stream: 'stdout' })), 'line1\nline2\nline3\nline4\nline5\nafter-follow\n');
    assert.equal(await readAll(await rt.logs(c, { stream: 'stderr' })), 'oops\n');
    assert.equal(await readAll(await rt.logs(c, { tailLines: 0 })), '');
    const stamped = (await readAll(await rt.logs(c, { timestamps: true }))).trimEnd().split('\n');
    assert.equal(stamped.length, 7);
    for (const line of stamped) assert.match(line, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z (line\d|oops|after-follow)$/);
  });

  test('stop delivers SIGTERM to the process (exit 143) and is idempotent, as is remove', async () => {
    const sb = await rt.runPodSandbox(sandboxConfig('stop'));
    const c = await startContainer(sb, 'app', 'exec sleep 1000');
    // A long grace period: 143 (not 137) shows SIGTERM ended it, not the kill after the timeout.
    await rt.stopContainer(c, 60);
    const s = await rt.containerStatus(c);
    assert.equal(s.state, 'exited');
    assert.equal(s.exitCode, 143);
    assert.equal(s.reason, 'Error');
    assert.ok(s.finishedAt && s.startedAt && s.finishedAt >= s.startedAt);
    await assert.rejects(rt.exec(c, ['true']), ConflictError);
    await rt.stopContainer(c, 1);
    await rt.removeContainer(c);
    await rt.removeContainer(c);
    await rt.stopContainer(c, 1);
    await assert.rejects(rt.containerStatus(c), { code: 'NotFound' });
    await rt.stopPodSandbox(sb);
    await rt.stopPodSandbox(sb);
    assert.equal((await rt.podSandboxStatus(sb)).state, 'notready');
    assert.equal((await rt.podSandboxStatus(sb)).network.ip, '');
    await rt.removePodSandbox(sb);
    await rt.removePodSandbox(sb);
    await assert.rejects(rt.podSandboxStatus(sb), { code: 'NotFound' });
  });

  test('removePodSandbox removes the containers of the pod with it', async () => {
    const sb = await rt.runPodSandbox(sandboxConfig('rm'));
    const c = await startContainer(sb, 'app', 'sleep 1000');
    await rt.removePodSandbox(sb);
    await assert.rejects(rt.containerStatus(c), { code: 'NotFound' });
  });

  test('a container over its memory limit is OOMKilled', async () => {
    const sb = await rt.runPodSandbox(sandboxConfig('oom'));
    // busybox dd allocates its whole block: 64 MiB against a 16 MiB limit.
    const c = await startContainer(sb, 'hog', 'dd if=/dev/zero of=/dev/null bs=64M count=1', {
      resources: { memoryLimitInBytes: 16 * 1024 * 1024 },
    });
    const s = await waitFor('the hog to exit', async () => {
      const st = await rt.containerStatus(c);
      return st.state === 'exited' ? st : undefined;
    });
    assert.equal(s.reason, 'OOMKilled');
    assert.equal(s.exitCode, 137);
  });

  test('lists sandboxes and containers by label, sandbox and state', async () => {
    const sb = await rt.runPodSandbox(sandboxConfig('list', { labels: { app: `list-${run}` } }));
    const a = await startContainer(sb, 'a', 'sleep 1000', { labels: { role: `a-${run}` } });
    const b = await rt.createContainer(
      sb,
      containerConfig('b', 'sleep 1000', { labels: { role: `b-${run}` }, annotations: { 'kubernetes.io/note': 'kept' } }),
    );
    const bStatus = await rt.containerStatus(b);
    assert.equal(bStatus.state, 'created');
    assert.deepEqual(bStatus.annotations, { 'kubernetes.io/note': 'kept' });
    assert.deepEqual(bStatus.metadata, { name: 'b', attempt: 0 });
    assert.equal(bStatus.podSandboxId, sb);

    const byRole = await rt.listContainers({ labelSelector: { role: `a-${run}` } });
    assert.deepEqual(byRole.map((c) => c.id), [a]);
    assert.equal(byRole[0]?.metadata.name, 'a');
    assert.equal(byRole[0]?.labels[LABEL_POD_UID], `list-${run}`);
    const inPod = await rt.listContainers({ podSandboxId: sb });
    assert.deepEqual(inPod.map((c) => c.id).sort(), [a, b].sort());
    const created = await rt.listContainers({ podSandboxId: sb, state: 'created' });
    assert.deepEqual(created.map((c) => c.id), [b]);

    const sandboxes = await rt.listPodSandboxes({ labelSelector: { app: `list-${run}` } });
    assert.deepEqual(sandboxes.map((s) => s.id), [sb]);
    assert.equal(sandboxes[0]?.state, 'ready');
    assert.equal(sandboxes[0]?.metadata.uid, `list-${run}`);

    // Another node's runtime on the same Docker sees none of it.
    const other = new DockerRuntime({ nodeName: `other-${run}` });
    try {
      assert.deepEqual(await other.listPodSandboxes({ labelSelector: { app: `list-${run}` } }), []);
      assert.deepEqual(await other.listContainers({ podSandboxId: sb }), []);
    } finally {
      await other.close();
    }
  });

  test('stats report CPU time and memory working set of running containers', async () => {
    const sb = await rt.runPodSandbox(sandboxConfig('stats'));
    const c = await startContainer(sb, 'app', 'sleep 1000');
    const s = await rt.containerStats(c);
    assert.equal(s.id, c);
    assert.ok(s.cpuUsageCoreNanoSeconds > 0);
    assert.ok(s.memoryWorkingSetBytes > 0);
    const all = await rt.listContainerStats({ podSandboxId: sb });
    assert.deepEqual(all.map((x) => x.id), [c]);
  });

  test('a missing image fails cleanly: ImageNotFound on create, ImagePull on pull', async () => {
    const sb = await rt.runPodSandbox(sandboxConfig('noimage'));
    const missing = `tskube/does-not-exist-${run}:1`;
    assert.equal(await rt.imageStatus(missing), null);
    await assert.rejects(rt.createContainer(sb, containerConfig('x', 'true', { image: missing })), ImageNotFoundError);
    await assert.rejects(rt.pullImage(missing), ImagePullError);
    await rt.removeImage(missing);
    const present = await rt.imageStatus(BUSYBOX);
    assert.ok(present);
    assert.ok(present.repoTags.includes(BUSYBOX));
    assert.ok((await rt.listImages()).some((i) => i.id === present.id));
  });

  test('events deliver a die for a stopped container', async () => {
    const sb = await rt.runPodSandbox(sandboxConfig('events'));
    const since = new Date(Date.now() - 1000);
    const c = await startContainer(sb, 'app', 'exec sleep 1000');
    const abort = new AbortController();
    const seen: ContainerEvent[] = [];
    const reading = (async () => {
      for await (const e of rt.events({ since, signal: abort.signal })) {
        if (e.containerId !== c) continue;
        seen.push(e);
        if (e.type === 'ContainerStopped') return e;
      }
      return undefined;
    })();
    await rt.stopContainer(c, 30);
    const died = await reading;
    abort.abort();
    assert.equal(died?.action, 'die');
    assert.equal(died?.exitCode, 143);
    assert.equal(died?.podSandboxId, sb);
    assert.deepEqual(seen.map((e) => e.type), ['ContainerCreated', 'ContainerStarted', 'ContainerStopped']);
  });
});
