// Go's text/tabwriter (as kubectl uses it, with liggitt/tabwriter's RememberWidths): cells
// end at '\t', a column's width is set per block of consecutive lines that have that cell,
// the last cell of a line is never padded, and a line without tabs flushes. Porting the
// algorithm rather than approximating it is what makes `get` and `describe` line up like kubectl.
import type { Writable } from 'node:stream';

export interface TabWriterOptions {
  minwidth: number;
  tabwidth: number;
  padding: number;
  /** Keep column widths across flushes (watch output stays aligned). */
  rememberWidths?: boolean;
}

/** kubectl's printers.GetNewTabWriter: minwidth 6, padding 3, RememberWidths. */
export const TABLE_OPTIONS: TabWriterOptions = { minwidth: 6, tabwidth: 4, padding: 3, rememberWidths: true };
/** kubectl describe's writer: minwidth 0, padding 2. */
export const DESCRIBE_OPTIONS: TabWriterOptions = { minwidth: 0, tabwidth: 8, padding: 2 };

const width = (s: string): number => [...s].length;

export class TabWriter {
  private lines: string[][] = [[]];
  private cell = '';
  private widths: number[] = [];
  private maxWidths: number[] = [];
  private out = '';

  constructor(
    private readonly sink: { write(s: string): unknown } | Writable,
    private readonly opts: TabWriterOptions = TABLE_OPTIONS,
  ) {}

  write(text: string): void {
    for (const ch of text) {
      if (ch === '\t') {
        this.lines[this.lines.length - 1]!.push(this.cell);
        this.cell = '';
      } else if (ch === '\n') {
        const line = this.lines[this.lines.length - 1]!;
        line.push(this.cell);
        this.cell = '';
        this.lines.push([]);
        // A line of one cell cannot affect later alignment: flush (as Go does).
        if (line.length === 1) this.flushLines();
      } else {
        this.cell += ch;
      }
    }
  }

  /** Writes out everything buffered; a partial last line is written without a newline. */
  flush(): void {
    const last = this.lines[this.lines.length - 1]!;
    if (last.length > 0 || this.cell) {
      last.push(this.cell);
      this.cell = '';
      this.flushLines(true);
    } else {
      this.flushLines();
    }
  }

  /** Forget remembered widths (a new table starts). */
  resetWidths(): void {
    this.maxWidths = [];
  }

  /** Formats the complete lines (and, when `withPartial`, the unterminated last one). */
  private flushLines(withPartial = false): void {
    const n = withPartial ? this.lines.length : this.lines.length - 1;
    this.format(0, n, withPartial ? n - 1 : -1);
    this.lines = [[]];
    this.widths = [];
    if (this.out) {
      this.sink.write(this.out);
      this.out = '';
    }
  }

  private format(line0: number, line1: number, noNewline: number): void {
    const column = this.widths.length;
    for (let i = line0; i < line1; i++) {
      const line = this.lines[i]!;
      if (column >= line.length - 1) continue;
      // A block of lines that all have a cell in this column starts here.
      this.writeLines(line0, i, noNewline);
      line0 = i;
      let w = this.opts.minwidth;
      for (; i < line1; i++) {
        const l = this.lines[i]!;
        if (column >= l.length - 1) break;
        w = Math.max(w, width(l[column]!) + this.opts.padding);
      }
      if (this.opts.rememberWidths) {
        const remembered = this.maxWidths[column];
        if (remembered === undefined || remembered < w) this.maxWidths[column] = w;
        else w = remembered;
      }
      this.widths.push(w);
      this.format(line0, i, noNewline);
      this.widths.pop();
      line0 = i;
      i--;
    }
    this.writeLines(line0, line1, noNewline);
  }

  private writeLines(line0: number, line1: number, noNewline: number): void {
    for (let i = line0; i < line1; i++) {
      const line = this.lines[i]!;
      line.forEach((cell, j) => {
        this.out += cell;
        if (j < this.widths.length && j < line.length - 1) this.out += ' '.repeat(Math.max(0, this.widths[j]! - width(cell)));
      });
      if (i !== noNewline) this.out += '\n';
    }
  }
}

/** Formats whole text at once (describe sections, small tables). */
export function tabulate(text: string, opts: TabWriterOptions = TABLE_OPTIONS): string {
  let out = '';
  const tw = new TabWriter({ write: (s: string) => (out += s) }, opts);
  tw.write(text);
  tw.flush();
  return out;
}
