// kc cordon / uncordon / drain: spec.unschedulable as a strategic merge patch, then (drain)
// evictions through pods/eviction, waiting until each pod is gone.
import type { Pod } from 'kubernetes-types/core/v1';
import type { KObject } from '../../api/types.js';
import { isNotFound, isTooManyRequests } from '../../client/index.js';
import { sleep } from '../../client/index.js';
import { bool, str, strs, type Args, type KcCommand } from '../command.js';
import { AggregateCliError, CliError, VerbatimError } from '../errors.js';
import { formatDurationMs } from '../../client/duration.js';
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

interface EvictOptions {
  grace: number;
  disableEviction: boolean;
  /** Epoch ms of `--timeout` (Infinity: none), and the flag's length for the message. */
  deadline: number;
  timeout: number;
}

/**
 * kubectl drain's evictPods for one pod: an eviction refused with 429 (a PodDisruptionBudget
 * allows no disruption now) is retried every 5 s until `--timeout`, then the pod's deletion is
 * awaited.
 */
async function evictOrDelete(f: Factory, pod: Pod, o: EvictOptions): Promise<void> {
  const ns = pod.metadata?.namespace ?? 'default';
  const name = pod.metadata?.name ?? '';
  const rc = f.resource(resolveType('pods'), ns);
  const timedOut = (): CliError => new VerbatimError(`error when evicting pods/"${name}" -n "${ns}": global timeout reached: ${formatDurationMs(o.timeout)}`);
  for (;;) {
    // As kubectl: the attempt is announced, then the global timeout checked.
    await write(f.io.stdout, `evicting pod ${ns}/${name}\n`);
    if (Date.now() >= o.deadline) throw timedOut();
    try {
      if (o.disableEviction) {
        await rc.delete(name, o.grace >= 0 ? { gracePeriodSeconds: o.grace } : {});
      } else {
        await rc.subresource(name, 'eviction', {
          method: 'POST',
          body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: ns }, ...(o.grace >= 0 ? { deleteOptions: { gracePeriodSeconds: o.grace } } : {}) },
        });
      }
      break;
    } catch (e) {
      if (isNotFound(e)) break;
      if (!isTooManyRequests(e)) throw e;
      await write(f.io.stderr, `error when evicting pods/"${name}" -n "${ns}" (will retry after 5s): ${e instanceof Error ? e.message : String(e)}\n`);
      await sleep(5000); // kubectl's fixed wait, not cut short by --timeout
    }
  }
  await waitForDeletion(f, resolveType('pods'), ns, name, pod.metadata?.uid, o.deadline === Infinity ? 0 : Math.max(1, o.deadline - Date.now()));
}

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
      const pending: string[] = [];
      const results = await Promise.allSettled(
        plan.evict.map(async (pod) => {
          await evictOrDelete(f, pod, { grace, disableEviction: bool(argv.disableEviction), deadline, timeout: timeoutMs });
          await write(f.io.stdout, `pod/${pod.metadata?.name ?? ''} evicted\n`);
        }),
      );
      const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [{ err: r.reason as unknown, pod: plan.evict[i] }] : []));
      for (const { pod } of failed) pending.push(`pod/${pod.metadata?.name ?? ''}`);
      if (failed.length > 0) {
        // kubectl drain's report: the pods still on the node, then the node left undrained.
        const msg = failed.map(({ err }) => (err instanceof Error ? err.message : String(err))).join(', ');
        await write(f.io.stderr, `There are pending pods in node "${node}" when an error occurred: ${msg}\n${pending.join('\n')}\n`);
        await write(f.io.stderr, `error: unable to drain node "${node}" due to error: ${msg}, continuing command...\nThere are pending nodes to be drained:\n ${node}\n`);
        errors.push(...failed.map(({ err }) => err));
        continue;
      }
      await write(f.io.stdout, `node/${node} drained\n`);
    }
    if (errors.length > 0) throw new AggregateCliError(errors);
  },
};
