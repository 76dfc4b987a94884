// The cluster's processes as scripts/up left them: pid files in $STATE/pids/<name>. Signals,
// liveness, the restart (scripts/up again: it starts only what is not running), dockerd, and
// the iptables rule that cuts one kubelet (by its group id) off the apiserver port.
import { execFile, spawn, spawnSync } from 'node:child_process';
import { existsSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sleep } from './clients.js';

const exec = promisify(execFile);
export const ROOT = new URL('../../..', import.meta.url).pathname.replace(/\/$/, '');

export function pidOf(state: string, name: string): number | undefined {
  const f = join(state, 'pids', name);
  if (!existsSync(f)) return undefined;
  const pid = Number(readFileSync(f, 'utf8').trim());
  return pid > 0 ? pid : undefined;
}

export function alive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie (exited, not yet reaped) is not running.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '');
  return !stat.startsWith('Z');
}

export function signal(state: string, name: string, sig: NodeJS.Signals): number {
  const pid = pidOf(state, name);
  if (!pid) throw new Error(`no pid file for ${name}`);
  process.kill(pid, sig);
  return pid;
}

/** Waits until the process is gone (kill -9 is not instantaneous for a busy process). */
export async function waitGone(pid: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (alive(pid) && Date.now() < deadline) await sleep(50);
}

/** Runs scripts/up with the cluster's environment; it restarts whatever is not running. */
export async function runUp(env: NodeJS.ProcessEnv, args: string[] = [], timeoutMs = 240_000): Promise<string> {
  return runScript(join(ROOT, 'scripts/up'), args, { ...env, TSKUBE_SKIP_BUILD: '1' }, timeoutMs);
}

export function runScript(cmd: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const t = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('close', (code) => {
      clearTimeout(t);
      if (code === 0) resolve(out);
      else reject(new Error(`${cmd} ${args.join(' ')} exited ${code}:\n${out.slice(-3000)}`));
    });
  });
}

async function dockerPing(): Promise<boolean> {
  return exec('curl', ['-s', '--max-time', '2', '--unix-socket', '/var/run/docker.sock', 'http://localhost/_ping']).then(
    (r) => r.stdout.includes('OK'),
    () => false,
  );
}

/** Stops dockerd (SIGTERM, as systemctl does) and starts it again as scripts/ensure-deps does. */
export async function restartDockerd(): Promise<void> {
  const { stdout } = await exec('pgrep', ['-x', 'dockerd']);
  const pid = Number(stdout.trim().split('\n')[0]);
  if (!pid) throw new Error('dockerd is not running');
  process.kill(pid, 'SIGTERM');
  await waitGone(pid, 60_000);
  if (alive(pid)) throw new Error('dockerd did not stop within 60 s');
  const log = openSync('/var/log/tskube-dockerd.log', 'a');
  spawn('dockerd', [], { detached: true, stdio: ['ignore', log, log] }).unref();
  const deadline = Date.now() + 60_000;
  while (!(await dockerPing())) {
    if (Date.now() > deadline) throw new Error('dockerd did not come back within 60 s');
    await sleep(250);
  }
}

function partitionRule(port: number, gid: number): string[] {
  return ['OUTPUT', '-o', 'lo', '-p', 'tcp', '--dport', String(port), '-m', 'owner', '--gid-owner', String(gid), '-j', 'DROP'];
}

/**
 * Undos that must run even when the harness is interrupted (Ctrl-C): a SIGSTOPped apiserver
 * left stopped or an iptables rule left in place would break the user's cluster.
 */
export const pendingUndos = new Set<() => void>();

export function runPendingUndos(): void {
  for (const u of pendingUndos) {
    try {
      u();
    } catch {
      // best effort: the process is exiting
    }
  }
  pendingUndos.clear();
}

/** Drops the kubelet's packets to the apiserver port (loopback only); returns the undo. */
export async function partition(port: number, gid: number): Promise<() => Promise<void>> {
  await exec('iptables', ['-w', '-I', ...partitionRule(port, gid)]);
  let undone = false;
  const sync = (): void => {
    for (let i = 0; i < 10; i++) if (spawnSync('iptables', ['-w', '-D', ...partitionRule(port, gid)]).status !== 0) break;
  };
  pendingUndos.add(sync);
  return async () => {
    if (undone) return;
    undone = true;
    pendingUndos.delete(sync);
    // -D until it is gone: never leave the rule behind.
    while (await exec('iptables', ['-w', '-D', ...partitionRule(port, gid)]).then(() => true, () => false));
  };
}
