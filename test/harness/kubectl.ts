// Runs the real kubectl 1.32 against a test apiserver, with a private HOME so its discovery
// cache never leaks between runs.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const KUBECTL = process.env.KUBECTL ?? '/usr/lib/google-cloud-sdk/bin/kubectl.1.32';

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function kubeconfigFor(server: string, dir: string, namespace = 'default'): string {
  const path = join(dir, 'kubeconfig');
  writeFileSync(
    path,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: tskube',
      '  cluster:',
      `    server: ${server}`,
      'contexts:',
      '- name: tskube',
      '  context:',
      '    cluster: tskube',
      '    user: tskube',
      `    namespace: ${namespace}`,
      'current-context: tskube',
      'users:',
      '- name: tskube',
      '  user: {}',
      '',
    ].join('\n'),
  );
  return path;
}

export function kubectlFor(server: string) {
  const home = mkdtempSync(join(tmpdir(), 'tskube-kubectl-'));
  const kubeconfig = kubeconfigFor(server, home);
  const env = { ...process.env, HOME: home, KUBECONFIG: kubeconfig, KUBECTL_KUBERC: 'false' };
  const run = (args: string[], input?: string, timeoutMs = 30_000): Promise<KubectlResult> =>
    new Promise((resolve, reject) => {
      const p = spawn(KUBECTL, args, { env, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
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
    const p = spawn(KUBECTL, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    return { proc: p, output: () => out };
  };
  return { run, start, home, kubeconfig };
}
