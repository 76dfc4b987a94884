// Kubernetes quantities and ages as kubectl prints them. Hand-written because resource.Quantity
// suffixes (m, Ki, Mi, G…) are Kubernetes' own format.

const BIN: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DEC: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

/** A quantity string as a number of base units (cores, bytes); NaN when malformed. */
export function parseQuantity(q: string | number | undefined): number {
  if (q === undefined) return 0;
  if (typeof q === 'number') return q;
  const m = /^([+-]?[0-9.]+(?:[eE][+-]?[0-9]+)?)([a-zA-Z]*)$/.exec(q.trim());
  if (!m) return NaN;
  const n = Number(m[1]);
  const suf = m[2] ?? '';
  if (suf in BIN) return n * (BIN[suf] ?? 1);
  if (suf in DEC) return n * (DEC[suf] ?? 1);
  return NaN;
}

export function fmtCpu(cores: number): string {
  if (!Number.isFinite(cores)) return '-';
  return cores < 1 ? `${Math.round(cores * 1000)}m` : `${+cores.toFixed(2)}`;
}

export function fmtBytes(b: number): string {
  if (!Number.isFinite(b)) return '-';
  const units = ['', 'Ki', 'Mi', 'Gi', 'Ti'];
  let i = 0;
  while (b >= 1024 && i < units.length - 1) { b /= 1024; i++; }
  return `${i ? +b.toFixed(1) : Math.round(b)}${units[i]}`;
}

/** kubectl's age: 5s, 3m, 2h, 4d… */
export function age(ts: string | undefined, now = Date.now()): string {
  if (!ts) return '-';
  const s = Math.max(0, Math.floor((now - Date.parse(ts)) / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 120) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h`;
  return `${Math.floor(h / 24)}d`;
}

export function labels(l: Record<string, string> | undefined): string {
  return Object.entries(l ?? {}).map(([k, v]) => `${k}=${v}`).join(', ');
}
