// kc label / kc annotate: `key=value` sets, `key-` removes, --overwrite to change a value,
// sent as a JSON merge patch of metadata.labels / metadata.annotations.
import { isQualifiedName, isValidLabelValue } from '../../api/labels.js';
import { bool, str, strs, type Args, type KcCommand } from '../command.js';
import { AggregateCliError, CliError } from '../errors.js';
import type { Factory } from '../factory.js';
import { write } from '../io.js';
import { displayName } from '../objects.js';
import { formatLabels } from '../../api/go-format.js';
import { resolveTargets } from '../targets.js';

export interface MetadataChanges {
  set: Record<string, string>;
  remove: string[];
}

/** Splits `kc label` arguments into resource arguments and `k=v` / `k-` changes. */
export function splitChanges(args: string[], field: 'labels' | 'annotations'): { resources: string[]; changes: MetadataChanges } {
  const resources: string[] = [];
  const changes: MetadataChanges = { set: {}, remove: [] };
  for (const a of args) {
    const eq = a.indexOf('=');
    if (eq > 0) {
      const k = a.slice(0, eq);
      const v = a.slice(eq + 1);
      if (field === 'labels') {
        const errs = [...isQualifiedName(k), ...isValidLabelValue(v)];
        if (errs.length > 0) throw new CliError(`invalid label spec: ${a}: ${errs.join('; ')}`);
      }
      changes.set[k] = v;
    } else if (a.endsWith('-') && a.length > 1 && resources.length > 0) {
      changes.remove.push(a.slice(0, -1));
    } else {
      resources.push(a);
    }
  }
  for (const k of changes.remove) if (k in changes.set) throw new CliError(`can not both modify and remove the following ${field.slice(0, -1)}(s) in the same command: ${k}`);
  return { resources, changes };
}

/** The new map, or the kubectl error when a value would change without --overwrite. */
export function applyChanges(current: Record<string, string>, c: MetadataChanges, overwrite: boolean): { next: Record<string, string>; missing: string[] } {
  const conflicts = Object.entries(c.set)
    .filter(([k, v]) => k in current && current[k] !== v && !overwrite)
    .map(([k]) => `'${k}' already has a value (${current[k]}), and --overwrite is false`);
  if (conflicts.length > 0) throw new CliError(conflicts.join('\n'));
  const next = { ...current, ...c.set };
  const missing: string[] = [];
  for (const k of c.remove) {
    if (!(k in next)) missing.push(k);
    delete next[k];
  }
  return { next, missing };
}

function metadataCommand(field: 'labels' | 'annotations'): KcCommand {
  const verb = field === 'labels' ? 'label' : 'annotate';
  const done = field === 'labels' ? 'labeled' : 'annotated';
  return {
    command: `${verb} [args..]`,
    describe: field === 'labels' ? 'Update the labels on a resource' : 'Update the annotations on a resource',
    builder: (y) =>
      y
        .option('overwrite', { type: 'boolean', describe: 'Allow changing existing values' })
        .option('selector', { alias: 'l', type: 'string' })
        .option('all', { type: 'boolean' })
        .option('all-namespaces', { alias: 'A', type: 'boolean' })
        .option('list', { type: 'boolean', describe: `List the current ${field}` })
        .option('filename', { alias: 'f', type: 'string', array: true })
        .option('resource-version', { type: 'string', describe: 'Only update if the object is at this version' }),
    run: async (f: Factory, argv: Args) => {
      const { resources, changes } = splitChanges(strs(argv.args), field);
      const list = bool(argv.list);
      if (!list && Object.keys(changes.set).length === 0 && changes.remove.length === 0) {
        throw new CliError(`at least one ${field === 'labels' ? 'label' : 'annotation'} update is required`);
      }
      const targets = await resolveTargets(f, argv, { command: verb, args: resources, allowSelector: true });
      const errors: unknown[] = [];
      const overwrite = bool(argv.overwrite);
      for (const t of targets) {
        try {
          const rc = f.resource(t.info, t.namespace);
          const obj = await rc.get(t.name);
          const current = { ...((obj.metadata?.[field] as Record<string, string> | undefined) ?? {}) };
          if (list) {
            await write(f.io.stdout, Object.keys(current).length ? formatLabels(current).split(',').join('\n') + '\n' : '');
            continue;
          }
          const { next, missing } = applyChanges(current, changes, overwrite);
          for (const k of missing) await write(f.io.stderr, `${field === 'labels' ? 'label' : 'annotation'} "${k}" not found.\n`);
          const patch: Record<string, string | null> = {};
          for (const [k, v] of Object.entries(next)) if (current[k] !== v) patch[k] = v;
          for (const k of Object.keys(current)) if (!(k in next)) patch[k] = null;
          let msg = done;
          if (Object.keys(patch).length === 0) {
            msg = field === 'labels' ? 'not labeled' : done;
          } else {
            const rv = str(argv.resourceVersion);
            await rc.patch(t.name, 'merge', { metadata: { [field]: patch, ...(rv ? { resourceVersion: rv } : {}) } }, { fieldManager: `kubectl-${verb}` });
            if (field === 'labels' && !overwrite && Object.values(patch).every((v) => v === null)) msg = 'unlabeled';
          }
          await write(f.io.stdout, `${displayName(t.info, t.name)} ${msg}\n`);
        } catch (e) {
          errors.push(e);
        }
      }
      if (errors.length > 0) throw new AggregateCliError(errors);
    },
  };
}

export const labelCommand = metadataCommand('labels');
export const annotateCommand = metadataCommand('annotations');
