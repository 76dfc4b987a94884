// The audit index: a second audit sink, always on, that keeps the last N ResponseComplete
// events of mutating requests in memory, keyed by the uid of the object each one wrote. It is
// tskube's own (Kubernetes has no such API; its audit backends are the log and the webhook):
// it is what lets `kc trace` and the dashboard say who changed an object, and when, without
// a log pipeline. Its policy is fixed (below), whatever `--audit-policy-file` says; the file
// backend is unchanged. Served read-only by index-routes.ts.
import type { AuditBackend } from './backend.js';
import type { AuditOptions } from './plugin.js';
import { AUDIT_API_VERSION, type AuditEvent, type Policy } from './types.js';

export const DEFAULT_AUDIT_INDEX_MAX_EVENTS = 20_000;

/**
 * Metadata for every write (subresources included: binding, status, scale, eviction are
 * create/update/patch), ResponseComplete only. Events and Leases are left out: components
 * write them every few seconds and they would push the objects' histories out of the bound.
 */
export const AUDIT_INDEX_POLICY: Policy = {
  apiVersion: AUDIT_API_VERSION,
  kind: 'Policy',
  omitStages: ['RequestReceived', 'ResponseStarted'],
  omitManagedFields: true,
  rules: [
    { level: 'None', resources: [{ group: '', resources: ['events'] }, { group: 'events.k8s.io', resources: ['events'] }, { group: 'coordination.k8s.io', resources: ['leases'] }] },
    // Writes the handlers name no object of (reviews, TokenRequests, non-resource URLs) carry no uid and are not kept.
    { level: 'Metadata', verbs: ['create', 'update', 'patch', 'delete', 'deletecollection'] },
    { level: 'None' },
  ],
};

/**
 * Bounded: at most `maxEvents` in all, the oldest dropped first. Each uid's list is in arrival
 * order, which is the order the audit stage completed the requests in; readers still sort by
 * stageTimestamp.
 */
export class AuditIndex implements AuditBackend {
  private readonly byUID = new Map<string, AuditEvent[]>();
  /** The uid of every kept event, oldest first (`head` is the oldest still kept). */
  private order: string[] = [];
  private head = 0;

  constructor(readonly maxEvents: number = DEFAULT_AUDIT_INDEX_MAX_EVENTS) {}

  get size(): number {
    return this.order.length - this.head;
  }

  processEvents(events: AuditEvent[]): void {
    for (const ev of events) {
      const uid = ev.objectRef?.uid;
      if (!uid || ev.stage !== 'ResponseComplete') continue;
      const list = this.byUID.get(uid);
      if (list) list.push(ev);
      else this.byUID.set(uid, [ev]);
      this.order.push(uid);
      if (this.size > this.maxEvents) this.dropOldest();
    }
  }

  /** The events of `uid`, by stageTimestamp; only those in `namespace` when one is given. */
  list(uid: string, namespace?: string): AuditEvent[] {
    const all = this.byUID.get(uid) ?? [];
    const picked = namespace === undefined ? [...all] : all.filter((e) => (e.objectRef?.namespace ?? '') === namespace);
    // MicroTime strings have a fixed width: their text order is their time order (sort is stable).
    return picked.sort((a, b) => (a.stageTimestamp < b.stageTimestamp ? -1 : a.stageTimestamp > b.stageTimestamp ? 1 : 0));
  }

  async close(): Promise<void> {
    this.byUID.clear();
    this.order = [];
    this.head = 0;
  }

  private dropOldest(): void {
    const uid = this.order[this.head++]!;
    const list = this.byUID.get(uid);
    list?.shift();
    if (list && list.length === 0) this.byUID.delete(uid);
    // Compact the queue once half of it is dropped entries.
    if (this.head > 1024 && this.head * 2 > this.order.length) {
      this.order = this.order.slice(this.head);
      this.head = 0;
    }
  }
}

/** The audit stage's options for the index's sink. */
export function auditIndexSink(index: AuditIndex): AuditOptions {
  return { policy: AUDIT_INDEX_POLICY, backend: index, objectUIDFromHandler: true };
}
