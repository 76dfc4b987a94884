// kc replace -f: PUT each object (taking the live resourceVersion when the file has none);
// --force deletes and re-creates.
import { isNotFound } from '../../client/index.js';
import { LAST_APPLIED, withLastApplied } from '../apply-patch.js';
import { bool, strs, type Args, type KcCommand } from '../command.js';
import { AggregateCliError, CliError, withContext } from '../errors.js';
import type { Factory } from '../factory.js';
import { write } from '../io.js';
import { readManifests } from '../manifests.js';
import { displayName, prepare } from '../objects.js';
import { waitForDeletion } from './delete.js';

export const replaceCommand: KcCommand = {
  command: 'replace',
  describe: 'Replace resources by files or stdin',
  builder: (y) =>
    y
      .option('filename', { alias: 'f', type: 'string', array: true, describe: 'Files, directories or - (stdin)' })
      .option('recursive', { alias: 'R', type: 'boolean' })
      .option('force', { type: 'boolean', describe: 'Delete and re-create the objects' }),
  run: async (f: Factory, argv: Args) => {
    const files = strs(argv.filename);
    if (files.length === 0) throw new CliError('must specify --filename to replace');
    const errors: unknown[] = [];
    for (const m of await readManifests(files, f.io, bool(argv.recursive), 'replace')) {
      try {
        const p = prepare(m, f);
        const rc = f.resource(p.info, p.namespace);
        // An object that carries the apply annotation keeps it current, as kubectl does.
        const body = p.obj.metadata?.annotations?.[LAST_APPLIED] ? withLastApplied(p.obj) : p.obj;
        if (bool(argv.force)) {
          try {
            const live = await rc.get(p.name);
            await rc.delete(p.name, { propagationPolicy: 'Background' });
            await write(f.io.stdout, `${displayName(p.info, p.name)} deleted\n`);
            await waitForDeletion(f, p.info, p.namespace, p.name, live.metadata?.uid, 60_000);
          } catch (e) {
            if (!isNotFound(e)) throw e;
          }
          delete body.metadata?.resourceVersion;
          await rc.create(body, { fieldManager: 'kubectl-replace', fieldValidation: 'Strict' });
          await write(f.io.stdout, `${displayName(p.info, p.name)} replaced\n`);
          continue;
        }
        try {
          if (!body.metadata?.resourceVersion) {
            const live = await rc.get(p.name);
            body.metadata = { ...body.metadata, resourceVersion: live.metadata?.resourceVersion };
          }
          await rc.update(body, { fieldManager: 'kubectl-replace', fieldValidation: 'Strict' });
        } catch (e) {
          throw withContext(e, `error when replacing "${m.source}": `);
        }
        await write(f.io.stdout, `${displayName(p.info, p.name)} replaced\n`);
      } catch (e) {
        errors.push(e);
      }
    }
    if (errors.length > 0) throw new AggregateCliError(errors);
  },
};
