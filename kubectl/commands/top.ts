// kc top nodes|pods (kubectl top): usage from the metrics API (metrics.k8s.io/v1beta1, served by
// metrics-server through the apiserver's aggregation), printed as kubectl top prints it.
// As kubectl: "Metrics API not available" when discovery has no metrics.k8s.io group.
import type { Node } from 'kubernetes-types/core/v1';
import { bool, str, type Args, type KcCommand } from '../command.js';
import { CliError } from '../errors.js';
import { parseDuration, type Factory } from '../factory.js';
import { listAll } from '../fetch.js';
import { write } from '../io.js';
import { tabulate } from '../printers/tabwriter.js';
import { resolveType } from '../resource-args.js';
import { UsageHistory } from '../terminal-plots.js';
import { NODE_HEADER, nodeLines, podLines, type NodeMetrics, type PodMetrics } from '../top-metrics.js';

const METRICS_GV = '/apis/metrics.k8s.io/v1beta1';

/** kubectl's SupportedMetricsAPIVersionAvailable: discovery lists metrics.k8s.io/v1beta1. */
async function requireMetricsApi(f: Factory): Promise<void> {
  const groups = await f.client.getPath<{ groups?: { name?: string; versions?: { version?: string }[] }[] }>('/apis');
  const ok = groups.groups?.some((g) => g.name === 'metrics.k8s.io' && g.versions?.some((v) => v.version === 'v1beta1'));
  if (!ok) throw new CliError('Metrics API not available');
}

function query(sel: Record<string, string | undefined>): string {
  const q = new URLSearchParams(Object.entries(sel).filter((e): e is [string, string] => !!e[1]));
  return q.size ? `?${q}` : '';
}

const nodes: KcCommand = {
  command: 'nodes [name]',
  aliases: ['node', 'no'],
  describe: 'Display resource (CPU/memory) usage of nodes',
  builder: (y) =>
    y
      .option('selector', { alias: 'l', type: 'string' })
      .option('sort-by', { type: 'string' })
      .option('no-headers', { type: 'boolean' })
      .option('show-capacity', { type: 'boolean', describe: 'Percentages of capacity instead of allocatable' })
      .option('watch', { alias: 'w', type: 'boolean', describe: 'tskube extra: re-read every --interval, with a sparkline per row' })
      .option('interval', { type: 'string', describe: 'With --watch: time between samples (default 15s)' }),
  run: async (f, argv) => {
    await requireMetricsApi(f);
    await showOrWatch(f, argv, () => nodeText(f, argv));
  },
};

const pods: KcCommand = {
  command: 'pods [name]',
  aliases: ['pod', 'po'],
  describe: 'Display resource (CPU/memory) usage of pods',
  builder: (y) =>
    y
      .option('selector', { alias: 'l', type: 'string' })
      .option('field-selector', { type: 'string' })
      .option('all-namespaces', { alias: 'A', type: 'boolean' })
      .option('containers', { type: 'boolean' })
      .option('sort-by', { type: 'string' })
      .option('sum', { type: 'boolean', describe: 'Print the sum of the resource usage' })
      .option('no-headers', { type: 'boolean' })
      .option('watch', { alias: 'w', type: 'boolean', describe: 'tskube extra: re-read every --interval, with a sparkline per row' })
      .option('interval', { type: 'string', describe: 'With --watch: time between samples (default 15s)' }),
  run: async (f, argv) => {
    await requireMetricsApi(f);
    await showOrWatch(f, argv, () => podText(f, argv));
  },
};

/** kubectl top node's text (tab-separated). */
async function nodeText(f: Factory, argv: Args): Promise<string> {
  const name = str(argv.name);
  const selector = str(argv.selector);
  const metrics = name
    ? [await f.client.getPath<NodeMetrics>(`${METRICS_GV}/nodes/${encodeURIComponent(name)}`)]
    : ((await f.client.getPath<{ items?: NodeMetrics[] }>(`${METRICS_GV}/nodes${query({ labelSelector: selector })}`)).items ?? []);
  if (metrics.length === 0) throw new CliError('metrics not available yet');
  const info = resolveType('nodes');
  const list = name ? [(await f.resource(info).get(name)) as unknown as Node] : ((await listAll(f.client, info, undefined, { labelSelector: selector })).items as unknown as Node[]);
  const available = new Map(list.map((n) => [n.metadata?.name ?? '', ((bool(argv.showCapacity) ? n.status?.capacity : n.status?.allocatable) ?? {}) as { cpu?: string; memory?: string }]));
  return (bool(argv.noHeaders) ? '' : NODE_HEADER) + nodeLines(metrics, available, str(argv.sortBy));
}

/** kubectl top pod's text (tab-separated); undefined when the namespace has no pods. */
async function podText(f: Factory, argv: Args): Promise<string | undefined> {
  const allNs = bool(argv.allNamespaces);
  const name = str(argv.name);
  const sel = { labelSelector: str(argv.selector), fieldSelector: str(argv.fieldSelector) };
  const base = allNs && !name ? METRICS_GV : `${METRICS_GV}/namespaces/${encodeURIComponent(f.namespace)}`;
  const metrics = name
    ? [await f.client.getPath<PodMetrics>(`${base}/pods/${encodeURIComponent(name)}`)]
    : ((await f.client.getPath<{ items?: PodMetrics[] }>(`${base}/pods${query(sel)}`)).items ?? []);
  if (metrics.length === 0) {
    // kubectl's verifyEmptyMetrics: pods that exist but are not measured yet are an error.
    const existing = await listAll(f.client, resolveType('pods'), allNs ? undefined : f.namespace, sel);
    if (existing.items.length > 0) throw new CliError('metrics not available yet');
    await write(f.io.stderr, allNs ? 'No resources found\n' : `No resources found in ${f.namespace} namespace.\n`);
    return undefined;
  }
  return podLines(metrics, { allNamespaces: allNs && !name, containers: bool(argv.containers), noHeaders: bool(argv.noHeaders), sortBy: str(argv.sortBy), sum: bool(argv.sum) });
}

/**
 * Prints kubectl's table once; with --watch (a tskube extra) re-reads every --interval and
 * reprints it with each row's CPU and memory history as sparklines, until Ctrl-C.
 */
async function showOrWatch(f: Factory, argv: Args, read: () => Promise<string | undefined>): Promise<void> {
  if (!bool(argv.watch)) {
    const text = await read();
    if (text !== undefined) await write(f.io.stdout, tabulate(text));
    return;
  }
  const every = parseDuration(str(argv.interval), 'interval') ?? 15_000;
  const history = new UsageHistory();
  const abort = new AbortController();
  const stop = () => abort.abort();
  f.io.signal?.addEventListener('abort', stop, { once: true });
  if (!f.io.signal) process.once('SIGINT', stop);
  try {
    while (!abort.signal.aborted) {
      const text = await read();
      // On a terminal the table is redrawn in place; into a pipe each sample follows the last.
      if (text !== undefined) await write(f.io.stdout, (f.io.stdoutIsTTY ? '\x1b[H\x1b[2J' : '') + tabulate(history.annotate(text, !bool(argv.noHeaders))) + (f.io.stdoutIsTTY ? '' : '\n'));
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, every);
        abort.signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
      });
    }
  } finally {
    process.removeListener('SIGINT', stop);
  }
}

export const topCommand: KcCommand = {
  command: 'top',
  describe: 'Display resource (CPU/memory) usage',
  subcommands: [nodes, pods],
};
