// The dashboard's exec terminal end to end: a browser WebSocket to the dashboard, bridged to the
// apiserver's pods/exec as the logged-in user, through the real kubelet into a busybox container
// in Docker: typed input runs, output comes back as binary frames, and `exit 3` ends the session
// with the apiserver's NonZeroExitCode Status.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { pino } from 'pino';
import WebSocket from 'ws';
import { startDashboard, type Dashboard } from '../../dashboard/server/dashboard.js';
import { ExecBridge } from '../../dashboard/server/exec.js';
import type { KubeletServer } from '../../kubelet/server/server.js';
import { Browser, serviceAccountToken } from '../harness/dashboard-client.js';
import { freePort, waitFor } from '../harness/ports.js';
import { isRunning, shPod, startKubeletEnv, type KubeletEnv } from './kubelet-harness.js';

const NODE = 'dash-node';
let env: KubeletEnv;
let server: KubeletServer;
let dash: Dashboard;
let token: string;

before(async () => {
  env = await startKubeletEnv();
  const port = await freePort();
  const kubelet = await env.startKubelet(NODE, { port, nodeIP: '127.0.0.1' });
  server = await env.serve(kubelet, port);
  await env.createPod(NODE, shPod('shell', 'sleep 3600'));
  token = await serviceAccountToken(env.client, 'default', 'dash-admin', 'cluster-admin', true);
  dash = await startDashboard({
    apiserver: { server: env.api.url, ca: env.api.pki.ca.cert },
    host: '127.0.0.1',
    port: 0,
    staticDir: '/nonexistent',
    log: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    upgrades: new ExecBridge(),
  });
  await env.waitForPod('shell', 'running', isRunning);
});

after(async () => {
  await dash?.stop();
  await server?.stop();
  await env?.stop();
});

test('exec over the WebSocket runs commands in the container and ends with the exit Status', async () => {
  const b = new Browser(dash.url);
  // RBAC learns the new binding from a watch: retry the login until it is in force.
  await waitFor('login', async () => (await b.login(token)).status === 200 && (await b.request('GET', '/api/k8s/api/v1/namespaces/default/pods/shell')).status === 200);
  const ws = new WebSocket(`${dash.url.replace('http', 'ws')}/api/exec?namespace=default&pod=shell&container=main&command=sh`, { headers: { cookie: b.cookie!, origin: dash.url } });
  let output = '';
  const texts: string[] = [];
  ws.on('message', (d: Buffer, binary: boolean) => (binary ? (output += d.toString()) : texts.push(d.toString())));
  const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  ws.send(JSON.stringify({ type: 'resize', cols: 100, rows: 30 }));
  // Type once the shell shows its prompt, as a person would.
  await waitFor('the prompt', () => output.includes('# '));
  ws.send(JSON.stringify({ type: 'stdin', data: 'echo dash-$((6*7)); stty size\n' }));
  await waitFor('the command output', () => output.includes('dash-42') && output.includes('30 100')).catch((e: Error) => {
    throw new Error(`${e.message}; terminal: ${JSON.stringify(output)}; text frames: ${texts.join()}`);
  });
  ws.send(JSON.stringify({ type: 'stdin', data: 'exit 3\n' }));
  await closed;
  assert.equal(texts.length, 1, texts.join());
  const exit = JSON.parse(texts[0]!);
  assert.equal(exit.type, 'exit');
  assert.equal(exit.status.status, 'Failure');
  assert.equal(exit.status.reason, 'NonZeroExitCode');
  assert.equal(exit.status.details.causes[0].message, '3');
});
