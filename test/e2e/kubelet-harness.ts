// A real etcd + apiserver + kubelet(s) on the real Docker, for the kubelet e2e tests and the
// benchmark. Each environment has its own node names, root dir and pod network (random /24),
// and `stop()` removes every container, the network and the files it made.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import type { Pod } from 'kubernetes-types/core/v1';
import { pino } from 'pino';
import { RestClient } from '../../client/index.js';
import { startTestApiserver, type TestApiserver } from '../harness/apiserver.js';
import { waitFor } from '../harness/ports.js';
import { DockerRuntime } from '../../kubelet/runtime/docker/runtime.js';
import { DockerClient } from '../../kubelet/runtime/docker/client.js';
import { startKubelet, type Kubelet, type KubeletOptions } from '../../kubelet/kubelet.js';
import type { PodNetwork } from '../../kubelet/runtime/runtime.js';
import { serveKubelet } from '../../kubelet/server/serve.js';
import type { KubeletServer, KubeletServerOptions } from '../../kubelet/server/server.js';
import { DelegatingAuth } from '../../client/component-base/delegating-auth.js';

const run = promisify(execFile);

export const BUSYBOX = 'busybox:1.35';

export interface KubeletEnv {
  api: TestApiserver;
  client: RestClient;
  network: PodNetwork;
  rootDir: string;
  run: string;
  kubelets: Map<string, Kubelet>;
  /** Starts (or restarts) a kubelet for `nodeName` with the test's short intervals. */
  startKubelet(nodeName: string, extra?: Partial<KubeletOptions>): Promise<Kubelet>;
  stopKubelet(nodeName: string): Promise<void>;
  /** Creates a pod bound to `nodeName` in `default`. */
  createPod(nodeName: string, pod: Pod): Promise<Pod>;
  getPod(name: string, namespace?: string): Promise<Pod>;
  waitForPod(name: string, what: string, check: (p: Pod) => boolean, timeoutMs?: number): Promise<Pod>;
  /** The node's runtime, for looking at containers directly. */
  runtimeFor(nodeName: string): DockerRuntime;
  /** The kubelet's HTTPS server as in a cluster: its serving certificate, callers checked with the apiserver. */
  serve(kubelet: Kubelet, port: number): Promise<KubeletServer>;
  stop(): Promise<void>;
}

/** Fast settings for tests: everything that waits, waits briefly. */
export const TEST_INTERVALS: Partial<KubeletOptions> = {
  plegRelistPeriodMs: 500,
  nodeLeaseRenewIntervalMs: 1_000,
  nodeStatusUpdateFrequencyMs: 1_000,
  nodeStatusReportFrequencyMs: 5_000,
  housekeepingIntervalMs: 500,
  crashLoopBackOffBaseMs: 1_000,
  crashLoopBackOffMaxMs: 8_000,
  imagePullBackOffBaseMs: 1_000,
  imagePullBackOffMaxMs: 4_000,
  syncErrorBackoffMs: 500,
};

/**
 * What a test kubelet's server needs to serve as in a cluster: the node's serving certificate
 * from the test CA, client certificates checked against that CA, and tokens and decisions
 * checked with the apiserver as the node itself (TokenReview, SubjectAccessReview).
 */
export async function kubeletServing(api: TestApiserver, nodeName: string): Promise<NonNullable<KubeletServerOptions['secure']>> {
  const serving = await api.pki.kubeletServing(nodeName);
  const client = new RestClient({ ...(await api.configFor(`system:node:${nodeName}`, ['system:nodes'])), qps: 0 });
  return { tls: { cert: serving.cert, key: serving.key, clientCA: api.pki.ca.cert }, auth: new DelegatingAuth({ client }) };
}

export async function startKubeletEnv(): Promise<KubeletEnv> {
  const id = randomBytes(3).toString('hex');
  const api = await startTestApiserver();
  const client = new RestClient({ ...api.config, qps: 0 });
  const bytes = randomBytes(2);
  // 10.200–10.239: clear of the default pod network (10.244/16) and other tests (10.252–10.254).
  const network: PodNetwork = { name: `tskube-kt-${id}`, subnet: `10.${200 + (bytes[0] % 40)}.${bytes[1]}.0/24` };
  const rootDir = await mkdtemp(join(tmpdir(), `tskube-kubelet-${id}-`));
  const kubelets = new Map<string, Kubelet>();
  const nodeClients = new Map<string, RestClient>();
  const runtimes = new Map<string, DockerRuntime>();
  const logLevel = process.env.TEST_LOG_LEVEL ?? 'silent';

  const env: KubeletEnv = {
    api,
    client,
    network,
    rootDir,
    run: id,
    kubelets,
    async startKubelet(nodeName, extra = {}) {
      // As in a real cluster, the kubelet is system:node:<name>: the Node authorizer and
      // NodeRestriction decide what it may read and write.
      const nodeClient = new RestClient({ ...(await api.configFor(`system:node:${nodeName}`, ['system:nodes'])), qps: 0 });
      nodeClients.set(nodeName, nodeClient);
      const k = await startKubelet({
        nodeName,
        client: nodeClient,
        podNetwork: network,
        rootDir: join(rootDir, nodeName),
        port: 10250,
        logger: pino({ level: logLevel, base: { component: 'kubelet', node: nodeName } }),
        ...TEST_INTERVALS,
        ...extra,
      });
      kubelets.set(nodeName, k);
      return k;
    },
    async stopKubelet(nodeName) {
      await kubelets.get(nodeName)?.stop();
      kubelets.delete(nodeName);
      await nodeClients.get(nodeName)?.close();
      nodeClients.delete(nodeName);
    },
    async createPod(nodeName, pod) {
      return client.resource('pods', 'default').create({ ...pod, spec: { ...pod.spec, nodeName } as Pod['spec'] });
    },
    getPod(name, namespace = 'default') {
      return client.resource('pods', namespace).get(name);
    },
    async waitForPod(name, what, check, timeoutMs = 30_000) {
      let last: Pod | undefined;
      try {
        return await waitFor(
          `${name}: ${what}`,
          async () => {
            last = await client.resource('pods', 'default').get(name);
            return check(last) ? last : undefined;
          },
          timeoutMs,
          100,
        );
      } catch (err) {
        throw new Error(`${(err as Error).message}\nlast status: ${JSON.stringify(last?.status, null, 1)}`);
      }
    },
    async serve(kubelet, port) {
      return serveKubelet(kubelet, { bindAddress: '127.0.0.1', port, log: pino({ level: 'silent' }), secure: await kubeletServing(api, kubelet.nodeName) });
    },
    runtimeFor(nodeName) {
      let rt = runtimes.get(nodeName);
      if (!rt) runtimes.set(nodeName, (rt = new DockerRuntime({ nodeName, podNetwork: network })));
      return rt;
    },
    async stop() {
      for (const name of [...kubelets.keys()]) await env.stopKubelet(name);
      const nodes = new Set<string>([...runtimes.keys()]);
      for (const n of (await client.resource('nodes').list()).items) if (n.metadata?.name) nodes.add(n.metadata.name);
      for (const node of nodes) {
        const rt = env.runtimeFor(node);
        for (const c of await rt.listContainers()) await rt.removeContainer(c.id);
        for (const s of await rt.listPodSandboxes()) await rt.removePodSandbox(s.id);
        await rt.close();
      }
      const docker = new DockerClient({});
      await docker.request('DELETE', `/networks/${network.name}`).catch(() => undefined);
      await docker.close();
      const mounts = (await readFile('/proc/self/mounts', 'utf8')).split('\n').map((l) => l.split(' ')[1] ?? '');
      for (const m of mounts.filter((p) => p.startsWith(rootDir + '/')).sort((a, b) => b.length - a.length)) await run('umount', ['-l', m]).catch(() => undefined);
      await rm(rootDir, { recursive: true, force: true });
      await api.stop();
    },
  };
  return env;
}

/** A one-container busybox pod running `script`. */
export function shPod(name: string, script: string, extra: Partial<NonNullable<Pod['spec']>> = {}): Pod {
  return {
    metadata: { name },
    spec: {
      terminationGracePeriodSeconds: 1,
      containers: [{ name: 'main', image: BUSYBOX, command: ['sh', '-c', script] }],
      ...extra,
    },
  };
}

export function containerStatus(p: Pod, name = 'main') {
  return p.status?.containerStatuses?.find((c) => c.name === name);
}

export function isRunning(p: Pod): boolean {
  return p.status?.phase === 'Running' && (p.status.containerStatuses ?? []).every((c) => c.state?.running);
}

export function condition(p: Pod, type: string): string | undefined {
  return p.status?.conditions?.find((c) => c.type === type)?.status;
}

/** Runs a command in a pod's container through the node's runtime. */
export async function execIn(rt: DockerRuntime, pod: Pod, container: string, cmd: string[]): Promise<{ out: string; code: number }> {
  const list = await rt.listContainers({ labelSelector: { 'io.kubernetes.pod.uid': pod.metadata?.uid ?? '', 'io.kubernetes.container.name': container }, state: 'running' });
  if (!list[0]) throw new Error(`no running ${container} in ${pod.metadata?.name}`);
  const r = await rt.execSync(list[0].id, cmd, 10);
  return { out: r.stdout.toString() + r.stderr.toString(), code: r.exitCode };
}
