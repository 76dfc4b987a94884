// The TLS side of talking to an aggregated API server (kube-aggregator's proxy transport): the
// backend's serving certificate is checked against the APIService's caBundle with the server
// name `<service>.<namespace>.svc` (whatever address the request is dialled to), or not at all
// with insecureSkipTLSVerify; the apiserver presents the front-proxy client certificate
// (--proxy-client-cert-file). One keep-alive agent per distinct TLS configuration.
import { createHash } from 'node:crypto';
import { Agent, request, type RequestOptions } from 'node:https';
import type { ClientRequest, IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import type { APIService } from '../../api/apiregistration.js';
import type { Target } from './resolver.js';

export interface ProxyClientCert {
  cert: string;
  key: string;
}

export interface BackendTLS {
  ca?: string;
  servername: string;
  rejectUnauthorized: boolean;
}

/** The TLS settings an APIService asks for (pure). */
export function backendTLS(svc: APIService): BackendTLS {
  const ref = svc.spec.service ?? {};
  const ca = svc.spec.caBundle ? Buffer.from(svc.spec.caBundle, 'base64').toString('utf8') : undefined;
  return {
    ...(ca ? { ca } : {}),
    servername: `${ref.name ?? ''}.${ref.namespace ?? ''}.svc`,
    rejectUnauthorized: svc.spec.insecureSkipTLSVerify !== true,
  };
}

export class ProxyTransport {
  private readonly agents = new Map<string, Agent>();

  constructor(private readonly client: ProxyClientCert | undefined) {}

  private agentFor(tls: BackendTLS): Agent {
    const key = createHash('sha256').update(JSON.stringify(tls)).digest('hex');
    let agent = this.agents.get(key);
    if (!agent) {
      agent = new Agent({
        keepAlive: true,
        ...(tls.ca ? { ca: tls.ca } : {}),
        rejectUnauthorized: tls.rejectUnauthorized,
        ...(this.client ? { cert: this.client.cert, key: this.client.key } : {}),
      });
      this.agents.set(key, agent);
    }
    return agent;
  }

  /** Starts a request to `target`; the caller writes the body and reads the response. */
  request(svc: APIService, target: Target, method: string, path: string, headers: OutgoingHttpHeaders, onResponse?: (res: IncomingMessage) => void): ClientRequest {
    const tls = backendTLS(svc);
    const opts: RequestOptions = {
      host: target.host,
      port: target.port,
      method,
      path,
      headers: { ...headers, host: `${tls.servername}:${target.port}` },
      servername: tls.servername,
      agent: this.agentFor(tls),
    };
    return onResponse ? request(opts, onResponse) : request(opts);
  }

  close(): void {
    for (const a of this.agents.values()) a.destroy();
    this.agents.clear();
  }
}
