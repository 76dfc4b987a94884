// `docker compose` for real (the slowest tests), twice:
// (a) scripts/compose-up, the offline path: builds the image on local stand-ins, starts every
//     component; the init services make the PKI (admin kubeconfig in the state directory),
//     the encryption config and the kubelets' shared mount. The cluster is secure (HTTPS only,
//     anonymous sees health only), Secrets are encrypted in etcd and audited, a Secret volume
//     reaches its pod, kubectl logs goes through the kubelets' TLS port, a pod reaches the
//     apiserver through the kubernetes Service with its service-account token, the two-tier example
//     answers on NodePort 30001 and its frontends reach the backend by DNS name; then
//     scripts/compose-down --volumes leaves nothing behind.
// (b) plain `docker-compose up -d` in a clean clone of this checkout, with the public images'
//     names tagged onto the local stand-ins (no registry is reachable here) and, the one thing
//     a real user would not need, the host's node_modules copied in (a clean checkout's build
//     runs `npm ci`, which needs the npm registry). The real kubectl uses the kubeconfig the
//     init service left in the clone's .tskube; then the clone's compose-down removes it all.
// Both hold the host-network lock (kube-proxy, NodePort 30001, node-1/node-2 containers).
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { chownSync, cpSync, existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { lockHostNetwork } from '../harness/host-lock.js';
import { KUBECTL } from '../harness/kubectl.js';
import { freePort, waitFor } from '../harness/ports.js';
import { COMPOSE_CLUSTER_ID, DOCKER, ROOT, frontendsSeen, hostLeftovers, httpGet } from './cluster-harness.js';

const exec = promisify(execFile);
const MINUTE = 60_000;

/** Runs a command in `cwd` to completion; rejects with its output's tail on failure or timeout. */
function run(cmd: string, args: string[], opts: { env: NodeJS.ProcessEnv; cwd?: string; timeoutMs: number }): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { cwd: opts.cwd ?? ROOT, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const t = setTimeout(() => p.kill('SIGKILL'), opts.timeoutMs);
    p.on('close', (code, signal) => {
      clearTimeout(t);
      if (code === 0) resolve(out);
      else reject(new Error(`${cmd} ${args.join(' ')} exited ${code ?? signal}:\n${out.slice(-4000)}`));
    });
  });
}

/** `docker compose` when the plugin exists, else docker-compose v1 (what this host has). */
async function composeCommand(): Promise<string[]> {
  const plugin = await exec(DOCKER, ['compose', 'version']).then(() => true, () => false);
  return plugin ? [DOCKER, 'compose'] : ['docker-compose'];
}

const imageExists = (name: string) => exec(DOCKER, ['image', 'inspect', name]).then(() => true, () => false);

/** The running container of a compose service. */
async function serviceContainer(project: string, service: string): Promise<string> {
  const { stdout } = await exec(DOCKER, ['ps', '-q', '--filter', `label=com.docker.compose.project=${project}`, '--filter', `label=com.docker.compose.service=${service}`]);
  const id = stdout.trim().split('\n')[0];
  if (!id) throw new Error(`no running ${service} container in ${project}`);
  return id;
}

/** What a compose project leaves: its containers and volumes. */
async function projectLeftovers(project: string): Promise<{ containers: string[]; volumes: string[] }> {
  const filter = `label=com.docker.compose.project=${project}`;
  const containers = (await exec(DOCKER, ['ps', '-aq', '--filter', filter])).stdout.split('\n').filter(Boolean);
  const volumes = (await exec(DOCKER, ['volume', 'ls', '-q', '--filter', filter])).stdout.split('\n').filter(Boolean);
  return { containers, volumes };
}

/** The mount of `path` (with its propagation flags) in this process's mount namespace, the Docker daemon's here. */
function hostMount(path: string): string | undefined {
  return readFileSync('/proc/self/mountinfo', 'utf8').split('\n').find((l) => l.split(' ')[4] === path);
}

/** GET over HTTPS with the cluster's CA and no credentials: the status code. */
function anonymousGet(port: number, path: string, ca: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, ca, timeout: 5000, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

const ROUTE_LOCALNET = '/proc/sys/net/ipv4/conf/all/route_localnet';

const readyNodes = (out: string) => (out.match(/^node-\d\s+Ready\s/gm) ?? []).length;

let release: (() => Promise<void>) | undefined;
let leftoversBefore: Awaited<ReturnType<typeof hostLeftovers>>;

before(async () => {
  release = await lockHostNetwork();
  leftoversBefore = await hostLeftovers();
});
after(async () => {
  await release?.();
});

describe('scripts/compose-up (offline, local stand-ins)', { timeout: 30 * MINUTE }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'tskube-compose-'));
  const state = join(dir, 'state');
  const kubeletDir = `/var/lib/tskube-kubelet-e2e-${process.pid}`;
  const project = `tskubetest${process.pid}`;
  const kubeconfig = join(state, 'kubeconfig');
  let env: NodeJS.ProcessEnv;
  let port = 0;
  let up = false;
  let routeLocalnet: string | undefined;
  const kc = (...args: string[]) => run(process.execPath, [join(ROOT, 'dist/kubectl/main.js'), '--kubeconfig', kubeconfig, ...args], { env, timeoutMs: MINUTE });
  const down = () => run(join(ROOT, 'scripts/compose-down'), ['--volumes'], { env, timeoutMs: 5 * MINUTE });

  before(async () => {
    port = await freePort();
    // A state directory and kubelet directory of its own: a developer's .tskube and
    // /var/lib/tskube-kubelet are never touched.
    env = {
      ...process.env,
      HOME: dir,
      COMPOSE_PROJECT_NAME: project,
      TSKUBE_STATE: state,
      TSKUBE_KUBELET_DIR: kubeletDir,
      TSKUBE_PORT: String(port),
      TSKUBE_DNS_PORT: String(await freePort()),
    };
    // As on a freshly booted host: NodePorts on 127.0.0.1 need route_localnet=1, which
    // kube-proxy cannot write from its container (the cause of this test's old flakiness: it
    // passed only after another test had set it on the host).
    routeLocalnet = readFileSync(ROUTE_LOCALNET, 'utf8').trim();
    writeFileSync(ROUTE_LOCALNET, '0');
  });
  after(async () => {
    if (up) await down().catch((e: Error) => console.error(e.message));
    if (routeLocalnet !== undefined) writeFileSync(ROUTE_LOCALNET, routeLocalnet);
    rmSync(dir, { recursive: true, force: true });
  });

  test('compose-up: the init services make the PKI and the shared mount; two Ready nodes; HTTPS only', { timeout: 20 * MINUTE }, async () => {
    up = true;
    await run(join(ROOT, 'scripts/compose-up'), [], { env, timeoutMs: 15 * MINUTE });
    assert.ok(existsSync(join(state, 'pki/ca.key')) && existsSync(join(state, 'encryption-config.yaml')) && existsSync(join(state, 'audit-policy.yaml')));
    assert.match(readFileSync(kubeconfig, 'utf8'), new RegExp(`server: https://127\\.0\\.0\\.1:${port}\\n`));
    assert.match(hostMount(kubeletDir) ?? '', / shared:\d+/, `${kubeletDir} is a shared mount on the host`);
    assert.equal(readFileSync(ROUTE_LOCALNET, 'utf8').trim(), '1');
    const nodes = await waitFor('two Ready nodes', async () => {
      const out = await kc('get', 'nodes', '--no-headers').catch(() => '');
      return readyNodes(out) === 2 ? out : undefined;
    }, 3 * MINUTE, 1000);
    assert.equal(readyNodes(nodes), 2);

    // The apiserver publishes one port, HTTPS: health for anyone, nothing else anonymously.
    const ports = JSON.parse((await exec(DOCKER, ['inspect', '-f', '{{json .NetworkSettings.Ports}}', await serviceContainer(project, 'apiserver')])).stdout) as Record<string, unknown>;
    assert.deepEqual(Object.keys(ports), ['6443/tcp']);
    await assert.rejects(httpGet('127.0.0.1', port, '/readyz'), 'plain HTTP is not served');
    const ca = readFileSync(join(state, 'pki/ca.crt'), 'utf8');
    assert.equal(await anonymousGet(port, '/readyz', ca), 200);
    assert.equal(await anonymousGet(port, '/api/v1/nodes', ca), 403);
  });

  test('a Secret is encrypted in etcd, audited, and reaches its pod as a volume; logs come through the kubelet', { timeout: 10 * MINUTE }, async () => {
    await kc('apply', '-f', join(ROOT, 'examples/volumes-pod.yaml'));
    const raw = await exec(DOCKER, ['exec', await serviceContainer(project, 'etcd'), 'etcdctl', 'get', '/registry/secrets/default/demo-secret', '--print-value-only'], { encoding: 'buffer' });
    assert.ok(raw.stdout.toString('latin1').startsWith('k8s:enc:aescbc:v1:key1:'), 'stored with the aescbc provider');
    assert.ok(!raw.stdout.includes(Buffer.from('s3cr3t')));
    const audit = await waitFor('the Secret create in the audit log', () => {
      const lines = existsSync(join(state, 'logs/audit.log')) ? readFileSync(join(state, 'logs/audit.log'), 'utf8').split('\n') : [];
      return lines.find((l) => l.includes('"resource":"secrets"') && l.includes('"name":"demo-secret"') && l.includes('"verb":"create"'));
    }, 30_000, 500);
    assert.equal((JSON.parse(audit) as { user: { username: string } }).user.username, 'kubernetes-admin');

    const logs = await waitFor('the reader container to list the Secret volume', async () => {
      const out = await kc('logs', 'volumes-demo', '-c', 'reader').catch(() => '');
      return /^password$/m.test(out) ? out : undefined;
    }, 4 * MINUTE, 1000);
    assert.match(logs, /^hello, password has 6 chars$/m);
    await kc('delete', 'pod', 'volumes-demo', '--wait=false');
  });

  test('a pod reaches the apiserver through the kubernetes Service, verifying it and sending its token', { timeout: 5 * MINUTE }, async () => {
    // The tskube image has node, whose TLS client checks the apiserver's certificate against
    // the projected ca.crt; the answer names the pod's service account (RBAC then says no).
    const probe = [
      "const fs = require('fs'), d = '/var/run/secrets/kubernetes.io/serviceaccount/';",
      "require('https').get({ host: 'kubernetes.default.svc', path: '/api/v1/namespaces/default/pods', ca: fs.readFileSync(d + 'ca.crt'),",
      "  headers: { authorization: 'Bearer ' + fs.readFileSync(d + 'token', 'utf8') } },",
      "  (r) => { let b = ''; r.on('data', (x) => (b += x)); r.on('end', () => console.log('status', r.statusCode, b)); }).on('error', (e) => console.log('error', e.message));",
    ].join(' ');
    const manifest = join(dir, 'incluster.yaml');
    writeFileSync(manifest, JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'incluster' },
      spec: { restartPolicy: 'Never', containers: [{ name: 'probe', image: 'tskube:local', imagePullPolicy: 'Never', command: ['node', '-e', probe] }] },
    }));
    await kc('apply', '-f', manifest);
    const out = await waitFor('the in-cluster request', async () => {
      const logs = await kc('logs', 'incluster').catch(() => '');
      return /^(status|error) /m.test(logs) ? logs : undefined;
    }, 3 * MINUTE, 1000);
    assert.match(out, /^status 403 .*User \\"system:serviceaccount:default:default\\" cannot list resource \\"pods\\"/m);
    await kc('delete', 'pod', 'incluster', '--wait=false');
  });

  test('the two-tier example answers on NodePort 30001, and its frontends reach the backend by name', { timeout: 10 * MINUTE }, async () => {
    const applied = await kc('apply', '-f', join(ROOT, 'examples/two-tier.yaml'));
    assert.match(applied, /replicationcontroller\/frontend created/);
    await waitFor('3 ready two-tier pods', async () => {
      const out = await kc('get', 'pods', '--no-headers').catch(() => '');
      return (out.match(/^(frontend|backend)-\S+\s+1\/1\s+Running\s/gm) ?? []).length === 3;
    }, 4 * MINUTE, 1000);
    const seen = await waitFor('both frontends on 127.0.0.1:30001', async () => {
      const s = await frontendsSeen('127.0.0.1', 30001);
      return s.size === 2 ? s : undefined;
    }, 90_000, 1000);
    assert.equal(seen.size, 2);
    const backend = await waitFor('the backend through a frontend', () => httpGet('127.0.0.1', 30001, '/cgi-bin/backend').catch(() => undefined), 60_000, 1000);
    assert.match(backend, /^backend backend-/m);
  });

  test('compose-down --volumes removes the cluster, its data and what it made on the host', { timeout: 6 * MINUTE }, async () => {
    await down();
    up = false;
    const left = await hostLeftovers(COMPOSE_CLUSTER_ID);
    assert.deepEqual(left.containers, []);
    // Nothing of its own is left. Chains that were there before may go: kube-proxy --cleanup
    // removes every KUBE-* chain on the host (one kube-proxy per host, README).
    assert.deepEqual(left.kubeChains.filter((c) => !leftoversBefore.kubeChains.includes(c)), []);
    assert.deepEqual(left.routes, leftoversBefore.routes);
    if (!leftoversBefore.network) assert.equal(left.network, false);
    assert.deepEqual(await projectLeftovers(project), { containers: [], volumes: [] });
    assert.equal(hostMount(kubeletDir), undefined);
    assert.equal(existsSync(kubeletDir), false);
    assert.equal(existsSync(state), false);
  });
});

describe('plain `docker-compose up -d` from a clean checkout', { timeout: 30 * MINUTE }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'tskube-compose-plain-'));
  // The compose project is named after the directory.
  const project = `tskubeplain${process.pid}`;
  const checkout = join(dir, project);
  const image = `tskube:e2e-${process.pid}`;
  const kubeletDir = `/var/lib/tskube-kubelet-e2e-${process.pid}`;
  const kubeconfig = join(checkout, '.tskube/kubeconfig');
  // The compose file's public images and their local stand-ins (scripts/base-image).
  const standIns: [string, string][] = [
    ['node:20-slim', 'tskube/node:20-local'],
    ['gcr.io/etcd-development/etcd:v3.4.23', 'tskube/etcd:3.4-local'],
    ['registry.k8s.io/pause:3.9', 'tskube/pause:3.9-local'],
  ];
  const tagged: string[] = [];
  const OWNER = 65534;
  let env: NodeJS.ProcessEnv;
  let up = false;
  const kubectl = (...args: string[]) => run(KUBECTL, ['--kubeconfig', kubeconfig, ...args], { env, timeoutMs: MINUTE });
  const down = () => run(join(checkout, 'scripts/compose-down'), ['--volumes'], { env, cwd: checkout, timeoutMs: 5 * MINUTE });

  before(async () => {
    await run('bash', [join(ROOT, 'scripts/base-image'), 'all'], { env: process.env, timeoutMs: 5 * MINUTE });
    for (const [name, standIn] of standIns) {
      if (await imageExists(name)) continue;
      await exec(DOCKER, ['tag', standIn, name]);
      tagged.push(name);
    }
    // A clone is what a user has: no node_modules, dist or .tskube. Uncommitted changes and
    // new files of this checkout are put on top, so the test runs what is about to be committed.
    await exec('git', ['clone', '--quiet', ROOT, checkout]);
    const diff = (await exec('git', ['diff', 'HEAD', '--binary'], { cwd: ROOT, maxBuffer: 64 << 20 })).stdout;
    if (diff) {
      writeFileSync(join(dir, 'wip.patch'), diff);
      await exec('git', ['apply', join(dir, 'wip.patch')], { cwd: checkout });
    }
    const untracked = (await exec('git', ['ls-files', '--others', '--exclude-standard', '-z'], { cwd: ROOT })).stdout.split('\0').filter(Boolean);
    for (const file of untracked) cpSync(join(ROOT, file), join(checkout, file));
    assert.equal(existsSync(join(checkout, 'node_modules')), false);
    // The offline stand-in for `npm ci` inside the build (see the header).
    const modules = realpathSync(join(ROOT, 'node_modules'));
    await exec('cp', ['-al', modules, join(checkout, 'node_modules')]).catch(() => exec('cp', ['-a', modules, join(checkout, 'node_modules')]));
    // A checkout owned by an ordinary user (the directory only: node_modules are hard links).
    chownSync(checkout, OWNER, OWNER);
    env = {
      ...process.env,
      HOME: dir,
      TSKUBE_IMAGE: image,
      TSKUBE_KUBELET_DIR: kubeletDir,
      TSKUBE_PORT: String(await freePort()),
      TSKUBE_DNS_PORT: String(await freePort()),
    };
    for (const v of ['COMPOSE_PROJECT_NAME', 'COMPOSE_FILE', 'TSKUBE_STATE', 'NODE_IMAGE', 'ETCD_IMAGE', 'TSKUBE_POD_INFRA_IMAGE']) delete env[v];
  });
  after(async () => {
    if (up) {
      await down().catch(async (e: Error) => {
        console.error(e.message);
        const [cmd, ...args] = await composeCommand();
        await run(cmd!, [...args, 'down', '--volumes', '--remove-orphans'], { env, cwd: checkout, timeoutMs: 5 * MINUTE }).catch(() => undefined);
      });
    }
    for (const name of [...tagged, image]) await exec(DOCKER, ['rmi', name]).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  test('docker-compose up -d builds from the checkout, makes .tskube/kubeconfig; kubectl sees two Ready nodes', { timeout: 20 * MINUTE }, async () => {
    const [cmd, ...args] = await composeCommand();
    up = true;
    await run(cmd!, [...args, 'up', '-d'], { env, cwd: checkout, timeoutMs: 15 * MINUTE });
    assert.ok(await imageExists(image), 'the image was built from the clone');
    // Owned by whoever owns the checkout, so its user can read it without root.
    assert.equal(statSync(kubeconfig).uid, OWNER);
    assert.equal(statSync(kubeconfig).mode & 0o777, 0o600);
    assert.match(hostMount(kubeletDir) ?? '', / shared:\d+/);
    const nodes = await waitFor('two Ready nodes (kubectl)', async () => {
      const out = await kubectl('get', 'nodes', '--no-headers').catch(() => '');
      return readyNodes(out) === 2 ? out : undefined;
    }, 4 * MINUTE, 1000);
    assert.equal(readyNodes(nodes), 2);
  });

  test("the checkout's compose-down --volumes removes it all", { timeout: 6 * MINUTE }, async () => {
    await down();
    up = false;
    const left = await hostLeftovers(COMPOSE_CLUSTER_ID);
    assert.deepEqual(left.containers, []);
    // Nothing of its own is left. Chains that were there before may go: kube-proxy --cleanup
    // removes every KUBE-* chain on the host (one kube-proxy per host, README).
    assert.deepEqual(left.kubeChains.filter((c) => !leftoversBefore.kubeChains.includes(c)), []);
    if (!leftoversBefore.network) assert.equal(left.network, false);
    assert.deepEqual(await projectLeftovers(project), { containers: [], volumes: [] });
    assert.equal(hostMount(kubeletDir), undefined);
    assert.equal(existsSync(join(checkout, '.tskube')), false);
  });
});
