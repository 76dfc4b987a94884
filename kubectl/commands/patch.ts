// kc patch TYPE NAME -p PATCH [--type strategic|merge|json] [--subresource status|scale].
import { parse } from 'yaml';
import type { KObject } from '../../api/types.js';
import { str, strs, type Args, type KcCommand } from '../command.js';
import { AggregateCliError, CliError } from '../errors.js';
import type { Factory } from '../factory.js';
import { write } from '../io.js';
import { displayName } from '../objects.js';
import { parseOutputFormat, printGeneric } from '../printers/output.js';
import { resolveTargets } from '../targets.js';

export const patchCommand: KcCommand = {
  command: 'patch [args..]',
  describe: 'Update fields of a resource with a strategic merge, JSON merge or JSON patch',
  builder: (y) =>
    y
      .option('patch', { alias: 'p', type: 'string', describe: 'The patch (JSON or YAML)' })
      .option('type', { type: 'string', default: 'strategic', describe: 'strategic|merge|json' })
      .option('subresource', { type: 'string', describe: 'status|scale' })
      .option('filename', { alias: 'f', type: 'string', array: true })
      .option('output', { alias: 'o', type: 'string' })
      .option('dry-run', { type: 'string' }),
  run: async (f: Factory, argv: Args) => {
    const text = str(argv.patch);
    if (!text) throw new CliError('must specify -p to patch');
    const type = str(argv.type) ?? 'strategic';
    if (!['strategic', 'merge', 'json'].includes(type)) throw new CliError(`--type must be one of [json merge strategic], not "${type}"`);
    let patch: unknown;
    try {
      patch = JSON.parse(text);
    } catch {
      try {
        patch = parse(text);
      } catch (e) {
        throw new CliError(`unable to parse "${text}": ${(e as Error).message}`);
      }
    }
    const targets = await resolveTargets(f, argv, { command: 'patch', args: strs(argv.args) });
    if (targets.length === 0) throw new CliError('you must provide one or more resources');
    const errors: unknown[] = [];
    for (const t of targets) {
      try {
        const rc = f.resource(t.info, t.namespace);
        const before = await rc.get(t.name);
        const after = (await rc.patch(t.name, type as 'strategic', patch, {
          fieldManager: 'kubectl-patch',
          subresource: str(argv.subresource),
          dryRun: str(argv.dryRun) === 'server',
        })) as KObject;
        const out = str(argv.output);
        if (out) {
          await write(f.io.stdout, printGeneric(after, parseOutputFormat(out) as Exclude<ReturnType<typeof parseOutputFormat>, { kind: 'table' }>));
          continue;
        }
        const changed = before.metadata?.resourceVersion !== after.metadata?.resourceVersion || !!str(argv.subresource);
        await write(f.io.stdout, `${displayName(t.info, t.name)} patched${changed ? '' : ' (no change)'}\n`);
      } catch (e) {
        errors.push(e);
      }
    }
    if (errors.length > 0) throw new AggregateCliError(errors);
  },
};
