// What the writers were told by the apiserver, and the check that none of it was lost.
// A write is "acked" when the apiserver answered 2xx; "ambiguous" when the answer never came
// or was a 5xx/timeout (it may or may not have been applied, as with any distributed store).
// Increments append their op id to the ConfigMap, so a lost update is visible by id, not
// only as a wrong count (Jepsen's list-append idea, applied to read-modify-write).

export interface CounterState {
  count: number;
  ops: string[];
}

export class Ledger {
  readonly ackedCreates = new Set<string>();
  readonly ambiguousCreates = new Set<string>();
  /** counter name → acked increment op ids. */
  readonly ackedOps = new Map<string, Set<string>>();
  readonly ambiguousOps = new Map<string, Set<string>>();
  /** Every op id ever sent (before its answer): an id in a counter but not here is a phantom. */
  readonly sentOps = new Set<string>();
  acks = 0;
  conflicts = 0;
  failures = 0;

  ackCreate(name: string): void {
    this.ackedCreates.add(name);
    this.acks++;
  }
  ambiguousCreate(name: string): void {
    this.ambiguousCreates.add(name);
    this.failures++;
  }
  sendOp(op: string): void {
    this.sentOps.add(op);
  }
  ackOp(counter: string, op: string): void {
    setOf(this.ackedOps, counter).add(op);
    this.acks++;
  }
  ambiguousOp(counter: string, op: string): void {
    setOf(this.ambiguousOps, counter).add(op);
    this.failures++;
  }

  /** A frozen copy: what must be visible to a read that starts after this moment. */
  snapshot(): { creates: string[]; ops: Map<string, string[]> } {
    return { creates: [...this.ackedCreates], ops: new Map([...this.ackedOps].map(([k, v]) => [k, [...v]])) };
  }
}

function setOf(m: Map<string, Set<string>>, k: string): Set<string> {
  let s = m.get(k);
  if (!s) m.set(k, (s = new Set()));
  return s;
}

/** The counter ConfigMap's data → its state. */
export function counterState(data: Record<string, string> | undefined): CounterState {
  const ops = (data?.ops ?? '').split(',').filter(Boolean);
  return { count: Number(data?.count ?? '0'), ops };
}

/**
 * Violations of "no acked write lost, no update lost": every acked create exists; every acked
 * increment's id is in its counter; each counter's count equals its number of ops, without
 * duplicates, and holds no op the writers never sent.
 */
export function checkLedger(
  acked: { creates: string[]; ops: Map<string, string[]> },
  sent: ReadonlySet<string>,
  existing: Set<string>,
  counters: Map<string, CounterState>,
): string[] {
  const out: string[] = [];
  const lostCreates = acked.creates.filter((n) => !existing.has(n));
  if (lostCreates.length) out.push(`${lostCreates.length} acked creates lost (${lostCreates.slice(0, 5).join(', ')})`);
  for (const [name, ops] of acked.ops) {
    const st = counters.get(name);
    if (!st) {
      out.push(`counter ${name} is missing`);
      continue;
    }
    const have = new Set(st.ops);
    const lost = ops.filter((o) => !have.has(o));
    if (lost.length) out.push(`counter ${name}: ${lost.length} acked increments lost (${lost.slice(0, 5).join(', ')})`);
  }
  for (const [name, st] of counters) {
    if (st.count !== st.ops.length) out.push(`counter ${name}: count ${st.count} but ${st.ops.length} increments recorded`);
    if (new Set(st.ops).size !== st.ops.length) out.push(`counter ${name}: an increment was applied twice`);
    const phantom = st.ops.filter((o) => !sent.has(o));
    if (phantom.length) out.push(`counter ${name}: ${phantom.length} increments nobody sent (${phantom.slice(0, 5).join(', ')})`);
  }
  return out;
}
