// The allocation repair loop (k8s' ipallocator/portallocator repair controllers): allocations
// no Service holds are freed, and items a Service holds without an allocation are taken back.
// An allocation is reserved before its Service is stored, so a first sighting of an orphan
// may be a create in flight: it is only freed when a later pass still finds the same key
// (same etcd create_revision) orphaned.
import type { Logger } from 'pino';
import type { KObject } from '../../api/types.js';
import type { Allocation, AllocationOwner, EtcdAllocator } from './etcd.js';
import { heldItems } from './plan.js';

export interface RepairPlan {
  /** Orphans seen in the previous pass too: free them. */
  release: Allocation[];
  /** Held by a Service but not allocated: allocate for it. */
  restore: { item: string; owner: AllocationOwner }[];
  /** Orphans seen for the first time (key → create_revision), for the next pass. */
  suspects: Map<string, number>;
  /** Items two Services claim (or a Service claims while another owns the key). */
  conflicts: { item: string; owners: AllocationOwner[] }[];
}

/**
 * Pure: what to do about one range, given its allocations (read first), the Services (read
 * after) and the suspects of the previous pass. `items(svc)` picks this range's items.
 */
export function planRepair(
  allocations: Allocation[],
  services: KObject[],
  items: (svc: KObject) => string[],
  inRange: (item: string) => boolean,
  previousSuspects: ReadonlyMap<string, number>,
): RepairPlan {
  const holders = new Map<string, AllocationOwner[]>();
  for (const svc of services) {
    const m = svc.metadata ?? {};
    const owner = { namespace: m.namespace ?? '', name: m.name ?? '', uid: m.uid ?? '' };
    for (const item of items(svc)) {
      if (!inRange(item)) continue; // from an older range: nothing to track
      const list = holders.get(item) ?? [];
      list.push(owner);
      holders.set(item, list);
    }
  }
  const plan: RepairPlan = { release: [], restore: [], suspects: new Map(), conflicts: [] };
  const allocated = new Map(allocations.map((a) => [a.item, a]));
  for (const a of allocations) {
    const owners = holders.get(a.item);
    if (owners?.some((o) => o.uid === a.owner.uid)) continue;
    if (owners?.length) {
      plan.conflicts.push({ item: a.item, owners: [a.owner, ...owners] });
      continue;
    }
    if (previousSuspects.get(a.item) === a.createRevision) plan.release.push(a);
    else plan.suspects.set(a.item, a.createRevision);
  }
  for (const [item, owners] of holders) {
    if (owners.length > 1) plan.conflicts.push({ item, owners });
    if (!allocated.has(item)) plan.restore.push({ item, owner: owners[0]! });
  }
  return plan;
}

export interface AllocationRepairOptions {
  ips: EtcdAllocator;
  ports: EtcdAllocator;
  /** Every stored Service, read from etcd (not a cache: it must be newer than the allocations). */
  listServices: () => Promise<KObject[]>;
  log: Logger;
  /** Between passes; k8s uses 3 minutes. */
  intervalMs: number;
}

export class AllocationRepair {
  private suspects = { ips: new Map<string, number>(), ports: new Map<string, number>() };
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();
  private stopped = false;

  constructor(private readonly opts: AllocationRepairOptions) {}

  /** One pass over both ranges. Returns what it freed and restored. */
  async runOnce(): Promise<{ released: string[]; restored: string[] }> {
    const { ips, ports, log } = this.opts;
    const [ipAllocs, portAllocs] = await Promise.all([ips.list(), ports.list()]);
    const services = await this.opts.listServices();
    const released: string[] = [];
    const restored: string[] = [];
    for (const [name, alloc, allocs, pick] of [
      ['ips', ips, ipAllocs, (s: KObject) => heldItems(s).ips],
      ['ports', ports, portAllocs, (s: KObject) => heldItems(s).ports],
    ] as const) {
      const plan = planRepair(allocs, services, pick, (item) => alloc.inRange(item), this.suspects[name]);
      this.suspects[name] = plan.suspects;
      for (const a of plan.release) {
        if (await alloc.deleteAt(a.item, a.modRevision)) {
          released.push(a.item);
          log.info({ item: a.item, owner: `${a.owner.namespace}/${a.owner.name}` }, 'released a service allocation no Service holds');
        }
      }
      for (const r of plan.restore) {
        await alloc.allocate(r.item, r.owner).then(
          () => {
            restored.push(r.item);
            log.info({ item: r.item, service: `${r.owner.namespace}/${r.owner.name}` }, 'restored a missing service allocation');
          },
          (e: unknown) => log.warn({ item: r.item, err: e }, 'could not restore a service allocation'),
        );
      }
      for (const c of plan.conflicts) {
        log.error({ item: c.item, services: c.owners.map((o) => `${o.namespace}/${o.name}`) }, 'service allocation claimed by more than one Service');
      }
    }
    return { released, restored };
  }

  /** Runs a pass now and then every intervalMs until stop(). */
  start(): void {
    const tick = (): void => {
      if (this.stopped) return;
      this.running = this.runOnce()
        .catch((e: unknown) => this.opts.log.warn({ err: e }, 'service allocation repair failed'))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, this.opts.intervalMs);
        });
    };
    tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }
}
