// Helpers for the whole-cluster tests (scripts/up and compose): run a script, read the host's
// networking state, talk HTTP to a NodePort, and wait for the two-tier example to serve.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../harness/ports.js';

const exec = promisify(execFile);

export const ROOT = new URL('../../..', import.meta.url).pathname.replace(/\/$/, '');
export const DOCKER = '/usr/bin/docker';
/** The cluster id the compose cluster's kubelets label their pods with (docker-compose.yml's default). */
export const COMPOSE_CLUSTER_ID = 'compose';

/** Runs a command to completion, collecting output; rejects with the output on failure. */
export function runScript(cmd: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number, input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { cwd: ROOT, env, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    if (input !== undefined) {
      p.stdin!.on('error', () => undefined);
      p.stdin!.end(input);
    }
    let out = '';
    p.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const t = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('close', (code) => {
      clearTimeout(t);
      if (code === 0) resolve(out);
      else reject(new Error(`${cmd} ${args.join(' ')} exited ${code}:\n${out.slice(-12000)}`));
    });
  });
}

/** The last `lines` lines of `$STATE/logs/<name>.log` (for a failure message), or why there are none. */
export function logTail(state: string, name: string, lines = 30): string {
  try {
    return readFileSync(join(state, 'logs', `${name}.log`), 'utf8').trimEnd().split('\n').slice(-lines).map((l) => l.slice(0, 600)).join('\n');
  } catch (e) {
    return `(no log: ${String(e)})`;
  }
}

/** GET http://host:port/path → body (or throws). Only ever loopback or the host's own address. */
export function httpGet(host: string, port: number, path = '/', timeoutMs = 3000): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path, timeout: timeoutMs, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`HTTP ${res.statusCode}: ${body}`))));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

export interface HostLeftovers {
  containers: string[];
  network: boolean;
  kubeChains: string[];
  routes: string[];
  guardBridge: boolean;
}

/**
 * What the cluster may leave behind on the host: its pod containers (those labelled with its
 * cluster id — other clusters on this Docker have node-1/node-2 too; without an id, every
 * node-1/node-2 container), network, rules and routes.
 */
export async function hostLeftovers(clusterId?: string): Promise<HostLeftovers> {
  const filters = clusterId ? [`label=io.tskube.cluster-id=${clusterId}`] : ['label=io.tskube.node.name=node-1', 'label=io.tskube.node.name=node-2'];
  const ps = await Promise.all(filters.map((f) => exec(DOCKER, ['ps', '-aq', '--filter', f])));
  const network = await exec(DOCKER, ['network', 'inspect', 'tskube-pods']).then(
    () => true,
    () => false,
  );
  const rules = (await exec('iptables-save')).stdout;
  const kubeChains = rules.split('\n').filter((l) => /^:KUBE-/.test(l));
  const routes = (await exec('ip', ['route'])).stdout.split('\n').filter((l) => l.startsWith('10.96.0.0/12'));
  const guardBridge = await exec('ip', ['link', 'show', 'kube-svc0']).then(
    () => true,
    () => false,
  );
  return { containers: ps.flatMap((p) => p.stdout.split('\n')).filter(Boolean), network, kubeChains, routes, guardBridge };
}

/** The distinct frontend replicas answering on a NodePort within `tries` requests. */
export async function frontendsSeen(host: string, port: number, tries = 40): Promise<Set<string>> {
  const seen = new Set<string>();
  for (let i = 0; i < tries; i++) {
    const body = await httpGet(host, port).catch(() => '');
    const m = /^frontend (\S+)/.exec(body.trim());
    if (m) seen.add(m[1]!);
  }
  return seen;
}

/**
 * The project's own image (`tskube:local`, built from ./Dockerfile on the local Node base
 * image as scripts/compose-up builds it), made once when missing. Returns its name.
 */
export async function ensureProjectImage(env: NodeJS.ProcessEnv): Promise<string> {
  const image = 'tskube:local';
  const have = await exec(DOCKER, ['image', 'inspect', image]).then(
    () => true,
    () => false,
  );
  if (have) return image;
  await runScript('bash', [join(ROOT, 'scripts/base-image'), 'node'], env, 300_000);
  await runScript('bash', ['-c', `tar -c --dereference --exclude=./.git --exclude=./.tskube --exclude=./dist --exclude=./test --exclude=./bench -f - . | ${DOCKER} build -q --build-arg NODE_IMAGE=tskube/node:20-local -t ${image} -`], env, 600_000);
  return image;
}

/** `$STATE/topology.json` as scripts/up writes it (scripts/lib/topology.mjs; contract of issue 13). */
export interface Topology {
  mode: 'ha' | 'single';
  server: string;
  kubeconfig: string;
  caFile: string;
  etcd: { name: string; clientURL: string; peerURL: string; dataDir: string }[];
  apiservers: { name: string; url: string }[];
  schedulers: { name: string; metricsURL: string }[];
  controllerManagers: { name: string; metricsURL: string }[];
  kubelets: { name: string; node: string; gid: number | null }[];
  kubeProxy: { name: string };
  haproxy?: { name: string; port: number };
  /** The dashboard (one in either mode). */
  dashboard?: { name: string; url: string };
}

export function readTopology(state: string): Topology {
  return JSON.parse(readFileSync(join(state, 'topology.json'), 'utf8')) as Topology;
}

/** The pid in `$STATE/pids/<name>`, or undefined when there is no such file. */
export function pidOf(state: string, name: string): number | undefined {
  try {
    return Number(readFileSync(join(state, 'pids', name), 'utf8').trim());
  } catch {
    return undefined;
  }
}

/** Whether the process named by `$STATE/pids/<name>` is alive. */
export function processAlive(state: string, name: string): boolean {
  const pid = pidOf(state, name);
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** After `scripts/down --purge`: no pod container of the cluster (`clusterId`), no state directory, and the host's rules, routes and networks as `before` had them. */
export async function assertHostClean(before: HostLeftovers, state: string, clusterId?: string): Promise<void> {
  const left = await hostLeftovers(clusterId);
  assert.deepEqual(left.containers, []);
  assert.deepEqual(left.kubeChains, before.kubeChains);
  assert.deepEqual(left.routes, before.routes);
  assert.equal(left.guardBridge, before.guardBridge);
  if (!before.network) assert.equal(left.network, false);
  assert.equal(existsSync(state), false);
}

/** The after() hook of a scripts/up test: keep the cluster with TSKUBE_TEST_KEEP=1, else scripts/down --purge it; then release the host lock. */
export async function tearDownCluster(opts: { state: string; env: NodeJS.ProcessEnv; up: boolean; release?: () => Promise<void> }): Promise<void> {
  if (process.env.TSKUBE_TEST_KEEP === '1') console.log(`kept the cluster in ${opts.state} (TSKUBE_TEST_KEEP=1)`);
  else if (opts.up) await runScript(join(ROOT, 'scripts/down'), ['--purge'], opts.env, 120_000).catch(() => undefined);
  await opts.release?.();
}

/**
 * The environment for scripts/up and scripts/down on a state directory of its own, every port
 * random (a test cluster runs next to a user's), its own cluster id (TSKUBE_CLUSTER_ID: its pods
 * are told from a user's by it), the build skipped (the tests run from dist).
 */
export async function scriptsUpEnv(state: string, apiPort: number): Promise<NodeJS.ProcessEnv> {
  const p = async () => String(await freePort());
  return {
    ...process.env,
    HOME: state,
    TSKUBE_STATE: state,
    TSKUBE_CLUSTER_ID: `test-${randomBytes(6).toString('hex')}`,
    TSKUBE_SKIP_BUILD: '1',
    TSKUBE_PORT: String(apiPort),
    TSKUBE_ETCD_PORT: await p(),
    TSKUBE_ETCD_PEER_PORT: await p(),
    TSKUBE_DNS_PORT: await p(),
    TSKUBE_CM_PORT: await p(),
    TSKUBE_SCHED_PORT: await p(),
    TSKUBE_PROXY_HEALTH_PORT: await p(),
    TSKUBE_DNS_METRICS_PORT: await p(),
    TSKUBE_METRICS_SERVER_PORT: await p(),
    TSKUBE_DASHBOARD_PORT: await p(),
    TSKUBE_KUBELET_PORTS: `${await p()} ${await p()}`,
    TSKUBE_KUBELET_HEALTHZ_PORTS: `${await p()} ${await p()}`,
  };
}
