// One GET to an aggregated API server as the aggregator itself (`system:kube-aggregator` in
// `system:masters`, as kube-aggregator's availability check authenticates), with a deadline:
// the availability check and the discovery fetch both read `/apis/<group>/<version>`.
import type { APIService } from '../../api/apiregistration.js';
import { proxyRequestHeaders } from './headers.js';
import type { Target } from './resolver.js';
import type { ProxyTransport } from './transport.js';

export const AGGREGATOR_USER = { username: 'system:kube-aggregator', groups: ['system:masters'] };

/** Upstream waits 5 s for a discovery answer. */
export const PROBE_TIMEOUT_MS = 5000;
const MAX_BODY = 4 * 1024 * 1024;

export interface ProbeResult {
  status: number;
  body: Buffer;
}

export function probe(transport: ProxyTransport, svc: APIService, target: Target, path: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<ProbeResult> {
  return new Promise((resolve, reject) => {
    const headers = proxyRequestHeaders({ accept: 'application/json' }, AGGREGATOR_USER);
    const req = transport.request(svc, target, 'GET', path, headers, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_BODY) req.destroy(new Error('response too large'));
        else chunks.push(c);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`Client.Timeout exceeded while awaiting headers (${timeoutMs} ms)`)));
    req.on('error', reject);
    req.end();
  });
}

/** The URL a probe went to, for messages (`https://10.0.0.5:443/apis/…`). */
export function probeURL(target: Target, path: string): string {
  const host = target.host.includes(':') ? `[${target.host}]` : target.host;
  return `https://${host}:${target.port}${path}`;
}
