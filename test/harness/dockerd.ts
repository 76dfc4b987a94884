// Restarting the host's dockerd the way it was started here (scripts/ensure-deps: `setsid
// dockerd` with its output appended to a log; no systemd): SIGTERM, wait for the process to
// exit, start the same command line again with the same environment, working directory and
// log, wait for /_ping. Disruptive for every Docker user on the host: only *.disruptive.test
// files (run alone by scripts/run-tests.mjs) and the chaos harness call it.
import { spawn } from 'node:child_process';
import { openSync, closeSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { Agent, request } from 'undici';

export interface DockerdCommand {
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  log: string;
}

const SOCKET = '/var/run/docker.sock';

/** The running dockerd's pid, or undefined. */
export function dockerdPid(): number | undefined {
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/comm`, 'utf8').trim() === 'dockerd') return Number(name);
    } catch {
      // Gone while we looked.
    }
  }
  return undefined;
}

/** How the running dockerd was started: its command line, environment, directory and log. */
export function dockerdCommand(pid: number): DockerdCommand {
  const split = (f: string) => readFileSync(`/proc/${pid}/${f}`, 'utf8').split('\0').filter(Boolean);
  const env = Object.fromEntries(split('environ').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
  let log = '/var/log/tskube-dockerd.log';
  try {
    const out = readlinkSync(`/proc/${pid}/fd/1`);
    if (out.startsWith('/')) log = out;
  } catch {
    // Keep the default log.
  }
  return { argv: split('cmdline'), env, cwd: readlinkSync(`/proc/${pid}/cwd`), log };
}

export async function dockerPing(): Promise<boolean> {
  const agent = new Agent({ connect: { socketPath: SOCKET } });
  try {
    const res = await request('http://localhost/_ping', { dispatcher: agent, headersTimeout: 2000, bodyTimeout: 2000 });
    return res.statusCode === 200 && (await res.body.text()) === 'OK';
  } catch {
    return false;
  } finally {
    await agent.close();
  }
}

async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Starts dockerd (detached, its own session, as ensure-deps does) and waits for /_ping. */
export async function startDockerd(cmd: DockerdCommand, timeoutMs = 60_000): Promise<void> {
  const fd = openSync(cmd.log, 'a');
  try {
    // The captured environment may lack PATH (a dockerd started from a bare environment): both
    // setsid and a relative `dockerd` are looked up on it, so it is always there.
    const env = { ...cmd.env, PATH: cmd.env['PATH'] ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' };
    const child = spawn('/usr/bin/setsid', cmd.argv, { cwd: cmd.cwd, env, detached: true, stdio: ['ignore', fd, fd] });
    child.unref();
  } finally {
    closeSync(fd);
  }
  await until('dockerd to answer /_ping', dockerPing, timeoutMs);
}

/**
 * SIGTERM, wait for exit, stay down `holdMs` more (the Docker API gone for a while, not just a
 * blip), start again. Returns how long it was down (ms).
 */
export async function restartDockerd(holdMs = 0, timeoutMs = 90_000): Promise<{ cmd: DockerdCommand; downMs: number }> {
  const pid = dockerdPid();
  if (!pid) throw new Error('no dockerd is running');
  const cmd = dockerdCommand(pid);
  const t0 = Date.now();
  process.kill(pid, 'SIGTERM');
  await until(`dockerd (pid ${pid}) to exit`, () => dockerdPid() !== pid, timeoutMs);
  await new Promise((r) => setTimeout(r, holdMs));
  await startDockerd(cmd);
  return { cmd, downMs: Date.now() - t0 };
}

/** For a finally: dockerd answers, started again from `cmd` if it does not. */
export async function ensureDockerd(cmd: DockerdCommand | undefined): Promise<void> {
  if (await dockerPing()) return;
  const pid = dockerdPid();
  if (pid) await until('the running dockerd to answer', dockerPing, 60_000).catch(() => undefined);
  if (await dockerPing()) return;
  await startDockerd(cmd ?? { argv: ['dockerd'], env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin' }, cwd: '/', log: '/var/log/tskube-dockerd.log' });
}
