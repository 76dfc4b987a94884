// Where a command reads and writes: the process's streams in `kc`, strings in tests. Every
// command gets one IOStreams, so the whole CLI runs in-process against a test apiserver.
import { PassThrough, Readable, type Writable } from 'node:stream';
import { homedir } from 'node:os';

export interface IOStreams {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  /** stdin is a terminal (exec -t raw mode, edit). */
  stdinIsTTY: boolean;
  /** stdout is a terminal (`create token` then ends the token with a newline). */
  stdoutIsTTY?: boolean;
  /** Where a pod's service account credentials are (tests point it elsewhere). */
  serviceAccountDir?: string;
  env: NodeJS.ProcessEnv;
  home: string;
  cwd: string;
  /** Ends long-running commands (port-forward) in-process; a real kc stops on SIGINT. */
  signal?: AbortSignal;
}

export function processIO(): IOStreams {
  return {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    stdinIsTTY: !!process.stdin.isTTY,
    stdoutIsTTY: !!process.stdout.isTTY,
    env: process.env,
    home: homedir(),
    cwd: process.cwd(),
  };
}

export interface CapturedIO extends IOStreams {
  out(): string;
  err(): string;
}

/** Streams that collect what is written; `input` becomes stdin. */
export function captureIO(
  opts: { input?: string; env?: NodeJS.ProcessEnv; home?: string; cwd?: string; signal?: AbortSignal; serviceAccountDir?: string } = {},
): CapturedIO {
  let out = '';
  let err = '';
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  return {
    stdin: Readable.from(opts.input !== undefined ? [Buffer.from(opts.input)] : []),
    stdout,
    stderr,
    stdinIsTTY: false,
    env: opts.env ?? {},
    home: opts.home ?? '/nonexistent',
    cwd: opts.cwd ?? process.cwd(),
    signal: opts.signal,
    ...(opts.serviceAccountDir ? { serviceAccountDir: opts.serviceAccountDir } : {}),
    out: () => out,
    err: () => err,
  };
}

/** Writes and resolves once the stream accepted the bytes (so output order holds across awaits). */
export function write(stream: Writable, text: string): Promise<void> {
  return new Promise((resolve) => {
    if (text === '') return resolve();
    if (stream.write(text)) resolve();
    else stream.once('drain', resolve);
  });
}

export async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}
