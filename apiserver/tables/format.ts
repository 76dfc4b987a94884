// Cell formatting shared by the table printers, matching what kubectl users see:
// HumanDuration ages, `k=v,k2=v2` labels, label selectors as strings, `<none>` for empty.
import type { LabelSelector } from 'kubernetes-types/meta/v1';
import type { Container } from 'kubernetes-types/core/v1';

export type Cell = string | number | boolean;

export interface TableColumnDefinition {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format: string;
  description: string;
  priority: number;
}

/** A column; `priority: 1` columns are shown by kubectl only with `-o wide`. */
export function column(name: string, type: TableColumnDefinition['type'], description: string, priority = 0, format = ''): TableColumnDefinition {
  return { name, type, format, description, priority };
}

export const NAME_COLUMN = column('Name', 'string', 'Name must be unique within a namespace.', 0, 'name');
export const AGE_COLUMN = column('Age', 'string', 'Time since the object was created (metadata.creationTimestamp).');
export const CONTAINERS_COLUMN = column('Containers', 'string', 'Names of each container in the template.', 1);
export const IMAGES_COLUMN = column('Images', 'string', 'Images referenced by each container in the template.', 1);
export const SELECTOR_COLUMN = column('Selector', 'string', 'The label selector of the object.', 1);

/**
 * A duration as kubectl prints it (apimachinery's HumanDuration): exact seconds below two
 * minutes, then coarser units, e.g. `45s`, `3m2s`, `15m`, `4h`, `5h30m`, `2d3h`, `90d`, `2y10d`.
 */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.trunc(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.trunc(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.trunc(hours / 24)}d` : `${Math.trunc(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const dy = Math.trunc(hours / 24) % 365;
    const y = Math.trunc(hours / 24 / 365);
    return dy === 0 ? `${y}y` : `${y}y${dy}d`;
  }
  return `${Math.trunc(hours / 24 / 365)}y`;
}

/** Age of a timestamp at `now`, `<unknown>` when it is missing. */
export function since(timestamp: string | undefined | null, now: Date): string {
  if (!timestamp) return '<unknown>';
  const t = Date.parse(timestamp);
  if (Number.isNaN(t)) return '<unknown>';
  return humanDuration(now.getTime() - t);
}

/** The NAME cell. */
export const objectName = (o: { metadata?: { name?: string } }): string => o.metadata?.name ?? '';

/** The AGE cell: time since metadata.creationTimestamp. */
export const objectAge = (o: { metadata?: { creationTimestamp?: string } }, now: Date): string => since(o.metadata?.creationTimestamp, now);

/** `a=1,b=2` sorted by key, `<none>` when empty (labels.FormatLabels). */
export function formatLabels(labels: Record<string, string> | undefined | null): string {
  const keys = Object.keys(labels ?? {}).sort();
  if (keys.length === 0) return '<none>';
  return keys.map((k) => `${k}=${(labels as Record<string, string>)[k]}`).join(',');
}

/**
 * A LabelSelector as a selector string (`app=web,tier in (a,b),!legacy`), requirements sorted
 * by key; '' for empty or missing; undefined when an operator is invalid.
 */
export function selectorString(selector: LabelSelector | undefined | null): string | undefined {
  if (!selector) return '';
  const reqs: { key: string; text: string }[] = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) reqs.push({ key, text: `${key}=${value}` });
  for (const e of selector.matchExpressions ?? []) {
    const values = [...new Set(e.values ?? [])].sort().join(',');
    switch (e.operator) {
      case 'In':
        reqs.push({ key: e.key, text: `${e.key} in (${values})` });
        break;
      case 'NotIn':
        reqs.push({ key: e.key, text: `${e.key} notin (${values})` });
        break;
      case 'Exists':
        reqs.push({ key: e.key, text: e.key });
        break;
      case 'DoesNotExist':
        reqs.push({ key: e.key, text: `!${e.key}` });
        break;
      default:
        return undefined;
    }
  }
  return reqs
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((r) => r.text)
    .join(',');
}

/** metav1.FormatLabelSelector: `<none>` for an empty selector, `<error>` for an invalid one. */
export function formatLabelSelector(selector: LabelSelector | undefined | null): string {
  const s = selectorString(selector);
  if (s === undefined) return '<error>';
  return s === '' ? '<none>' : s;
}

/** Container names and images, each comma-joined, for the wide Containers/Images columns. */
export function containerCells(containers: Container[] | undefined): [string, string] {
  const list = containers ?? [];
  return [list.map((c) => c.name).join(','), list.map((c) => c.image ?? '').join(',')];
}

/** `RWO,ROX,RWX,RWOP`, in that fixed order, de-duplicated. */
export function accessModesString(modes: string[] | undefined): string {
  const set = new Set(modes ?? []);
  const out: string[] = [];
  if (set.has('ReadWriteOnce')) out.push('RWO');
  if (set.has('ReadOnlyMany')) out.push('ROX');
  if (set.has('ReadWriteMany')) out.push('RWX');
  if (set.has('ReadWriteOncePod')) out.push('RWOP');
  return out.join(',');
}

/** `a, b + 3 more...` style truncation used by several printers. */
export function listWithMore(list: string[], max: number, emptyText: string, separator = ','): string {
  if (list.length === 0) return emptyText;
  const shown = list.slice(0, max).join(separator);
  return list.length > max ? `${shown} + ${list.length - max} more...` : shown;
}

export interface TableRowCondition {
  type: string;
  status: string;
  reason: string;
  message: string;
}

/** How one kind becomes table rows: its columns and the cells of one object. */
export interface TablePrinter {
  columns: TableColumnDefinition[];
  cells(obj: unknown, now: Date): Cell[];
  conditions?(obj: unknown): TableRowCondition[] | undefined;
}

/** A printer for objects of type T (the cast is the one place objects meet their kind). */
export function printer<T>(
  columns: TableColumnDefinition[],
  cells: (obj: T, now: Date) => Cell[],
  conditions?: (obj: T) => TableRowCondition[] | undefined,
): TablePrinter {
  return {
    columns,
    cells: (obj, now) => cells(obj as T, now),
    ...(conditions ? { conditions: (obj: unknown) => conditions(obj as T) } : {}),
  };
}
