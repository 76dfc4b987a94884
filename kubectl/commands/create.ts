// kc create -f (POST each object), the `create namespace NAME` generator, and `create token SA`.
import { bool, str, strs, type Args, type KcCommand } from '../command.js';
import { AggregateCliError, CliError, withContext } from '../errors.js';
import type { Factory } from '../factory.js';
import { write } from '../io.js';
import { readManifests } from '../manifests.js';
import { displayName, dryRunSuffix, parseDryRun, prepare } from '../objects.js';
import { resolveType } from '../resource-args.js';
import { withLastApplied } from '../apply-patch.js';
import { runCreateToken } from './create-token.js';

export const createCommand: KcCommand = {
  command: 'create [args..]',
  describe: 'Create resources from files or stdin (or `create namespace NAME`, `create token SA`)',
  builder: (y) =>
    y
      .option('filename', { alias: 'f', type: 'string', array: true, describe: 'Files, directories or - (stdin)' })
      .option('recursive', { alias: 'R', type: 'boolean' })
      .option('save-config', { type: 'boolean', describe: 'Store the last-applied annotation (for later apply)' })
      .option('dry-run', { type: 'string', describe: 'none|client|server' })
      .option('output', { alias: 'o', type: 'string', describe: 'name (token: json|yaml|name|jsonpath=…)' })
      .option('audience', { type: 'string', array: true, describe: 'token: audience of the requested token (repeatable)' })
      .option('duration', { type: 'string', describe: 'token: requested lifetime (e.g. 10m); the server may change it' })
      .option('bound-object-kind', { type: 'string', describe: 'token: bind to a Node, Pod or Secret' })
      .option('bound-object-name', { type: 'string', describe: 'token: name of the object to bind to' })
      .option('bound-object-uid', { type: 'string', describe: 'token: UID of the object to bind to (default: its current UID)' }),
  run: runCreate,
};

async function runCreate(f: Factory, argv: Args): Promise<void> {
  const files = strs(argv.filename);
  const args = strs(argv.args);
  const dryRun = parseDryRun(argv.dryRun);
  const suffix = dryRunSuffix(dryRun);
  const nameOnly = str(argv.output) === 'name';
  if (files.length === 0) {
    if (args[0] === 'token') return runCreateToken(f, argv, args.slice(1));
    if (args.length === 2 && ['namespace', 'ns'].includes(args[0]!)) {
      const info = resolveType('namespaces');
      if (dryRun !== 'client') await f.resource(info).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: args[1] } }, { fieldManager: 'kubectl-create', dryRun: dryRun === 'server' });
      await write(f.io.stdout, nameOnly ? `namespace/${args[1]}\n` : `namespace/${args[1]} created${suffix}\n`);
      return;
    }
    throw new CliError('must specify one of -f and -k');
  }
  const errors: unknown[] = [];
  for (const m of await readManifests(files, f.io, bool(argv.recursive), 'create')) {
    try {
      const p = prepare(m, f);
      let created = p.obj;
      try {
        if (dryRun !== 'client') {
          created = await f.resource(p.info, p.namespace).create(bool(argv.saveConfig) ? withLastApplied(p.obj) : p.obj, {
            fieldManager: 'kubectl-create',
            fieldValidation: 'Strict',
            dryRun: dryRun === 'server',
          });
        }
      } catch (e) {
        throw withContext(e, `error when creating "${m.source}": `);
      }
      const d = displayName(p.info, created.metadata?.name ?? p.name);
      await write(f.io.stdout, nameOnly ? `${d}\n` : `${d} created${suffix}\n`);
    } catch (e) {
      errors.push(e);
    }
  }
  if (errors.length > 0) throw new AggregateCliError(errors);
}
