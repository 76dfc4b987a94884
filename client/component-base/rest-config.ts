// How every daemon reaches the apiserver (k8s' component-base ClientConnection): a ready REST
// config (tests), else `--kubeconfig` (credentials, CA, server) with `--master` overriding
// its server, else `--master` alone; plus the client-side rate limit and the user agent.
import { loadKubeconfig } from '../kubeconfig.js';
import type { RestConfig } from '../rest.js';

export interface ClientConnection {
  /** A complete config (tests pass the harness's); wins over kubeconfig/master. */
  config?: RestConfig;
  kubeconfig?: string;
  /** An apiserver URL overriding the kubeconfig's server, as `--master`. */
  master?: string;
  /** Client-side rate limit (`--kube-api-qps`, ≤ 0: none) and burst. */
  qps?: number;
  burst?: number;
}

export function componentRestConfig(o: ClientConnection, userAgent: string): RestConfig {
  const base: RestConfig =
    o.config ?? (o.master && !o.kubeconfig ? { server: o.master } : loadKubeconfig({ ...(o.kubeconfig ? { kubeconfig: o.kubeconfig } : {}), ...(o.master ? { server: o.master } : {}) }).config);
  return { ...base, userAgent, ...(o.qps !== undefined ? { qps: o.qps } : {}), ...(o.burst !== undefined ? { burst: o.burst } : {}) };
}
