// kc get: server-side Tables printed like kubectl (NAMESPACE with -A, kind prefixes for
// several kinds, -o wide, --show-labels, -L, --sort-by), the generic -o formats, and -w.
import type { ResourceInfo } from '../../api/resources.js';
import type { KObject } from '../../api/types.js';
import { isNotFound } from '../../client/index.js';
import { bool, str, strs, type Args, type KcCommand } from '../command.js';
import { AggregateCliError, CliError } from '../errors.js';
import { parseDuration, type Factory } from '../factory.js';
import { TABLE_ACCEPT, getTable, listAll, watchRaw } from '../fetch.js';
import { rolloutProgress } from '../terminal-plots.js';
import { write } from '../io.js';
import { infoForObject, readManifests } from '../manifests.js';
import { asList, parseOutputFormat, printGeneric, type OutputFormat } from '../printers/output.js';
import { parseJsonPath, relaxedJsonPath } from '../../client/jsonpath.js';
import { HumanTablePrinter, type TableLike, type TableRowLike } from '../printers/table.js';
import { TabWriter } from '../printers/tabwriter.js';
import { kindPrefix, parseResourceArgs, type ParsedArgs } from '../resource-args.js';

export const getCommand: KcCommand = {
  command: 'get [args..]',
  describe: 'Display one or many resources',
  builder: (y) =>
    y
      .option('output', { alias: 'o', type: 'string', describe: 'json|yaml|wide|name|jsonpath=…|custom-columns=…' })
      .option('selector', { alias: 'l', type: 'string', describe: 'Label selector (e.g. app=web,tier!=db)' })
      .option('field-selector', { type: 'string', describe: 'Field selector (e.g. status.phase=Running)' })
      .option('all-namespaces', { alias: 'A', type: 'boolean', describe: 'List across all namespaces' })
      .option('watch', { alias: 'w', type: 'boolean', describe: 'After listing, watch for changes' })
      .option('watch-only', { type: 'boolean', describe: 'Watch for changes without listing first' })
      .option('output-watch-events', { type: 'boolean', describe: 'Prefix watch output with the event type' })
      .option('progress', { type: 'boolean', describe: 'tskube extra: with -w on Deployments, a rollout progress bar under each row' })
      .option('show-labels', { type: 'boolean', describe: 'Show all labels as the last column' })
      .option('label-columns', { alias: 'L', type: 'string', array: true, describe: 'Labels to show as columns' })
      .option('sort-by', { type: 'string', describe: 'Sort by a JSONPath expression (e.g. .metadata.name)' })
      .option('no-headers', { type: 'boolean', describe: 'Omit table headers' })
      .option('ignore-not-found', { type: 'boolean', describe: 'Treat NotFound as success' })
      .option('filename', { alias: 'f', type: 'string', array: true, describe: 'Files naming the objects to get' })
      .option('recursive', { alias: 'R', type: 'boolean' })
      .option('chunk-size', { type: 'number', default: 500 }),
  run: runGet,
};

interface GetOptions {
  format: OutputFormat;
  allNamespaces: boolean;
  labelSelector?: string;
  fieldSelector?: string;
  showLabels: boolean;
  columnLabels: string[];
  sortBy?: string;
  noHeaders: boolean;
  ignoreNotFound: boolean;
  chunkSize: number;
}

function optionsFrom(argv: Args): GetOptions {
  return {
    format: parseOutputFormat(str(argv.output)),
    allNamespaces: bool(argv.allNamespaces),
    labelSelector: str(argv.selector),
    fieldSelector: str(argv.fieldSelector),
    showLabels: bool(argv.showLabels),
    columnLabels: strs(argv.labelColumns).flatMap((l) => l.split(',')).filter(Boolean),
    sortBy: str(argv.sortBy),
    noHeaders: bool(argv.noHeaders),
    ignoreNotFound: bool(argv.ignoreNotFound),
    chunkSize: Number(argv.chunkSize ?? 500) || 500,
  };
}

async function requestsFrom(f: Factory, argv: Args): Promise<ParsedArgs & { namespaces?: Map<string, string | undefined> }> {
  const files = strs(argv.filename);
  if (files.length === 0) return parseResourceArgs(strs(argv.args), 'get');
  const manifests = await readManifests(files, f.io, bool(argv.recursive), 'get');
  const requests = manifests.map((m) => ({ info: infoForObject(m), names: [String(m.obj.metadata?.name ?? '')], namespace: m.obj.metadata?.namespace }));
  const kinds = new Set(requests.map((r) => r.info));
  return { requests, multipleTypes: kinds.size > 1, singleItem: requests.length === 1 };
}

/** Sorts rows (or objects) by a JSONPath the way kubectl's --sort-by does: numbers numerically, else as text. */
export function sortByJsonPath<T>(items: T[], expr: string, objectOf: (t: T) => unknown): T[] {
  const path = parseJsonPath(relaxedJsonPath(expr));
  const key = (t: T): unknown => path.findResults(objectOf(t)).flat()[0];
  return [...items].sort((a, b) => {
    const x = key(a);
    const y = key(b);
    if (x === undefined && y === undefined) return 0;
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    const sx = typeof x === 'string' ? x : JSON.stringify(x);
    const sy = typeof y === 'string' ? y : JSON.stringify(y);
    return sx < sy ? -1 : sx > sy ? 1 : 0;
  });
}

async function runGet(f: Factory, argv: Args): Promise<void> {
  const o = optionsFrom(argv);
  const parsed = await requestsFrom(f, argv);
  const namespace = o.allNamespaces ? undefined : f.namespace;
  if (bool(argv.watch) || bool(argv.watchOnly)) return watch(f, parsed, o, namespace, bool(argv.watchOnly), bool(argv.outputWatchEvents), bool(argv.progress));
  if (o.format.kind === 'table') return human(f, parsed, o, namespace, o.format.wide);
  return generic(f, parsed, o, namespace, o.format);
}

type Request = ParsedArgs['requests'][number] & { namespace?: string };

async function human(f: Factory, parsed: ParsedArgs, o: GetOptions, namespace: string | undefined, wide: boolean): Promise<void> {
  const errors: unknown[] = [];
  let written = 0;
  let separator = false;
  const tw = new TabWriter({
    write: (s: string) => {
      if (!s) return;
      if (separator) {
        f.io.stdout.write('\n');
        separator = false;
      }
      written += s.length;
      f.io.stdout.write(s);
    },
  });
  let last: ResourceInfo | undefined;
  let printer: HumanTablePrinter | undefined;
  let allNamespaced = !o.allNamespaces;
  for (const req of parsed.requests as Request[]) {
    allNamespaced &&= req.info.namespaced;
    const ns = req.namespace ?? namespace;
    const tables: TableLike[] = [];
    const sel = { labelSelector: o.labelSelector, fieldSelector: o.fieldSelector, includeObject: !!o.sortBy, chunkSize: o.chunkSize };
    if (req.names.length === 0) {
      tables.push(await getTable(f.client, req.info, ns, undefined, sel));
    } else {
      for (const name of req.names) {
        try {
          tables.push(await getTable(f.client, req.info, ns ?? f.namespace, name, sel));
        } catch (e) {
          if (!(o.ignoreNotFound && isNotFound(e))) errors.push(e);
        }
      }
    }
    for (let table of tables) {
      if (o.sortBy) table = { ...table, rows: sortByJsonPath<TableRowLike>(table.rows, o.sortBy, (r) => r.object) };
      if (req.info !== last || !printer) {
        tw.flush();
        tw.resetWidths();
        if (last && !o.noHeaders && written > 0) separator = true;
        printer = new HumanTablePrinter({
          wide,
          noHeaders: o.noHeaders,
          withNamespace: o.allNamespaces && req.info.namespaced,
          showLabels: o.showLabels,
          columnLabels: o.columnLabels,
          kind: parsed.multipleTypes ? kindPrefix(req.info) : undefined,
        });
        last = req.info;
      }
      printer.print(table, tw);
    }
  }
  tw.flush();
  separator = false;
  if (written === 0 && !o.ignoreNotFound && errors.length === 0) {
    await write(f.io.stderr, allNamespaced ? `No resources found in ${namespace} namespace.\n` : 'No resources found\n');
  }
  if (errors.length > 0) throw new AggregateCliError(errors);
}

async function generic(f: Factory, parsed: ParsedArgs, o: GetOptions, namespace: string | undefined, format: Exclude<OutputFormat, { kind: 'table' }>): Promise<void> {
  const errors: unknown[] = [];
  let objects: KObject[] = [];
  for (const req of parsed.requests as Request[]) {
    const ns = req.namespace ?? namespace;
    if (req.names.length === 0) {
      objects.push(...(await listAll(f.client, req.info, ns, { labelSelector: o.labelSelector, fieldSelector: o.fieldSelector })).items);
      continue;
    }
    for (const name of req.names) {
      try {
        objects.push(await f.resource(req.info, ns ?? f.namespace).get(name));
      } catch (e) {
        if (!(o.ignoreNotFound && isNotFound(e))) errors.push(e);
      }
    }
  }
  if (o.sortBy) objects = sortByJsonPath(objects, o.sortBy, (x) => x);
  if (parsed.singleItem && errors.length > 0 && objects.length === 0) throw errors[0];
  if (!(o.ignoreNotFound && objects.length === 0 && parsed.singleItem)) {
    const obj = parsed.singleItem && objects.length === 1 ? objects[0]! : asList(objects);
    await write(f.io.stdout, printGeneric(obj, format, o.noHeaders));
  }
  if (errors.length > 0) throw new AggregateCliError(errors);
}

async function watch(f: Factory, parsed: ParsedArgs, o: GetOptions, namespace: string | undefined, watchOnly: boolean, withEvents: boolean, progress = false): Promise<void> {
  const kinds = new Set(parsed.requests.map((r) => r.info));
  if (kinds.size > 1) throw new CliError('watch is only supported on individual resources and resource collections - more than 1 resource was found');
  const req = parsed.requests[0]!;
  if (req.names.length > 1) throw new CliError('watch is only supported on individual resources and resource collections - more than 1 resource was found');
  const info = req.info;
  const ns = info.namespaced ? ((req as Request).namespace ?? namespace ?? (req.names.length ? f.namespace : undefined)) : undefined;
  const name = req.names[0];
  const fieldSelector = [o.fieldSelector, name ? `metadata.name=${name}` : undefined].filter(Boolean).join(',') || undefined;
  const sel = { labelSelector: o.labelSelector, fieldSelector };
  const human = o.format.kind === 'table';
  const tw = new TabWriter(f.io.stdout);
  const printer = new HumanTablePrinter({
    wide: o.format.kind === 'table' && o.format.wide,
    noHeaders: o.noHeaders,
    withNamespace: o.allNamespaces && info.namespaced,
    showLabels: o.showLabels,
    columnLabels: o.columnLabels,
  });
  let printed = 0;
  const printObject = async (obj: KObject, type: string): Promise<void> => {
    if (o.format.kind === 'table') return;
    let text = printGeneric(obj, o.format, o.noHeaders);
    if (o.format.kind === 'yaml' && printed > 0) text = `---\n${text}`;
    if (withEvents && (o.format.kind === 'json' || o.format.kind === 'yaml')) text = printGeneric({ type, object: obj } as KObject, o.format);
    printed++;
    await write(f.io.stdout, text);
  };
  // --progress (opt-in): a bar under each Deployment row; the rows themselves stay kubectl's.
  let columns: string[] = [];
  const printProgress = async (cells: unknown[]) => {
    const bar = info.kind === 'Deployment' ? rolloutProgress(columns, cells) : undefined;
    if (bar) await write(f.io.stdout, `${bar}\n`);
  };
  let resourceVersion: string;
  if (human) {
    if (name) await getTable(f.client, info, ns, name, {}); // NotFound surfaces as kubectl's error
    const table = await getTable(f.client, info, ns, undefined, { ...sel, chunkSize: o.chunkSize });
    resourceVersion = table.metadata?.resourceVersion ?? '';
    columns = (table.columnDefinitions ?? []).map((c) => c.name);
    if (!watchOnly) {
      printer.print(table, tw, withEvents ? 'ADDED' : undefined);
      tw.flush();
      if (progress) for (const row of table.rows) await printProgress(row.cells);
    }
  } else {
    if (name) await f.resource(info, ns).get(name);
    const list = await listAll(f.client, info, ns, sel);
    resourceVersion = list.resourceVersion;
    if (!watchOnly) for (const item of list.items) await printObject(item, 'ADDED');
  }
  // --request-timeout bounds a watch too; reaching it ends kc quietly, as kubectl.
  const timeoutMs = parseDuration(f.flags.requestTimeout, 'request-timeout') ?? 0;
  const signal = timeoutMs > 0 ? AbortSignal.timeout(timeoutMs) : undefined;
  for await (const ev of watchRaw(f.client, info, ns, { ...sel, resourceVersion, accept: human ? TABLE_ACCEPT : 'application/json', signal })) {
    if (ev.type === 'BOOKMARK') continue;
    if (ev.type === 'ERROR') {
      const status = ev.object as { message?: string; reason?: string };
      await write(f.io.stderr, `error: ${status.message ?? status.reason ?? 'watch error'}\n`);
      continue;
    }
    if (human) {
      printer.print(ev.object as unknown as TableLike, tw, withEvents ? ev.type : undefined);
      tw.flush();
      if (progress) for (const row of (ev.object as unknown as TableLike).rows ?? []) await printProgress(row.cells);
    } else {
      await printObject(ev.object, ev.type);
    }
  }
}

