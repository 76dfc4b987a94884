// exec and attach over SPDY/3.1, the transport of kubectl before 1.30 (and of 1.30+ with
// KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false or as its fallback), as the kubelet's
// remotecommand/httpstream.go serves it: the client names the stream protocol in
// X-Stream-Protocol-Version, then opens one SPDY stream per purpose, each carrying a
// `streamType` header (error, stdin, stdout, stderr, resize). Once every expected stream is
// there the command runs; its outcome goes on the error stream — a JSON metav1.Status in v4,
// the failure message as text in v2/v3 — and the connection is closed.
import type { Duplex, Readable } from 'node:stream';
import type { Logger } from 'pino';
import { SpdySession, type SpdyStream } from './spdy-session.js';
import { headerValue } from './spdy.js';
import { exitCodeStatus, failureStatus, parseResize, successStatus, type RemoteCommandOptions, type Status, type StreamSession } from './remotecommand.js';

export const STREAM_PROTOCOL_V4 = 'v4.channel.k8s.io';
export const STREAM_PROTOCOL_V3 = 'v3.channel.k8s.io';
export const STREAM_PROTOCOL_V2 = 'v2.channel.k8s.io';
/** Best first (the kubelet also keeps v1, which no kubectl since 1.4 needs). */
export const SPDY_STREAM_PROTOCOLS = [STREAM_PROTOCOL_V4, STREAM_PROTOCOL_V3, STREAM_PROTOCOL_V2];

/** How long the client has to open its streams (the kubelet's streamCreationTimeout default). */
export const STREAM_CREATION_TIMEOUT_MS = 30_000;

export type StreamType = 'error' | 'stdin' | 'stdout' | 'stderr' | 'resize';
const STREAM_TYPES: readonly string[] = ['error', 'stdin', 'stdout', 'stderr', 'resize'];

/**
 * The protocol to speak: the first one the client offers that we accept (apimachinery's
 * httpstream.Handshake). The header may be repeated or comma-joined. Pure.
 */
export function negotiateSpdyProtocol(header: string | string[] | undefined): { protocol: string } | { code: 400 | 403; message: string } {
  const offered = ([] as string[]).concat(header ?? []).flatMap((h) => h.split(',')).map((p) => p.trim()).filter(Boolean);
  if (offered.length === 0) return { code: 400, message: 'unable to upgrade: X-Stream-Protocol-Version is required' };
  const protocol = offered.find((p) => SPDY_STREAM_PROTOCOLS.includes(p));
  if (protocol) return { protocol };
  return { code: 403, message: `unable to upgrade: unable to negotiate protocol: client supports [${offered.join(' ')}], server accepts [${SPDY_STREAM_PROTOCOLS.join(' ')}]` };
}

/** The streams a session waits for: error always, the requested ones, resize with a TTY from v3 on. Pure. */
export function expectedStreams(opts: RemoteCommandOptions, protocol: string): Set<StreamType> {
  const want = new Set<StreamType>(['error']);
  if (opts.stdin) want.add('stdin');
  if (opts.stdout) want.add('stdout');
  if (opts.stderr) want.add('stderr');
  if (opts.tty && protocol !== STREAM_PROTOCOL_V2) want.add('resize');
  return want;
}

export function streamTypeOf(stream: { headers: Record<string, string[]> }): StreamType | undefined {
  const t = headerValue(stream.headers, 'streamtype');
  return t !== undefined && STREAM_TYPES.includes(t) ? (t as StreamType) : undefined;
}

/** What the error stream carries at the end: v4 every status as JSON; v2/v3 only a failure's message. Pure. */
export function encodeStatus(protocol: string, status: Status): Buffer | undefined {
  if (protocol === STREAM_PROTOCOL_V4) return Buffer.from(JSON.stringify(status));
  return status.status === 'Success' ? undefined : Buffer.from(status.message ?? 'unknown error');
}

/**
 * The resize stream is a sequence of JSON objects with nothing between them (Go's
 * json.Encoder on one side, json.Decoder on the other): cut it into whole objects. A
 * TerminalSize has no strings, so counting braces is enough; hand-written because it is
 * specific to this wire format.
 */
export class TerminalSizeDecoder {
  private pending = '';

  push(chunk: Buffer): Array<{ width: number; height: number }> {
    this.pending += chunk.toString('utf8');
    const out: Array<{ width: number; height: number }> = [];
    let depth = 0;
    let start = -1;
    let consumed = 0;
    for (let i = 0; i < this.pending.length; i++) {
      const c = this.pending[i];
      if (c === '{') {
        if (depth === 0) start = i;
        depth++;
      } else if (c === '}' && depth > 0 && --depth === 0) {
        const size = parseResize(Buffer.from(this.pending.slice(start, i + 1)));
        if (size) out.push(size);
        consumed = i + 1;
      }
    }
    // Bytes outside any object are dropped; an unfinished object waits for the next chunk.
    this.pending = depth > 0 ? this.pending.slice(start) : this.pending.slice(consumed).replace(/^[^{]*/, '');
    if (this.pending.length > 4096) this.pending = '';
    return out;
  }
}

export interface SpdyRemoteCommand {
  session: SpdySession;
  closed: Promise<void>;
}

/**
 * Serves one exec/attach on an upgraded `transport` (the 101 already written): waits for the
 * client's streams, starts the command, relays, reports the outcome and closes.
 */
export function serveRemoteCommandSpdy(
  transport: Duplex,
  protocol: string,
  opts: RemoteCommandOptions,
  start: () => Promise<StreamSession>,
  log: Logger,
  streamTimeoutMs = STREAM_CREATION_TIMEOUT_MS,
): SpdyRemoteCommand {
  const session = new SpdySession(transport);
  const closed = new Promise<void>((resolve) => session.once('close', () => resolve()));
  session.on('error', (err) => log.debug({ err }, 'remotecommand session error'));
  const want = expectedStreams(opts, protocol);
  const streams = new Map<StreamType, SpdyStream>();
  const timer = setTimeout(() => {
    log.debug({ got: [...streams.keys()], want: [...want] }, 'timed out waiting for client to create streams');
    session.close();
  }, streamTimeoutMs);
  timer.unref();
  session.once('close', () => clearTimeout(timer));

  session.on('stream', (stream) => {
    stream.on('error', (err) => log.debug({ stream: stream.id, err }, 'remotecommand stream error'));
    const type = streamTypeOf(stream);
    if (!type || !want.has(type) || streams.has(type)) {
      log.debug({ stream: stream.id, type }, 'unexpected remotecommand stream');
      stream.destroy();
      return;
    }
    streams.set(type, stream);
    if (streams.size === want.size) {
      clearTimeout(timer);
      void run(session, protocol, opts, streams, start, log);
    }
  });
  return { session, closed };
}

async function run(
  session: SpdySession,
  protocol: string,
  opts: RemoteCommandOptions,
  streams: Map<StreamType, SpdyStream>,
  start: () => Promise<StreamSession>,
  log: Logger,
): Promise<void> {
  const errorStream = streams.get('error')!;
  // The client never writes to the error and output streams: read them so their FINs are seen.
  for (const t of ['error', 'stdout', 'stderr'] as const) streams.get(t)?.resume();
  const finish = (status: Status) => {
    const body = encodeStatus(protocol, status);
    if (errorStream.destroyed) return session.shutdown();
    const done = () => session.shutdown();
    errorStream.once('finish', done);
    errorStream.once('close', done);
    errorStream.end(body);
  };
  let s: StreamSession;
  try {
    s = await start();
  } catch (err) {
    // Errors that carry an HTTP code and reason (the kubelet's own) keep them.
    const e = err as Error & { code?: unknown; reason?: unknown };
    await Promise.all([relay(null, streams.get('stdout')), relay(null, streams.get('stderr'))]);
    finish(typeof e.code === 'number' && typeof e.reason === 'string' ? failureStatus(e.message, e.reason, e.code) : failureStatus(e.message));
    return;
  }
  session.once('close', () => s.close());
  const stdin = streams.get('stdin');
  if (stdin && s.stdin) stdin.pipe(s.stdin);
  else stdin?.resume();
  const resize = streams.get('resize');
  if (resize) {
    const decoder = new TerminalSizeDecoder();
    resize.on('data', (chunk: Buffer) => {
      for (const size of decoder.push(chunk)) s.resize(size.width, size.height).catch((err: unknown) => log.debug({ err }, 'resize failed'));
    });
  }
  try {
    await Promise.all([relay(s.stdout, streams.get('stdout')), relay(s.stderr, streams.get('stderr'))]);
    const code = s.exitCode ? await s.exitCode : 0;
    finish(code === 0 ? successStatus() : exitCodeStatus(opts.command, code));
  } catch (err) {
    finish(failureStatus((err as Error).message));
  }
}

/**
 * Copies a command's output to its stream and resolves once the stream's FIN is queued (so the
 * GOAWAY that follows cannot overtake it); output nobody asked for is drained.
 */
function relay(from: Readable | null, to: SpdyStream | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (to) {
      to.once('finish', () => resolve());
      to.once('close', () => resolve());
    }
    if (!from) {
      if (to) to.end();
      else resolve();
      return;
    }
    if (to) from.pipe(to);
    else from.resume();
    const ended = () => {
      if (!to) resolve();
      else if (!to.writableEnded) to.end();
    };
    from.once('end', ended);
    // Destroyed without an end (the session closed it): pipe will not end the stream.
    from.once('close', ended);
    from.once('error', ended);
  });
}
