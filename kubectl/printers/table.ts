// kubectl's HumanReadablePrinter for server-side Tables: decorates with NAMESPACE (-A),
// label columns (-L, --show-labels) and the kind prefix (`pod/x` when several kinds print),
// hides priority columns unless -o wide, prints headers once per column set (watch).
import type { ObjectMeta } from 'kubernetes-types/meta/v1';
import { formatLabels } from '../../api/go-format.js';
import type { TabWriter } from './tabwriter.js';

export interface ColumnDefinition {
  name: string;
  type: string;
  format?: string;
  description?: string;
  priority?: number;
}

export interface TableRowLike {
  cells: unknown[];
  object?: { metadata?: ObjectMeta; [k: string]: unknown };
}

export interface TableLike {
  columnDefinitions: ColumnDefinition[];
  rows: TableRowLike[];
  metadata?: { resourceVersion?: string; continue?: string };
}

export interface TablePrintOptions {
  wide?: boolean;
  noHeaders?: boolean;
  withNamespace?: boolean;
  showLabels?: boolean;
  /** -L: one column per label key. */
  columnLabels?: string[];
  /** `pod`, `deployment.apps`: prefixes the name column. */
  kind?: string;
}

const WATCH_EVENT_TEXT: Record<string, string> = { ADDED: 'ADDED   ', MODIFIED: 'MODIFIED', DELETED: 'DELETED ', ERROR: 'ERROR   ' };

/** One cell as kubectl prints it: text up to the first line break (then `...`). */
export function formatCell(cell: unknown): string {
  if (cell === null || cell === undefined) return '';
  const s = typeof cell === 'string' ? cell : typeof cell === 'object' ? JSON.stringify(cell) : String(cell);
  const brk = s.search(/[\f\n\r]/);
  return brk >= 0 ? `${s.slice(0, brk)}...` : s;
}

function labelHeader(key: string): string {
  const parts = key.split('/');
  return parts[parts.length - 1]!.toUpperCase();
}

/** A copy of the table with the extra columns kubectl adds on the client. */
export function decorateTable(table: TableLike, opts: TablePrintOptions): TableLike {
  const columns: ColumnDefinition[] = [];
  if (opts.withNamespace) columns.push({ name: 'Namespace', type: 'string' });
  columns.push(...table.columnDefinitions);
  for (const l of opts.columnLabels ?? []) columns.push({ name: labelHeader(l), type: 'string' });
  if (opts.showLabels) columns.push({ name: 'Labels', type: 'string' });
  const nameColumn = opts.kind ? table.columnDefinitions.findIndex((c) => c.format === 'name' && c.type === 'string') : -1;
  const rows = table.rows.map((row) => {
    const cells = [...row.cells];
    while (cells.length < table.columnDefinitions.length) cells.push(null);
    if (nameColumn >= 0) cells[nameColumn] = `${opts.kind}/${formatCell(cells[nameColumn])}`;
    const meta = row.object?.metadata;
    const out: unknown[] = [];
    if (opts.withNamespace) out.push(meta?.namespace ?? null);
    out.push(...cells);
    for (const l of opts.columnLabels ?? []) out.push(meta?.labels?.[l] ?? '');
    if (opts.showLabels) out.push(meta ? formatLabels(meta.labels) : null);
    return { ...row, cells: out };
  });
  return { ...table, columnDefinitions: columns, rows };
}

/** Stateful like kubectl's: headers print once per distinct column set, as watch events arrive. */
export class HumanTablePrinter {
  private lastColumns: ColumnDefinition[] = [];
  private printedHeaders = false;

  constructor(private readonly opts: TablePrintOptions) {}

  /** Prints one table (a list, or one watch event's one-row table when `eventType` is set). */
  print(input: TableLike, w: TabWriter, eventType?: string): void {
    const same = JSON.stringify(input.columnDefinitions) === JSON.stringify(this.lastColumns);
    const noHeaders = this.opts.noHeaders || (this.printedHeaders && (input.columnDefinitions.length === 0 || same));
    let table = input;
    if (input.columnDefinitions.length === 0) {
      table = { ...input, columnDefinitions: this.lastColumns };
    } else if (!same) {
      this.lastColumns = input.columnDefinitions;
      this.printedHeaders = false;
    }
    if (table.rows.length > 0) this.printedHeaders = true;
    table = decorateTable(table, this.opts);
    if (eventType) {
      table = {
        ...table,
        columnDefinitions: [{ name: 'Event', type: 'string' }, ...table.columnDefinitions],
        rows: table.rows.map((r) => ({ ...r, cells: [WATCH_EVENT_TEXT[eventType] ?? eventType, ...r.cells] })),
      };
    }
    printTable(table, w, { ...this.opts, noHeaders });
  }
}

/** printTable: headers (upper-cased, skipped with no rows), then the visible cells. */
export function printTable(table: TableLike, w: TabWriter, opts: Pick<TablePrintOptions, 'wide' | 'noHeaders'>): void {
  const visible = table.columnDefinitions.map((c) => opts.wide || !c.priority);
  if (!opts.noHeaders) {
    if (table.rows.length === 0) return;
    w.write(table.columnDefinitions.filter((_c, i) => visible[i]).map((c) => c.name.toUpperCase()).join('\t') + '\n');
  }
  for (const row of table.rows) {
    const cells: string[] = [];
    row.cells.forEach((cell, i) => {
      if (i < table.columnDefinitions.length && visible[i]) cells.push(formatCell(cell));
    });
    w.write(cells.join('\t') + '\n');
  }
}
