// Port forwarding over SPDY (the portforward.k8s.io protocol, as kubectl speaks it): for
// every local connection the client opens an "error" stream and a "data" stream with the same
// `requestid` and the pod port in `port`. The kubelet connects to that port in the pod and
// copies bytes both ways; a failure is written as text to the error stream. Both streams are
// closed when the pod side is done.
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { SpdySession, type SpdyStream } from './spdy-session.js';
import { headerValue, RstStatus } from './spdy.js';

export const PORT_FORWARD_PROTOCOL = 'portforward.k8s.io';

export interface PortForwardTarget {
  /** `name_namespace`, as the kubelet names pods in messages. */
  podFullName: string;
  podUid: string;
  /** Where the pod's ports are reachable from the kubelet (the pod IP, or 127.0.0.1 with hostNetwork). */
  host(): Promise<string>;
}

interface StreamPair {
  port: number;
  data?: SpdyStream;
  error?: SpdyStream;
}

/** What a port-forward stream asks for, or why it is refused. Pure. */
export function parseStreamHeaders(
  id: number,
  get: (name: string) => string | undefined,
): { type: 'data' | 'error'; port: number; requestId: string } | { problem: string } {
  const type = get('streamtype');
  if (type !== 'data' && type !== 'error') return { problem: `invalid stream type ${JSON.stringify(type ?? '')}` };
  const portText = get('port') ?? '';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port < 1 || port > 65535) return { problem: `invalid port ${JSON.stringify(portText)}` };
  // Clients older than requestid paired streams by id: error stream first, data stream next (+2).
  const requestId = get('requestid') ?? String(type === 'data' ? id - 2 : id);
  return { type, port, requestId };
}

/** Serves one port-forward session on `transport`; resolves when the session has closed. */
export function servePortForward(transport: Duplex, target: PortForwardTarget, log: Logger): { session: SpdySession; closed: Promise<void> } {
  const session = new SpdySession(transport);
  const pairs = new Map<string, StreamPair>();
  const closed = new Promise<void>((resolve) => session.once('close', () => resolve()));
  session.on('error', (err) => log.debug({ err }, 'port-forward session error'));

  session.on('stream', (stream) => {
    stream.on('error', (err) => log.debug({ stream: stream.id, err }, 'port-forward stream error'));
    const req = parseStreamHeaders(stream.id, (n) => headerValue(stream.headers, n));
    if ('problem' in req) {
      log.debug({ stream: stream.id, problem: req.problem }, 'port-forward stream refused');
      session.reset(stream.id, RstStatus.ProtocolError);
      stream.destroy();
      return;
    }
    const pair = pairs.get(req.requestId) ?? { port: req.port };
    pair[req.type] = stream;
    pairs.set(req.requestId, pair);
    if (pair.data && pair.error) {
      pairs.delete(req.requestId);
      void forward(pair.port, pair.data, pair.error, target, log);
    }
  });
  return { session, closed };
}

async function forward(port: number, data: SpdyStream, error: SpdyStream, target: PortForwardTarget, log: Logger): Promise<void> {
  // The client never writes to the error stream; drain it so its FIN is seen.
  error.resume();
  const fail = (err: Error) => {
    const message = `error forwarding port ${port} to pod ${target.podFullName}, uid ${target.podUid}: ${err.message}`;
    log.debug({ port, err }, 'port-forward failed');
    error.end(message);
    data.end();
  };
  let host: string;
  try {
    host = await target.host();
  } catch (err) {
    return fail(err as Error);
  }
  const socket = connect({ host, port });
  let connected = false;
  socket.once('connect', () => {
    connected = true;
    data.pipe(socket);
    socket.pipe(data);
  });
  socket.on('error', (err) => {
    if (!connected) fail(err);
    else data.destroy();
  });
  socket.once('close', () => {
    if (!data.writableEnded && !data.destroyed) data.end();
    if (!error.writableEnded && !error.destroyed) error.end();
  });
  data.on('error', () => socket.destroy());
  // Closed before the client finished sending (a reset, the session going away): drop the pod side.
  data.once('close', () => {
    if (!socket.writableEnded) socket.destroy();
  });
}
