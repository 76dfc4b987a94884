// The kubelet's HTTP server (logs, exec, port-forward, stats) wired to a running kubelet: its
// runtime, its pod resolver and its pod list. main.ts and the e2e tests start it this way.
import type { Kubelet } from '../kubelet.js';
import { startKubeletServer, type KubeletServer, type KubeletServerOptions } from './server.js';

export function serveKubelet(
  kubelet: Kubelet,
  opts: Pick<KubeletServerOptions, 'bindAddress' | 'port'> & Partial<Pick<KubeletServerOptions, 'registry' | 'log' | 'secure'>>,
): Promise<KubeletServer> {
  return startKubeletServer({
    runtime: kubelet.runtime,
    nodeName: kubelet.nodeName,
    bindAddress: opts.bindAddress,
    port: opts.port,
    resolvePod: (ns, name) => kubelet.resolvePod(ns, name),
    listPods: () => kubelet.getPods(),
    log: opts.log ?? kubelet.log,
    ...(opts.registry ? { registry: opts.registry } : {}),
    ...(opts.secure ? { secure: opts.secure } : {}),
  });
}
