// A cross-process lock for tests that change shared host networking (kube-proxy's iptables
// chains, the service-range route, fixed NodePorts such as 30001, compose's ports). node's
// runner executes test files in parallel processes; two kube-proxies rewriting KUBE-SERVICES
// at once would break each other, so such tests hold this lock for their whole file.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const LOCK_DIR = join(tmpdir(), 'tskube-host-network.lock');

/** Whether a process with this pid exists (signal 0). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits (polling, with a deadline) until this process holds the lock; returns its release. */
export async function lockHostNetwork(timeoutMs = 15 * 60_000): Promise<() => Promise<void>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await mkdir(LOCK_DIR);
      await writeFile(join(LOCK_DIR, 'pid'), String(process.pid));
      let released = false;
      const release = async () => {
        if (released) return;
        released = true;
        await rm(LOCK_DIR, { recursive: true, force: true });
      };
      process.once('exit', () => {
        if (!released) void rm(LOCK_DIR, { recursive: true, force: true });
      });
      return release;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      // A holder that died without releasing (killed test run) must not block forever.
      const holder = Number(await readFile(join(LOCK_DIR, 'pid'), 'utf8').catch(() => '0'));
      if (holder && !alive(holder)) await rm(LOCK_DIR, { recursive: true, force: true });
    }
    if (Date.now() > deadline) throw new Error('timed out waiting for the host network lock');
    await new Promise((r) => setTimeout(r, 250));
  }
}
