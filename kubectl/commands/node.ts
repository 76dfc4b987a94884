// kc cordon / uncordon / drain: spec.unschedulable as a strategic merge patch, then (drain)
// evictions through pods/eviction, waiting until each pod is gone.
import type { Pod } from 'kubernetes-types/core/v1';
import type { KObject } from '../../api/types.js';
import { isNotFound, isTooManyRequests } from '../../client/index.js';
import { sleep } from '../../client/index.js';
import { bool, str, strs, type Args, type KcCommand } from '../command.js';
import { AggregateCliError, CliError, formatError } from '../errors.js';
import { parseDuration, type Factory } from '../factory.js';
import { listAll } from '../fetch.js';
import { write } from '../io.js';
import { planDrain } from '../drain.js';
import { resolveType } from '../resource-args.js';
import { waitForDeletion } from './delete.js';

async function nodesFrom(f: Factory, argv: Args): Promise<string[]> {
  const names = strs(argv.node);
  const selector = str(argv.selector);
  if (names.length === 0 && !selector) throw new CliError('resource(s) were provided, but no name was specified');
  if (names.length > 0) return names.map((n) => n.replace(/^(node|nodes|no)\//, ''));
  const { items } = await listAll(f.client, resolveType('nodes'), undefined, { labelSelector: selector });
  return items.map((n) => n.metadata?.name ?? '');
}

async function setUnschedulable(f: Factory, name: string, value: boolean, dryRun: boolean): Promise<void> {
  const rc = f.resource(resolveType('nodes'));
  const node = (await rc.get(name)) as KObject & { spec?: { unschedulable?: boolean } };
  const verb = value ? 'cordoned' : 'uncordoned';
  if (!!node.spec?.unschedulable === value) {
    await write(f.io.stdout, `node/${name} already ${verb}\n`);
    return;
  }
  if (!dryRun) await rc.patch(name, 'strategic', { spec: { unschedulable: value ? true : null } });
  await write(f.io.stdout, `node/${name} ${verb}${dryRun ? ' (dry run)' : ''}\n`);
}

const nodeBuilder = (y: import('yargs').Argv): import('yargs').Argv =>
  y.option('selector', { alias: 'l', type: 'string' }).option('dry-run', { type: 'string' });

export const cordonCommand: KcCommand = {
  command: 'cordon [node..]',
  describe: 'Mark node as unschedulable',
  builder: nodeBuilder,
  run: async (f, argv) => {
    for (const n of await nodesFrom(f, argv)) await setUnschedulable(f, n, true, argv.dryRun !== undefined);
  },
};

export const uncordonCommand: KcCommand = {
  command: 'uncordon [node..]',
  describe: 'Mark node as schedulable',
  builder: nodeBuilder,
  run: async (f, argv) => {
    for (const n of await nodesFrom(f, argv)) await setUnschedulable(f, n, false, argv.dryRun !== undefined);
  },
};

export const drainCommand: KcCommand = {
  command: 'drain [node..]',
  describe: 'Drain node in preparation for maintenance',
  builder: (y) =>
    nodeBuilder(y)
      .option('ignore-daemonsets', { type: 'boolean', describe: 'Leave DaemonSet-managed pods alone' })
      .option('delete-emptydir-data', { type: 'boolean', describe: 'Evict pods using emptyDir (their data is lost)' })
      .option('force', { type: 'boolean', describe: 'Also evict pods without a controller' })
      .option('grace-period', { type: 'number', default: -1 })
      .option('timeout', { type: 'string', describe: 'Give up after this long (0: never)' })
      .option('disable-eviction', { type: 'boolean', describe: 'Delete pods instead of evicting them' })
      .option('pod-selector', { type: 'string' }),
  run: async (f, argv) => {
    const timeoutMs = parseDuration(str(argv.timeout)) ?? 0;
    const deadline = timeoutMs > 0 ? Date.now() + timeoutMs : Infinity;
    const grace = Number(argv.gracePeriod ?? -1);
    const podsInfo = resolveType('pods');
    const errors: unknown[] = [];
    for (const node of await nodesFrom(f, argv)) {
      await setUnschedulable(f, node, true, false);
      const { items } = await listAll(f.client, podsInfo, undefined, { fieldSelector: `spec.nodeName=${node}`, labelSelector: str(argv.podSelector) });
      const plan = planDrain(items as Pod[], {
        ignoreDaemonsets: bool(argv.ignoreDaemonsets),
        deleteEmptyDirData: bool(argv.deleteEmptydirData),
        force: bool(argv.force),
      });
      if (plan.errors.length > 0) {
        await write(
          f.io.stderr,
          `error: unable to drain node "${node}" due to error: ${plan.errors.join(', ')}, continuing command...\nThere are pending nodes to be drained:\n ${node}\n`,
        );
        errors.push(new CliError(plan.errors.join('\n')));
        continue;
      }
      if (plan.warnings.length > 0) await write(f.io.stderr, `Warning: ${plan.warnings.join('; ')}\n`);
      await Promise.all(
        plan.evict.map(async (pod) => {
          const ns = pod.metadata?.namespace ?? 'default';
          const name = pod.metadata?.name ?? '';
          const rc = f.resource(podsInfo, ns);
          await write(f.io.stderr, `evicting pod ${ns}/${name}\n`);
          for (;;) {
            try {
              if (bool(argv.disableEviction)) {
                await rc.delete(name, grace >= 0 ? { gracePeriodSeconds: grace } : {});
              } else {
                await rc.subresource(name, 'eviction', {
                  method: 'POST',
                  body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: ns }, ...(grace >= 0 ? { deleteOptions: { gracePeriodSeconds: grace } } : {}) },
                });
              }
              break;
            } catch (e) {
              if (isNotFound(e)) break;
              if (!isTooManyRequests(e) || Date.now() > deadline) throw e;
              await write(f.io.stderr, `error when evicting pods/"${name}" -n "${ns}" (will retry after 5s): ${formatError(e).replace(/^Error from server \([^)]*\): /, '')}\n`);
              await sleep(5000);
            }
          }
          await waitForDeletion(f, podsInfo, ns, name, pod.metadata?.uid, deadline === Infinity ? 0 : Math.max(1, deadline - Date.now()));
          await write(f.io.stdout, `pod/${name} evicted\n`);
        }),
      ).catch((e: unknown) => {
        errors.push(e);
      });
      if (errors.length === 0) await write(f.io.stdout, `node/${node} drained\n`);
    }
    if (errors.length > 0) throw new AggregateCliError(errors);
  },
};
