// Helpers for the kube-proxy end-to-end tests: backend "pods" as real containers on a private
// Docker bridge network (sandbox + busybox httpd answering hello-<name>), host state
// snapshots to prove --cleanup restores them, and one-connection-per-request HTTP.
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { DockerRuntime } from '../../kubelet/runtime/docker/runtime.js';
import { DockerClient } from '../../kubelet/runtime/docker/client.js';
import { runCommand } from '../../kube-proxy/exec.js';

export const BUSYBOX = 'busybox:1.35';

export interface TestPod {
  name: string;
  ip: string;
  sandboxId: string;
  containerId: string;
}

export class PodFactory {
  readonly run = randomBytes(4).toString('hex');
  /** A private /24 so the tests never touch the shared tskube-pods network. */
  readonly network = { name: `tskube-proxy-${this.run}`, subnet: `10.253.${randomBytes(1)[0]}.0/24` };
  readonly runtime = new DockerRuntime({ nodeName: `proxy-test-${this.run}`, podNetwork: this.network });
  private readonly docker = new DockerClient();

  get clusterCIDR(): string {
    return this.network.subnet;
  }

  /** A pod whose busybox httpd answers `hello-<name>` on :8080 (or just sleeps: `serve: false`). */
  async start(name: string, serve = true): Promise<TestPod> {
    const sandboxId = await this.runtime.runPodSandbox({ metadata: { name, namespace: 'default', uid: `${name}-${this.run}`, attempt: 0 } });
    const script = serve ? `mkdir -p /www && echo hello-${name} > /www/index.html && exec httpd -f -p 8080 -h /www` : 'exec sleep 2147483647';
    const containerId = await this.runtime.createContainer(sandboxId, { metadata: { name: 'c', attempt: 0 }, image: BUSYBOX, command: ['sh', '-c', script] });
    await this.runtime.startContainer(containerId);
    const ip = (await this.runtime.podSandboxStatus(sandboxId)).network.ip;
    return { name, ip, sandboxId, containerId };
  }

  /** `wget -qO- url` inside the pod (busybox wget; its -T flag crashes, so execSync times out). */
  async wget(pod: TestPod, url: string): Promise<string> {
    const r = await this.runtime.execSync(pod.containerId, ['wget', '-qO-', url], 5);
    if (r.exitCode !== 0) throw new Error(`wget ${url} in ${pod.name}: exit ${r.exitCode}: ${r.stderr.toString()}`);
    return r.stdout.toString().trim();
  }

  /** Removes every container of this run and the network (raw API: not the code under test). */
  async cleanup(): Promise<void> {
    const filters = JSON.stringify({ label: [`io.tskube.node.name=proxy-test-${this.run}`] });
    const leftovers = (await this.docker.request<Array<{ Id: string }>>('GET', '/containers/json', { query: { all: true, filters } })) ?? [];
    await Promise.all(leftovers.map((c) => this.docker.request('DELETE', `/containers/${c.Id}`, { query: { force: true, v: true } }).catch(() => undefined)));
    await this.docker.request('DELETE', `/networks/${this.network.name}`).catch(() => undefined);
    await this.runtime.close();
    await this.docker.close();
  }
}

/** GET http://host:port/ on a fresh connection; the body, trimmed. Rejects on refusal. */
export function httpGet(host: string, port: number, timeoutMs = 3000): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path: '/', agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.on('data', (c) => (body += String(c)));
      res.on('end', () => resolve(body.trim()));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** The error code of a connection attempt (e.g. ECONNREFUSED), or 'connected'. */
export async function connectOutcome(host: string, port: number): Promise<string> {
  try {
    await httpGet(host, port, 2000);
    return 'connected';
  } catch (e) {
    return (e as NodeJS.ErrnoException).code ?? String(e);
  }
}

/** How often each answer came back from `n` calls. */
export async function tally(n: number, call: () => Promise<string>): Promise<Map<string, number>> {
  const seen = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const body = await call();
    seen.set(body, (seen.get(body) ?? 0) + 1);
  }
  return seen;
}

/** Rules Docker adds and removes as other tests start containers and networks meanwhile. */
function dockerManaged(line: string): boolean {
  if (line.includes('KUBE')) return false;
  return /br-[0-9a-f]{12}|docker0/.test(line) || /^-A DOCKER/.test(line) || (/^-A POSTROUTING /.test(line) && line.endsWith('-j MASQUERADE'));
}

/**
 * The host's iptables rules and routes, normalised: no counters or comments, and none of the
 * rules Docker manages per network or container (a jump into our chains is never skipped).
 */
export async function hostSnapshot(): Promise<{ iptables: string[]; routes: string[] }> {
  const save = (await runCommand('iptables-save', [])).stdout;
  const iptables = save
    .split('\n')
    .filter((l) => l && !l.startsWith('#') && !dockerManaged(l))
    .map((l) => l.replace(/\[\d+:\d+\]/, '[0:0]'));
  const routes = (await runCommand('ip', ['route', 'show'])).stdout.split('\n').filter((l) => l && !/dev (br-[0-9a-f]{12}|docker0)/.test(l));
  return { iptables, routes };
}

/** The packet counter of the service-range REJECT rule. */
export async function guardRejects(): Promise<number> {
  const out = (await runCommand('iptables', ['-w', '5', '-t', 'filter', '-L', 'KUBE-PROXY-GUARD', '-v', '-n', '-x'])).stdout;
  const line = out.split('\n').find((l) => l.includes('REJECT'));
  return line ? Number(line.trim().split(/\s+/)[0]) : -1;
}
