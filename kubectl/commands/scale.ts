// kc scale TYPE NAME --replicas=N: a merge patch of the scale subresource, with
// --current-replicas as a precondition.
import type { KObject } from '../../api/types.js';
import { strs, type Args, type KcCommand } from '../command.js';
import { AggregateCliError, CliError } from '../errors.js';
import type { Factory } from '../factory.js';
import { write } from '../io.js';
import { displayName } from '../objects.js';
import { resolveTargets } from '../targets.js';

export const scaleCommand: KcCommand = {
  command: 'scale [args..]',
  describe: 'Set a new size for a deployment, replica set, replication controller, or stateful set',
  builder: (y) =>
    y
      .option('replicas', { type: 'number', describe: 'The new number of replicas' })
      .option('current-replicas', { type: 'number', default: -1, describe: 'Precondition: the current size' })
      .option('selector', { alias: 'l', type: 'string' })
      .option('all', { type: 'boolean' })
      .option('filename', { alias: 'f', type: 'string', array: true }),
  run: async (f: Factory, argv: Args) => {
    const replicas = argv.replicas === undefined ? NaN : Number(argv.replicas);
    if (!Number.isInteger(replicas) || replicas < 0) throw new CliError('The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0');
    const targets = await resolveTargets(f, argv, { command: 'scale', args: strs(argv.args), allowSelector: true });
    const current = Number(argv.currentReplicas ?? -1);
    const errors: unknown[] = [];
    for (const t of targets) {
      try {
        if (!t.info.subresources.includes('scale')) throw new CliError(`cannot scale ${t.info.kind}: no scale subresource`);
        const rc = f.resource(t.info, t.namespace);
        if (current >= 0) {
          const scale = await rc.subresource<KObject & { spec?: { replicas?: number } }>(t.name, 'scale');
          const now = scale.spec?.replicas ?? 0;
          if (now !== current) throw new CliError(`Expected replicas to be ${current}, was ${now}`);
        }
        await rc.patch(t.name, 'merge', { spec: { replicas } }, { subresource: 'scale' });
        await write(f.io.stdout, `${displayName(t.info, t.name)} scaled\n`);
      } catch (e) {
        errors.push(e);
      }
    }
    if (errors.length > 0) throw new AggregateCliError(errors);
  },
};
