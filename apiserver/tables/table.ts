// Server-side printing: a list (or one object) as a meta.k8s.io/v1 Table, which is what
// `kubectl get` asks for. The server always fills the wide (priority 1) columns; kubectl
// hides them unless `-o wide`.
import type { ResourceInfo } from '../../api/resources.js';
import type { KObject } from '../../api/types.js';
import { podPrinter } from './pods.js';
import { workloadPrinters } from './workloads.js';
import { clusterPrinters } from './cluster.js';
import { networkingPrinters } from './networking.js';
import { apiRegistrationPrinters } from './apiregistration.js';
import { schedulingPrinters } from './scheduling.js';
import { column, NAME_COLUMN, type Cell, type TableColumnDefinition, type TablePrinter, type TableRowCondition } from './format.js';
import { metaTime } from '../../api/time.js';
import { customResourcePrinter } from '../apiextensions/printer.js';

export { humanDuration } from './format.js';
export type { TableColumnDefinition, Cell } from './format.js';

export interface TableOptions {
  /** What each row carries in `object`: PartialObjectMetadata (default), the object, or nothing. */
  includeObject?: 'None' | 'Metadata' | 'Object';
  resourceVersion?: string;
  continue?: string;
  remainingItemCount?: number;
  /** The clock for Age columns; tests pass a fixed one. */
  now?: Date;
  /** Omit columnDefinitions (watch events after the first, `?includeHeaders=false`…). */
  omitHeaders?: boolean;
}

export interface TableRow {
  cells: Cell[];
  conditions?: TableRowCondition[];
  object?: object;
}

export interface Table {
  kind: 'Table';
  apiVersion: 'meta.k8s.io/v1';
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  columnDefinitions: TableColumnDefinition[];
  rows: TableRow[];
}

/**
 * Kinds without a printer get what the apiserver's default table convertor gives them:
 * the name and the creation time (RFC 3339), as `kubectl get roles` shows.
 */
const defaultPrinter: TablePrinter = {
  columns: [NAME_COLUMN, column('Created At', 'date', 'When the object was created (metadata.creationTimestamp).')],
  cells: (obj) => {
    const meta = (obj as KObject).metadata ?? {};
    return [meta.name ?? '', meta.creationTimestamp ? metaTime(new Date(meta.creationTimestamp)) : ''];
  },
};

const printers: Record<string, TablePrinter> = {
  '/pods': podPrinter,
  ...workloadPrinters,
  ...clusterPrinters,
  ...networkingPrinters,
  ...apiRegistrationPrinters,
  ...schedulingPrinters,
};

/** The printer for a resource, keyed `group/resource` (core group: `/pods`); a CRD's from its columns. */
export function printerFor(info: Pick<ResourceInfo, 'group' | 'resource' | 'custom'>): TablePrinter {
  if (info.custom) return customResourcePrinter(info.custom.printerColumns);
  return printers[`${info.group}/${info.resource}`] ?? defaultPrinter;
}

export function tableColumns(info: Pick<ResourceInfo, 'group' | 'resource' | 'custom'>): TableColumnDefinition[] {
  return printerFor(info).columns;
}

function rowObject(obj: KObject, mode: TableOptions['includeObject']): object | undefined {
  switch (mode ?? 'Metadata') {
    case 'None':
      return undefined;
    case 'Object':
      return obj;
    default:
      return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata ?? {} };
  }
}

/** Renders objects of one resource as a Table. */
export function toTable(info: ResourceInfo, objects: KObject[], opts: TableOptions = {}): Table {
  const printer = printerFor(info);
  const now = opts.now ?? new Date();
  const rows = objects.map((obj): TableRow => {
    const conditions = printer.conditions?.(obj);
    const object = rowObject(obj, opts.includeObject);
    return {
      cells: printer.cells(obj, now),
      ...(conditions ? { conditions } : {}),
      ...(object ? { object } : {}),
    };
  });
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: {
      ...(opts.resourceVersion !== undefined ? { resourceVersion: opts.resourceVersion } : {}),
      ...(opts.continue ? { continue: opts.continue } : {}),
      ...(opts.remainingItemCount !== undefined ? { remainingItemCount: opts.remainingItemCount } : {}),
    },
    columnDefinitions: opts.omitHeaders ? [] : printer.columns,
    rows,
  };
}
