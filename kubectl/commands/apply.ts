// kc apply -f: client-side three-way apply through the last-applied annotation
// (created / configured / unchanged), or --server-side apply patches.
import { isNotFound } from '../../client/index.js';
import type { KObject } from '../../api/types.js';
import { decideApply } from '../apply-patch.js';
import { bool, str, strs, type Args, type KcCommand } from '../command.js';
import { AggregateCliError, CliError, withContext } from '../errors.js';
import type { Factory } from '../factory.js';
import { write } from '../io.js';
import { readManifests } from '../manifests.js';
import { displayName, dryRunSuffix, parseDryRun, prepare } from '../objects.js';

export const applyCommand: KcCommand = {
  command: 'apply',
  describe: 'Apply a configuration to resources from files or stdin',
  builder: (y) =>
    y
      .option('filename', { alias: 'f', type: 'string', array: true, describe: 'Files, directories or - (stdin)' })
      .option('recursive', { alias: 'R', type: 'boolean', describe: 'Read directories recursively' })
      .option('server-side', { type: 'boolean', describe: 'Apply on the server (apply patch)' })
      .option('force-conflicts', { type: 'boolean', describe: 'Server-side apply: take over fields of other managers' })
      .option('field-manager', { type: 'string', describe: 'Field manager name' })
      .option('dry-run', { type: 'string', describe: 'none|client|server' })
      .option('output', { alias: 'o', type: 'string', describe: 'name' }),
  run: runApply,
};

async function runApply(f: Factory, argv: Args): Promise<number | void> {
  const files = strs(argv.filename);
  if (files.length === 0) throw new CliError('must specify one of -f and -k');
  const manifests = await readManifests(files, f.io, bool(argv.recursive), 'apply');
  const serverSide = bool(argv.serverSide);
  const dryRun = parseDryRun(argv.dryRun);
  const suffix = dryRunSuffix(dryRun);
  const nameOnly = str(argv.output) === 'name';
  const errors: unknown[] = [];
  for (const m of manifests) {
    let display = '';
    try {
      const p = prepare(m, f);
      display = displayName(p.info, p.name);
      const rc = f.resource(p.info, p.namespace);
      const say = (what: string): Promise<void> => write(f.io.stdout, nameOnly ? `${display}\n` : `${display} ${what}${suffix}\n`);
      if (serverSide) {
        if (dryRun !== 'client') {
          await rc.patch(p.name, 'apply', p.obj, {
            fieldManager: str(argv.fieldManager) ?? 'kubectl',
            force: bool(argv.forceConflicts),
            fieldValidation: 'Strict',
            dryRun: dryRun === 'server',
          });
        }
        await say('serverside-applied');
        continue;
      }
      let live: KObject | undefined;
      try {
        live = await rc.get(p.name);
      } catch (e) {
        if (!isNotFound(e)) throw withContext(e, `error when retrieving current configuration of:\nResource: "${p.info.group ? `${p.info.group}/${p.info.version}` : p.info.version}, Resource=${p.info.resource}", GroupVersionKind: "${p.obj.apiVersion}, Kind=${p.obj.kind}"\nName: "${p.name}", Namespace: "${p.namespace ?? ''}"\nfrom server for: "${m.source}": `);
      }
      const decision = decideApply(p.obj, live);
      if (decision.action === 'create') {
        try {
          if (dryRun !== 'client') await rc.create(decision.body, { fieldManager: str(argv.fieldManager) ?? 'kubectl-client-side-apply', fieldValidation: 'Strict', dryRun: dryRun === 'server' });
        } catch (e) {
          throw withContext(e, `error when creating "${m.source}": `);
        }
        await say('created');
      } else if (decision.action === 'unchanged') {
        await say('unchanged');
      } else {
        try {
          if (dryRun !== 'client') {
            await rc.patch(p.name, decision.patchType, decision.patch, {
              fieldManager: str(argv.fieldManager) ?? 'kubectl-client-side-apply',
              fieldValidation: 'Strict',
              dryRun: dryRun === 'server',
            });
          }
        } catch (e) {
          throw withContext(e, `error when patching "${m.source}": `);
        }
        await say('configured');
      }
    } catch (e) {
      errors.push(e);
    }
  }
  if (errors.length > 0) throw new AggregateCliError(errors);
}
