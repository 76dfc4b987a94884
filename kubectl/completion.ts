// Shell completion: the scripts `kc completion bash|zsh` prints, and the candidates they ask
// `kc __complete -- <words>` for (commands, resource types, object names, contexts).
import { RESOURCES } from '../api/resources.js';

export const COMMANDS_TAKING_RESOURCES = new Set(['get', 'describe', 'delete', 'edit', 'label', 'annotate', 'patch', 'scale', 'wait', 'logs', 'exec', 'port-forward']);

export function resourceTypeWords(): string[] {
  const out = new Set<string>();
  for (const r of RESOURCES) {
    out.add(r.resource);
    for (const s of r.shortNames) out.add(s);
  }
  return [...out].sort();
}

export interface CompletionSource {
  commands: string[];
  subcommands: Record<string, string[]>;
  /** Names of objects of a type (pods, deployments…), from the server. */
  names(type: string): Promise<string[]>;
  contexts(): string[];
}

/** What may come next, given the words typed so far (the last one being completed). */
export async function completionCandidates(words: string[], src: CompletionSource): Promise<string[]> {
  const positional = words.slice(0, -1).filter((w) => !w.startsWith('-'));
  const cmd = positional[0];
  if (!cmd) return src.commands;
  const subs = src.subcommands[cmd];
  if (subs) {
    if (positional.length === 1) return subs;
    if (cmd === 'config' && ['use-context', 'use', 'set-context', 'get-contexts'].includes(positional[1]!)) return src.contexts();
    if (cmd === 'rollout') return positional.length === 2 ? ['deployments', 'daemonsets', 'statefulsets'] : src.names(positional[2]!);
    if (cmd === 'top') return positional[1] === 'nodes' || positional[1] === 'node' ? src.names('nodes') : src.names('pods');
    return [];
  }
  if (['logs', 'exec', 'port-forward'].includes(cmd)) return src.names('pods');
  if (['cordon', 'uncordon', 'drain'].includes(cmd)) return src.names('nodes');
  if (cmd === 'completion') return ['bash', 'zsh'];
  if (COMMANDS_TAKING_RESOURCES.has(cmd)) {
    if (positional.length === 1) return resourceTypeWords();
    return src.names(positional[1]!);
  }
  return [];
}

export const BASH_COMPLETION = `# kc bash completion: source <(kc completion bash)
_kc_complete() {
  local cur="\${COMP_WORDS[COMP_CWORD]}"
  local IFS=$'\\n'
  COMPREPLY=( $(compgen -W "$(kc __complete -- "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null)" -- "$cur") )
}
complete -o default -F _kc_complete kc
`;

export const ZSH_COMPLETION = `#compdef kc
# kc zsh completion: source <(kc completion zsh)   (after compinit)
_kc() {
  local -a candidates
  candidates=(\${(f)"$(kc __complete -- \${words[2,CURRENT]} 2>/dev/null)"})
  compadd -a candidates
}
compdef _kc kc
`;
