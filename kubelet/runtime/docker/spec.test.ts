import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  containerCreateBody,
  containerName,
  dockerMounts,
  fromDockerLabels,
  imageRefOf,
  parseDockerTime,
  sandboxCreateBody,
  sandboxName,
  toContainerStatus,
  toPodSandboxStatus,
  type DockerContainerJSON,
} from './spec.js';
import { toContainerEvent, toContainerStats, workingSetBytes } from './monitor.js';
import { parseImageReference } from './images.js';
import { buildPath, dockerError } from './client.js';
import {
  LABEL_CONTAINER_NAME,
  LABEL_CONTAINER_TYPE,
  LABEL_NODE_NAME,
  LABEL_POD_UID,
  LABEL_RESTART_COUNT,
  LABEL_SANDBOX_ID,
  type PodSandboxMetadata,
} from '../runtime.js';

const pod: PodSandboxMetadata = { name: 'web-0', namespace: 'default', uid: 'uid-1', attempt: 1 };

function inspect(state: Partial<DockerContainerJSON['State']>, labels: Record<string, string> = {}): DockerContainerJSON {
  return {
    Id: 'abc',
    Name: '/x',
    Created: '2024-05-01T10:00:00.5Z',
    Image: 'sha256:img',
    State: {
      Status: 'exited',
      Running: false,
      OOMKilled: false,
      Pid: 0,
      ExitCode: 0,
      Error: '',
      StartedAt: '0001-01-01T00:00:00Z',
      FinishedAt: '0001-01-01T00:00:00Z',
      ...state,
    },
    Config: { Image: 'busybox:1.35', Labels: labels, Tty: false },
    HostConfig: { NetworkMode: 'tskube-pods' },
    NetworkSettings: { Networks: { 'tskube-pods': { IPAddress: '10.244.0.7' } } },
  };
}

describe('names and labels', () => {
  test('container names follow dockershim', () => {
    assert.equal(sandboxName(pod), 'k8s_POD_web-0_default_uid-1_1');
    assert.equal(containerName({ name: 'app', attempt: 3 }, pod), 'k8s_app_web-0_default_uid-1_3');
  });

  test('annotations round-trip through prefixed labels', () => {
    const body = sandboxCreateBody(
      { metadata: pod, labels: { app: 'web' }, annotations: { 'kubernetes.io/config.seen': 'now' } },
      { nodeName: 'n1', image: 'pause', networkName: 'tskube-pods' },
    );
    const { labels, annotations } = fromDockerLabels(body.Labels as Record<string, string>);
    assert.equal(labels.app, 'web');
    assert.equal(labels[LABEL_NODE_NAME], 'n1');
    assert.deepEqual(annotations, { 'kubernetes.io/config.seen': 'now' });
  });
});

describe('sandboxCreateBody', () => {
  test('joins the pod network with the pod name as hostname, init, DNS and host ports', () => {
    const body = sandboxCreateBody(
      {
        metadata: pod,
        dnsConfig: { servers: ['10.96.0.10'], searches: ['default.svc.cluster.local'], options: ['ndots:5'] },
        portMappings: [
          { containerPort: 80, hostPort: 8080 },
          { containerPort: 53, hostPort: 5353, protocol: 'UDP', hostIp: '127.0.0.1' },
          { containerPort: 9000, hostPort: 0 },
        ],
        mounts: [{ type: 'bind', hostPath: '/var/lib/k/hosts', containerPath: '/etc/hosts', readonly: true }],
      },
      { nodeName: 'n1', image: 'tskube/pause:3.9', networkName: 'tskube-pods' },
    );
    const hc = body.HostConfig as Record<string, unknown>;
    assert.equal(body.Hostname, 'web-0');
    assert.equal(body.Image, 'tskube/pause:3.9');
    assert.equal(hc.Init, true);
    assert.equal(hc.NetworkMode, 'tskube-pods');
    assert.deepEqual(hc.Dns, ['10.96.0.10']);
    assert.deepEqual(hc.DnsSearch, ['default.svc.cluster.local']);
    assert.deepEqual(hc.DnsOptions, ['ndots:5']);
    assert.deepEqual(hc.PortBindings, {
      '80/tcp': [{ HostIp: '', HostPort: '8080' }],
      '53/udp': [{ HostIp: '127.0.0.1', HostPort: '5353' }],
    });
    assert.deepEqual(Object.keys(body.ExposedPorts as object), ['80/tcp', '53/udp']);
    assert.deepEqual(hc.Binds, ['/var/lib/k/hosts:/etc/hosts:ro']);
    assert.equal((body.Labels as Record<string, string>)[LABEL_CONTAINER_TYPE], 'podsandbox');
  });

  test('host networking sets no hostname', () => {
    const body = sandboxCreateBody({ metadata: pod, hostNetwork: true }, { nodeName: 'n1', image: 'p', networkName: 'x' });
    assert.equal((body.HostConfig as Record<string, unknown>).NetworkMode, 'host');
    assert.equal(body.Hostname, undefined);
  });
});

describe('containerCreateBody', () => {
  const sandboxLabels = { 'io.kubernetes.pod.name': 'web-0', 'io.kubernetes.pod.namespace': 'default', [LABEL_POD_UID]: 'uid-1' };

  test('joins the sandbox and maps command, env, resources and security', () => {
    const body = containerCreateBody(
      {
        metadata: { name: 'app', attempt: 2 },
        image: 'busybox:1.35',
        command: ['sh', '-c'],
        args: ['echo hi'],
        workingDir: '/tmp',
        envs: [{ key: 'A', value: 'x=y' }],
        mounts: [{ type: 'tmpfs', containerPath: '/scratch', sizeBytes: 1048576, mode: 0o1777 }],
        resources: { cpuShares: 512, cpuQuota: 50_000, cpuPeriod: 100_000, memoryLimitInBytes: 64 * 1024 * 1024 },
        securityContext: { runAsUser: 65534, runAsGroup: 65534, privileged: true, readonlyRootfs: true, capabilities: { add: ['NET_ADMIN'], drop: ['ALL'] } },
        stopSignal: 'SIGINT',
      },
      { nodeName: 'n1', sandboxId: 'sb1', sandboxLabels },
    );
    const hc = body.HostConfig as Record<string, unknown>;
    const labels = body.Labels as Record<string, string>;
    assert.equal(hc.NetworkMode, 'container:sb1');
    assert.equal(hc.IpcMode, 'container:sb1');
    assert.equal(hc.Init, true);
    assert.deepEqual(body.Entrypoint, ['sh', '-c']);
    assert.deepEqual(body.Cmd, ['echo hi']);
    assert.equal(body.WorkingDir, '/tmp');
    assert.deepEqual(body.Env, ['A=x=y']);
    assert.deepEqual(hc.Tmpfs, { '/scratch': 'size=1048576,mode=1777' });
    assert.equal(hc.CpuShares, 512);
    assert.equal(hc.NanoCpus, 500_000_000);
    assert.equal(hc.Memory, 64 * 1024 * 1024);
    assert.equal(hc.MemorySwap, 64 * 1024 * 1024);
    assert.equal(body.User, '65534:65534');
    assert.equal(hc.Privileged, true);
    assert.equal(hc.ReadonlyRootfs, true);
    assert.deepEqual(hc.CapAdd, ['NET_ADMIN']);
    assert.deepEqual(hc.CapDrop, ['ALL']);
    assert.equal(body.StopSignal, 'SIGINT');
    assert.equal(labels[LABEL_POD_UID], 'uid-1');
    assert.equal(labels[LABEL_CONTAINER_NAME], 'app');
    assert.equal(labels[LABEL_RESTART_COUNT], '2');
    assert.equal(labels[LABEL_SANDBOX_ID], 'sb1');
  });

  test('leaves the image entrypoint and CMD alone when command and args are unset', () => {
    const body = containerCreateBody({ metadata: { name: 'a', attempt: 0 }, image: 'x' }, { nodeName: 'n', sandboxId: 's', sandboxLabels });
    assert.equal(body.Entrypoint, undefined);
    assert.equal(body.Cmd, undefined);
    assert.equal((body.HostConfig as Record<string, unknown>).Memory, undefined);
  });

  test('dockerMounts of nothing adds nothing', () => {
    assert.deepEqual(dockerMounts(undefined), {});
  });
});

describe('toContainerStatus', () => {
  const labels = { [LABEL_CONTAINER_NAME]: 'app', [LABEL_RESTART_COUNT]: '4', [LABEL_SANDBOX_ID]: 'sb1', 'annotation.k': 'v' };

  test('running', () => {
    const s = toContainerStatus(inspect({ Status: 'running', Running: true, Pid: 42, StartedAt: '2024-05-01T10:00:01Z' }, labels), 'docker://sha256:img');
    assert.equal(s.state, 'running');
    assert.equal(s.reason, '');
    assert.equal(s.pid, 42);
    assert.deepEqual(s.metadata, { name: 'app', attempt: 4 });
    assert.equal(s.podSandboxId, 'sb1');
    assert.deepEqual(s.annotations, { k: 'v' });
    assert.equal(s.startedAt?.toISOString(), '2024-05-01T10:00:01.000Z');
    assert.equal(s.finishedAt, undefined);
  });

  test('exit reasons: Completed, Error, OOMKilled, ContainerCannotRun', () => {
    const finished = { StartedAt: '2024-05-01T10:00:01Z', FinishedAt: '2024-05-01T10:00:02Z' };
    assert.equal(toContainerStatus(inspect({ ...finished, ExitCode: 0 }), '').reason, 'Completed');
    assert.equal(toContainerStatus(inspect({ ...finished, ExitCode: 143 }), '').reason, 'Error');
    const oom = toContainerStatus(inspect({ ...finished, ExitCode: 137, OOMKilled: true }), '');
    assert.equal(oom.reason, 'OOMKilled');
    assert.equal(oom.exitCode, 137);
    const cannot = toContainerStatus(inspect({ Status: 'created', ExitCode: 127, Error: 'exec: "nope": not found' }), '');
    assert.equal(cannot.state, 'exited');
    assert.equal(cannot.reason, 'ContainerCannotRun');
    assert.match(cannot.message, /not found/);
    assert.equal(toContainerStatus(inspect({ Status: 'created' }), '').state, 'created');
  });

  test('sandbox status carries the IP on its network only while running', () => {
    const running = toPodSandboxStatus(inspect({ Status: 'running', Running: true }, { [LABEL_POD_UID]: 'u' }));
    assert.equal(running.network.ip, '10.244.0.7');
    assert.equal(running.state, 'ready');
    assert.equal(running.metadata.uid, 'u');
    assert.equal(toPodSandboxStatus(inspect({})).network.ip, '');
  });

  test('zero times and image refs', () => {
    assert.equal(parseDockerTime('0001-01-01T00:00:00Z'), undefined);
    assert.equal(parseDockerTime(''), undefined);
    assert.equal(imageRefOf({ Id: 'sha256:a', RepoDigests: [], RepoTags: [], Size: 1 }, 'sha256:a'), 'docker://sha256:a');
    assert.equal(
      imageRefOf({ Id: 'sha256:a', RepoDigests: ['busybox@sha256:d'], RepoTags: [], Size: 1 }, 'sha256:a'),
      'docker-pullable://busybox@sha256:d',
    );
    assert.equal(imageRefOf(null, 'sha256:b'), 'docker://sha256:b');
  });
});

describe('events and stats', () => {
  test('die becomes ContainerStopped with the exit code; other actions are dropped', () => {
    const e = toContainerEvent({
      Type: 'container',
      Action: 'die',
      Actor: { ID: 'c1', Attributes: { exitCode: '143', image: 'busybox', name: 'k8s_x', [LABEL_SANDBOX_ID]: 'sb', app: 'a' } },
      time: 1700000000,
      timeNano: 1700000000123456789,
    });
    assert.equal(e?.type, 'ContainerStopped');
    assert.equal(e?.exitCode, 143);
    assert.equal(e?.podSandboxId, 'sb');
    assert.equal(e?.sandbox, false);
    assert.deepEqual(e?.labels, { [LABEL_SANDBOX_ID]: 'sb', app: 'a' });
    assert.equal(toContainerEvent({ Type: 'container', Action: 'exec_start: sh', Actor: { ID: 'c1' } }), null);
    assert.equal(toContainerEvent({ Type: 'network', Action: 'connect', Actor: { ID: 'n' } }), null);
    const sb = toContainerEvent({ Type: 'container', Action: 'start', Actor: { ID: 's1', Attributes: { [LABEL_CONTAINER_TYPE]: 'podsandbox' } } });
    assert.equal(sb?.sandbox, true);
    assert.equal(sb?.podSandboxId, 's1');
  });

  test('working set is usage minus inactive file cache (cgroup v1 and v2 keys)', () => {
    assert.equal(workingSetBytes({ usage: 1000, stats: { total_inactive_file: 300 } }), 700);
    assert.equal(workingSetBytes({ usage: 1000, stats: { inactive_file: 400 } }), 600);
    assert.equal(workingSetBytes({ usage: 100, stats: { total_inactive_file: 300 } }), 0);
    const s = toContainerStats('c', {}, { read: '2024-05-01T10:00:00Z', cpu_stats: { cpu_usage: { total_usage: 5e9 } }, memory_stats: { usage: 10 } });
    assert.equal(s.cpuUsageCoreNanoSeconds, 5e9);
    assert.equal(s.memoryWorkingSetBytes, 10);
  });
});

describe('client helpers', () => {
  test('image references: a missing tag means latest, digests pass through', () => {
    assert.deepEqual(parseImageReference('busybox'), { fromImage: 'busybox', tag: 'latest' });
    assert.deepEqual(parseImageReference('busybox:1.35'), { fromImage: 'busybox', tag: '1.35' });
    assert.deepEqual(parseImageReference('localhost:5000/a/b'), { fromImage: 'localhost:5000/a/b', tag: 'latest' });
    assert.deepEqual(parseImageReference('localhost:5000/a/b:v2'), { fromImage: 'localhost:5000/a/b', tag: 'v2' });
    assert.deepEqual(parseImageReference('busybox@sha256:abc'), { fromImage: 'busybox@sha256:abc', tag: '' });
  });

  test('paths are pinned to v1.41 and errors are typed', () => {
    assert.equal(buildPath('/containers/json', { all: true, x: undefined, tail: 5 }), '/v1.41/containers/json?all=1&tail=5');
    assert.equal(dockerError(404, 'No such container: x').code, 'NotFound');
    assert.equal(dockerError(404, 'No such image: nope:1').code, 'ImageNotFound');
    assert.equal(dockerError(409, 'Conflict. The container name "/x" is already in use').code, 'Conflict');
    assert.equal(dockerError(500, 'boom').code, 'Unknown');
  });
});
