// kc top nodes|pods: usage from each node's kubelet stats summary, via the apiserver's node
// proxy. Columns as kubectl top prints them.
import type { Node, Pod } from 'kubernetes-types/core/v1';
import { bool, str, type KcCommand } from '../command.js';
import { CliError } from '../errors.js';
import type { Factory } from '../factory.js';
import { listAll, objectPath } from '../fetch.js';
import { write } from '../io.js';
import { tabulate } from '../printers/tabwriter.js';
import { resolveType } from '../resource-args.js';
import { cpuText, memText, nodeRow, podRows, type StatsSummary, type UsageRow } from '../top-metrics.js';

async function summary(f: Factory, node: string): Promise<StatsSummary> {
  try {
    return await f.client.getPath<StatsSummary>(`${objectPath(resolveType('nodes'), undefined, node, 'proxy')}/stats/summary`);
  } catch (e) {
    throw new CliError(`Metrics not available: node "${node}" stats summary: ${(e as Error).message}`);
  }
}

function sortRows<T extends { row: UsageRow }>(rows: T[], by: string | undefined): T[] {
  if (by === 'cpu') return [...rows].sort((a, b) => b.row.cpuMilli - a.row.cpuMilli);
  if (by === 'memory') return [...rows].sort((a, b) => b.row.memoryBytes - a.row.memoryBytes);
  if (by) throw new CliError(`--sort-by accepts only cpu or memory`);
  return rows;
}

const nodes: KcCommand = {
  command: 'nodes [name]',
  aliases: ['node', 'no'],
  describe: 'Display resource (CPU/memory) usage of nodes',
  builder: (y) => y.option('selector', { alias: 'l', type: 'string' }).option('sort-by', { type: 'string' }).option('no-headers', { type: 'boolean' }),
  run: async (f, argv) => {
    const info = resolveType('nodes');
    const name = str(argv.name);
    const list = name ? [(await f.resource(info).get(name)) as unknown as Node] : ((await listAll(f.client, info, undefined, { labelSelector: str(argv.selector) })).items as unknown as Node[]);
    if (list.length === 0) throw new CliError('metrics not available yet');
    const rows = await Promise.all(list.map(async (n) => ({ row: nodeRow(n.metadata?.name ?? '', await summary(f, n.metadata?.name ?? ''), n.status?.allocatable as Record<string, string>) })));
    let text = bool(argv.noHeaders) ? '' : 'NAME\tCPU(cores)\tCPU(%)\tMEMORY(bytes)\tMEMORY(%)\t\n';
    for (const { row } of sortRows(rows, str(argv.sortBy))) {
      text += `${row.name}\t${cpuText(row)}\t${row.cpuPercent ?? '<unknown>'}%\t${memText(row)}\t${row.memoryPercent ?? '<unknown>'}%\t\n`;
    }
    await write(f.io.stdout, tabulate(text));
  },
};

const pods: KcCommand = {
  command: 'pods [name]',
  aliases: ['pod', 'po'],
  describe: 'Display resource (CPU/memory) usage of pods',
  builder: (y) =>
    y
      .option('selector', { alias: 'l', type: 'string' })
      .option('all-namespaces', { alias: 'A', type: 'boolean' })
      .option('containers', { type: 'boolean' })
      .option('sort-by', { type: 'string' })
      .option('no-headers', { type: 'boolean' }),
  run: async (f, argv) => {
    const info = resolveType('pods');
    const allNs = bool(argv.allNamespaces);
    const name = str(argv.name);
    const list = name
      ? [(await f.resource(info, f.namespace).get(name)) as unknown as Pod]
      : ((await listAll(f.client, info, allNs ? undefined : f.namespace, { labelSelector: str(argv.selector) })).items as unknown as Pod[]);
    if (list.length === 0) {
      await write(f.io.stderr, allNs ? 'No resources found\n' : `No resources found in ${f.namespace} namespace.\n`);
      return;
    }
    const byNode = new Set(list.map((p) => p.spec?.nodeName).filter((n): n is string => !!n));
    const usage = new Map<string, ReturnType<typeof podRows> extends Map<string, infer V> ? V : never>();
    for (const node of byNode) for (const [k, v] of podRows(await summary(f, node))) usage.set(k, v);
    const rows: { row: UsageRow; ns: string; containers: UsageRow[] }[] = [];
    for (const p of list) {
      const key = `${p.metadata?.namespace}/${p.metadata?.name}`;
      const u = usage.get(key);
      if (!u) {
        if (name) throw new CliError(`Metrics not available for pod ${key}`);
        continue;
      }
      rows.push({ row: u.pod, ns: p.metadata?.namespace ?? '', containers: u.containers });
    }
    if (rows.length === 0) throw new CliError('Metrics not available for pods');
    const containers = bool(argv.containers);
    const head = [...(allNs ? ['NAMESPACE'] : []), ...(containers ? ['POD', 'NAME'] : ['NAME']), 'CPU(cores)', 'MEMORY(bytes)'];
    let text = bool(argv.noHeaders) ? '' : head.map((h) => `${h}\t`).join('') + '\n';
    for (const r of sortRows(rows, str(argv.sortBy))) {
      const ns = allNs ? `${r.ns}\t` : '';
      if (containers) for (const c of r.containers) text += `${ns}${r.row.name}\t${c.name}\t${cpuText(c)}\t${memText(c)}\t\n`;
      else text += `${ns}${r.row.name}\t${cpuText(r.row)}\t${memText(r.row)}\t\n`;
    }
    await write(f.io.stdout, tabulate(text));
  },
};

export const topCommand: KcCommand = {
  command: 'top',
  describe: 'Display resource (CPU/memory) usage',
  subcommands: [nodes, pods],
};
