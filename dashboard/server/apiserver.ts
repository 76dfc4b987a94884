// The dashboard's only way to the apiserver: every request carries the logged-in user's bearer
// token and nothing else that identifies anyone (the dashboard has no credentials of its own;
// its kubeconfig gives the server address and CA only). One keep-alive undici Pool; watches,
// log follows and exec hold their own connections on it.
import type { Readable } from 'node:stream';
import { Pool, type Dispatcher } from 'undici';

/** Where the apiserver is and how to trust it (a kubeconfig's cluster entry, no user). */
export interface ApiserverTarget {
  /** https://127.0.0.1:6443 (a path prefix is kept). */
  server: string;
  /** PEM of the CA that signed the apiserver's serving certificate. */
  ca?: string;
  tlsServerName?: string;
  insecureSkipTLSVerify?: boolean;
}

export interface UpstreamRequest {
  method: string;
  /** Path with its query, starting with '/'. */
  path: string;
  token: string;
  /** Content-Type and Accept only (the forwarding rule lives in proxy.ts). */
  headers?: Record<string, string>;
  body?: string | Buffer | Readable;
  signal?: AbortSignal;
  /** No body timeout: watches, `follow=true` logs. */
  streaming?: boolean;
}

export type UpstreamResponse = Dispatcher.ResponseData;

export class Apiserver {
  private readonly pool: Pool;
  private readonly basePath: string;
  readonly origin: string;

  constructor(
    readonly target: ApiserverTarget,
    private readonly userAgent: string,
  ) {
    const url = new URL(target.server);
    this.origin = url.origin;
    this.basePath = url.pathname.replace(/\/+$/, '');
    this.pool = new Pool(url.origin, {
      keepAliveTimeout: 30_000,
      ...(url.protocol === 'https:' ? { connect: this.tls() } : {}),
    });
  }

  /** TLS options for other clients of the same server (the exec WebSocket). */
  tls(): { ca?: string; rejectUnauthorized: boolean; servername?: string } {
    const t = this.target;
    return { ...(t.ca ? { ca: t.ca } : {}), rejectUnauthorized: !t.insecureSkipTLSVerify, ...(t.tlsServerName ? { servername: t.tlsServerName } : {}) };
  }

  /** The headers of a request made as `token` (for the WebSocket dial). */
  identity(token: string): Record<string, string> {
    return { authorization: `Bearer ${token}`, 'user-agent': this.userAgent };
  }

  /** ws:// or wss:// URL of a path on the apiserver, with repeated query parameters. */
  wsUrl(path: string, params: [string, string][]): string {
    const u = new URL(this.target.server);
    u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
    u.pathname = this.basePath + path;
    u.search = new URLSearchParams(params).toString();
    return u.toString();
  }

  /** Sends one request as the user; rejects only when the apiserver could not be reached. */
  request(r: UpstreamRequest): Promise<UpstreamResponse> {
    return this.pool.request({
      method: r.method as Dispatcher.HttpMethod,
      path: this.basePath + r.path,
      headers: { ...(r.headers ?? {}), ...this.identity(r.token) },
      body: r.body ?? null,
      signal: r.signal ?? null,
      headersTimeout: 60_000,
      bodyTimeout: r.streaming ? 0 : 60_000,
    });
  }

  /** A JSON request as the user: the status and the parsed body (undefined when not JSON). */
  async json<T>(method: string, path: string, token: string, body?: unknown, signal?: AbortSignal): Promise<{ status: number; body: T | undefined; text: string }> {
    const res = await this.request({
      method,
      path,
      token,
      headers: { accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      ...(signal ? { signal } : {}),
    });
    const text = await res.body.text();
    let parsed: T | undefined;
    try {
      parsed = text ? (JSON.parse(text) as T) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: res.statusCode, body: parsed, text };
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}

/** True for a failure to reach the apiserver (as opposed to an answer from it, or our own abort). */
export function isUnreachable(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  if (e.name === 'AbortError') return false;
  return true;
}
