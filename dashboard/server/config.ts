// Start-up configuration: where to listen, and the apiserver target from a kubeconfig with any
// credentials in it ignored (the dashboard must never act as anyone but the logged-in user).
import type { Logger } from 'pino';
import { loadKubeconfig } from '../../client/kubeconfig.js';
import type { ApiserverTarget } from './apiserver.js';

/** `127.0.0.1:9090`, `[::1]:9090`, `:9090` (all addresses). */
export function parseListen(v: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(v);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new Error(`--listen: want host:port, got ${JSON.stringify(v)}`);
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}

export function apiserverTarget(o: { kubeconfig?: string; master?: string; ca?: string }, log: Logger): ApiserverTarget {
  if (!o.kubeconfig && o.master) return { server: o.master, ...(o.ca ? { ca: o.ca } : {}) };
  const { config } = loadKubeconfig({ ...(o.kubeconfig ? { kubeconfig: o.kubeconfig } : {}), ...(o.master ? { server: o.master } : {}) });
  if (config.token || config.cert || config.username !== undefined) log.warn('the kubeconfig has credentials: ignored (the dashboard acts only as its logged-in users)');
  return {
    server: config.server,
    ...(o.ca ? { ca: o.ca } : config.ca ? { ca: config.ca } : {}),
    ...(config.tlsServerName ? { tlsServerName: config.tlsServerName } : {}),
    ...(config.insecureSkipTLSVerify ? { insecureSkipTLSVerify: true } : {}),
  };
}
