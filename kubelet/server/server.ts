// The kubelet's server (--port, 10250): what the apiserver proxies pods/log, pods/exec,
// pods/attach, pods/portforward and nodes/proxy to. HTTPS with the kubelet's serving
// certificate when `secure` is given: callers are authenticated by client certificate or by a
// TokenReview, and authorized by a SubjectAccessReview on nodes/<subresource> (kubelet
// authorization: nodes/stats, nodes/log, nodes/metrics, nodes/proxy for everything else), as
// Kubernetes' kubelet does. It only needs a Runtime and a way to find a pod's containers, so
// the kubelet wires it with its own pod manager and tests with containers they made themselves.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Pod } from 'kubernetes-types/core/v1';
import type { Logger } from 'pino';
import { Counter, Gauge, Registry } from 'prom-client';
import { WebSocketServer } from 'ws';
import { startHealthServer } from '../../client/component-base/daemon.js';
import type { AccessAttributes } from '../../client/component-base/delegating-auth.js';
import { guard, verbOfMethod, type SecureServing } from '../../client/component-base/secure-serving.js';
import { isConflict, isNotFound, LABEL_POD_UID, type ExecSession, type Runtime } from '../runtime/runtime.js';
import { parseContainerLogQuery, sendLogs, toLogOptions } from './logs.js';
import { PORT_FORWARD_PROTOCOL, servePortForward, type PortForwardTarget } from './portforward.js';
import { parsePorts, servePortForwardWebSocket } from './portforward-ws.js';
import { negotiateSpdyProtocol, serveRemoteCommandSpdy } from './remotecommand-spdy.js';
import { negotiateProtocol, parseRemoteCommandQuery, serveRemoteCommand, type RemoteCommandOptions, type StreamSession } from './remotecommand.js';
import { buildSummary, readNodeSample, type CpuSample } from './stats.js';
import { parseKubeletPath, statusBody, writeUpgradeError, type KubeletRoute } from './routes.js';

export interface ResolvedContainer {
  /** The running (or latest) container's runtime id. */
  id: string;
  /** The container this one replaced, for `previous` logs. */
  previousId?: string;
}

export interface ResolvedPod {
  podUid: string;
  containers: Map<string, ResolvedContainer>;
}

export type PodResolver = (namespace: string, name: string) => ResolvedPod | undefined | Promise<ResolvedPod | undefined>;

export interface KubeletServerOptions {
  runtime: Runtime;
  nodeName: string;
  bindAddress: string;
  /** 0 picks a free port. */
  port: number;
  resolvePod: PodResolver;
  /** Serves /pods when given (the kubelet's pods, as it sees them). */
  listPods?: () => Pod[] | Promise<Pod[]>;
  registry?: Registry;
  log: Logger;
  /** TLS and delegated authentication/authorization (see kubeletAttributes). Plain HTTP when unset. */
  secure?: Omit<SecureServing, 'attributes'>;
}

/** What a request on the kubelet's port must be allowed to do (k8s' kubelet GetRequestAttributes). */
export function kubeletAttributes(nodeName: string): (req: IncomingMessage, path: string) => AccessAttributes {
  const under = (path: string, prefix: string) => path === prefix || path.startsWith(`${prefix}/`);
  return (req, path) => {
    const subresource = under(path, '/stats') ? 'stats' : under(path, '/metrics') ? 'metrics' : under(path, '/logs') ? 'log' : under(path, '/spec') ? 'spec' : 'proxy';
    return { verb: verbOfMethod(req.method), resource: 'nodes', subresource, name: nodeName, group: '', version: 'v1' };
  };
}

export interface KubeletServer {
  port: number;
  stop(): Promise<void>;
}

export class KubeletHttpError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

const badRequest = (m: string) => new KubeletHttpError(400, 'BadRequest', m);
const notFound = (m: string) => new KubeletHttpError(404, 'NotFound', m);

export async function startKubeletServer(opts: KubeletServerOptions): Promise<KubeletServer> {
  return new Server(opts).start();
}

type ContainerRoute = Extract<KubeletRoute, { container: string }>;

/** The server's state (metrics, CPU samples for rates, open sockets) and its handlers (server.go's Server). */
class Server {
  private readonly runtime: Runtime;
  private readonly log: Logger;
  private readonly registry: Registry;
  private readonly requests: Counter<'method' | 'path' | 'code'>;
  private readonly streams: Gauge<'type'>;
  /** The last CPU reading per container, for the summary's usageNanoCores. */
  private readonly cpuSamples = new Map<string, CpuSample>();
  private readonly wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, handleProtocols: (offered) => negotiateProtocol([...offered]) ?? false });
  private readonly sockets = new Set<Duplex>();
  private readonly secure: SecureServing | undefined;

  constructor(private readonly opts: KubeletServerOptions) {
    this.runtime = opts.runtime;
    this.log = opts.log;
    this.registry = opts.registry ?? new Registry();
    const registers = [this.registry];
    this.requests = new Counter({ name: 'kubelet_http_requests_total', help: 'HTTP requests served by the kubelet server', labelNames: ['method', 'path', 'code'], registers });
    this.streams = new Gauge({ name: 'kubelet_server_active_streams', help: 'Open log follows, exec/attach and port-forward sessions', labelNames: ['type'], registers });
    this.secure = opts.secure ? { ...opts.secure, attributes: kubeletAttributes(opts.nodeName) } : undefined;
  }

  async start(): Promise<KubeletServer> {
    const { opts, secure, sockets } = this;
    const health = await startHealthServer({ bindAddress: opts.bindAddress, port: opts.port, registry: this.registry, extra: (req, res) => this.handle(req, res), ...(secure ? { secure } : {}) });
    const server = health.server;
    server.on('connection', (s: Socket) => {
      sockets.add(s);
      s.once('close', () => sockets.delete(s));
    });
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.onUpgrade(req, socket, head));
    this.log.info({ address: `${secure ? 'https' : 'http'}://${opts.bindAddress}:${health.port}` }, 'kubelet server listening');
    return {
      port: health.port,
      stop: async () => {
        for (const s of sockets) s.destroy();
        server.closeAllConnections();
        await health.close();
        this.wss.close();
      },
    };
  }

  // ---- plain HTTP routes -------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const url = new URL(req.url ?? '/', 'http://kubelet');
    const route = parseKubeletPath(url.pathname);
    if (!route) return false;
    const path = route.kind;
    res.once('finish', () => this.requests.inc({ method: req.method ?? '', path, code: String(res.statusCode) }));
    try {
      if (req.method !== 'GET') throw new KubeletHttpError(405, 'MethodNotAllowed', `${req.method} is not allowed on /${route.kind}`);
      await this.serveRoute(route, url, res);
    } catch (err) {
      const e = err instanceof KubeletHttpError ? err : new KubeletHttpError(500, 'InternalError', (err as Error).message);
      if (e.code === 500) this.log.error({ err: e, path: url.pathname }, 'kubelet server request failed');
      if (res.headersSent) res.destroy();
      else sendJson(res, e.code, statusBody(e.code, e.reason, e.message));
    }
    return true;
  }

  private async serveRoute(route: KubeletRoute, url: URL, res: ServerResponse): Promise<void> {
    switch (route.kind) {
      case 'pods': {
        if (!this.opts.listPods) throw notFound('this kubelet serves no pod list');
        const items = await this.opts.listPods();
        sendJson(res, 200, { kind: 'PodList', apiVersion: 'v1', metadata: {}, items });
        return;
      }
      case 'stats/summary': {
        const [node, containers] = await Promise.all([readNodeSample(), this.runtime.listContainerStats()]);
        sendJson(res, 200, buildSummary(this.opts.nodeName, node, containers, this.cpuSamples));
        return;
      }
      case 'containerLogs': {
        const q = parseContainerLogQuery(url.searchParams);
        if (typeof q === 'string') throw badRequest(q);
        const { id } = await this.containerOf(route, q.previous);
        const logs = await this.runtime.logs(id, toLogOptions(q));
        if (q.follow) this.track('logs', res.socket!);
        await sendLogs(res, logs, q.limitBytes);
        return;
      }
      default:
        throw badRequest('Upgrade request required');
    }
  }

  // ---- upgrades: exec/attach and portForward (SPDY/3.1 or WebSocket) -------------

  /** Authorizes the upgrade (when secure), then serves it; errors become a Status on the raw socket. */
  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const allowed = this.secure ? guard(this.secure, req) : Promise.resolve({ ok: true as const });
    allowed
      .then((g) => {
        if (!g.ok) {
          writeUpgradeError(socket, g.code, g.body as ReturnType<typeof statusBody>);
          return undefined;
        }
        return this.upgrade(req, socket, head);
      })
      .catch((err: unknown) => {
        const e = err instanceof KubeletHttpError ? err : new KubeletHttpError(500, 'InternalError', (err as Error).message);
        if (e.code === 500) this.log.error({ err: e, url: req.url }, 'kubelet upgrade failed');
        writeUpgradeError(socket, e.code, statusBody(e.code, e.reason, e.message));
      });
  }

  private async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://kubelet');
    const route = parseKubeletPath(url.pathname);
    const upgradeTo = String(req.headers.upgrade ?? '').toLowerCase();
    if (route?.kind === 'exec' || route?.kind === 'attach') return this.upgradeRemoteCommand(req, socket, head, url, route, upgradeTo);
    if (route?.kind === 'portForward') return this.upgradePortForward(req, socket, head, url, route, upgradeTo);
    throw notFound(`${url.pathname} does not accept upgrades`);
  }

  private async upgradeRemoteCommand(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL, route: ContainerRoute, upgradeTo: string): Promise<void> {
    const exec = route.kind === 'exec';
    const parsed = parseRemoteCommandQuery(url.searchParams, exec);
    if (typeof parsed === 'string') throw badRequest(parsed);
    if (upgradeTo !== 'websocket' && upgradeTo !== 'spdy/3.1') throw badRequest(`unsupported upgrade "${upgradeTo}": exec and attach speak WebSocket or SPDY/3.1`);
    let spdyProtocol: string | undefined;
    if (upgradeTo === 'spdy/3.1') {
      const n = negotiateSpdyProtocol(req.headers['x-stream-protocol-version']);
      if ('code' in n) throw new KubeletHttpError(n.code, n.code === 403 ? 'Forbidden' : 'BadRequest', n.message);
      spdyProtocol = n.protocol;
    } else {
      const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim()).filter(Boolean);
      if (!negotiateProtocol(offered)) throw badRequest(`no supported WebSocket subprotocol in "${offered.join(', ')}" (want v5.channel.k8s.io or v4.channel.k8s.io)`);
    }
    const { pod, id } = await this.containerOf(route);
    if (!exec && parsed.stdin) throw badRequest('attach with stdin is not supported by this kubelet\'s runtime');
    const runtime = this.runtime;
    const start = exec ? () => startExec(runtime, id, parsed) : () => startAttach(runtime, id);
    const what = { pod: `${route.namespace}/${route.pod}`, uid: pod.podUid, container: route.container, kind: route.kind, protocol: spdyProtocol ?? 'websocket' };
    if (spdyProtocol) {
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${spdyProtocol}\r\n\r\n`);
      if (head.length) socket.unshift(head);
      this.track(route.kind, socket);
      this.log.debug(what, 'stream session');
      serveRemoteCommandSpdy(socket, spdyProtocol, parsed, start, this.log);
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.track(route.kind, socket);
      this.log.debug(what, 'stream session');
      void serveRemoteCommand(ws, ws.protocol, parsed, start, this.log);
    });
  }

  private async upgradePortForward(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    url: URL,
    route: Extract<KubeletRoute, { kind: 'portForward' }>,
    upgradeTo: string,
  ): Promise<void> {
    const pod = await this.resolve(route.namespace, route.pod);
    const runtime = this.runtime;
    const target: PortForwardTarget = { podFullName: `${route.pod}_${route.namespace}`, podUid: pod.podUid, host: () => podHost(runtime, pod.podUid) };
    if (upgradeTo === 'websocket') {
      const ports = parsePorts(url.searchParams);
      if (typeof ports === 'string') throw badRequest(ports);
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        this.track('portForward', socket);
        servePortForwardWebSocket(ws, ports, target, this.log);
      });
      return;
    }
    if (upgradeTo !== 'spdy/3.1') throw badRequest(`unsupported upgrade "${upgradeTo}": port forwarding speaks SPDY/3.1 or WebSocket`);
    const wanted = String(req.headers['x-stream-protocol-version'] ?? '').split(',').map((p) => p.trim());
    if (!wanted.includes(PORT_FORWARD_PROTOCOL)) throw new KubeletHttpError(403, 'Forbidden', `the client must offer the ${PORT_FORWARD_PROTOCOL} stream protocol`);
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${PORT_FORWARD_PROTOCOL}\r\n\r\n`);
    if (head.length) socket.unshift(head);
    this.track('portForward', socket);
    servePortForward(socket, target, this.log);
  }

  // ---- helpers -------------------------------------------------------------------------------

  private async resolve(namespace: string, name: string): Promise<ResolvedPod> {
    const pod = await this.opts.resolvePod(namespace, name);
    if (!pod) throw notFound(`pod "${namespace}/${name}" does not exist`);
    return pod;
  }

  private async containerOf(r: ContainerRoute, previous = false): Promise<{ pod: ResolvedPod; id: string }> {
    const pod = await this.resolve(r.namespace, r.pod);
    const c = pod.containers.get(r.container);
    if (!c) throw badRequest(`container "${r.container}" in pod "${r.pod}" is not available`);
    if (previous && !c.previousId) throw badRequest(`previous terminated container "${r.container}" in pod "${r.pod}" not found`);
    return { pod, id: previous ? c.previousId! : c.id };
  }

  /** Counts an open stream until its socket closes. */
  private track(type: string, socket: Duplex): void {
    this.streams.inc({ type });
    socket.once('close', () => this.streams.dec({ type }));
  }
}

function sendJson(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function startExec(runtime: Runtime, id: string, o: RemoteCommandOptions): Promise<StreamSession> {
  let s: ExecSession;
  try {
    s = await runtime.exec(id, o.command, { stdin: o.stdin, tty: o.tty });
  } catch (err) {
    if (isConflict(err)) throw badRequest(`container ${id.slice(0, 12)} is not running`);
    if (isNotFound(err)) throw notFound(`container ${id.slice(0, 12)} not found`);
    throw err;
  }
  return { stdin: s.stdin, stdout: s.stdout, stderr: s.stderr, exitCode: s.exitCode, resize: (w, h) => s.resize(w, h), close: () => s.close() };
}

/**
 * The runtime has no attach, so attach follows the container's output from now on (what
 * `kubectl attach` without -i shows) and ends when the container does.
 */
async function startAttach(runtime: Runtime, id: string): Promise<StreamSession> {
  const [stdout, stderr] = await Promise.all([
    runtime.logs(id, { follow: true, tailLines: 0, stream: 'stdout' }),
    runtime.logs(id, { follow: true, tailLines: 0, stream: 'stderr' }),
  ]);
  return {
    stdin: null,
    stdout,
    stderr,
    exitCode: null,
    resize: async () => undefined,
    close: () => {
      stdout.destroy();
      stderr.destroy();
    },
  };
}

/** Where the pod's ports are reachable from here: its sandbox's IP (loopback with hostNetwork). */
async function podHost(runtime: Runtime, podUid: string): Promise<string> {
  const sandboxes = await runtime.listPodSandboxes({ labelSelector: { [LABEL_POD_UID]: podUid }, state: 'ready' });
  if (!sandboxes.length) throw new Error('pod sandbox is not running');
  const newest = sandboxes.reduce((a, b) => (a.createdAt >= b.createdAt ? a : b));
  const status = await runtime.podSandboxStatus(newest.id);
  if (status.hostNetwork) return '127.0.0.1';
  if (!status.network.ip) throw new Error('pod sandbox has no IP');
  return status.network.ip;
}
