// The apiserver's decisions before it streams from a kubelet: which container, whether it has
// logs yet, which kubelet, and the options it forwards — with Kubernetes' wording.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../api/types.js';
import { StatusError } from '../../api/status.js';
import {
  checkLogStatus,
  endpointURL,
  kubeletEndpoint,
  logContainer,
  podLogRequest,
  streamContainer,
  streamRequest,
} from './pod.js';

const pod = (containers: string[], init: string[] = [], status: Record<string, unknown> = {}): KObject => ({
  metadata: { name: 'p', namespace: 'default' },
  spec: { nodeName: 'n1', containers: containers.map((name) => ({ name })), initContainers: init.map((name) => ({ name })) },
  status,
});

function badRequest(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof StatusError);
    assert.equal(err.code, 400);
    return err.message;
  }
  assert.fail('expected a BadRequest');
}

describe('kubelet endpoint', () => {
  test('InternalIP and the kubelet port from daemonEndpoints; default 10250', () => {
    const node: KObject = {
      status: {
        addresses: [
          { type: 'Hostname', address: 'n1' },
          { type: 'InternalIP', address: '10.0.0.5' },
        ],
        daemonEndpoints: { kubeletEndpoint: { Port: 12345 } },
      },
    };
    assert.deepEqual(kubeletEndpoint(node), { host: '10.0.0.5', port: 12345 });
    assert.deepEqual(kubeletEndpoint({ status: { addresses: [{ type: 'Hostname', address: 'n1' }] } }), { host: 'n1', port: 10250 });
    assert.equal(kubeletEndpoint({ status: {} }), undefined);
    assert.equal(endpointURL({ host: 'fd00::1', port: 1 }, 'ws', '/x'), 'ws://[fd00::1]:1/x');
  });
});

describe('container choice', () => {
  test('the only container is the default', () => {
    assert.equal(logContainer(pod(['app']), undefined), 'app');
    assert.equal(streamContainer(pod(['app']), undefined), 'app');
  });

  test('several containers need a name (logs list every container, init first)', () => {
    assert.equal(badRequest(() => logContainer(pod(['a', 'b']), undefined)), 'a container name must be specified for pod p, choose one of: [a b]');
    assert.equal(badRequest(() => logContainer(pod(['a', 'b'], ['i']), undefined)), 'a container name must be specified for pod p, choose one of: [i a b]');
    assert.equal(
      badRequest(() => streamContainer(pod(['a', 'b'], ['i']), undefined)),
      'a container name must be specified for pod p, choose one of: [a b] or one of the init containers: [i]',
    );
  });

  test('an unknown container is not valid; init containers are', () => {
    assert.equal(badRequest(() => logContainer(pod(['a']), 'z')), 'container z is not valid for pod p');
    assert.equal(badRequest(() => streamContainer(pod(['a']), 'z')), 'container z is not valid for pod p');
    assert.equal(logContainer(pod(['a'], ['i']), 'i'), 'i');
  });
});

describe('log status', () => {
  const withStatus = (cs: Record<string, unknown>) => pod(['c'], [], { containerStatuses: [{ name: 'c', ...cs }] });

  test('no status yet, or waiting: waiting to start with the reason', () => {
    assert.equal(badRequest(() => checkLogStatus(pod(['c']), 'c', false)), 'container "c" in pod "p" is waiting to start: ContainerCreating');
    assert.equal(
      badRequest(() => checkLogStatus(withStatus({ state: { waiting: { reason: 'CrashLoopBackOff' } } }), 'c', false)),
      'container "c" in pod "p" is waiting to start: CrashLoopBackOff',
    );
    assert.equal(
      badRequest(() => checkLogStatus(withStatus({ state: { waiting: { reason: 'ImagePullBackOff' } } }), 'c', false)),
      'container "c" in pod "p" is waiting to start: trying and failing to pull image',
    );
  });

  test('running, terminated, or restarting after a run: logs are there', () => {
    checkLogStatus(withStatus({ state: { running: {} } }), 'c', false);
    checkLogStatus(withStatus({ state: { terminated: { containerID: 'docker://x' } } }), 'c', false);
    checkLogStatus(withStatus({ state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { containerID: 'docker://old' } } }), 'c', false);
  });

  test('previous needs a terminated last state', () => {
    assert.equal(badRequest(() => checkLogStatus(withStatus({ state: { running: {} } }), 'c', true)), 'previous terminated container "c" in pod "p" not found');
    checkLogStatus(withStatus({ state: { running: {} }, lastState: { terminated: { containerID: 'docker://old' } } }), 'c', true);
  });
});

describe('options forwarded to the kubelet', () => {
  test('log options are validated and passed on', () => {
    const r = podLogRequest({ container: 'c', follow: 'true', tailLines: '5', timestamps: '1', limitBytes: '100' });
    assert.equal(r.container, 'c');
    assert.equal(r.previous, false);
    assert.equal(r.kubeletQuery.toString(), 'follow=true&timestamps=true&tailLines=5&limitBytes=100');
    assert.match(badRequest(() => podLogRequest({ tailLines: '-1' })), /tailLines: Invalid value: -1: must be greater than or equal to 0/);
    assert.match(badRequest(() => podLogRequest({ limitBytes: '0' })), /limitBytes/);
    assert.match(badRequest(() => podLogRequest({ sinceSeconds: '5', sinceTime: '2024-01-01T00:00:00Z' })), /at most one of/);
  });

  test('exec options become the kubelet\'s input/output/error/tty', () => {
    const r = streamRequest({ command: ['sh', '-c', 'echo hi'], container: 'c', stdin: 'true', stdout: 'true', tty: 'false' }, 'exec');
    assert.equal(r.container, 'c');
    assert.equal(r.kubeletQuery.toString(), 'command=sh&command=-c&command=echo+hi&input=1&output=1');
    assert.equal(badRequest(() => streamRequest({ stdout: 'true' }, 'exec')), 'you must specify at least one command for the container');
    assert.equal(badRequest(() => streamRequest({ command: 'ls' }, 'exec')), 'you must specify at least 1 of stdin, stdout, stderr');
    assert.equal(streamRequest({ stdout: 'true', stderr: 'true' }, 'attach').kubeletQuery.toString(), 'output=1&error=1');
  });

  test('booleans are read as apimachinery reads them: True, an empty value and any other text are true; 0 and false are false', () => {
    // What the Python client sends.
    const py = streamRequest({ command: 'hostname', stdin: 'False', stdout: 'True', stderr: 'True', tty: 'False' }, 'exec');
    assert.equal(py.kubeletQuery.toString(), 'command=hostname&output=1&error=1');
    assert.equal(podLogRequest({ follow: 'True', previous: 'FALSE', timestamps: '' }).kubeletQuery.toString(), 'follow=true&timestamps=true');
    assert.equal(podLogRequest({ follow: 'maybe', timestamps: '0' }).kubeletQuery.toString(), 'follow=true');
  });
});
