// The report: one row per fault (time to recover, requests failed during it, invariants),
// the final invariants, and totals — as a table for people and as JSON for tools.
import type { InvariantResult } from './invariants.js';
import type { Plan } from './plan.js';
import type { StepResult } from './runner.js';

export interface ChaosReport {
  seed: number;
  mode: string;
  plan: Plan;
  steps: StepResult[];
  final: InvariantResult[];
  totals: {
    serviceRequests: number;
    serviceFailed: number;
    serviceSuccessRate: number;
    writesAcked: number;
    writeConflicts: number;
    writeFailures: number;
    watchReconnects: number;
    watchRelists: number;
    watchEvents: number;
    leaseSamples: number;
    maxLivePods: number;
    revisions: number;
  };
  ok: boolean;
}

const secs = (ms: number | undefined): string => (ms === undefined ? 'never' : `${(ms / 1000).toFixed(1)}s`);

function pad(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

export function formatPlan(plan: Plan, mode: string): string {
  const lines = [`seed ${plan.seed} (repeat with --seed ${plan.seed}); topology ${mode}; ${plan.steps.length} faults`];
  plan.steps.forEach((s, i) => lines.push(`  ${String(i + 1).padStart(2)}. round ${s.round}  ${s.fault.padEnd(31)} ${s.targets.join(', ')}`));
  for (const n of plan.notApplicable) lines.push(`   n/a  ${n.fault.padEnd(31)} ${n.why}`);
  return lines.join('\n');
}

export function formatReport(r: ChaosReport): string {
  const header = ['#', 'fault', 'ready', 'leader', 'converged', 'svc failed', 'writes failed', 'invariants'];
  const rows = r.steps.map((s, i) => [
    String(i + 1),
    s.fault,
    secs(s.readyMs),
    secs(s.leaderMs),
    secs(s.convergedMs),
    `${s.serviceFailed}/${s.serviceRequests}`,
    String(s.writeFailures),
    s.error ? `ERROR ${s.error.slice(0, 60)}` : s.invariants.every((x) => x.held) ? 'held' : `BROKEN: ${s.invariants.filter((x) => !x.held).map((x) => x.name).join('; ')}`,
  ]);
  for (const n of r.plan.notApplicable) rows.push(['-', n.fault, 'n/a', '', '', '', '', n.why]);
  const t = r.totals;
  const lines = [
    `chaos run, seed ${r.seed}, topology ${r.mode} (times from injection)`,
    pad([header, ...rows]),
    '',
    'final invariants:',
    ...r.final.map((x) => `  ${x.held ? 'held  ' : 'BROKEN'} ${x.name}${x.held ? '' : `: ${x.detail.slice(0, 5).join('; ')}`}`),
    '',
    `service: ${t.serviceRequests - t.serviceFailed}/${t.serviceRequests} requests succeeded (${(t.serviceSuccessRate * 100).toFixed(2)}%)`,
    `writes: ${t.writesAcked} acked, ${t.writeConflicts} conflicts retried, ${t.writeFailures} failed or unanswered`,
    `watch: ${t.watchEvents} events, ${t.watchReconnects} reconnects, ${t.watchRelists} lists; ${t.leaseSamples} Lease versions seen`,
    `deployment: ${t.revisions} revisions rolled, at most ${t.maxLivePods} live pods`,
    r.ok ? 'RESULT: every invariant held' : 'RESULT: invariants broken (see above)',
  ];
  for (const s of r.steps) {
    for (const x of s.invariants.filter((y) => !y.held)) lines.push(`  after ${s.fault}: ${x.name}: ${x.detail.slice(0, 5).join('; ')}`);
  }
  return lines.join('\n');
}
