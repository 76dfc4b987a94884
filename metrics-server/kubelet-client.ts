// The client metrics-server scrapes kubelets with (pkg/scraper/client/resource): HTTPS to each
// kubelet's port, presenting metrics-server's client certificate, checking the kubelet's
// serving certificate against --kubelet-certificate-authority (or not at all with
// --kubelet-insecure-tls), with a deadline per request. The kubelet authorizes the call as
// `get nodes/stats` (kubelet/server/server.ts kubeletAttributes).
import { Agent, request } from 'undici';
import { kubeletURL, type KubeletAddress } from './address.js';
import type { StatsSummary } from './decode.js';

export interface KubeletClientOptions {
  /** PEM client certificate and key (--kubelet-client-certificate / --kubelet-client-key). */
  cert?: string;
  key?: string;
  /** PEM CA the kubelets' serving certificates chain to (--kubelet-certificate-authority). */
  ca?: string;
  /** Skip verifying the kubelets' serving certificates (--kubelet-insecure-tls). */
  insecure?: boolean;
  /** A bearer token instead of (or besides) the certificate. */
  token?: string;
}

/** The summary path metrics-server asks for (upstream's Summary API client did the same). */
export const SUMMARY_PATH = '/stats/summary?only_cpu_and_memory=true';

export class KubeletClient {
  private readonly agent: Agent;

  constructor(private readonly o: KubeletClientOptions) {
    this.agent = new Agent({
      connect: {
        ...(o.ca ? { ca: o.ca } : {}),
        ...(o.cert && o.key ? { cert: o.cert, key: o.key } : {}),
        rejectUnauthorized: !o.insecure,
      },
      keepAliveTimeout: 60_000,
    });
  }

  /** The kubelet's summary; throws with the kubelet's status or the network error. */
  async summary(address: KubeletAddress, timeoutMs: number): Promise<StatsSummary> {
    const res = await request(kubeletURL(address, SUMMARY_PATH), {
      dispatcher: this.agent,
      headers: { accept: 'application/json', ...(this.o.token ? { authorization: `Bearer ${this.o.token}` } : {}) },
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.body.text();
    if (res.statusCode !== 200) throw new Error(`request failed, status: ${res.statusCode}: ${text.slice(0, 200)}`);
    return JSON.parse(text) as StatsSummary;
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}
