// The REST client (client-go's rest.RESTClient): one keep-alive undici Pool per server,
// auth headers, a client-side token bucket, retries of 429s, and non-2xx replies turned into
// StatusErrors. Typed per-resource calls live in resource-client.ts.
import { Pool } from 'undici';
import { basename } from 'node:path';
import type { ResourceInfo } from '../api/resources.js';
import { statusErrorFromResponse } from './errors.js';
import { TokenBucket, sleep } from './token-bucket.js';
import type { ObjectLike, ResourceTypes, ResourceName } from './typed.js';
import { ResourceClient, resolveRef, type ResourceRef } from './resource-client.js';
import type { RequestSpec, ResponseBody, Transport } from './transport.js';

export * from './resource-client.js';
export type * from './transport.js';

export interface RestConfig {
  /** `http://127.0.0.1:6443` or `https://…`; a path prefix is kept. */
  server: string;
  token?: string;
  username?: string;
  password?: string;
  /** PEM text of the CA bundle, client certificate and key (https). */
  ca?: string;
  cert?: string;
  key?: string;
  insecureSkipTLSVerify?: boolean;
  tlsServerName?: string;
  /** Act as another user (kubectl's --as, --as-group, --as-uid): the Impersonate-* headers. */
  impersonate?: ImpersonationConfig;
  userAgent?: string;
  /** Client-side rate limit; defaults 50 qps / burst 100. `qps <= 0` turns throttling off. */
  qps?: number;
  burst?: number;
  /** Per-request timeout for non-streaming calls (ms, default 60 000). */
  timeoutMs?: number;
  /** Retries of a 429 (or 5xx with Retry-After), honouring Retry-After; default 10 as client-go. */
  maxRetries?: number;
}

export interface ImpersonationConfig {
  user: string;
  uid?: string;
  groups?: string[];
}

/**
 * The headers that identify the caller (client-go's bearer/basic and impersonating round
 * trippers): for anything else that talks to the server with this config (WebSockets, proxies).
 */
export function authHeaders(config: RestConfig): Record<string, string | string[]> {
  const h: Record<string, string | string[]> = {};
  if (config.token) h.authorization = `Bearer ${config.token}`;
  else if (config.username !== undefined) h.authorization = `Basic ${Buffer.from(`${config.username}:${config.password ?? ''}`).toString('base64')}`;
  const imp = config.impersonate;
  if (imp?.user) {
    h['impersonate-user'] = imp.user;
    if (imp.uid) h['impersonate-uid'] = imp.uid;
    if (imp.groups?.length) h['impersonate-group'] = [...imp.groups];
  }
  return h;
}

export class RestClient implements Transport {
  readonly server: string;
  private readonly pool: Pool;
  private readonly basePath: string;
  private readonly headers: Record<string, string | string[]>;
  private readonly bucket: TokenBucket | undefined;
  private readonly timeoutMs: number;
  private readonly maxRetries: number;

  constructor(readonly config: RestConfig) {
    const url = new URL(config.server);
    this.server = config.server;
    this.basePath = url.pathname.replace(/\/+$/, '');
    const tls = url.protocol === 'https:';
    this.pool = new Pool(url.origin, {
      keepAliveTimeout: 30_000,
      ...(tls
        ? {
            connect: {
              ca: config.ca,
              cert: config.cert,
              key: config.key,
              rejectUnauthorized: !config.insecureSkipTLSVerify,
              ...(config.tlsServerName ? { servername: config.tlsServerName } : {}),
            },
          }
        : {}),
    });
    this.headers = { 'user-agent': config.userAgent ?? defaultUserAgent(), ...authHeaders(config) };
    const qps = config.qps ?? 50;
    this.bucket = qps > 0 ? new TokenBucket(qps, Math.max(1, config.burst ?? 100)) : undefined;
    this.timeoutMs = config.timeoutMs ?? 60_000;
    this.maxRetries = config.maxRetries ?? 10;
  }

  /** A client for one resource, optionally bound to a namespace. */
  resource<R extends ResourceName>(ref: R, namespace?: string): ResourceClient<ResourceTypes[R]>;
  resource<T extends ObjectLike = ObjectLike>(ref: ResourceRef | ResourceInfo, namespace?: string): ResourceClient<T>;
  resource<T extends ObjectLike>(ref: ResourceRef | ResourceInfo, namespace?: string): ResourceClient<T> {
    return new ResourceClient<T>(this, resolveRef(ref), namespace);
  }

  /** GETs any path (discovery, /version, /healthz) and parses JSON. */
  async getPath<R = unknown>(path: string, signal?: AbortSignal): Promise<R> {
    return this.json<R>({ method: 'GET', path, signal });
  }

  /** Sends one request and parses the JSON reply; non-2xx replies throw a StatusError. */
  async json<R>(spec: RequestSpec): Promise<R> {
    const body = await this.send(spec);
    const text = await body.text();
    return (text ? JSON.parse(text) : {}) as R;
  }

  /** Sends one request and hands back the open body (watch, logs). */
  async send(spec: RequestSpec): Promise<ResponseBody> {
    const path = this.basePath + spec.path + queryString(spec.query);
    const payload = spec.body === undefined ? undefined : JSON.stringify(spec.body);
    for (let attempt = 0; ; attempt++) {
      if (this.bucket) await this.bucket.take(spec.signal);
      const res = await this.pool.request({
        method: spec.method,
        path,
        headers: {
          ...this.headers,
          accept: spec.accept ?? 'application/json',
          ...(payload !== undefined ? { 'content-type': spec.contentType ?? 'application/json' } : {}),
        },
        body: payload,
        signal: spec.signal,
        headersTimeout: this.timeoutMs,
        bodyTimeout: spec.streaming ? 0 : this.timeoutMs,
      });
      if (res.statusCode >= 200 && res.statusCode < 300) return res.body;
      const text = await res.body.text().catch(() => '');
      const retryAfter = retryAfterSeconds(res.headers['retry-after']);
      // client-go's checkWait: only a 429/5xx that carries Retry-After is retried here.
      const retriable = retryAfter !== undefined && (res.statusCode === 429 || res.statusCode >= 500);
      if (retriable && attempt < this.maxRetries) {
        await sleep((retryAfter ?? 1) * 1000, spec.signal);
        continue;
      }
      throw statusErrorFromResponse(res.statusCode, text, spec.method, spec.path);
    }
  }

  /** Closes idle connections; open watches are ended. */
  async close(): Promise<void> {
    await this.pool.destroy();
  }
}

/** Typed calls on one resource (and namespace, when bound). Get one with `client.resource(…)`. */
export function queryString(q: RequestSpec['query']): string {
  if (!q) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== '') params.append(k, String(v));
  const s = params.toString();
  return s ? `?${s}` : '';
}

function retryAfterSeconds(h: string | string[] | undefined): number | undefined {
  const v = Array.isArray(h) ? h[0] : h;
  if (v === undefined) return undefined;
  const n = Number(v);
  return Number.isFinite(n) && n >= 0 ? Math.min(n, 60) : 1;
}

function defaultUserAgent(): string {
  const bin = process.argv[1] ? basename(process.argv[1]).replace(/\.[cm]?js$/, '') : 'node';
  return `${bin}/v0.1.0 (${process.platform}/${process.arch}) tskube`;
}
