// kc trace against a real cluster: apiserver (real etcd, its audit index on), controller-manager
// and scheduler with their own identities, and two Docker kubelets (unique node names on a
// network of their own, so it runs next to other clusters on the host). The real kc binary
// traces a Deployment and the two-tier example's frontend Service: every hop the deployment
// controller, the ReplicaSet/ReplicationController controllers, the scheduler and the kubelets
// took has a time; `-o json` parses; --watch prints a scale-up live; a missing object is
// kubectl's one NotFound line; get -w --progress draws the rollout. dns runs (its milestone is
// timed); kube-proxy does not (it needs the host's iptables), so its hop prints "unknown".
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pino } from 'pino';
import type { Timeline, TraceStep } from '../../client/trace/index.js';
import { RestClient } from '../../client/index.js';
import { startControllerManager, type ControllerManagerHandle } from '../../controller-manager/manager.js';
import { startScheduler, type SchedulerHandle } from '../../scheduler/scheduler.js';
import { startDns, type DnsHandle } from '../../dns/dns.js';
import { kubectlFor } from '../harness/kubectl.js';
import { waitFor } from '../harness/ports.js';
import { ROOT, runScript } from './cluster-harness.js';
import { startKubeletEnv, type KubeletEnv } from './kubelet-harness.js';

let env: KubeletEnv;
let cm: ControllerManagerHandle;
let sched: SchedulerHandle;
let dns: DnsHandle;
let kubectl: ReturnType<typeof kubectlFor>;
const silent = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

const KC = join(ROOT, 'dist/kubectl/main.js');
const kc = (...args: string[]) => runScript(process.execPath, [KC, '--kubeconfig', kubectl.kubeconfig, ...args], { ...process.env, HOME: kubectl.home }, 60_000);
async function k(args: string[], input?: string): Promise<string> {
  const r = await kubectl.run(args, input, 180_000);
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata: {name: traced}
spec:
  replicas: 2
  selector: {matchLabels: {app: traced}}
  template:
    metadata: {labels: {app: traced}}
    spec:
      containers:
      - name: web
        image: busybox:1.35
        command: ["sh", "-c", "exec sleep 3600"]
`;

before(async () => {
  env = await startKubeletEnv();
  const nodes = [`tr-${env.run}-1`, `tr-${env.run}-2`];
  for (const n of nodes) await env.startKubelet(n);
  cm = await startControllerManager({ client: new RestClient({ ...(await env.api.configFor('system:kube-controller-manager')), qps: 0 }), logger: silent });
  sched = await startScheduler({ client: new RestClient({ ...(await env.api.configFor('system:kube-scheduler')), qps: 0 }), logger: silent });
  // The cluster DNS as its own user (on loopback, a random port): its DNSRecordsServed milestones.
  dns = await startDns({ config: await env.api.configFor('system:tskube-dns'), bindAddress: '127.0.0.1', port: 0, metricsPort: -1, logger: silent, syncTimeoutMs: 20_000 });
  kubectl = kubectlFor(env.api.config);
});

after(async () => {
  await dns?.stop();
  await sched?.stop();
  await cm?.stop();
  await env?.stop();
});

/** Steps by an actor, each with its time known. */
function timed(t: Timeline, actor: RegExp, action: RegExp): TraceStep[] {
  const steps = t.steps.filter((s) => actor.test(s.actor) && action.test(s.action));
  for (const s of steps) assert.ok(s.at !== null && typeof s.offsetMs === 'number', `${s.actor} ${s.action} ${s.object} has a time: ${JSON.stringify(s)}`);
  return steps;
}

test('kc trace: a Deployment and a Service of the two-tier example, -o json, --watch, NotFound', async () => {
  await k(['apply', '-f', join(ROOT, 'examples/two-tier.yaml')]);
  await k(['apply', '-f', '-'], DEPLOYMENT);
  await k(['rollout', 'status', 'deployment/traced', '--timeout=150s']);
  await waitFor('2 frontends', async () => (await k(['get', 'pods', '-l', 'app=frontend', '-o', 'name'])).trim().split('\n').length === 2, 60_000, 250);
  await k(['wait', '--for=condition=Ready', 'pod', '-l', 'app=frontend', '--timeout=150s']);

  // The table: kubectl's layout, one row per hop.
  const table = await kc('trace', 'deployment/traced');
  const lines = table.trimEnd().split('\n');
  assert.match(lines[0]!, /^OFFSET\s+HOP\s+ACTOR\s+ACTION\s+OBJECT$/);
  assert.match(lines[1]!, /^0ms\s+-\s+\S+ \(kubectl\)\s+created\s+Deployment\/traced$/m);
  assert.match(table, /^\d\S*\s+\S+\s+deployment-controller\s+created\s+ReplicaSet\/traced-\w+$/m);

  // JSON: who did what, with times, from the audit index, Events and conditions.
  const d = JSON.parse(await kc('trace', 'deploy/traced', '-o', 'json')) as Timeline;
  assert.equal(d.root.kind, 'Deployment');
  assert.equal(timed(d, /\(kubectl\)$/, /^created$/)[0]?.source, 'audit');
  assert.equal(timed(d, /^deployment-controller$/, /^created$/).length, 1);
  assert.equal(timed(d, /^replicaset-controller$/, /^created$/).length, 2);
  assert.equal(timed(d, /^default-scheduler$/, /^bound to tr-\w+-[12]$/).length, 2);
  assert.equal(timed(d, /^kubelet tr-\w+-[12]$/, /^started container web$/).length, 2);
  assert.equal(timed(d, /^kubelet tr-\w+-[12]$/, /^became Ready$/).length, 2);
  // Offsets run from the first step; hop latencies are never negative.
  assert.equal(d.steps.find((s) => s.at !== null)?.offsetMs, 0);
  for (const s of d.steps) assert.ok(s.hopMs === null || s.hopMs >= 0, JSON.stringify(s));

  // The frontend Service: its pods' chain (created by the ReplicationController's controller),
  // the EndpointSlice controller adding each ready pod; kube-proxy/dns timed or "unknown".
  const svc = JSON.parse(await kc('trace', 'svc/frontend', '-o', 'json')) as Timeline;
  assert.equal(timed(svc, /^replication-controller$/, /^created$/).length, 2);
  assert.equal(timed(svc, /^default-scheduler$/, /^bound to/).length, 2);
  assert.equal(timed(svc, /^kubelet tr-\w+-[12]$/, /^became Ready$/).length, 2);
  assert.equal(timed(svc, /^endpointslice-controller$/, /^added \d+\.\d+\.\d+\.\d+ \(Pod\/frontend-\w+\)$/).length, 2);
  for (const s of svc.steps.filter((x) => /^(kube-proxy|dns)/.test(x.actor))) assert.ok(s.at !== null || s.source === 'none');
  // dns's milestone, timed; no kube-proxy runs here, so its hop is "unknown", never a guess.
  const served = await waitFor('the DNSRecordsServed milestone', async () => {
    const t = JSON.parse(await kc('trace', 'svc/frontend', '-o', 'json')) as Timeline;
    return t.steps.find((s) => s.actor === 'dns' && s.source === 'milestone');
  }, 30_000, 500);
  assert.match(served.action, /^frontend\.default\.svc\.cluster\.local answers \d+\.\d+\.\d+\.\d+$/);
  assert.ok(served.at !== null);
  const svcTable = await kc('trace', 'service', 'frontend');
  assert.match(svcTable, /^unknown\s+unknown\s+kube-proxy\s+programmed the rules\s+Service\/frontend$/m);
  assert.match(svcTable, /^\d\S*\s+\S+\s+dns\s+frontend\.default\.svc\.cluster\.local answers \S+\s+Service\/frontend$/m);

  // --watch: a scale-up's new pod shows up as new rows, live.
  const watch = spawn(process.execPath, [KC, '--kubeconfig', kubectl.kubeconfig, 'trace', 'deploy/traced', '--watch'], { cwd: ROOT, env: { ...process.env, HOME: kubectl.home } });
  let out = '';
  watch.stdout.on('data', (b: Buffer) => (out += b.toString()));
  // And kc get -w --progress (opt-in) draws the rollout under kubectl's rows.
  const getW = spawn(process.execPath, [KC, '--kubeconfig', kubectl.kubeconfig, 'get', 'deploy', 'traced', '-w', '--progress'], { cwd: ROOT, env: { ...process.env, HOME: kubectl.home } });
  let getOut = '';
  getW.stdout.on('data', (b: Buffer) => (getOut += b.toString()));
  const exited = new Promise<number | null>((r) => watch.on('close', (code) => r(code)));
  try {
    await waitFor('the first table', () => /became Ready\s+Pod\//.test(out), 30_000, 100);
    // kc get -w has listed (before the scale: its first row is the 2/2 state).
    await waitFor('kc get -w listed', () => /rollout \[█+\] 2\/2 complete/.test(getOut), 30_000, 100);
    const before = out.length;
    await k(['scale', 'deployment/traced', '--replicas=3']);
    await waitFor('the scale and the third pod Ready, printed live', () => /\(kubectl\)\s+scaled\s+Deployment\/traced/.test(out.slice(before)) && /became Ready\s+Pod\//.test(out.slice(before)), 120_000, 200);
    await waitFor('the rollout bar at 3/3', () => /^ {2}rollout \[█+\] 3\/3 complete$/m.test(getOut), 30_000, 200);
    assert.match(getOut, /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\ntraced\s+2\/2\s+2\s+2\s+\S+\n {2}rollout \[█+\] 2\/2 complete\n/);
  } finally {
    watch.kill('SIGINT');
    getW.kill('SIGINT');
  }
  assert.equal(await exited, 0, 'Ctrl-C ends --watch cleanly');

  // A user who may read the objects but not the audit index (view): the trace says so once and
  // falls back to Events and conditions; nothing it lacks is given a time.
  await k(['create', 'rolebinding', 'viewer', '--clusterrole=view', '--user=viewer']);
  const viewed = await kc('--as', 'viewer', 'trace', 'deploy/traced');
  assert.match(viewed, /^Warning: audit index forbidden \(HTTP 403\)/m);
  assert.match(viewed, /^\S+\s+\S+\s+deployment-controller\s+created\s+ReplicaSet\/traced-\w+$/m);
  assert.match(viewed, /^\S+\s+\S+\s+default-scheduler\s+bound to tr-\w+-[12]\s+Pod\/traced-/m);

  // A missing object: kubectl's one line, exit 1.
  await assert.rejects(kc('trace', 'deployment/nope'), /exited 1:\nError from server \(NotFound\): deployments\.apps "nope" not found\n$/);
  await assert.rejects(kc('trace', 'configmap/x'), /exited 1:\nerror: kc trace does not support ConfigMap/);
});
