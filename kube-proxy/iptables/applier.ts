// The iptables edge: writes a RuleSet with one `iptables-restore --noflush` per sync,
// remembering what it wrote so the next sync sends only chains that changed. A full sync
// (first, periodic, or after a failure) rewrites everything, re-ensures the jumps from the
// built-in chains and deletes per-service chains left by an earlier run.
import { mustRun, splitRule, type CommandRunner } from '../exec.js';
import { GUARD_CHAIN, removeGuardBridge } from '../guard.js';
import { IPTABLES_JUMPS, isServiceChain, restoreText, type JumpRule, type RuleSet, type Table } from './rules.js';

export interface SyncResult {
  /** Bytes of restore input sent (0 = nothing changed). */
  bytes: number;
  full: boolean;
}

export class IptablesApplier {
  private applied: RuleSet | undefined;

  constructor(
    private readonly run: CommandRunner,
    private readonly jumps: readonly JumpRule[] = IPTABLES_JUMPS,
  ) {}

  /** Forget what was written: the next sync is full. */
  invalidate(): void {
    this.applied = undefined;
  }

  async sync(next: RuleSet, full: boolean): Promise<SyncResult> {
    const isFull = full || !this.applied;
    let stale: Partial<Record<Table, string[]>> = {};
    let missing: readonly JumpRule[] = [];
    if (isFull) {
      const existing = await readTables(this.run);
      stale = { filter: existing.filter.chains.filter(isServiceChain), nat: existing.nat.chains.filter(isServiceChain) };
      // Checked against the saved rules: one `iptables -C` each costs a full ruleset read.
      missing = this.jumps.filter((j) => !existing[j.table].rules.some((r) => sameArgs(r, j)));
    }
    // Jumps go after the chains they point at exist: same restore, a later section.
    const text = restoreText(isFull ? undefined : this.applied, next, stale) + jumpText(missing);
    try {
      if (text) await mustRun(this.run, 'iptables-restore', ['-w', '5', '--noflush'], text);
    } catch (e) {
      this.applied = undefined;
      throw e;
    }
    this.applied = next;
    return { bytes: text.length, full: isFull };
  }
}

/** Chain names and the rules of the built-in chains (as argument lists), per table. */
export async function readTables(run: CommandRunner): Promise<Record<Table, { chains: string[]; rules: string[][] }>> {
  const out: Record<Table, { chains: string[]; rules: string[][] }> = { filter: { chains: [], rules: [] }, nat: { chains: [], rules: [] } };
  for (const table of ['filter', 'nat'] as const) {
    const text = await mustRun(run, 'iptables-save', ['-t', table]);
    for (const line of text.split('\n')) {
      if (line.startsWith(':')) out[table].chains.push(line.slice(1).split(' ')[0]!);
      else if (line.startsWith('-A ') && !line.startsWith('-A KUBE-')) out[table].rules.push(splitRule(line));
    }
  }
  return out;
}

/** Restore sections inserting `jumps` at the top of their chains. */
export function jumpText(jumps: readonly JumpRule[]): string {
  const out: string[] = [];
  for (const table of ['filter', 'nat'] as const) {
    const mine = jumps.filter((j) => j.table === table);
    if (!mine.length) continue;
    out.push(`*${table}`, ...mine.map((j) => `-I ${j.chain} 1 ${j.args.map((a) => (/\s/.test(a) ? `"${a}"` : a)).join(' ')}`), 'COMMIT');
  }
  return out.length ? out.join('\n') + '\n' : '';
}

/** `-A CHAIN args…` from iptables-save is this jump. */
function sameArgs(saved: string[], j: JumpRule): boolean {
  return saved[1] === j.chain && saved.length === j.args.length + 2 && j.args.every((a, i) => a === saved[i + 2]);
}

/**
 * `--cleanup`: removes every KUBE- chain in nat and filter (this proxy's and the guard), the
 * rules in other chains that jump to them, and the guard bridge with its route — in one
 * restore per table, so the host is left as it was before kube-proxy ran.
 */
export async function cleanupAll(run: CommandRunner): Promise<void> {
  const parts: string[] = [];
  for (const table of ['filter', 'nat'] as const) {
    const text = await mustRun(run, 'iptables-save', ['-t', table]);
    const ours: string[] = [];
    const jumps: string[] = [];
    for (const line of text.split('\n')) {
      if (line.startsWith(':KUBE-')) ours.push(line.slice(1).split(' ')[0]!);
      else if (line.startsWith('-A ')) {
        const args = splitRule(line);
        const chain = args[1] ?? '';
        const target = args[args.indexOf('-j') + 1] ?? '';
        if (!chain.startsWith('KUBE-') && target.startsWith('KUBE-')) jumps.push(line.replace(/^-A /, '-D '));
      }
    }
    if (!ours.length && !jumps.length) continue;
    parts.push(`*${table}`, ...jumps, ...ours.map((c) => `:${c} - [0:0]`), ...ours.map((c) => `-X ${c}`), 'COMMIT');
  }
  if (parts.length) await mustRun(run, 'iptables-restore', ['-w', '5', '--noflush'], parts.join('\n') + '\n');
  await removeGuardBridge(run);
}

export { GUARD_CHAIN };
