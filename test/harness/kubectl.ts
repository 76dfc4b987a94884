// Runs the real kubectl 1.32 against a test apiserver, with a private HOME so its discovery
// cache never leaks between runs.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import type { RestConfig } from '../../client/rest.js';

export const KUBECTL = process.env.KUBECTL ?? '/usr/lib/google-cloud-sdk/bin/kubectl.1.32';
/** Debian's kubectl 1.20, unpacked by scripts/ensure-deps into the checkout (dist/test/harness/ → root). */
export const KUBECTL_1_20 =
  process.env.KUBECTL_1_20 ?? join(resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..'), '.tskube', 'tools', 'kubectl-1.20', 'usr', 'bin', 'kubectl');

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A kubeconfig for `target` (a RestConfig with its CA and credentials, or a bare server URL). */
export function kubeconfigFor(target: string | RestConfig, dir: string, namespace = 'default'): string {
  const c: RestConfig = typeof target === 'string' ? { server: target } : target;
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const path = join(dir, 'kubeconfig');
  const user: Record<string, string> = {
    ...(c.cert ? { 'client-certificate-data': b64(c.cert) } : {}),
    ...(c.key ? { 'client-key-data': b64(c.key) } : {}),
    ...(c.token ? { token: c.token } : {}),
    ...(c.username !== undefined ? { username: c.username, password: c.password ?? '' } : {}),
  };
  writeFileSync(
    path,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'tskube', cluster: { server: c.server, ...(c.ca ? { 'certificate-authority-data': b64(c.ca) } : {}) } }],
      contexts: [{ name: 'tskube', context: { cluster: 'tskube', user: 'tskube', namespace } }],
      'current-context': 'tskube',
      users: [{ name: 'tskube', user }],
    }),
  );
  return path;
}

/** `binary` defaults to kubectl 1.32; the kubectl 1.20 tests pass theirs. */
export function kubectlFor(target: string | RestConfig, binary: string = KUBECTL) {
  const home = mkdtempSync(join(tmpdir(), 'tskube-kubectl-'));
  const kubeconfig = kubeconfigFor(target, home);
  const env = { ...process.env, HOME: home, KUBECONFIG: kubeconfig, KUBECTL_KUBERC: 'false' };
  const run = (args: string[], input?: string, timeoutMs = 30_000): Promise<KubectlResult> =>
    new Promise((resolve, reject) => {
      const p = spawn(binary, args, { env, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      p.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
      p.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      const t = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
      p.on('error', reject);
      p.on('close', (code) => {
        clearTimeout(t);
        resolve({ code: code ?? -1, stdout, stderr });
      });
      if (p.stdin) {
        // kubectl may exit without reading its input (EPIPE): its exit code and output tell.
        p.stdin.on('error', () => undefined);
        p.stdin.end(input);
      }
    });
  /** Starts a long-running kubectl (e.g. `get -w`) and collects its output. */
  const start = (args: string[]): { proc: ChildProcess; output: () => string } => {
    const p = spawn(binary, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    return { proc: p, output: () => out };
  };
  return { run, start, home, kubeconfig, binary, env };
}
