// The kubelet server on its own, against real Docker: log options, exec and attach over the
// channel.k8s.io WebSocket protocols, and its Status errors. (Through the apiserver and the
// real kubectl: test/e2e/streaming.test.ts.) Everything made here is removed in `after`.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { pino } from 'pino';
import { WebSocket } from 'ws';
import { DockerRuntime } from '../runtime/docker/runtime.js';
import { DockerClient } from '../runtime/docker/client.js';
import { LABEL_NODE_NAME } from '../runtime/runtime.js';
import { startKubeletServer, type KubeletServer, type ResolvedPod } from './server.js';
import { waitFor } from '../../test/harness/ports.js';

const run = randomBytes(4).toString('hex');
const NODE = `kserver-${run}`;
const BUSYBOX = 'busybox:1.35';
const network = { name: `tskube-kserver-${run}`, subnet: `10.254.${randomBytes(1)[0]}.0/24` };

let rt: DockerRuntime;
let docker: DockerClient;
let server: KubeletServer;
let base: string;
const pods = new Map<string, ResolvedPod>();

async function get(path: string): Promise<{ status: number; type: string; text: string }> {
  const res = await fetch(base + path);
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
}

/** Opens an exec/attach WebSocket and collects frames until the server closes it. */
function session(path: string, protocol: string, send: Buffer[] = []) {
  const ws = new WebSocket(base.replace('http', 'ws') + path, [protocol]);
  const frames: Buffer[] = [];
  ws.on('message', (d: Buffer) => frames.push(d));
  ws.once('open', () => send.forEach((m) => ws.send(m)));
  const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
  const channel = (n: number) => Buffer.concat(frames.filter((f) => f[0] === n).map((f) => f.subarray(1))).toString();
  return { ws, frames, closed, channel };
}

before(async () => {
  docker = new DockerClient();
  rt = new DockerRuntime({ nodeName: NODE, podNetwork: network });
  const sb = await rt.runPodSandbox({ metadata: { name: 'p', namespace: 'default', uid: `uid-${run}`, attempt: 0 }, network });
  const start = async (attempt: number, script: string) => {
    const id = await rt.createContainer(sb, { metadata: { name: 'app', attempt }, image: BUSYBOX, command: ['sh', '-c', script] });
    await rt.startContainer(id);
    return id;
  };
  const previousId = await start(0, 'echo from-the-first-run');
  await waitFor('first run exited', async () => (await rt.containerStatus(previousId)).state === 'exited');
  const id = await start(1, 'echo alpha; echo beta; echo gamma; while true; do echo tick; sleep 0.2; done');
  pods.set('default/p', { podUid: `uid-${run}`, containers: new Map([['app', { id, previousId }]]) });
  // A pod whose only container has exited.
  pods.set('default/done', { podUid: `uid-${run}`, containers: new Map([['app', { id: previousId }]]) });
  server = await startKubeletServer({
    runtime: rt,
    nodeName: NODE,
    bindAddress: '127.0.0.1',
    port: 0,
    resolvePod: (ns, name) => pods.get(`${ns}/${name}`),
    listPods: () => [{ metadata: { name: 'p', namespace: 'default' } }],
    log: pino({ level: 'silent' }),
  });
  base = `http://127.0.0.1:${server.port}`;
  await waitFor('first lines', async () => (await get('/containerLogs/default/p/app')).text.includes('gamma'));
});

after(async () => {
  await server?.stop();
  const filters = JSON.stringify({ label: [`${LABEL_NODE_NAME}=${NODE}`] });
  const leftovers = (await docker.request<Array<{ Id: string }>>('GET', '/containers/json', { query: { all: true, filters } })) ?? [];
  await Promise.all(leftovers.map((c) => docker.request('DELETE', `/containers/${c.Id}`, { query: { force: true, v: true } }).catch(() => undefined)));
  await docker.request('DELETE', `/networks/${network.name}`).catch(() => undefined);
  await rt?.close();
  await docker.close();
});

describe('kubelet server', () => {
  test('/healthz, /metrics and /pods', async () => {
    assert.equal((await get('/healthz')).text, 'ok');
    const pods = await get('/pods');
    assert.deepEqual(JSON.parse(pods.text), { kind: 'PodList', apiVersion: 'v1', metadata: {}, items: [{ metadata: { name: 'p', namespace: 'default' } }] });
    assert.match((await get('/metrics')).text, /kubelet_http_requests_total\{method="GET",path="pods",code="200"\} 1/);
  });

  test('container logs: limitBytes, timestamps, previous', async () => {
    const r = await get('/containerLogs/default/p/app?limitBytes=8');
    assert.equal(r.status, 200);
    assert.equal(r.type, 'text/plain');
    assert.equal(r.text, 'alpha\nbe');
    const ts = await get('/containerLogs/default/p/app?timestamps=true&limitBytes=200');
    assert.match(ts.text.split('\n')[0]!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z alpha$/);
    assert.equal((await get('/containerLogs/default/p/app?previous=true')).text, 'from-the-first-run\n');
  });

  test('a follower that goes away stops following', async () => {
    const got = await new Promise<string>((resolve, reject) => {
      const req = request(`${base}/containerLogs/default/p/app?follow=true&tailLines=0`, (res) => {
        res.once('data', (d: Buffer) => {
          req.destroy();
          resolve(d.toString());
        });
      });
      req.on('error', (e) => (e.message.includes('aborted') ? undefined : reject(e)));
      req.end();
    });
    assert.match(got, /tick/);
    await waitFor('stream gauge back to 0', async () => /kubelet_server_active_streams\{type="logs"\} 0/.test((await get('/metrics')).text));
  });

  test('errors are Statuses: unknown pod 404, unknown container and bad options 400', async () => {
    const pod = await get('/containerLogs/default/nope/app');
    assert.equal(pod.status, 404);
    assert.deepEqual(JSON.parse(pod.text), { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'pod "default/nope" does not exist', reason: 'NotFound', code: 404 });
    const c = await get('/containerLogs/default/p/zzz');
    assert.equal(c.status, 400);
    assert.equal(JSON.parse(c.text).message, 'container "zzz" in pod "p" is not available');
    assert.equal((await get('/containerLogs/default/p/app?tailLines=-2')).status, 400);
    assert.equal(JSON.parse((await get('/exec/default/p/app?command=ls&output=1')).text).message, 'Upgrade request required');
  });

  test('exec over v5: stdin, its close, output and the exit status', async () => {
    const s = session('/exec/default/p/app?command=sh&command=-c&command=cat%3B%20echo%20oops%20%3E%262%3B%20exit%207&input=1&output=1&error=1', 'v5.channel.k8s.io', [
      Buffer.from([0, ...Buffer.from('piped\n')]),
      Buffer.from([255, 0]),
    ]);
    await s.closed;
    assert.equal(s.ws.protocol, 'v5.channel.k8s.io');
    assert.deepEqual(s.frames[0], Buffer.from([1]), 'an empty stdout frame announces the streams');
    assert.equal(s.channel(1), 'piped\n');
    assert.equal(s.channel(2), 'oops\n');
    const status = JSON.parse(s.channel(3));
    assert.equal(status.reason, 'NonZeroExitCode');
    assert.deepEqual(status.details.causes, [{ reason: 'ExitCode', message: '7' }]);
  });

  test('port-forward over WebSocket: ports announced on both channels, a refused port on the error channel', async () => {
    const s = session('/portForward/default/p?port=9', 'v4.channel.k8s.io');
    await s.closed;
    assert.deepEqual(s.frames.slice(0, 2), [Buffer.from([0, 9, 0]), Buffer.from([1, 9, 0])]);
    assert.match(s.channel(1).slice(2), /^error forwarding port 9 to pod p_default, uid uid-.*ECONNREFUSED/);
    const noPort = await get('/portForward/default/p');
    assert.equal(noPort.status, 400);
  });

  test('exec into a container that is not running: a BadRequest status on channel 3', async () => {
    const s = session('/exec/default/done/app?command=true&output=1', 'v5.channel.k8s.io');
    await s.closed;
    const status = JSON.parse(s.channel(3));
    assert.equal(status.status, 'Failure');
    assert.equal(status.reason, 'BadRequest');
    assert.match(status.message, /^container [0-9a-f]{12} is not running$/);
  });

  test('attach follows the output from now on; attach with stdin is refused', async () => {
    const s = session('/attach/default/p/app?output=1', 'v4.channel.k8s.io');
    await waitFor('a tick through attach', () => s.channel(1).includes('tick'));
    assert.ok(!s.channel(1).includes('alpha'), 'only output from now on');
    s.ws.close();
    await s.closed;
    const refused = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`${base.replace('http', 'ws')}/attach/default/p/app?input=1&output=1`, ['v5.channel.k8s.io']);
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.once('error', () => undefined);
    });
    assert.equal(refused, 400);
  });
});
