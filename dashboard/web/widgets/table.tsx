// A plain table of objects: columns render cells; rows carry the test hooks given by rowProps.
import type { ComponentChild, JSX } from 'preact';

export interface Column<T> { title: string; cell: (o: T) => ComponentChild; className?: string }

export function Table<T>(props: {
  columns: Column<T>[];
  rows: T[];
  rowKey: (o: T) => string;
  rowProps?: (o: T) => Record<string, unknown>;
  empty?: string;
  testid?: string;
}): JSX.Element {
  const { columns, rows } = props;
  return (
    <table class="list" data-testid={props.testid}>
      <thead><tr>{columns.map((c) => <th key={c.title} class={c.className}>{c.title}</th>)}</tr></thead>
      <tbody>
        {rows.length === 0 && <tr class="empty"><td colSpan={columns.length}>{props.empty ?? 'No resources found.'}</td></tr>}
        {rows.map((o) => (
          <tr key={props.rowKey(o)} {...(props.rowProps?.(o) ?? {})}>
            {columns.map((c) => <td key={c.title} class={c.className}>{c.cell(o)}</td>)}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A horizontal bar: fraction of a total, with its label. */
export function Bar(props: { value: number; total: number; label: string; kind?: string; testid?: string }): JSX.Element {
  const f = props.total > 0 ? Math.min(1, props.value / props.total) : 0;
  const level = f > 0.9 ? 'high' : f > 0.7 ? 'mid' : 'low';
  return (
    <div class={`bar ${props.kind ?? ''}`} title={props.label} data-testid={props.testid}>
      <div class={`fill ${level}`} style={{ width: `${(f * 100).toFixed(1)}%` }} />
      <span>{props.label}</span>
    </div>
  );
}

/** Shows a list's load error (e.g. a 403 Status message) inside a view. */
export function ListError(props: { error: Error | null; note?: string | null }): JSX.Element | null {
  if (!props.error && !props.note) return null;
  return <div class="list-error" data-testid="list-error">{props.note ?? ''}{props.error ? ` ${props.error.message}` : ''}</div>;
}
