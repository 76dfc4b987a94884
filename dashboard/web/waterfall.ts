// Geometry of a waterfall bar: a step's bar spans its hop (from the previous step's time to
// its own), placed by its offset from the first step, as fractions of the whole span.
// Unknown steps (no time) get no bar.
export interface StepTimes { offsetMs: number | null; hopMs: number | null }

export function spanOf(steps: StepTimes[]): number {
  return Math.max(1, ...steps.map((s) => s.offsetMs ?? 0));
}

export function bar(s: StepTimes, span: number, minWidth = 0.004): { left: number; width: number } | null {
  if (s.offsetMs === null) return null;
  const end = Math.min(1, Math.max(0, s.offsetMs / span));
  const width = Math.min(end || minWidth, Math.max(minWidth, (s.hopMs ?? 0) / span));
  return { left: Math.max(0, end - width), width };
}
