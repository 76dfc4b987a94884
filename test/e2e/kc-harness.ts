// Runs kc in-process against a test apiserver, with the same private kubeconfig the real
// kubectl gets from test/harness/kubectl.ts, so their outputs can be compared byte for byte.
import { runKc } from '../../kubectl/cli.js';
import { captureIO } from '../../kubectl/io.js';
import { kubectlFor, type KubectlResult } from '../harness/kubectl.js';
import type { RestConfig } from '../../client/rest.js';

export interface KcPair {
  kc(args: string[], opts?: { input?: string; env?: NodeJS.ProcessEnv; signal?: AbortSignal }): Promise<KubectlResult>;
  /** Starts kc and lets the test watch its output before it ends (rollout status, get -w). */
  start(args: string[]): { output(): string; stop(): void; done: Promise<KubectlResult> };
  kubectl: ReturnType<typeof kubectlFor>;
  /**
   * Runs both and returns their results once they agree; ages (`5s`) may tick between the two
   * runs, so a disagreement is retried a few times before it is returned.
   */
  both(args: string[]): Promise<{ kubectl: KubectlResult; kc: KubectlResult }>;
}

export function kcPair(server: string | RestConfig): KcPair {
  const kubectl = kubectlFor(server);
  const kc: KcPair['kc'] = async (args, opts = {}) => {
    const io = captureIO({ env: { KUBECONFIG: kubectl.kubeconfig, ...opts.env }, home: kubectl.home, input: opts.input, cwd: kubectl.home, signal: opts.signal });
    const code = await runKc(args, io);
    return { code, stdout: io.out(), stderr: io.err() };
  };
  return {
    kc,
    start(args) {
      const abort = new AbortController();
      const io = captureIO({ env: { KUBECONFIG: kubectl.kubeconfig }, home: kubectl.home, cwd: kubectl.home, signal: abort.signal });
      const done = runKc(args, io).then((code) => ({ code, stdout: io.out(), stderr: io.err() }));
      return { output: () => io.out(), stop: () => abort.abort(), done };
    },
    kubectl,
    async both(args) {
      let last: { kubectl: KubectlResult; kc: KubectlResult } | undefined;
      for (let attempt = 0; attempt < 3; attempt++) {
        last = { kubectl: await kubectl.run(args), kc: await kc(args) };
        if (JSON.stringify(last.kubectl) === JSON.stringify(last.kc)) return last;
      }
      return last!;
    },
  };
}
