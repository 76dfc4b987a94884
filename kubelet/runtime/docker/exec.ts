// exec on Docker: create the exec instance, hijack the connection of its start call (stdin
// one way, multiplexed stdout/stderr the other), then read the exit code from the exec's
// inspect once the stream has closed.
import { PassThrough, Writable, type Duplex } from 'node:stream';
import type { DockerClient } from './client.js';
import { demultiplex } from './stream.js';
import {
  ConflictError,
  DeadlineExceededError,
  RuntimeError,
  type ExecOptions,
  type ExecSession,
  type ExecSyncResult,
} from '../runtime.js';

interface ExecInspect {
  Running: boolean;
  ExitCode: number | null;
}

/** execSync keeps at most this much of each stream (what the CRI's message size allows). */
const MAX_EXEC_SYNC_OUTPUT = 16 * 1024 * 1024;

/**
 * Docker may close the stream a moment before it records the exit code, so the inspect is
 * retried briefly until the exec is no longer running.
 */
async function waitExitCode(client: DockerClient, execId: string): Promise<number> {
  const deadline = Date.now() + 10_000;
  for (let delay = 5; ; delay = Math.min(delay * 2, 200)) {
    const info = await client.request<ExecInspect>('GET', `/exec/${execId}/json`);
    if (info && !info.Running && info.ExitCode !== null) return info.ExitCode;
    if (Date.now() > deadline) throw new RuntimeError('Unknown', `exec ${execId}: no exit code after its stream closed`);
    await new Promise((r) => setTimeout(r, delay));
  }
}

export async function startExec(
  client: DockerClient,
  containerId: string,
  cmd: string[],
  options: ExecOptions = {},
): Promise<ExecSession> {
  const tty = options.tty ?? false;
  const execId = await createExec(client, containerId, cmd, options);
  const socket = await attachExec(client, containerId, execId, tty);
  const { stdout, stderr } = outputStreams(socket, tty);
  const stdin = options.stdin ? stdinWriter(socket) : null;

  const closed = new Promise<void>((resolve) => {
    if (socket.destroyed) resolve();
    else socket.once('close', () => resolve());
  });
  // Only a close() before Docker finished the stream leaves the exit code unknown.
  let detached = false;
  let remoteEnded = false;
  socket.once('end', () => {
    remoteEnded = true;
  });
  const exitCode = closed.then(() => {
    if (detached) throw new RuntimeError('Unknown', `exec ${execId}: detached before it exited`);
    return waitExitCode(client, execId);
  });
  // Callers that only care about the output must not crash the process with an unhandled rejection.
  exitCode.catch(() => undefined);

  return {
    stdin,
    stdout,
    stderr,
    exitCode,
    async resize(width: number, height: number) {
      await client.request('POST', `/exec/${execId}/resize`, { query: { w: width, h: height } });
    },
    close() {
      if (!remoteEnded) detached = true;
      socket.destroy();
    },
  };
}

/** POST /containers/{id}/exec: the exec instance's id. */
async function createExec(client: DockerClient, containerId: string, cmd: string[], options: ExecOptions): Promise<string> {
  const created = await client.request<{ Id: string }>('POST', `/containers/${containerId}/exec`, {
    body: {
      Cmd: cmd,
      AttachStdin: options.stdin ?? false,
      AttachStdout: true,
      AttachStderr: true,
      Tty: options.tty ?? false,
      ...(options.env?.length ? { Env: options.env.map((e) => `${e.key}=${e.value}`) } : {}),
      ...(options.workingDir ? { WorkingDir: options.workingDir } : {}),
      ...(options.user ? { User: options.user } : {}),
    },
  });
  if (!created) throw new RuntimeError('Unknown', `exec in ${containerId}: docker returned no exec id`);
  return created.Id;
}

/** Starts the exec on a hijacked connection. */
async function attachExec(client: DockerClient, containerId: string, execId: string, tty: boolean): Promise<Duplex> {
  try {
    return await client.upgrade(`/exec/${execId}/start`, { Detach: false, Tty: tty });
  } catch (err) {
    // Most likely the container stopped (or went away) since the exec was created.
    const c = await client.request<{ State: { Running: boolean } }>('GET', `/containers/${containerId}/json`);
    if (c && !c.State.Running) throw new ConflictError(`container ${containerId} is not running`);
    throw err;
  }
}

function outputStreams(socket: Duplex, tty: boolean): { stdout: PassThrough; stderr: PassThrough } {
  if (!tty) return demultiplex(socket);
  // A TTY has one output stream and no framing.
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  socket.pipe(stdout);
  stderr.end();
  return { stdout, stderr };
}

function stdinWriter(socket: Duplex): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      socket.write(chunk, (err) => done(err ?? null));
    },
    // Half-close: Docker then closes the process's stdin while output keeps flowing back.
    final(done) {
      socket.end();
      done();
    },
    destroy(err, done) {
      done(err);
    },
  });
}

function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on('data', (c: Buffer) => {
      if (size >= MAX_EXEC_SYNC_OUTPUT) return;
      const room = MAX_EXEC_SYNC_OUTPUT - size;
      const part = c.length > room ? c.subarray(0, room) : c;
      chunks.push(part);
      size += part.length;
    });
    stream.once('end', () => resolve(Buffer.concat(chunks)));
    stream.once('error', reject);
  });
}

export async function execSync(
  client: DockerClient,
  containerId: string,
  cmd: string[],
  timeoutSeconds: number,
): Promise<ExecSyncResult> {
  const session = await startExec(client, containerId, cmd);
  const run = Promise.all([collect(session.stdout), collect(session.stderr), session.exitCode]).then(
    ([stdout, stderr, exitCode]) => ({ stdout, stderr, exitCode }),
  );
  if (!timeoutSeconds || timeoutSeconds <= 0) return run;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      // The process is left to finish on its own, as with the CRI's ExecSync timeout.
      session.close();
      reject(new DeadlineExceededError(`command ${JSON.stringify(cmd)} timed out after ${timeoutSeconds}s`));
    }, timeoutSeconds * 1000);
  });
  run.catch(() => undefined);
  try {
    return await Promise.race([run, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
