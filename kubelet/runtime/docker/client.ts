// A thin Docker Engine API client over the unix socket with undici: JSON requests, raw
// streaming bodies, and connection upgrades (exec with stdin). Errors come back as the
// runtime's typed errors, never as HTTP statuses.
import type { Duplex, Readable } from 'node:stream';
import { Pool } from 'undici';
import {
  ConflictError,
  ImageNotFoundError,
  NotFoundError,
  RuntimeError,
} from '../errors.js';

/** Docker 20.10 refuses newer API versions, so every path is pinned to this one. */
export const DOCKER_API_VERSION = 'v1.41';

export type Query = Record<string, string | number | boolean | undefined>;

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  signal?: AbortSignal;
  /** Milliseconds to wait for the response headers; 0 = no limit (e.g. a long stop). */
  headersTimeout?: number;
  /** The call may take seconds (stats wait for dockerd's next sample): keep it off the short-call pool. */
  slow?: boolean;
}

export interface DockerClientOptions {
  socketPath?: string;
  connections?: number;
}

export function buildPath(path: string, query?: Query): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v === undefined) continue;
    params.set(k, typeof v === 'boolean' ? (v ? '1' : '0') : String(v));
  }
  const qs = params.toString();
  return `/${DOCKER_API_VERSION}${path}${qs ? `?${qs}` : ''}`;
}

/** Maps Docker's error reply (`{"message": …}` with a status) to a typed runtime error. */
export function dockerError(status: number, message: string): RuntimeError {
  if (/no such image|manifest unknown|pull access denied|repository does not exist/i.test(message)) {
    return new ImageNotFoundError(message, status);
  }
  if (status === 404) return new NotFoundError(message, status);
  if (status === 409) return new ConflictError(message, status);
  return new RuntimeError('Unknown', message, status);
}

async function errorFrom(statusCode: number, body: Readable & { text(): Promise<string> }): Promise<RuntimeError> {
  const text = await body.text().catch(() => '');
  let message = text.trim();
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object' && typeof (parsed as { message?: unknown }).message === 'string') {
      message = (parsed as { message: string }).message;
    }
  } catch {
    // Not JSON: keep the raw text.
  }
  return dockerError(statusCode, message || `docker answered ${statusCode}`);
}

export class DockerClient {
  /** Short request/response calls. */
  private readonly pool: Pool;
  /** Long-lived bodies (follow logs, events, exec): kept apart so they never starve the calls. */
  private readonly streams: Pool;

  constructor(options: DockerClientOptions = {}) {
    const socketPath = options.socketPath ?? '/var/run/docker.sock';
    this.pool = new Pool('http://localhost', {
      socketPath,
      connections: options.connections ?? 16,
      // A stop with a long grace period legitimately keeps the headers waiting.
      headersTimeout: 0,
      bodyTimeout: 0,
    });
    this.streams = new Pool('http://localhost', { socketPath, connections: null, headersTimeout: 0, bodyTimeout: 0 });
  }

  /** A JSON call. Resolves the parsed reply (undefined for empty bodies and 304 Not Modified). */
  async request<T = unknown>(method: string, path: string, options: RequestOptions = {}): Promise<T | undefined> {
    const res = await (options.slow ? this.streams : this.pool).request({
      method: method as 'GET',
      path: buildPath(path, options.query),
      headers: options.body === undefined ? {} : { 'content-type': 'application/json' },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
      headersTimeout: options.headersTimeout,
    });
    if (res.statusCode >= 400) throw await errorFrom(res.statusCode, res.body);
    const text = await res.body.text();
    if (res.statusCode === 304 || text.trim() === '') return undefined;
    return JSON.parse(text) as T;
  }

  /** A call whose reply body is consumed as a stream (logs, events, pull progress, stats). */
  async stream(method: string, path: string, options: RequestOptions = {}): Promise<Readable> {
    const res = await this.streams.request({
      method: method as 'GET',
      path: buildPath(path, options.query),
      headers: options.body === undefined ? {} : { 'content-type': 'application/json' },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
    if (res.statusCode >= 400) throw await errorFrom(res.statusCode, res.body);
    return res.body;
  }

  /**
   * A hijacked connection (Docker answers 101 UPGRADED to `Upgrade: tcp`): the socket then
   * carries the process's stdin one way and its (multiplexed) output the other.
   */
  async upgrade(path: string, body: unknown, signal?: AbortSignal): Promise<Duplex> {
    try {
      const { socket } = await this.streams.upgrade({
        method: 'POST',
        path: buildPath(path),
        protocol: 'tcp',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal,
      } as Parameters<Pool['upgrade']>[0]);
      return socket;
    } catch (err) {
      // undici reports any non-101 answer as a bare "bad upgrade" without status or body;
      // callers that can tell why (container gone, not running) check and say so.
      if (signal?.aborted) throw err;
      throw new RuntimeError('Unknown', `docker refused the upgrade of ${path}: ${(err as Error).message}`);
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.pool.close(), this.streams.close()]);
  }
}
