// Plots in the terminal for kc's opt-in extras (issue 14 part 3): a sparkline of the samples a
// `kc top --watch` has seen per row, and a rollout progress bar for `kc get deploy -w
// --progress`. Pure: numbers in, text out. Default output stays kubectl's; these only append.

const BARS = '▁▂▃▄▅▆▇█';

/** The last `width` samples as block characters, scaled between their own min and max. */
export function sparkline(values: number[], width = 20): string {
  const v = values.slice(-width);
  if (v.length === 0) return '';
  const min = Math.min(...v);
  const max = Math.max(...v);
  // A flat series is drawn flat at the bottom: no change is not "full".
  if (max === min) return BARS[0]!.repeat(v.length);
  return v.map((x) => BARS[Math.round(((x - min) / (max - min)) * (BARS.length - 1))]).join('');
}

/** `[████████░░░░░░░░] 2/4`: `done` of `total` (clamped), in `width` cells. */
export function progressBar(done: number, total: number, width = 16): string {
  if (total <= 0) return `[${'░'.repeat(width)}] 0/0`;
  const d = Math.max(0, Math.min(done, total));
  const full = Math.round((d / total) * width);
  return `[${'█'.repeat(full)}${'░'.repeat(width - full)}] ${d}/${total}`;
}

/** Per-row history of `kc top --watch`: CPU (millicores) and memory (Mi) samples by row key. */
export class UsageHistory {
  private readonly rows = new Map<string, { cpu: number[]; mem: number[] }>();
  constructor(private readonly keep = 60) {}

  /**
   * Takes kubectl top's tab-separated lines (header first), records each row's CPU (`123m`) and
   * memory (`45Mi`), and returns the lines with CPU and MEMORY history columns appended.
   */
  annotate(text: string, header: boolean): string {
    const lines = text.split('\n').filter((l) => l !== '');
    return lines
      .map((line, i) => {
        if (header && i === 0) return `${line}CPU HISTORY\tMEMORY HISTORY\t`;
        const fields = line.split('\t');
        const cpuAt = fields.findIndex((f) => /^\d+m$/.test(f));
        const memAt = fields.findIndex((f) => /^\d+Mi$/.test(f));
        if (cpuAt <= 0 || memAt < 0) return line;
        const key = fields.slice(0, cpuAt).join('\t');
        let h = this.rows.get(key);
        if (!h) this.rows.set(key, (h = { cpu: [], mem: [] }));
        h.cpu.push(parseInt(fields[cpuAt]!, 10));
        h.mem.push(parseInt(fields[memAt]!, 10));
        if (h.cpu.length > this.keep) (h.cpu.shift(), h.mem.shift());
        return `${line}${sparkline(h.cpu)}\t${sparkline(h.mem)}\t`;
      })
      .map((l) => `${l}\n`)
      .join('');
  }
}

/**
 * `kc get deploy -w --progress`: a rollout bar from a Deployment row of the server's Table
 * (READY `2/3`, UP-TO-DATE, AVAILABLE), counted as `kubectl rollout status` counts: updated
 * replicas that are available, of the desired replicas.
 */
export function rolloutProgress(columns: string[], cells: unknown[]): string | undefined {
  const cell = (name: string) => cells[columns.findIndex((c) => c.toLowerCase() === name)];
  const m = /^(\d+)\/(\d+)$/.exec(String(cell('ready') ?? ''));
  const updated = Number(cell('up-to-date'));
  const available = Number(cell('available'));
  if (!m || !Number.isFinite(updated) || !Number.isFinite(available)) return undefined;
  const desired = Number(m[2]);
  const done = Math.min(updated, available);
  const state = updated >= desired && available >= desired ? 'complete' : `${updated} up-to-date, ${available} available`;
  return `  rollout ${progressBar(done, desired)} ${state}`;
}
