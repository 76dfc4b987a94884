// "resourceVersions of one object never go backwards for a watcher": the RV each object was
// last seen at, across reconnects and relists. A relist may show an object again at the RV
// already seen (not a step back); a lower one is. RVs are etcd revisions, compared as numbers.

export interface RvViolation {
  key: string;
  from: string;
  to: string;
  via: string;
}

export class RvChecker {
  private readonly last = new Map<string, bigint>();
  readonly violations: RvViolation[] = [];
  events = 0;

  observe(key: string, rv: string | undefined, via: string): void {
    if (!rv || !/^\d+$/.test(rv)) return;
    this.events++;
    const v = BigInt(rv);
    const prev = this.last.get(key);
    if (prev !== undefined && v < prev) this.violations.push({ key, from: String(prev), to: rv, via });
    if (prev === undefined || v > prev) this.last.set(key, v);
  }
}
