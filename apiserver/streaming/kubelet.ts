// The streaming subresources, proxied to the kubelet of the pod's node (k8s' pod LogLocation /
// ExecLocation / PortForwardLocation + the upgrade-aware proxy): pods/log as a text stream,
// pods/exec and pods/attach by relaying WebSocket frames or splicing a SPDY/3.1 upgrade (the
// kubelet negotiates the stream protocol), pods/portforward by tunnelling the
// client's SPDY bytes (inside WebSocket messages, as kubectl 1.30+ sends them, or on a plain
// SPDY/3.1 upgrade) to the kubelet's SPDY endpoint, and nodes/<n>/proxy/<path> as plain HTTP.
// A kubelet that cannot be found or reached is a 503, never a 500.
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Duplex } from 'node:stream';
import { pipeline } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { WebSocket } from 'ws';
import { errors, StatusError, type StatusReason } from '../../api/status.js';
import type { KObject } from '../../api/types.js';
import type { Query } from '../registry/list-options.js';
import type { ResourceStore } from '../registry/store.js';
import type { RequestInfo } from '../handlers/request-info.js';
import type { StreamingSubresources } from '../handlers/context.js';
import {
  assignedNode,
  checkLogStatus,
  endpointURL,
  kubeletEndpoint,
  logContainer,
  podLogRequest,
  streamContainer,
  streamRequest,
  type KubeletEndpoint,
} from './pod.js';
import { acceptWebSocket, offeredProtocols, takeUpgrade, upgradeKind } from './upgrade.js';
import { relayWebSockets, spliceSockets, tunnelSocket } from './relay.js';

/** kubectl 1.30+ tunnels port-forward's SPDY/3.1 through a WebSocket with this subprotocol. */
export const PORT_FORWARD_TUNNEL_PROTOCOL = 'SPDY/3.1+portforward.k8s.io';
const PORT_FORWARD_PROTOCOL = 'portforward.k8s.io';
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer']);
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export interface KubeletStreamingOptions {
  store(group: string, resource: string): ResourceStore;
  log: Logger;
  /** How long connecting to a kubelet may take. */
  dialTimeoutMs?: number;
  /**
   * TLS to the kubelets (`--kubelet-client-certificate`/`-key`, `--kubelet-certificate-authority`):
   * the apiserver's client certificate, and the CA their serving certificates must chain to
   * (without one the kubelet's certificate is not verified, as in Kubernetes). Plain HTTP when unset.
   */
  tls?: KubeletClientTLS;
}

export interface KubeletClientTLS {
  cert: string;
  key: string;
  ca?: string;
}

export class KubeletStreaming implements StreamingSubresources {
  private readonly dialTimeoutMs: number;

  constructor(private readonly opts: KubeletStreamingOptions) {
    this.dialTimeoutMs = opts.dialTimeoutMs ?? 5000;
  }

  /** One request to a kubelet, over TLS with the apiserver's client certificate when configured. */
  private dial(ep: KubeletEndpoint, o: RequestOptions): ReturnType<typeof httpRequest> {
    const tls = this.opts.tls;
    if (!tls) return httpRequest({ host: ep.host, port: ep.port, ...o });
    return httpsRequest({ host: ep.host, port: ep.port, ...o, cert: tls.cert, key: tls.key, ...(tls.ca ? { ca: tls.ca } : { rejectUnauthorized: false }) });
  }

  async handle(req: FastifyRequest, reply: FastifyReply, ri: RequestInfo, obj: KObject): Promise<unknown> {
    const sub = ri.subresource!;
    const core = ri.info.group === '';
    if (core && ri.info.resource === 'nodes' && sub === 'proxy') return this.nodeProxy(req, reply, ri, obj);
    if (core && ri.info.resource === 'pods') {
      if (sub === 'log') return this.podLog(req, reply, obj);
      if (sub === 'exec' || sub === 'attach') return this.podStream(req, reply, obj, sub);
      if (sub === 'portforward') return this.portForward(req, reply, obj);
    }
    throw errors.serviceUnavailable(`${ri.info.resource}/${sub} is not implemented by this apiserver`);
  }

  // ---- pods/log -----------------------------------------------------------------------------

  private async podLog(req: FastifyRequest, reply: FastifyReply, pod: KObject): Promise<unknown> {
    if (req.method !== 'GET') throw errors.methodNotAllowed(`${req.method} is not supported on pods/log`);
    const opts = podLogRequest(req.query as Query);
    const container = logContainer(pod, opts.container);
    checkLogStatus(pod, container, opts.previous);
    const { node, ep } = await this.kubeletOf(pod, () => errors.badRequest(`container "${container}" in pod "${pod.metadata?.name}" is waiting to start: ContainerCreating`));
    const res = await this.request(node, ep, 'GET', `/containerLogs/${podPath(pod)}/${encodeURIComponent(container)}?${opts.kubeletQuery}`);
    if (res.statusCode !== 200) throw await kubeletError(node, res);
    // Written raw so the headers leave at once and every chunk is flushed as it comes (follow).
    reply.hijack();
    reply.raw.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'no-cache' });
    reply.raw.flushHeaders();
    pipeline(res, reply.raw, () => res.destroy());
    return reply;
  }

  // ---- pods/exec, pods/attach -----------------------------------------------------------------

  private async podStream(req: FastifyRequest, reply: FastifyReply, pod: KObject, kind: 'exec' | 'attach'): Promise<unknown> {
    if (req.method !== 'GET' && req.method !== 'POST') throw errors.methodNotAllowed(`${req.method} is not supported on pods/${kind}`);
    const sr = streamRequest(req.query as Query, kind);
    const container = streamContainer(pod, sr.container);
    const upgrade = upgradeKind(req);
    const { node, ep } = await this.kubeletOf(pod, () => errors.badRequest(`pod ${pod.metadata?.name} does not have a host assigned`));
    const path = `/${kind}/${podPath(pod)}/${encodeURIComponent(container)}?${sr.kubeletQuery}`;
    if (upgrade === 'spdy') {
      // The kubelet negotiates the stream protocol (v4/v3/v2.channel.k8s.io) from the client's offer.
      const upstream = await this.dialSpdy(node, ep, path, streamProtocols(req));
      spliceSpdyUpgrade(req, reply, upstream);
      this.opts.log.debug({ pod: `${pod.metadata?.namespace}/${pod.metadata?.name}`, container, kind, node, protocol: upstream.protocol }, 'SPDY stream relayed to kubelet');
      return reply;
    }
    if (upgrade !== 'websocket') throw errors.badRequest('Upgrade request required');
    const upstream = await this.dialWebSocket(node, ep, path, offeredProtocols(req).filter((p) => TOKEN.test(p)));
    if (await acceptAndRelay(req, reply, upstream)) {
      this.opts.log.debug({ pod: `${pod.metadata?.namespace}/${pod.metadata?.name}`, container, kind, node }, 'stream relayed to kubelet');
    }
    return reply;
  }

  // ---- pods/portforward ---------------------------------------------------------------------

  private async portForward(req: FastifyRequest, reply: FastifyReply, pod: KObject): Promise<unknown> {
    if (req.method !== 'GET' && req.method !== 'POST') throw errors.methodNotAllowed(`${req.method} is not supported on pods/portforward`);
    const upgrade = upgradeKind(req);
    if (upgrade === 'spdy' && !String(req.headers['x-stream-protocol-version'] ?? '').split(',').map((s) => s.trim()).includes(PORT_FORWARD_PROTOCOL)) {
      throw errors.badRequest(`port forwarding over SPDY needs the ${PORT_FORWARD_PROTOCOL} stream protocol`);
    }
    if (!upgrade) throw errors.badRequest('Upgrade request required');
    const offered = offeredProtocols(req);
    // Over WebSocket either SPDY is tunnelled (kubectl), or the kubelet's channel protocol is relayed (ports in the query).
    const tunnel = upgrade === 'websocket' && offered.includes(PORT_FORWARD_TUNNEL_PROTOCOL);
    const ports = upgrade === 'websocket' && !tunnel ? portsQuery(req.query as Query) : undefined;
    const { node, ep } = await this.kubeletOf(pod, () => errors.badRequest(`pod ${pod.metadata?.name} does not have a host assigned`));
    if (ports) {
      const upstream = await this.dialWebSocket(node, ep, `/portForward/${podPath(pod)}?${ports}`, offered.filter((p) => TOKEN.test(p)));
      await acceptAndRelay(req, reply, upstream);
      return reply;
    }
    const upstream = await this.dialSpdy(node, ep, `/portForward/${podPath(pod)}`, [PORT_FORWARD_PROTOCOL]);
    if (upgrade === 'spdy') {
      spliceSpdyUpgrade(req, reply, upstream);
      return reply;
    }
    let client: WebSocket;
    try {
      client = await acceptWebSocket(req, reply, PORT_FORWARD_TUNNEL_PROTOCOL);
    } catch {
      upstream.socket.destroy();
      return reply;
    }
    tunnelSocket(client, upstream.socket, upstream.head);
    return reply;
  }

  // ---- nodes/<n>/proxy/<path> ---------------------------------------------------------------

  private async nodeProxy(req: FastifyRequest, reply: FastifyReply, ri: RequestInfo, node: KObject): Promise<unknown> {
    const name = String(node.metadata?.name ?? '');
    const ep = kubeletEndpoint(node);
    if (!ep) throw errors.serviceUnavailable(`node "${name}" has no address in its status to reach its kubelet at`);
    const search = req.url.includes('?') ? req.url.slice(req.url.indexOf('?')) : '';
    const path = `/${(ri.rest ?? '').split('/').map(encodeURIComponent).join('/')}${search}`;
    const body = req.body instanceof Buffer && req.body.length ? req.body : undefined;
    const headers: Record<string, string> = {};
    if (req.headers['content-type']) headers['content-type'] = String(req.headers['content-type']);
    if (req.headers.accept) headers.accept = String(req.headers.accept);
    const res = await this.request(name, ep, req.method, path, body, headers);
    reply.hijack();
    reply.raw.writeHead(res.statusCode ?? 502, proxiedHeaders(res.headers));
    pipeline(res, reply.raw, () => res.destroy());
    return reply;
  }

  // ---- talking to kubelets ------------------------------------------------------------------

  private async kubeletOf(pod: KObject, unscheduled: () => StatusError): Promise<{ node: string; ep: KubeletEndpoint }> {
    const node = assignedNode(pod);
    if (!node) throw unscheduled();
    let obj: KObject;
    try {
      obj = await this.opts.store('', 'nodes').get(undefined, node);
    } catch (err) {
      if (err instanceof StatusError && err.code === 404) {
        throw errors.serviceUnavailable(`node "${node}" of pod "${pod.metadata?.name}" is not registered: its kubelet cannot be reached`);
      }
      throw err;
    }
    const ep = kubeletEndpoint(obj);
    if (!ep) throw errors.serviceUnavailable(`node "${node}" has no address in its status to reach its kubelet at`);
    return { node, ep };
  }

  private unreachable(node: string, ep: KubeletEndpoint, err: Error): StatusError {
    return errors.serviceUnavailable(`unable to reach the kubelet of node "${node}" at ${ep.host}:${ep.port}: ${err.message}`);
  }

  private request(node: string, ep: KubeletEndpoint, method: string, path: string, body?: Buffer, headers: Record<string, string> = {}): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const req = this.dial(ep, { method, path, headers: { ...headers, ...(body ? { 'content-length': String(body.length) } : {}) } });
      const timer = setTimeout(() => req.destroy(new Error(`no connection within ${this.dialTimeoutMs} ms`)), this.dialTimeoutMs);
      req.once('socket', (s) => s.once('connect', () => clearTimeout(timer)));
      req.once('response', (res) => {
        clearTimeout(timer);
        resolve(res);
      });
      req.once('error', (err) => {
        clearTimeout(timer);
        reject(this.unreachable(node, ep, err));
      });
      req.end(body);
    });
  }

  private dialWebSocket(node: string, ep: KubeletEndpoint, path: string, protocols: string[]): Promise<WebSocket> {
    return new Promise((resolve, reject) => {
      const tls = this.opts.tls;
      const ws = new WebSocket(endpointURL(ep, tls ? 'wss' : 'ws', path), protocols, {
        perMessageDeflate: false,
        handshakeTimeout: this.dialTimeoutMs,
        ...(tls ? { cert: tls.cert, key: tls.key, ...(tls.ca ? { ca: tls.ca } : { rejectUnauthorized: false }) } : {}),
      });
      // Paused until the relay is attached: the kubelet speaks first (port numbers, the empty stdout frame).
      ws.once('open', () => {
        ws.pause();
        resolve(ws);
      });
      ws.once('unexpected-response', (r, res) => {
        void kubeletError(node, res).then(reject, reject);
        r.destroy();
      });
      ws.once('error', (err) => reject(this.unreachable(node, ep, err)));
    });
  }

  /** A SPDY/3.1 upgrade to the kubelet offering `protocols`; resolves with the one it chose. */
  private dialSpdy(node: string, ep: KubeletEndpoint, path: string, protocols: string[]): Promise<SpdyUpstream> {
    return new Promise((resolve, reject) => {
      const req = this.dial(ep, {
        path,
        method: 'POST',
        headers: { connection: 'Upgrade', upgrade: 'SPDY/3.1', 'x-stream-protocol-version': protocols },
      });
      const timer = setTimeout(() => req.destroy(new Error(`no answer within ${this.dialTimeoutMs} ms`)), this.dialTimeoutMs);
      req.once('upgrade', (res, socket, head) => {
        clearTimeout(timer);
        resolve({ socket, head, protocol: String(res.headers['x-stream-protocol-version'] ?? '') });
      });
      req.once('response', (res) => {
        clearTimeout(timer);
        void kubeletError(node, res).then(reject, reject);
      });
      req.once('error', (err) => {
        clearTimeout(timer);
        reject(this.unreachable(node, ep, err));
      });
      req.end();
    });
  }
}

/** PodPortForwardOptions.ports (repeatable, or comma-separated) as the kubelet's `port` query. */
function portsQuery(q: Query): URLSearchParams {
  const raw = ([] as string[]).concat(q.ports ?? [], q.port ?? []).flatMap((p) => p.split(',')).map((p) => p.trim()).filter(Boolean);
  if (!raw.length) throw errors.badRequest('at least one port must be specified');
  const out = new URLSearchParams();
  for (const p of raw) {
    const n = Number(p);
    if (!/^\d+$/.test(p) || n < 1 || n > 65535) throw errors.badRequest(`ports: Invalid value: "${p}": must be between 1 and 65535, inclusive`);
    out.append('port', String(n));
  }
  return out;
}

interface SpdyUpstream {
  socket: Duplex;
  head: Buffer;
  /** The kubelet's X-Stream-Protocol-Version answer. */
  protocol: string;
}

/** X-Stream-Protocol-Version as offered (repeated or comma-joined), for the kubelet to choose from. */
function streamProtocols(req: FastifyRequest): string[] {
  return ([] as string[]).concat(req.headers['x-stream-protocol-version'] ?? []).flatMap((h) => h.split(',')).map((p) => p.trim()).filter((p) => TOKEN.test(p));
}

/** Completes the client's SPDY/3.1 upgrade with the kubelet's protocol answer and splices the two connections. */
function spliceSpdyUpgrade(req: FastifyRequest, reply: FastifyReply, upstream: SpdyUpstream): void {
  const { socket } = takeUpgrade(req, reply);
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${upstream.protocol}\r\n\r\n`);
  if (upstream.head.length) socket.write(upstream.head);
  spliceSockets(socket, upstream.socket);
}

function podPath(pod: KObject): string {
  return `${encodeURIComponent(String(pod.metadata?.namespace ?? ''))}/${encodeURIComponent(String(pod.metadata?.name ?? ''))}`;
}

function proxiedHeaders(h: IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined && !HOP_BY_HOP.has(k)) out[k] = v;
  return out;
}

/** A kubelet's refusal as a Status: its own Status when it sent one; its 5xx become 503s. */
async function kubeletError(node: string, res: IncomingMessage): Promise<StatusError> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of res as AsyncIterable<Buffer>) {
    if (size < 64 * 1024) chunks.push(c);
    size += c.length;
  }
  const text = Buffer.concat(chunks).toString('utf8');
  const code = res.statusCode ?? 502;
  let message = text.trim() || `kubelet answered ${code}`;
  let reason: string | undefined;
  try {
    const st = JSON.parse(text) as { kind?: string; message?: unknown; reason?: unknown };
    if (st.kind === 'Status' && typeof st.message === 'string') {
      message = st.message;
      if (typeof st.reason === 'string') reason = st.reason;
    }
  } catch {
    // plain text
  }
  if (code >= 500 || code < 400) return errors.serviceUnavailable(`kubelet of node "${node}": ${message}`);
  if (code === 404) return new StatusError(404, 'NotFound', message);
  return new StatusError(code, (reason ?? 'BadRequest') as StatusReason, message);
}

/** Upgrades the client with the kubelet's chosen subprotocol and relays both ways; false (kubelet side closed) if the upgrade failed. */
async function acceptAndRelay(req: FastifyRequest, reply: FastifyReply, upstream: WebSocket): Promise<boolean> {
  let client: WebSocket;
  try {
    client = await acceptWebSocket(req, reply, upstream.protocol);
  } catch {
    upstream.terminate();
    return false;
  }
  relayWebSockets(client, upstream);
  return true;
}
