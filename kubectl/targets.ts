// Objects named on the command line for commands that act on existing objects (patch, label,
// annotate, scale, rollout, wait…): `TYPE NAME…`, `TYPE/NAME…`, `-l`, `--all`, `-f`.
import type { ResourceInfo } from '../api/resources.js';
import { bool, str, strs, type Args } from './command.js';
import { CliError } from './errors.js';
import type { Factory } from './factory.js';
import { listAll } from './fetch.js';
import { readManifests } from './manifests.js';
import { prepare } from './objects.js';
import { parseResourceArgs } from './resource-args.js';

export interface Target {
  info: ResourceInfo;
  namespace: string | undefined;
  name: string;
}

export interface TargetOptions {
  command: string;
  /** Arguments after the resource ones belong to the command (label's `k=v`). */
  args: string[];
  allowSelector?: boolean;
}

export async function resolveTargets(f: Factory, argv: Args, opts: TargetOptions): Promise<Target[]> {
  const files = strs(argv.filename);
  if (files.length > 0) {
    return (await readManifests(files, f.io, bool(argv.recursive), opts.command)).map((m) => {
      const p = prepare(m, f);
      return { info: p.info, namespace: p.namespace, name: p.name };
    });
  }
  const parsed = parseResourceArgs(opts.args, opts.command);
  const selector = str(argv.selector);
  const all = bool(argv.all);
  const allNs = bool(argv.allNamespaces);
  const out: Target[] = [];
  for (const req of parsed.requests) {
    const ns = req.info.namespaced ? f.namespace : undefined;
    if (req.names.length > 0) {
      for (const name of req.names) out.push({ info: req.info, namespace: ns, name });
      continue;
    }
    if (!opts.allowSelector || (!selector && !all)) {
      throw new CliError(`resource(s) were provided, but no name was specified`);
    }
    const { items } = await listAll(f.client, req.info, allNs ? undefined : ns, { labelSelector: selector });
    for (const item of items) out.push({ info: req.info, namespace: item.metadata?.namespace, name: item.metadata?.name ?? '' });
  }
  return out;
}
