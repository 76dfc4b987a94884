// kc completion bash|zsh, and the hidden `kc __complete` the scripts call.
import { CliError } from '../errors.js';
import { BASH_COMPLETION, ZSH_COMPLETION, completionCandidates } from '../completion.js';
import type { KcCommand } from '../command.js';
import { write } from '../io.js';
import { listAll } from '../fetch.js';
import { resolveType } from '../resource-args.js';
import { mergeRaw, readKubeconfigFiles } from '../kubeconfig-file.js';
import { kubeconfigPaths } from '../../client/index.js';

export const completionCommand: KcCommand = {
  command: 'completion <shell>',
  describe: 'Output shell completion code for bash or zsh',
  offline: true,
  run: async (f, argv) => {
    const shell = String(argv.shell);
    if (shell === 'bash') await write(f.io.stdout, BASH_COMPLETION);
    else if (shell === 'zsh') await write(f.io.stdout, ZSH_COMPLETION);
    else throw new CliError(`Unsupported shell type "${shell}".`);
  },
};

/** Filled in by commands/index.ts (it knows every command). */
export const completionTree: { commands: string[]; subcommands: Record<string, string[]> } = { commands: [], subcommands: {} };

export const hiddenCompleteCommand: KcCommand = {
  command: '__complete',
  describe: '',
  offline: true,
  run: async (f, argv) => {
    const words = (argv['--'] ?? []).map(String);
    const candidates = await completionCandidates(words.length ? words : [''], {
      ...completionTree,
      names: async (type) => {
        try {
          const info = resolveType(type.split('/')[0]!);
          const { items } = await listAll(f.client, info, info.namespaced ? f.namespace : undefined);
          return items.map((i) => i.metadata?.name ?? '');
        } catch {
          return [];
        }
      },
      contexts: () => {
        const override = f.kubeconfigOverride;
        const merged = mergeRaw(readKubeconfigFiles(override ? [override] : kubeconfigPaths({}, f.io.env, f.io.home)));
        return merged.contexts!.map((c) => c.name);
      },
    });
    await write(f.io.stdout, candidates.map((c) => `${c}\n`).join(''));
  },
};
