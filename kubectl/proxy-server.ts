// kubectl proxy's server: plain HTTP on the local side, every accepted request forwarded to
// the apiserver with the user's credentials (client certificate, token, impersonation) over
// TLS through undici, responses streamed as they arrive (watches, log follow), and protocol
// upgrades (WebSocket port-forward) spliced through. Decisions live in proxy-filter.ts.
import { readFileSync } from 'node:fs';
import { createServer, STATUS_CODES, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Pool } from 'undici';
import { authHeaders, type RestConfig } from '../client/rest.js';
import { tlsErrorText } from './errors.js';
import { accepts, extractHost, headersFromRaw, hopByHop, joinPaths, routeFor, type FilterServer } from './proxy-filter.js';

export interface ApiProxyOptions {
  config: RestConfig;
  /** Ends with '/'. */
  apiPrefix: string;
  /** undefined: --disable-filter. */
  filter?: FilterServer;
  appendServerPath?: boolean;
  /** The token's file, re-read now and then so a rotated token keeps working. */
  tokenFile?: string;
  userAgent: string;
  /** TCP keep-alive period of connections to the server (0: off). */
  keepAliveMs?: number;
  /** kubectl's klog error line for a request that could not be proxied. */
  logError(message: string): void;
}

/** client-go's cached file token source re-reads the file once a minute. */
const TOKEN_REREAD_MS = 60_000;

type Headers = Record<string, string | string[]>;

interface Reply {
  status: number;
  headers: Headers;
  body: string;
}

const textHeaders = (): Headers => ({ 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' });

/** What Go's transport would report for a failed round trip. */
function roundTripError(e: unknown, host: string): string {
  const tls = tlsErrorText(e);
  if (tls) return tls;
  const code = (e as { code?: string; cause?: { code?: string } }).code ?? (e as { cause?: { code?: string } }).cause?.code;
  if (code === 'ECONNREFUSED') return `dial tcp ${host}: connect: connection refused`;
  return e instanceof Error ? e.message : String(e);
}

export class ApiProxy {
  readonly server: Server;
  private readonly pool: Pool;
  private readonly target: URL;
  private readonly upgraded = new Set<Duplex>();
  private token: { value: string; readAt: number } | undefined;

  constructor(private readonly o: ApiProxyOptions) {
    const c = o.config;
    this.target = new URL(c.server);
    const tls =
      this.target.protocol === 'https:'
        ? { ca: c.ca, cert: c.cert, key: c.key, rejectUnauthorized: !c.insecureSkipTLSVerify, ...(c.tlsServerName ? { servername: c.tlsServerName } : {}) }
        : {};
    this.pool = new Pool(this.target.origin, { connect: { ...tls, ...(o.keepAliveMs ? { keepAlive: true, keepAliveInitialDelay: o.keepAliveMs } : {}) } });
    this.server = createServer((req, res) => void this.serve(req, res));
    this.server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => this.serveUpgrade(req, socket, head));
  }

  /** The identifying headers, with a token file re-read when it is due. */
  private credentials(): Headers {
    const c = this.o.config;
    if (!this.o.tokenFile) return authHeaders(c);
    const now = Date.now();
    if (!this.token || now - this.token.readAt >= TOKEN_REREAD_MS) {
      let value = this.token?.value ?? c.token ?? '';
      try {
        value = readFileSync(this.o.tokenFile, 'utf8').trim();
      } catch {
        // keep the last token: a rotation in progress may briefly remove the file
      }
      this.token = { value, readAt: now };
    }
    return authHeaders({ ...c, token: this.token.value });
  }

  /** Routing and filtering; a Reply when the request goes no further. */
  private decide(req: IncomingMessage): { path: string } | Reply {
    let raw = req.url ?? '/';
    if (!raw.startsWith('/')) {
      const u = new URL(raw, 'http://localhost');
      raw = u.pathname + u.search;
    }
    const q = raw.indexOf('?');
    const rawPath = q < 0 ? raw : raw.slice(0, q);
    const search = q < 0 ? '' : raw.slice(q);
    const route = routeFor(this.o.apiPrefix, rawPath);
    if (route.kind === 'not-found') return { status: 404, headers: textHeaders(), body: '404 page not found\n' };
    if (route.kind === 'redirect') {
      return { status: 301, headers: { location: route.location + search, 'content-type': 'text/html; charset=utf-8' }, body: `<a href="${route.location}">Moved Permanently</a>.\n\n` };
    }
    let decoded = route.path;
    try {
      decoded = decodeURIComponent(route.path);
    } catch {
      // an invalid escape is matched as sent
    }
    if (this.o.filter && !accepts(this.o.filter, req.method ?? 'GET', decoded, extractHost(req.headers.host ?? ''))) {
      return { status: 403, headers: textHeaders(), body: 'Forbidden\n' };
    }
    const path = this.o.appendServerPath ? joinPaths(this.target.pathname, route.path) : route.path;
    return { path: path + search };
  }

  /** The request's own headers minus hop-by-hop ones, plus the user's credentials. */
  private upstreamHeaders(req: IncomingMessage): Headers {
    const drop = hopByHop(req.headers.connection);
    // undici sets Host from the server's origin, and cannot do Expect: 100-continue.
    drop.add('host');
    drop.add('expect');
    const headers: Headers = headersFromRaw(req.rawHeaders, drop);
    const creds = this.credentials();
    // As client-go's round trippers, a caller's own Authorization or Impersonate-User is kept.
    if (!headers.authorization && creds.authorization) headers.authorization = creds.authorization;
    if (!headers['impersonate-user']) for (const [k, v] of Object.entries(creds)) if (k.startsWith('impersonate-')) headers[k] = v;
    headers['user-agent'] ??= this.o.userAgent;
    const ip = req.socket.remoteAddress;
    if (ip) {
      const prior = headers['x-forwarded-for'];
      headers['x-forwarded-for'] = prior ? `${[prior].flat().join(', ')}, ${ip}` : ip;
    }
    return headers;
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const d = this.decide(req);
    if ('status' in d) return reply(res, d);
    const abort = new AbortController();
    res.once('close', () => abort.abort());
    const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
    let upstream: Awaited<ReturnType<Pool['request']>>;
    try {
      upstream = await this.pool.request({
        method: (req.method ?? 'GET') as 'GET',
        path: d.path,
        headers: this.upstreamHeaders(req),
        body: hasBody ? req : undefined,
        signal: abort.signal,
        headersTimeout: 0,
        bodyTimeout: 0,
      });
    } catch (e) {
      if (abort.signal.aborted) return;
      const msg = roundTripError(e, this.target.host);
      this.o.logError(`Error while proxying request: ${msg}`);
      return reply(res, { status: 500, headers: textHeaders(), body: `${msg}\n` });
    }
    const drop = hopByHop(upstream.headers.connection);
    const headers = Object.fromEntries(Object.entries(upstream.headers).filter(([k, v]) => v !== undefined && !drop.has(k))) as Headers;
    res.writeHead(upstream.statusCode, headers);
    // A stream (watch, log -f) shows its headers at once, not with its first event.
    if (headers['content-length'] === undefined) res.flushHeaders();
    try {
      await pipeline(upstream.body, res);
    } catch {
      // the client went away, or the server ended the stream abruptly: both ends are closed
    }
  }

  /** Connection upgrades (WebSocket, SPDY): the server's 101 and then raw bytes both ways. */
  private serveUpgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const d = this.decide(req);
    if ('status' in d) return writeRawResponse(socket, d.status, d.headers, Buffer.from(d.body));
    const headers = this.upstreamHeaders(req);
    let status = 0;
    let respHeaders: IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    this.pool.dispatch(
      { method: (req.method ?? 'GET') as 'GET', path: d.path, headers, upgrade: req.headers.upgrade ?? 'websocket', headersTimeout: 0, bodyTimeout: 0 },
      {
        // The caller hanging up before the server answers cancels the request.
        onRequestStart: (c) => void socket.once('close', () => c.abort(new Error('the client closed the connection'))),
        onRequestUpgrade: (_c, statusCode, h, upstream) => {
          this.upgraded.add(upstream).add(socket);
          writeHead(socket, statusCode, h, false);
          if (head.length) upstream.write(head);
          upstream.pipe(socket);
          socket.pipe(upstream);
          const end = (): void => {
            upstream.destroy();
            socket.destroy();
            this.upgraded.delete(upstream);
            this.upgraded.delete(socket);
          };
          upstream.on('error', end).on('close', end);
          socket.on('close', end);
        },
        onResponseStart: (_c, statusCode, h) => {
          status = statusCode;
          respHeaders = h;
        },
        onResponseData: (_c, chunk) => void chunks.push(chunk),
        onResponseEnd: () => writeRawResponse(socket, status, respHeaders as Headers, Buffer.concat(chunks)),
        onResponseError: (_c, e) => {
          if (socket.destroyed) return;
          const msg = roundTripError(e, this.target.host);
          this.o.logError(`Error while proxying request: ${msg}`);
          writeRawResponse(socket, 500, textHeaders(), Buffer.from(`${msg}\n`));
        },
      },
    );
  }

  /** Listens on host:port (port 0: any free one). */
  listen(host: string, port: number): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve(this.server.address() as AddressInfo);
      });
    });
  }

  listenUnix(path: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(path, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
  }

  /** Stops listening and ends every open stream and upgraded connection. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    for (const s of this.upgraded) s.destroy();
    await closed;
    await this.pool.destroy();
  }
}

function reply(res: ServerResponse, r: Reply): void {
  res.writeHead(r.status, { ...r.headers, 'content-length': Buffer.byteLength(r.body) });
  res.end(r.body);
}

function writeHead(socket: Duplex, status: number, headers: IncomingHttpHeaders | Headers, withLength: number | false): void {
  let head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n`;
  const skip = withLength === false ? new Set<string>() : new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive']);
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined || skip.has(k.toLowerCase())) continue;
    for (const value of [v].flat()) head += `${k}: ${value}\r\n`;
  }
  if (withLength !== false) head += `content-length: ${withLength}\r\nconnection: close\r\n`;
  socket.write(`${head}\r\n`);
}

/** A whole response on a socket that left the HTTP server (upgrade requests). */
function writeRawResponse(socket: Duplex, status: number, headers: Headers, body: Buffer): void {
  writeHead(socket, status, headers, body.length);
  socket.end(body);
}
