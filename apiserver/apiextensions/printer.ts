// Server-side printing of custom resources (k8s apiextensions-apiserver
// pkg/registry/customresource/tableconvertor): NAME, then the version's additionalPrinterColumns
// evaluated as JSONPath, or AGE when it declares none. Dates print as ages, as kubectl shows them.
import type { CustomResourceColumnDefinition } from 'kubernetes-types/apiextensions/v1';
import type { KObject } from '../../api/types.js';
import { parseJsonPath, relaxedJsonPath, type JsonPath } from '../../client/jsonpath.js';
import { column, humanDuration, NAME_COLUMN, type Cell, type TableColumnDefinition, type TablePrinter } from '../tables/format.js';

/** What a CRD without columns prints (k8s defaults additionalPrinterColumns to this Age column). */
const DEFAULT_COLUMNS: CustomResourceColumnDefinition[] = [
  { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.' },
];

const cache = new WeakMap<CustomResourceColumnDefinition[], TablePrinter>();

function columnType(t: string): TableColumnDefinition['type'] {
  return t === 'integer' || t === 'number' || t === 'boolean' || t === 'date' ? t : 'string';
}

/** One cell: the JSONPath's values (k8s prints several joined with commas); nothing found is null. */
function cell(path: JsonPath | undefined, col: CustomResourceColumnDefinition, obj: KObject, now: Date): Cell {
  const values = path ? path.findResults(obj).flat() : [];
  if (values.length === 0 || values[0] === undefined || values[0] === null) return null as unknown as Cell; // kubectl prints <none>
  const v = values[0];
  if (col.type === 'date' && typeof v === 'string') {
    const t = Date.parse(v);
    return Number.isNaN(t) ? v : humanDuration(now.getTime() - t);
  }
  if (col.type === 'integer' && typeof v === 'number') return Math.trunc(v);
  if ((col.type === 'number' && typeof v === 'number') || (col.type === 'boolean' && typeof v === 'boolean')) return v;
  if (values.length > 1) return values.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join(',');
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function compile(jsonPath: string): JsonPath | undefined {
  try {
    return parseJsonPath(relaxedJsonPath(jsonPath));
  } catch {
    return undefined; // rejected when the CRD was validated; an old stored one prints nothing
  }
}

export function customResourcePrinter(printerColumns: CustomResourceColumnDefinition[]): TablePrinter {
  let p = cache.get(printerColumns);
  if (p) return p;
  const cols = printerColumns.length ? printerColumns : DEFAULT_COLUMNS;
  const paths = cols.map((c) => compile(c.jsonPath));
  p = {
    columns: [NAME_COLUMN, ...cols.map((c) => column(c.name, columnType(c.type), c.description ?? '', c.priority ?? 0, c.format ?? ''))],
    cells: (obj, now) => [(obj as KObject).metadata?.name ?? '', ...cols.map((c, i) => cell(paths[i], c, obj as KObject, now))],
  };
  cache.set(printerColumns, p);
  return p;
}
