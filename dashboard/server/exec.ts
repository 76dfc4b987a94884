// The exec terminal: the browser's WebSocket (`/api/exec?namespace=&pod=&container=&command=…`,
// session cookie, same Origin only) bridged to the apiserver's pods/exec WebSocket dialled with
// the session's token, tty on, stdin open (kubectl exec -it). Frames are translated by
// exec-frames.ts. A refusal by the apiserver reaches the browser as `{"type":"error","status"}`.
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Status } from 'kubernetes-types/meta/v1';
import WebSocket, { WebSocketServer, type RawData } from 'ws';
import { StatusError, errors } from '../../api/status.js';
import type { DashboardContext, UpgradeHandler } from './dashboard.js';
import { errorMessage, exitMessage, fromApiserver, fromBrowser } from './exec-frames.js';
import { statusFromBody } from './reply.js';
import type { Session } from './sessions.js';

const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export interface ExecTarget {
  namespace: string;
  pod: string;
  container?: string;
  command: string[];
}

/** The exec a URL asks for, or the Status to refuse it with. */
export function parseExecQuery(q: URLSearchParams): ExecTarget | StatusError {
  const namespace = q.get('namespace') ?? '';
  const pod = q.get('pod') ?? '';
  const container = q.get('container') ?? '';
  const command = q.getAll('command');
  if (!LABEL.test(namespace) || namespace.length > 63) return errors.badRequest(`invalid namespace ${JSON.stringify(namespace)}`);
  if (!SUBDOMAIN.test(pod) || pod.length > 253) return errors.badRequest(`invalid pod name ${JSON.stringify(pod)}`);
  if (container && (!LABEL.test(container) || container.length > 63)) return errors.badRequest(`invalid container name ${JSON.stringify(container)}`);
  if (command.length === 0 || command.some((c) => c.length === 0)) return errors.badRequest('you must specify at least one command for the container');
  return { namespace, pod, ...(container ? { container } : {}), command };
}

/** The apiserver's exec query: the command, tty with stdin (stderr is merged into the tty). */
export function execParams(t: ExecTarget): [string, string][] {
  return [...t.command.map((c): [string, string] => ['command', c]), ...(t.container ? [['container', t.container] as [string, string]] : []), ['stdin', 'true'], ['stdout', 'true'], ['tty', 'true']];
}

/** The browser page must come from the dashboard itself (a WebSocket is not covered by CORS). */
export function sameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  const host = req.headers.host;
  return !!origin && !!host && origin === `http://${host}`;
}

function refuse(socket: Socket, e: StatusError): void {
  const body = JSON.stringify(e.status);
  const reason = e.code === 401 ? 'Unauthorized' : e.code === 403 ? 'Forbidden' : e.code === 404 ? 'Not Found' : 'Bad Request';
  socket.end(`HTTP/1.1 ${e.code} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

export class ExecBridge implements UpgradeHandler {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 1 << 20 });
  private readonly open = new Set<WebSocket>();

  upgrade(c: DashboardContext, req: IncomingMessage, socket: Socket, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://dashboard.invalid');
    if (url.pathname !== '/api/exec') return refuse(socket, errors.notFound({ group: '', resource: '' }, url.pathname));
    const session = c.sessions.fromRequest(req);
    if (!session) return refuse(socket, errors.unauthorized());
    if (!sameOrigin(req)) return refuse(socket, errors.forbidden({ group: '', resource: '' }, '', 'the exec WebSocket must be opened by the dashboard\'s own page (Origin)'));
    const target = parseExecQuery(url.searchParams);
    if (target instanceof StatusError) return refuse(socket, target);
    this.wss.handleUpgrade(req, socket, head, (browser) => {
      this.track(browser);
      c.metrics.execs.inc();
      browser.once('close', () => c.metrics.execs.dec());
      this.bridge(c, session, target, browser);
    });
  }

  closeAll(): void {
    for (const ws of this.open) ws.terminate();
    this.wss.close();
  }

  private track(ws: WebSocket): void {
    this.open.add(ws);
    ws.once('close', () => this.open.delete(ws));
    ws.on('error', () => ws.terminate());
  }

  private bridge(c: DashboardContext, session: Session, t: ExecTarget, browser: WebSocket): void {
    const path = `/api/v1/namespaces/${t.namespace}/pods/${t.pod}/exec`;
    const upstream = new WebSocket(c.api.wsUrl(path, execParams(t)), ['v5.channel.k8s.io', 'v4.channel.k8s.io'], { headers: c.api.identity(session.token), ...c.api.tls() });
    this.track(upstream);
    const pending: Buffer[] = [];
    let ended = false;
    const finish = (message: string) => {
      if (ended) return;
      ended = true;
      if (browser.readyState === WebSocket.OPEN) browser.send(message, () => browser.close(1000));
      else browser.terminate();
      if (upstream.readyState === WebSocket.OPEN || upstream.readyState === WebSocket.CONNECTING) upstream.close();
    };
    browser.on('message', (data: RawData, isBinary: boolean) => {
      if (isBinary) return;
      const frame = fromBrowser(data.toString());
      if (!frame) return;
      if (upstream.readyState === WebSocket.OPEN) upstream.send(frame);
      else pending.push(frame);
    });
    browser.once('close', () => {
      ended = true;
      upstream.close();
    });
    upstream.once('open', () => {
      for (const f of pending.splice(0)) upstream.send(f);
    });
    upstream.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => finish(errorMessage(statusFromBody(res.statusCode ?? 500, body))));
      res.on('error', () => finish(errorMessage(statusFromBody(res.statusCode ?? 500, body))));
    });
    upstream.on('error', (e: Error) => {
      c.log.debug({ err: e, pod: t.pod }, 'exec connection to the apiserver failed');
      finish(errorMessage(errors.serviceUnavailable(`the apiserver is unavailable: ${(e as { code?: string }).code ?? e.message}`).status));
    });
    upstream.on('message', (data: Buffer) => {
      const f = fromApiserver(Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer));
      if (f.kind === 'output' && browser.readyState === WebSocket.OPEN) browser.send(f.data, { binary: true });
      else if (f.kind === 'exit') finish(exitMessage(f.status));
    });
    upstream.once('close', () => {
      const status: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'the exec stream ended without a status' };
      finish(exitMessage(status));
    });
  }
}
