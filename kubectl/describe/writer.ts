// kubectl describe's output machinery: a prefix writer (two spaces per level) over one
// tabwriter, plus the formats describe uses everywhere (times, labels, events).
import type { Event } from 'kubernetes-types/core/v1';
import { humanDuration } from '../../apiserver/tables/format.js';
import { LAST_APPLIED } from '../apply-patch.js';
import { byBytes } from '../../api/json.js';
import { DESCRIBE_OPTIONS, tabulate } from '../printers/tabwriter.js';

export class DescribeWriter {
  private text = '';
  /** `w.write(1, 'Image:\t%s')`: level 0 is the left margin. */
  write(level: number, line: string): void {
    this.text += '  '.repeat(level) + line;
  }
  line(level: number, line: string): void {
    this.write(level, `${line}\n`);
  }
  toString(): string {
    return tabulate(this.text, DESCRIBE_OPTIONS);
  }
  /** The text with its tabs unaligned (kubectl's rollout history --revision prints it so). */
  raw(): string {
    return this.text;
  }
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number): string => String(n).padStart(2, '0');

/** Go's RFC1123Z in local time: `Mon, 02 Jan 2006 15:04:05 -0700`. */
export function rfc1123z(ts: string | undefined): string {
  if (!ts) return '<unknown>';
  const d = new Date(ts);
  if (Number.isNaN(d.getTime())) return ts;
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  const abs = Math.abs(off);
  return `${DAYS[d.getDay()]}, ${two(d.getDate())} ${MONTHS[d.getMonth()]} ${d.getFullYear()} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())} ${sign}${two(Math.floor(abs / 60))}${two(abs % 60)}`;
}

export function since(ts: string | undefined, now = Date.now()): string {
  if (!ts) return '<unknown>';
  return humanDuration(now - new Date(ts).getTime());
}

/** `Labels:\tk=v` then one `\tk=v` line per further label, `<none>` when empty. */
export function writeMap(w: DescribeWriter, level: number, title: string, map: Record<string, string> | undefined, sep = '=', skip: string[] = []): void {
  const keys = Object.keys(map ?? {})
    .filter((k) => !skip.includes(k))
    .sort(byBytes);
  if (keys.length === 0) {
    w.line(level, `${title}:\t<none>`);
    return;
  }
  keys.forEach((k, i) => {
    const v = (map![k] ?? '').replace(/\n$/, '');
    const text = sep === '=' ? `${k}=${v}` : `${k}: ${v}`;
    if (i === 0) w.line(level, `${title}:\t${text}`);
    else w.line(0, `\t${text}`);
  });
}

export function writeLabels(w: DescribeWriter, level: number, labels: Record<string, string> | undefined, title = 'Labels'): void {
  writeMap(w, level, title, labels, '=');
}

/** Annotations as kubectl shows them: `k: v`, skipping the last-applied configuration. */
export function writeAnnotations(w: DescribeWriter, level: number, annotations: Record<string, string> | undefined): void {
  writeMap(w, level, 'Annotations', annotations, ': ', [LAST_APPLIED]);
}

export function writeEvents(w: DescribeWriter, events: Event[] | undefined, now = Date.now()): void {
  if (!events || events.length === 0) {
    w.line(0, 'Events:\t<none>');
    return;
  }
  const sorted = [...events].sort((a, b) => String(a.lastTimestamp ?? a.eventTime ?? '').localeCompare(String(b.lastTimestamp ?? b.eventTime ?? '')));
  w.line(0, 'Events:');
  w.line(1, 'Type\tReason\tAge\tFrom\tMessage');
  w.line(1, '----\t------\t----\t----\t-------');
  for (const e of sorted) {
    const first = e.eventTime ? since(e.eventTime, now) : since(e.firstTimestamp, now);
    let interval = first;
    if (e.series) interval = `${since(e.series.lastObservedTime, now)} (x${e.series.count} over ${first})`;
    else if ((e.count ?? 0) > 1) interval = `${since(e.lastTimestamp, now)} (x${e.count} over ${first})`;
    const source = e.source?.component || e.reportingComponent || '';
    w.line(1, `${e.type ?? ''}\t${e.reason ?? ''}\t${interval}\t${source}\t${(e.message ?? '').trim()}`);
  }
}

/** kubectl's smartLabelFor: `containerPort` → `Container Port`, acronyms kept upper-case. */
export function smartLabel(field: string): string {
  if (/[^A-Za-z-]/.test(field)) return field;
  const parts = field.match(/[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[A-Z]+|-/g) ?? [field];
  return parts
    .filter((p) => p !== '_')
    .map((p) => (['API', 'URL', 'UID', 'OSB', 'GUID'].includes(p.toUpperCase()) ? p.toUpperCase() : p[0]!.toUpperCase() + p.slice(1)))
    .join(' ');
}

/** printUnstructuredContent: every field, sorted, nested by level (the generic describer). */
export function writeUnstructured(w: DescribeWriter, level: number, content: Record<string, unknown>, prefix: string, skip: string[]): void {
  for (const field of Object.keys(content).sort(byBytes)) {
    const value = content[field];
    const path = `${prefix}.${field}`;
    if (skip.includes(path)) continue;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      w.line(level, `${smartLabel(field)}:`);
      writeUnstructured(w, level + 1, value as Record<string, unknown>, path, skip);
    } else if (Array.isArray(value)) {
      w.line(level, `${smartLabel(field)}:`);
      for (const child of value) {
        if (child !== null && typeof child === 'object' && !Array.isArray(child)) writeUnstructured(w, level + 1, child as Record<string, unknown>, path, skip);
        else w.line(level + 1, String(child));
      }
    } else {
      w.line(level, `${smartLabel(field)}:\t${value === null ? '<nil>' : String(value)}`);
    }
  }
}
