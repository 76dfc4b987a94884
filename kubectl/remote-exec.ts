// A command run in a container as streams, for commands that drive a remote process
// programmatically (cp runs tar): pods/exec over the channel protocol (openChannel), with
// stdout/stderr as Readables that push back on the WebSocket, stdin as a Writable whose end
// is v5's close message, and the outcome from the status channel.
import { PassThrough, Writable, type Readable } from 'node:stream';
import type { Status } from 'kubernetes-types/meta/v1';
import type WebSocket from 'ws';
import { CLOSE, ERROR, STDERR, STDIN, STDOUT, exitCodeFromStatus, openChannel } from './channel.js';
import { CliError } from './errors.js';
import type { Factory } from './factory.js';
import { objectPath } from './fetch.js';
import { resolveType } from './resource-args.js';

export interface RemoteExecTarget {
  namespace: string;
  pod: string;
  container: string;
}

export interface RemoteExec {
  stdout: Readable;
  stderr: Readable;
  /** Present when asked for; ending it tells the command its input is over. */
  stdin: Writable | undefined;
  /** The exit code (0 on success), or the error that ended the session. */
  done: Promise<{ code: number; error?: Error }>;
}

export async function remoteExec(f: Factory, target: RemoteExecTarget, command: string[], opts: { stdin?: boolean } = {}): Promise<RemoteExec> {
  const params: [string, string][] = [...command.map((c): [string, string] => ['command', c]), ['container', target.container], ['stdout', 'true'], ['stderr', 'true']];
  if (opts.stdin) params.push(['stdin', 'true']);
  const path = objectPath(resolveType('pods'), target.namespace, target.pod, 'exec');
  const ws = await openChannel(f, path, params, ['v5.channel.k8s.io', 'v4.channel.k8s.io']);
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let result: { code: number; error?: Error } = { code: 0 };
  ws.on('message', (data: Buffer) => {
    if (data.length === 0) return;
    const payload = data.subarray(1);
    const out = data[0] === STDOUT ? stdout : data[0] === STDERR ? stderr : undefined;
    if (out) {
      // A slow reader (the local tar extractor, a file) pauses the socket.
      if (!out.write(payload) && !ws.isPaused) {
        ws.pause();
        out.once('drain', () => ws.resume());
      }
    } else if (data[0] === ERROR && payload.length > 0) {
      try {
        result = exitCodeFromStatus(JSON.parse(payload.toString()) as Status);
      } catch {
        result = { code: 1, error: new CliError(payload.toString()) };
      }
    }
  });
  const done = new Promise<{ code: number; error?: Error }>((resolve) => {
    ws.once('error', (err) => (result = { code: 1, error: err }));
    ws.once('close', () => {
      stdout.end();
      stderr.end();
      resolve(result);
    });
  });
  return { stdout, stderr, stdin: opts.stdin ? stdinWriter(ws) : undefined, done };
}

/** Each write is one stdin message, acknowledged once the socket took it; the end is v5's close of stdin. */
function stdinWriter(ws: WebSocket): Writable {
  const open = () => ws.readyState === ws.OPEN;
  return new Writable({
    write(chunk: Buffer, _enc, cb) {
      if (!open()) return cb();
      ws.send(Buffer.concat([Buffer.from([STDIN]), chunk]), (err) => cb(err ?? null));
    },
    final(cb) {
      if (!open() || ws.protocol !== 'v5.channel.k8s.io') return cb();
      ws.send(Buffer.from([CLOSE, STDIN]), (err) => cb(err ?? null));
    },
  });
}
