// kc delete: by name, type/name, -f, -l, --all; grace period, cascade policy, and (as kubectl,
// by default) waiting until each object is really gone.
import type { ResourceInfo } from '../../api/resources.js';
import type { KObject } from '../../api/types.js';
import { isNotFound } from '../../client/index.js';
import { bool, str, strs, type Args, type KcCommand } from '../command.js';
import { AggregateCliError, CliError } from '../errors.js';
import { parseDuration, type Factory } from '../factory.js';
import { listAll, watchRaw } from '../fetch.js';
import { write } from '../io.js';
import { readManifests } from '../manifests.js';
import { parseDryRun, prepare } from '../objects.js';
import { kindPrefix, parseResourceArgs } from '../resource-args.js';

export const deleteCommand: KcCommand = {
  command: 'delete [args..]',
  describe: 'Delete resources by file names, stdin, resources and names, or by label selector',
  builder: (y) =>
    y
      .option('filename', { alias: 'f', type: 'string', array: true, describe: 'Files naming the objects to delete' })
      .option('recursive', { alias: 'R', type: 'boolean' })
      .option('selector', { alias: 'l', type: 'string', describe: 'Label selector' })
      .option('field-selector', { type: 'string' })
      .option('all', { type: 'boolean', describe: 'Delete all objects of the given types in the namespace' })
      .option('all-namespaces', { alias: 'A', type: 'boolean' })
      .option('grace-period', { type: 'number', default: -1, describe: 'Seconds to give the object to terminate (-1: its default)' })
      .option('now', { type: 'boolean', describe: 'Same as --grace-period=1' })
      .option('force', { type: 'boolean', describe: 'Delete immediately (with --grace-period=0)' })
      .option('cascade', { type: 'string', default: 'background', describe: 'background|foreground|orphan' })
      .option('wait', { type: 'boolean', default: true, describe: 'Wait until the objects are gone' })
      .option('timeout', { type: 'string', describe: 'How long to wait (0: no limit)' })
      .option('ignore-not-found', { type: 'boolean' })
      .option('dry-run', { type: 'string' })
      .option('output', { alias: 'o', type: 'string', describe: 'name' }),
  run: runDelete,
};

interface Target {
  info: ResourceInfo;
  namespace: string | undefined;
  name: string;
}

export function propagationPolicy(cascade: string): 'Background' | 'Foreground' | 'Orphan' {
  switch (cascade) {
    case 'background':
    case 'true':
      return 'Background';
    case 'foreground':
      return 'Foreground';
    case 'orphan':
    case 'false':
      return 'Orphan';
    default:
      throw new CliError(`invalid cascade value (${cascade}). Must be "background", "foreground", or "orphan"`);
  }
}

/** Resolves once the object (of this uid, when given) no longer exists; throws after `timeoutMs`. */
export async function waitForDeletion(f: Factory, info: ResourceInfo, namespace: string | undefined, name: string, uid: string | undefined, timeoutMs: number): Promise<void> {
  const abort = new AbortController();
  const timer = timeoutMs > 0 ? setTimeout(() => abort.abort(), timeoutMs) : undefined;
  try {
    const rc = f.resource(info, namespace);
    while (!abort.signal.aborted) {
      let live: KObject;
      try {
        live = await rc.get(name, { signal: abort.signal });
      } catch (e) {
        if (isNotFound(e)) return;
        throw e;
      }
      if (uid && live.metadata?.uid !== uid) return;
      for await (const ev of watchRaw(f.client, info, namespace, {
        fieldSelector: `metadata.name=${name}`,
        resourceVersion: live.metadata?.resourceVersion,
        signal: abort.signal,
      })) {
        if (ev.type === 'DELETED' && (!uid || ev.object.metadata?.uid === uid)) return;
      }
    }
  } catch (e) {
    if (!abort.signal.aborted) throw e;
  } finally {
    if (timer) clearTimeout(timer);
  }
  throw new CliError(`timed out waiting for the condition on ${info.group ? `${info.resource}.${info.group}` : info.resource}/${name}`);
}

async function targetsFrom(f: Factory, argv: Args): Promise<{ targets: Target[]; selected: boolean }> {
  const files = strs(argv.filename);
  if (files.length > 0) {
    const targets = (await readManifests(files, f.io, bool(argv.recursive), 'delete')).map((m) => {
      const p = prepare(m, f);
      return { info: p.info, namespace: p.namespace, name: p.name };
    });
    return { targets, selected: false };
  }
  const parsed = parseResourceArgs(strs(argv.args), 'delete');
  const selector = str(argv.selector);
  const fieldSelector = str(argv.fieldSelector);
  const all = bool(argv.all);
  const allNs = bool(argv.allNamespaces);
  const targets: Target[] = [];
  let selected = false;
  for (const req of parsed.requests) {
    const ns = req.info.namespaced ? f.namespace : undefined;
    if (req.names.length > 0) {
      if (selector || all) throw new CliError('name cannot be provided when a selector is specified');
      for (const name of req.names) targets.push({ info: req.info, namespace: ns, name });
      continue;
    }
    if (!selector && !fieldSelector && !all) throw new CliError('resource(s) were provided, but no name was specified');
    selected = true;
    const { items } = await listAll(f.client, req.info, allNs ? undefined : ns, { labelSelector: selector, fieldSelector });
    for (const item of items) targets.push({ info: req.info, namespace: item.metadata?.namespace, name: item.metadata?.name ?? '' });
  }
  return { targets, selected };
}

async function runDelete(f: Factory, argv: Args): Promise<void> {
  const { targets, selected } = await targetsFrom(f, argv);
  const dryRun = parseDryRun(argv.dryRun);
  let grace = Number(argv.gracePeriod ?? -1);
  if (bool(argv.now)) grace = 1;
  if (bool(argv.force) && grace < 0) grace = 0;
  if (grace === 0 && !bool(argv.force)) grace = 1; // kubectl: --grace-period=0 needs --force
  if (grace === 0) {
    await write(f.io.stderr, 'Warning: Immediate deletion does not wait for confirmation that the running resource has been terminated. The resource may continue to run on the cluster indefinitely.\n');
  }
  const policy = propagationPolicy(str(argv.cascade) ?? 'background');
  const timeoutMs = parseDuration(str(argv.timeout)) ?? 0;
  const errors: unknown[] = [];
  const deleted: (Target & { uid?: string })[] = [];
  if (targets.length === 0 && selected) {
    await write(f.io.stdout, 'No resources found\n');
    return;
  }
  for (const t of targets) {
    try {
      const res = (await f.resource(t.info, t.namespace).delete(t.name, {
        propagationPolicy: policy,
        ...(grace >= 0 ? { gracePeriodSeconds: grace } : {}),
        dryRun: dryRun !== 'none',
      })) as KObject & { details?: { uid?: string } };
      const uid = res.kind === 'Status' ? res.details?.uid : res.metadata?.uid;
      deleted.push({ ...t, uid });
      const what = grace === 0 ? 'force deleted' : 'deleted';
      const suffix = dryRun === 'client' ? ' (dry run)' : dryRun === 'server' ? ' (server dry run)' : '';
      await write(f.io.stdout, str(argv.output) === 'name' ? `${kindPrefix(t.info)}/${t.name}\n` : `${kindPrefix(t.info)} "${t.name}" ${what}${suffix}\n`);
    } catch (e) {
      if (!(bool(argv.ignoreNotFound) && isNotFound(e))) errors.push(e);
    }
  }
  if (argv.wait !== false && dryRun === 'none') {
    for (const t of deleted) {
      try {
        await waitForDeletion(f, t.info, t.namespace, t.name, t.uid, timeoutMs);
      } catch (e) {
        errors.push(e);
      }
    }
  }
  if (errors.length > 0) throw new AggregateCliError(errors);
}
