// exec and attach over WebSocket, the channel.k8s.io protocols (v4 and v5): every binary
// message starts with a channel byte — 0 stdin, 1 stdout, 2 stderr, 3 status (a JSON
// metav1.Status when the command ends), 4 terminal resize; v5 adds 255 "close", whose second
// byte is the channel the client has finished writing (stdin: [255, 0]).
import type { Readable, Writable } from 'node:stream';
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';

export const CHANNEL_STDIN = 0;
export const CHANNEL_STDOUT = 1;
export const CHANNEL_STDERR = 2;
export const CHANNEL_ERROR = 3;
export const CHANNEL_RESIZE = 4;
export const CHANNEL_CLOSE = 255;

export const STREAM_PROTOCOL_V5 = 'v5.channel.k8s.io';
export const STREAM_PROTOCOL_V4 = 'v4.channel.k8s.io';
/** Best first. */
export const SUPPORTED_STREAM_PROTOCOLS = [STREAM_PROTOCOL_V5, STREAM_PROTOCOL_V4];

export interface RemoteCommandOptions {
  command: string[];
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

/** What a running exec or attach offers the protocol. */
export interface StreamSession {
  stdin: Writable | null;
  stdout: Readable | null;
  stderr: Readable | null;
  /** Resolves with the exit code (exec); null for attach, which ends with its output. */
  exitCode: Promise<number> | null;
  resize(width: number, height: number): Promise<void>;
  close(): void;
}

export interface Status {
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: { causes: Array<{ reason?: string; message: string }> };
  code?: number;
}

const truthy = (v: string | null): boolean => v === '1' || v === 'true';

/**
 * Options from the query: the kubelet's own names (`input`, `output`, `error`) and the
 * apiserver's (`stdin`, `stdout`, `stderr`) are both accepted. Returns a message when invalid.
 */
export function parseRemoteCommandQuery(q: URLSearchParams, requireCommand: boolean): RemoteCommandOptions | string {
  const opts: RemoteCommandOptions = {
    command: q.getAll('command'),
    stdin: truthy(q.get('input')) || truthy(q.get('stdin')),
    stdout: truthy(q.get('output')) || truthy(q.get('stdout')),
    stderr: truthy(q.get('error')) || truthy(q.get('stderr')),
    tty: truthy(q.get('tty')),
  };
  if (requireCommand && opts.command.length === 0) return 'you must specify at least one command for the container';
  if (!opts.stdin && !opts.stdout && !opts.stderr) return 'you must specify at least 1 of stdin, stdout, stderr';
  // With a TTY, stderr is merged into stdout (as the kubelet does).
  if (opts.tty && opts.stderr) opts.stderr = false;
  return opts;
}

/** The first offered protocol we speak, in the client's order of preference. */
export function negotiateProtocol(offered: readonly string[]): string | undefined {
  return offered.find((p) => SUPPORTED_STREAM_PROTOCOLS.includes(p));
}

export function successStatus(): Status {
  return { metadata: {}, status: 'Success' };
}

export function exitCodeStatus(command: readonly string[], code: number): Status {
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${command.join(' ')}], exit code ${code}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
  };
}

export function failureStatus(message: string, reason = 'InternalError', code = 500): Status {
  return { metadata: {}, status: 'Failure', message, reason, details: { causes: [{ message }] }, code };
}

export function channelFrame(channel: number, data: Buffer | string): Buffer {
  const body = typeof data === 'string' ? Buffer.from(data) : data;
  return Buffer.concat([Buffer.from([channel]), body]);
}

/** A resize message: `{"Width":80,"Height":24}`; undefined when malformed. */
export function parseResize(payload: Buffer): { width: number; height: number } | undefined {
  try {
    const v = JSON.parse(payload.toString('utf8')) as { Width?: unknown; Height?: unknown };
    const width = Number(v.Width);
    const height = Number(v.Height);
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 0 || height < 0) return undefined;
    return { width, height };
  } catch {
    return undefined;
  }
}

/** Past this much unsent data the output streams are paused until the socket catches up. */
const MAX_BUFFERED = 1024 * 1024;

/**
 * Runs one exec/attach over an accepted WebSocket: starts the session, relays the channels,
 * and finishes with a status on channel 3 and a normal close.
 */
export async function serveRemoteCommand(
  ws: WebSocket,
  protocol: string,
  opts: RemoteCommandOptions,
  start: () => Promise<StreamSession>,
  log: Logger,
): Promise<void> {
  const v5 = protocol === STREAM_PROTOCOL_V5;
  let finished = false;
  const finish = (status: Status) => {
    if (finished) return;
    finished = true;
    if (ws.readyState === ws.OPEN) {
      ws.send(channelFrame(CHANNEL_ERROR, JSON.stringify(status)));
      ws.close(1000);
    }
  };
  // Tell the client the streams are up: an empty message on the lowest channel it reads.
  ws.send(channelFrame(opts.stdout ? CHANNEL_STDOUT : opts.stderr ? CHANNEL_STDERR : CHANNEL_ERROR, Buffer.alloc(0)));

  // Listen before the session exists: a client sends stdin (and its close) right away.
  let session: StreamSession | undefined;
  const early: Buffer[] = [];
  const onMessage = (data: Buffer) => {
    if (!session) return void early.push(data);
    const channel = data[0]!;
    const payload = data.subarray(1);
    if (channel === CHANNEL_STDIN && session.stdin && !session.stdin.writableEnded) session.stdin.write(payload);
    else if (channel === CHANNEL_RESIZE && opts.tty) {
      const size = parseResize(payload);
      if (size) session.resize(size.width, size.height).catch((err: unknown) => log.debug({ err }, 'resize failed'));
    } else if (channel === CHANNEL_CLOSE && v5 && payload[0] === CHANNEL_STDIN) session.stdin?.end();
  };
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    if (isBinary && data.length > 0) onMessage(data);
  });
  ws.on('close', () => {
    if (!finished) session?.close();
    finished = true;
  });
  try {
    session = await start();
  } catch (err) {
    // Errors that carry an HTTP code and reason (the server's own) keep them.
    const e = err as Error & { code?: unknown; reason?: unknown };
    finish(typeof e.code === 'number' && typeof e.reason === 'string' ? failureStatus(e.message, e.reason, e.code) : failureStatus(e.message));
    return;
  }
  for (const m of early.splice(0)) onMessage(m);
  if (finished) {
    // The client went away while the session was starting.
    session.close();
    return;
  }
  const s = session;

  const relay = (stream: Readable | null, channel: number, wanted: boolean): Promise<void> =>
    new Promise((resolve) => {
      if (!stream) return resolve();
      stream.on('data', (chunk: Buffer) => {
        if (!wanted || ws.readyState !== ws.OPEN) return;
        ws.send(channelFrame(channel, chunk), () => {
          if (stream.isPaused() && ws.bufferedAmount < MAX_BUFFERED) stream.resume();
        });
        if (ws.bufferedAmount >= MAX_BUFFERED) stream.pause();
      });
      stream.once('end', () => resolve());
      stream.once('close', () => resolve());
      stream.once('error', () => resolve());
    });

  const outputs = Promise.all([relay(s.stdout, CHANNEL_STDOUT, opts.stdout), relay(s.stderr, CHANNEL_STDERR, opts.stderr)]);
  try {
    await outputs;
    const code = s.exitCode ? await s.exitCode : 0;
    finish(code === 0 ? successStatus() : exitCodeStatus(opts.command, code));
  } catch (err) {
    finish(failureStatus((err as Error).message));
  }
}
