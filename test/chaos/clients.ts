// Clients of the cluster under test: the admin kubeconfig (its server is HAProxy in HA), and
// an undici agent with the admin certificate for the daemons' own /metrics ports.
import { Agent, fetch } from 'undici';
import { RestClient, loadKubeconfig, type RestConfig } from '../../client/index.js';
import type { Topology } from './topology.js';

/** The admin RestClient of the cluster, with the harness's own timeout and no hidden retries. */
export function adminClient(t: Topology, opts: Partial<RestConfig> = {}): RestClient {
  const { config } = loadKubeconfig({ kubeconfig: t.kubeconfig }, {});
  return new RestClient({ ...config, qps: 0, maxRetries: 0, userAgent: 'tskube-chaos/v0.1.0', ...opts });
}

export function adminAgent(t: Topology): Agent {
  const { config } = loadKubeconfig({ kubeconfig: t.kubeconfig }, {});
  return new Agent({ connect: { ca: config.ca, cert: config.cert, key: config.key }, headersTimeout: 3000, bodyTimeout: 3000 });
}

/** GET a URL with the admin certificate → [status, body]; [0, error] when nothing answered. */
export async function adminGet(agent: Agent, url: string, timeoutMs = 3000): Promise<[number, string]> {
  try {
    const r = await fetch(url, { dispatcher: agent, signal: AbortSignal.timeout(timeoutMs) });
    return [r.status, await r.text()];
  } catch (e) {
    return [0, String(e)];
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
