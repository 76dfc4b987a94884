// exec/attach protocol pieces: query options, subprotocol choice, status messages, framing, routes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { channelFrame, exitCodeStatus, negotiateProtocol, parseRemoteCommandQuery, parseResize, successStatus } from './remotecommand.js';
import { parseKubeletPath } from './routes.js';
import { parsePorts } from './portforward-ws.js';

test('query options under the kubelet\'s and the apiserver\'s names', () => {
  assert.deepEqual(parseRemoteCommandQuery(new URLSearchParams('command=ls&command=-l&input=1&output=1&error=1'), true), {
    command: ['ls', '-l'],
    stdin: true,
    stdout: true,
    stderr: true,
    tty: false,
  });
  // With a TTY stderr is merged into stdout.
  assert.deepEqual(parseRemoteCommandQuery(new URLSearchParams('command=sh&stdin=true&stdout=true&stderr=true&tty=true'), true), {
    command: ['sh'],
    stdin: true,
    stdout: true,
    stderr: false,
    tty: true,
  });
  assert.equal(parseRemoteCommandQuery(new URLSearchParams('output=1'), true), 'you must specify at least one command for the container');
  assert.equal(parseRemoteCommandQuery(new URLSearchParams('command=ls'), true), 'you must specify at least 1 of stdin, stdout, stderr');
  assert.equal(typeof parseRemoteCommandQuery(new URLSearchParams('output=1'), false), 'object');
});

test('v5 preferred, v4 accepted, older channel protocols refused', () => {
  assert.equal(negotiateProtocol(['v5.channel.k8s.io', 'v4.channel.k8s.io']), 'v5.channel.k8s.io');
  assert.equal(negotiateProtocol(['v4.channel.k8s.io']), 'v4.channel.k8s.io');
  assert.equal(negotiateProtocol(['channel.k8s.io', 'base64.channel.k8s.io']), undefined);
});

test('status messages as kubectl decodes them', () => {
  assert.deepEqual(successStatus(), { metadata: {}, status: 'Success' });
  assert.deepEqual(exitCodeStatus(['sh', '-c', 'exit 3'], 3), {
    metadata: {},
    status: 'Failure',
    message: 'command terminated with non-zero exit code: error executing command [sh -c exit 3], exit code 3',
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: '3' }] },
  });
});

test('frames and resize messages', () => {
  assert.deepEqual(channelFrame(1, 'hi'), Buffer.from([1, 0x68, 0x69]));
  assert.deepEqual(parseResize(Buffer.from('{"Width":80,"Height":24}')), { width: 80, height: 24 });
  assert.equal(parseResize(Buffer.from('{"Width":-1}')), undefined);
  assert.equal(parseResize(Buffer.from('nope')), undefined);
});

test('kubelet paths', () => {
  assert.deepEqual(parseKubeletPath('/containerLogs/ns/p/c'), { kind: 'containerLogs', namespace: 'ns', pod: 'p', container: 'c' });
  assert.deepEqual(parseKubeletPath('/exec/ns/p/uid-1/c'), { kind: 'exec', namespace: 'ns', pod: 'p', uid: 'uid-1', container: 'c' });
  assert.deepEqual(parseKubeletPath('/portForward/ns/p'), { kind: 'portForward', namespace: 'ns', pod: 'p' });
  assert.deepEqual(parseKubeletPath('/stats/summary'), { kind: 'stats/summary' });
  assert.equal(parseKubeletPath('/containerLogs/ns/p'), undefined);
  assert.equal(parseKubeletPath('/exec/%E0%A4%A/p/c'), undefined);
});

test('port-forward ports from the query', () => {
  assert.deepEqual(parsePorts(new URLSearchParams('port=80&port=443')), [80, 443]);
  assert.deepEqual(parsePorts(new URLSearchParams('ports=80,8080')), [80, 8080]);
  assert.equal(parsePorts(new URLSearchParams('')), 'query parameter "port" is required');
  assert.equal(parsePorts(new URLSearchParams('port=70000')), 'invalid port "70000"');
});
