// `--start single|ha`: a cluster of its own, made by scripts/up in a temporary state
// directory with every port random (next to a user's cluster), and removed afterwards.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../harness/ports.js';
import { ROOT, runScript, runUp } from './processes.js';

export interface StartedCluster {
  state: string;
  env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

/** The variables scripts/up reads (both topologies), all on free ports. */
export async function randomPortsEnv(state: string, base: NodeJS.ProcessEnv = process.env): Promise<NodeJS.ProcessEnv> {
  const p = async (): Promise<string> => String(await freePort());
  const gid = 64100 + 2 * Math.floor(Math.random() * 900);
  const ps = async (n: number): Promise<string> => (await Promise.all(Array.from({ length: n }, p))).join(' ');
  return {
    ...base,
    HOME: state,
    TSKUBE_STATE: state,
    TSKUBE_SKIP_BUILD: '1',
    TSKUBE_PORT: await p(),
    TSKUBE_ETCD_PORT: await p(),
    TSKUBE_ETCD_PEER_PORT: await p(),
    TSKUBE_APISERVER_PORTS: await ps(2),
    TSKUBE_ETCD_PORTS: await ps(3),
    TSKUBE_ETCD_PEER_PORTS: await ps(3),
    TSKUBE_CM_PORT: await p(),
    TSKUBE_SCHED_PORT: await p(),
    TSKUBE_CM_PORTS: await ps(2),
    TSKUBE_SCHED_PORTS: await ps(2),
    TSKUBE_HAPROXY_STATS_PORT: await p(),
    TSKUBE_DNS_PORT: await p(),
    TSKUBE_PROXY_HEALTH_PORT: await p(),
    TSKUBE_DNS_METRICS_PORT: await p(),
    TSKUBE_METRICS_SERVER_PORT: await p(),
    TSKUBE_KUBELET_PORTS: await ps(2),
    TSKUBE_KUBELET_HEALTHZ_PORTS: await ps(2),
    // Own group ids: the partition rule matches by gid, and must not cut another cluster's kubelet.
    TSKUBE_KUBELET_GIDS: `${gid} ${gid + 1}`,
  };
}

export async function startCluster(mode: 'single' | 'ha', log: (m: string) => void): Promise<StartedCluster> {
  const state = mkdtempSync(join(tmpdir(), `tskube-chaos-${mode}-`));
  const env = await randomPortsEnv(state);
  log(`starting a ${mode} cluster in ${state} (scripts/up${mode === 'ha' ? ' --ha' : ''})`);
  const stop = async (): Promise<void> => {
    await runScript(join(ROOT, 'scripts/down'), ['--purge'], env, 180_000).catch((e: unknown) => log(`scripts/down: ${String(e)}`));
  };
  try {
    await runUp(env, mode === 'ha' ? ['--ha'] : [], 300_000);
  } catch (e) {
    await stop();
    throw e;
  }
  return { state, env, stop };
}
