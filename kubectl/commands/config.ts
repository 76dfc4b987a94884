// kc config view | get-contexts | current-context | use-context | set-context.
import { kubeconfigPaths } from '../../client/index.js';
import { resolve } from 'node:path';
import { bool, str, strs, type Args, type KcCommand } from '../command.js';
import { CliError } from '../errors.js';
import type { Factory } from '../factory.js';
import { write } from '../io.js';
import { fileForCurrentContext, fileForEntry, mergeRaw, readKubeconfigFiles, saveKubeconfigFile, viewConfig, type NamedEntry } from '../kubeconfig-file.js';
import { goJsonIndent } from '../../api/go-format.js';
import { parseJsonPath } from '../../client/jsonpath.js';
import { toYaml } from '../printers/output.js';
import { tabulate } from '../printers/tabwriter.js';

function files(f: Factory) {
  const override = f.kubeconfigOverride;
  const paths = override ? [resolve(f.io.cwd, override)] : kubeconfigPaths({}, f.io.env, f.io.home);
  return readKubeconfigFiles(paths);
}

const view: KcCommand = {
  command: 'view',
  describe: 'Display merged kubeconfig settings',
  builder: (y) =>
    y
      .option('minify', { type: 'boolean', describe: 'Only what the current context uses' })
      .option('raw', { type: 'boolean', describe: 'Show certificates and tokens' })
      .option('flatten', { type: 'boolean' })
      .option('output', { alias: 'o', type: 'string', default: 'yaml' }),
  run: async (f, argv) => {
    let cfg;
    try {
      cfg = viewConfig(mergeRaw(files(f)), { minify: bool(argv.minify), raw: bool(argv.raw), context: str(argv.context) });
    } catch (e) {
      throw new CliError((e as Error).message);
    }
    const out = str(argv.output) ?? 'yaml';
    if (out === 'yaml') await write(f.io.stdout, toYaml(cfg));
    else if (out === 'json') await write(f.io.stdout, goJsonIndent(cfg) + '\n');
    else if (out.startsWith('jsonpath=')) await write(f.io.stdout, parseJsonPath(out.slice(9)).execute(cfg));
    else throw new CliError(`unable to match a printer suitable for the output format "${out}", allowed formats are: json,jsonpath,yaml`);
  },
};

const getContexts: KcCommand = {
  command: 'get-contexts [names..]',
  describe: 'Describe one or many contexts',
  builder: (y) => y.option('output', { alias: 'o', type: 'string', describe: 'name' }).option('no-headers', { type: 'boolean' }),
  run: async (f, argv) => {
    const merged = mergeRaw(files(f));
    const wanted = strs(argv.names);
    const missing = wanted.filter((n) => !merged.contexts!.some((c) => c.name === n));
    let contexts = merged.contexts!;
    if (wanted.length) contexts = contexts.filter((c) => wanted.includes(c.name));
    if (str(argv.output) === 'name') {
      await write(f.io.stdout, contexts.map((c) => `${c.name}\n`).join(''));
    } else {
      let text = bool(argv.noHeaders) ? '' : 'CURRENT\tNAME\tCLUSTER\tAUTHINFO\tNAMESPACE\n';
      for (const c of contexts) {
        const ctx = (c.context ?? {}) as { cluster?: string; user?: string; namespace?: string };
        text += `${c.name === merged['current-context'] ? '*' : ''}\t${c.name}\t${ctx.cluster ?? ''}\t${ctx.user ?? ''}\t${ctx.namespace ?? ''}\n`;
      }
      await write(f.io.stdout, tabulate(text));
    }
    if (missing.length) throw new CliError(`context ${missing.map((m) => `${m}`).join(', ')} not found`);
  },
};

const currentContext: KcCommand = {
  command: 'current-context',
  describe: 'Display the current-context',
  run: async (f) => {
    const merged = mergeRaw(files(f));
    if (!merged['current-context']) throw new CliError('current-context is not set');
    await write(f.io.stdout, `${merged['current-context']}\n`);
  },
};

const useContext: KcCommand = {
  command: 'use-context <name>',
  aliases: ['use'],
  describe: 'Set the current-context in a kubeconfig file',
  run: async (f, argv) => {
    const name = String(argv.name);
    const all = files(f);
    if (!mergeRaw(all).contexts!.some((c) => c.name === name)) throw new CliError(`no context exists with the name: "${name}"`);
    const file = fileForCurrentContext(all);
    file.doc['current-context'] = name;
    saveKubeconfigFile(file);
    await write(f.io.stdout, `Switched to context "${name}".\n`);
  },
};

const setContext: KcCommand = {
  command: 'set-context [name]',
  describe: 'Set a context entry in kubeconfig',
  builder: (y) =>
    y
      .option('current', { type: 'boolean', describe: 'Modify the current context' })
      .option('cluster', { type: 'string' })
      .option('user', { type: 'string' })
      .option('namespace', { type: 'string' }),
  run: async (f, argv: Args) => {
    const all = files(f);
    const merged = mergeRaw(all);
    let name = str(argv.name);
    if (bool(argv.current)) {
      if (name) throw new CliError('you cannot specify a name and --current at the same time');
      name = merged['current-context'];
      if (!name) throw new CliError('no current context is set');
    }
    if (!name) throw new CliError('you must specify a non-empty context name or --current');
    const file = fileForEntry(all, 'contexts', name);
    file.doc.contexts ??= [];
    let entry = file.doc.contexts.find((c) => c.name === name) as NamedEntry | undefined;
    const created = !merged.contexts!.some((c) => c.name === name);
    if (!entry) {
      entry = { name, context: {} };
      file.doc.contexts.push(entry);
    }
    const ctx = { ...((entry.context as Record<string, string> | undefined) ?? {}) };
    for (const k of ['cluster', 'user', 'namespace'] as const) {
      const v = str(argv[k]);
      if (v !== undefined) {
        if (v === '') delete ctx[k];
        else ctx[k] = v;
      }
    }
    entry.context = ctx;
    saveKubeconfigFile(file);
    await write(f.io.stdout, `Context "${name}" ${created ? 'created' : 'modified'}.\n`);
  },
};

export const configCommand: KcCommand = {
  command: 'config',
  describe: 'Modify kubeconfig files',
  subcommands: [view, getContexts, currentContext, useContext, setContext],
  offline: true,
};
