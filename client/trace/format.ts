// Text for a timeline: durations as a Kubernetes engineer reads them (`850ms`, `1.204s`,
// `2m3.5s`) and the table `kc trace` prints. Browser-safe, so the dashboard labels match.
import type { Timeline, TraceStep } from './types.js';

export const UNKNOWN = 'unknown';

export function formatDuration(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  const a = Math.abs(ms);
  if (a < 1000) return `${sign}${Math.round(a)}ms`;
  if (a < 60_000) return `${sign}${(a / 1000).toFixed(3)}s`;
  const m = Math.floor(a / 60_000);
  return `${sign}${m}m${((a - m * 60_000) / 1000).toFixed(1)}s`;
}

export const TRACE_HEADER = ['OFFSET', 'HOP', 'ACTOR', 'ACTION', 'OBJECT'] as const;

/** One table row: unknown times print "unknown"; the first known step has no hop ("-"). */
export function stepCells(s: TraceStep): string[] {
  const offset = s.offsetMs === null ? UNKNOWN : formatDuration(s.offsetMs);
  const hop = s.at === null ? UNKNOWN : s.hopMs === null ? '-' : formatDuration(s.hopMs);
  return [offset, hop, s.actor, s.action, s.object];
}

/** A stable identity for a step, so a re-collected timeline prints only what is new. */
export function stepKey(s: TraceStep): string {
  return JSON.stringify([s.at, s.actor, s.action, s.object]);
}

export function timelineRows(t: Timeline): string[][] {
  return t.steps.map(stepCells);
}
