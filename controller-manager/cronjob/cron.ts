// Cron schedules as CronJobs use them (the robfig/cron standard parser Kubernetes uses): five
// fields — minute hour day-of-month month day-of-week — each `*`, `?`, a value, a range
// `a-b`, a step `*/n` or `a-b/n`, or a comma list of those; month and weekday names (JAN, MON);
// and the @yearly/@annually/@monthly/@weekly/@daily/@midnight/@hourly shorthands. When both
// day fields are restricted a day matches either, as in Vixie cron. Times are UTC. Pure.
//
// Why not the `cron-parser` package (v5, checked): it accepts what Kubernetes rejects — a
// 4-field spec (`* * * *`) and a 6-field one with seconds (`0 * * * * *`) — rejects what
// Kubernetes accepts — `@midnight` ("cannot resolve alias"), and `0 0 30 2 *` (valid in
// robfig/cron, it just never fires) fails at parse time — and its errors are not robfig's
// ("Constraint error, got value 60 expected range 0-59"), which CronJob events quote. Wrapping
// it would need this file's field validation anyway, so the parser stays hand-written.

export interface Schedule {
  minute: Set<number>;
  hour: Set<number>;
  dom: Set<number>;
  month: Set<number>;
  dow: Set<number>;
  /** The day-of-month / day-of-week field was `*` or `?`. */
  domStar: boolean;
  dowStar: boolean;
}

const SHORTHANDS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

export class CronError extends Error {}

function parseValue(s: string, min: number, max: number, names: readonly string[] | undefined, nameBase: number, what: string): number {
  const byName = names?.indexOf(s.toUpperCase()) ?? -1;
  const v = byName >= 0 ? byName + nameBase : /^\d+$/.test(s) ? Number(s) : NaN;
  if (Number.isNaN(v)) throw new CronError(`failed to parse ${what} '${s}'`);
  if (v < min || v > max) throw new CronError(`${what} ${v} is out of range (${min}-${max})`);
  return v;
}

function parseField(field: string, min: number, max: number, what: string, names?: readonly string[], nameBase = 0): { set: Set<number>; star: boolean } {
  const set = new Set<number>();
  let star = false;
  for (const part of field.split(',')) {
    const [range = '', stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1 || (stepText !== undefined && !/^\d+$/.test(stepText))) throw new CronError(`failed to parse step in ${what} '${part}'`);
    let lo: number;
    let hi: number;
    if (range === '*' || range === '?') {
      [lo, hi] = [min, max];
      if (stepText === undefined) star = true;
    } else if (range.includes('-')) {
      const [a = '', b = ''] = range.split('-');
      lo = parseValue(a, min, max, names, nameBase, what);
      hi = parseValue(b, min, max, names, nameBase, what);
      if (hi < lo) throw new CronError(`beginning of range (${lo}) beyond end of range (${hi}) in ${what}`);
    } else {
      lo = parseValue(range, min, max, names, nameBase, what);
      // `5/15` means from 5 to the end, every 15.
      hi = stepText === undefined ? lo : max;
    }
    for (let v = lo; v <= hi; v += step) set.add(v);
  }
  return { set, star };
}

/** Parses a schedule; throws CronError with a message like robfig/cron's. */
export function parseSchedule(text: string): Schedule {
  const trimmed = text.trim();
  if (/^(CRON_)?TZ=/.test(trimmed)) throw new CronError('CRON_TZ and TZ are not supported in a schedule; use spec.timeZone');
  const expanded = SHORTHANDS[trimmed.toLowerCase()] ?? trimmed;
  if (expanded.startsWith('@')) throw new CronError(`unrecognized descriptor: ${trimmed}`);
  const fields = expanded.split(/\s+/);
  if (fields.length !== 5) throw new CronError(`expected exactly 5 fields, found ${fields.length}: ${trimmed}`);
  const [mi, h, dom, mo, dow] = fields as [string, string, string, string, string];
  const d = parseField(dom, 1, 31, 'day of month');
  const w = parseField(dow, 0, 7, 'day of week', DAYS, 0);
  // 7 is Sunday too.
  if (w.set.delete(7)) w.set.add(0);
  return {
    minute: parseField(mi, 0, 59, 'minute').set,
    hour: parseField(h, 0, 23, 'hour').set,
    dom: d.set,
    month: parseField(mo, 1, 12, 'month', MONTHS, 1).set,
    dow: w.set,
    domStar: d.star,
    dowStar: w.star,
  };
}

function dayMatches(s: Schedule, t: Date): boolean {
  const domOk = s.dom.has(t.getUTCDate());
  const dowOk = s.dow.has(t.getUTCDay());
  return s.domStar || s.dowStar ? domOk && dowOk : domOk || dowOk;
}

/** The first scheduled minute strictly after `afterMs` (UTC), or undefined within five years. */
export function nextAfter(s: Schedule, afterMs: number): number | undefined {
  const t = new Date(Math.floor(afterMs / 60_000) * 60_000 + 60_000);
  const limit = afterMs + 5 * 366 * 86_400_000;
  while (t.getTime() <= limit) {
    if (!s.month.has(t.getUTCMonth() + 1)) {
      t.setUTCMonth(t.getUTCMonth() + 1, 1);
      t.setUTCHours(0, 0, 0, 0);
      continue;
    }
    if (!dayMatches(s, t)) {
      t.setUTCDate(t.getUTCDate() + 1);
      t.setUTCHours(0, 0, 0, 0);
      continue;
    }
    if (!s.hour.has(t.getUTCHours())) {
      t.setUTCHours(t.getUTCHours() + 1, 0, 0, 0);
      continue;
    }
    if (!s.minute.has(t.getUTCMinutes())) {
      t.setUTCMinutes(t.getUTCMinutes() + 1, 0, 0);
      continue;
    }
    return t.getTime();
  }
  return undefined;
}
