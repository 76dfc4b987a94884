// The APIService availability controller (kube-aggregator's pkg/controllers/status): sets each
// APIService's Available condition — True/Local for the apiserver's own group-versions; for a
// Service-backed one, False with ServiceNotFound, ServicePortError, EndpointsNotFound,
// MissingEndpoints or FailedDiscoveryCheck until its /apis/<group>/<version> answers 2xx
// within 5 s, then True/Passed. Checked on every change of APIServices, Services and
// Endpoints, and periodically. A passing check's body is the backend's APIResourceList,
// which feeds the discovery cache (a failing one marks the cached copy Stale).
import type { Logger } from 'pino';
import { availableCondition, type APIService, type APIServiceCondition } from '../../api/apiregistration.js';
import { StatusError } from '../../api/status.js';
import type { KObject } from '../../api/types.js';
import type { ResourceStore } from '../registry/store.js';
import type { DiscoveryCache } from './discovery.js';
import { probe, probeURL } from './probe.js';
import { isFailure, type ResolveFailure, type Target } from './resolver.js';
import type { ProxyTransport } from './transport.js';

export type Check = { kind: 'local' } | { kind: 'unresolved'; failure: ResolveFailure } | { kind: 'probed'; url: string; status?: number; error?: string };

type Condition = Omit<APIServiceCondition, 'lastTransitionTime'>;

/** The condition a check's outcome means (pure). */
export function conditionFor(c: Check): Condition {
  if (c.kind === 'local') return { type: 'Available', status: 'True', reason: 'Local', message: 'Local APIServices are always available' };
  if (c.kind === 'unresolved') return { type: 'Available', status: 'False', reason: c.failure.reason, message: c.failure.message };
  if (c.error !== undefined) return { type: 'Available', status: 'False', reason: 'FailedDiscoveryCheck', message: `failing or missing response from ${c.url}: ${c.error}` };
  if (c.status === undefined || c.status < 200 || c.status > 299) {
    return { type: 'Available', status: 'False', reason: 'FailedDiscoveryCheck', message: `failing or missing response from ${c.url}: bad status from ${c.url}: ${c.status ?? 0}` };
  }
  return { type: 'Available', status: 'True', reason: 'Passed', message: 'all checks passed' };
}

/** The status with `cond` set; lastTransitionTime moves only when the status flips (pure). */
export function withCondition(svc: APIService, cond: Condition, now: Date): APIService['status'] | undefined {
  const old = availableCondition(svc);
  if (old && old.status === cond.status && old.reason === cond.reason && old.message === cond.message) return undefined;
  const lastTransitionTime = old && old.status === cond.status && old.lastTransitionTime ? old.lastTransitionTime : now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const others = (svc.status?.conditions ?? []).filter((c) => c.type !== 'Available');
  return { ...svc.status, conditions: [...others, { ...cond, lastTransitionTime }] };
}

export interface AvailabilityOptions {
  apiServices: ResourceStore;
  resolve(svc: APIService): Target | ResolveFailure;
  transport: ProxyTransport;
  discovery: DiscoveryCache;
  log: Logger;
  /** After a passing check (the aggregator then reads the backend's OpenAPI). */
  onPassed?(svc: APIService, target: Target): Promise<void>;
  /** When an APIService is gone. */
  onRemoved?(name: string): void;
  /** Between full re-checks (upstream re-checks every 30 s; default 10 s). */
  intervalMs?: number;
}

export class AvailabilityController {
  private readonly pending = new Set<string>();
  private running = false;
  private stopped = false;
  private timer?: NodeJS.Timeout;

  constructor(private readonly o: AvailabilityOptions) {}

  start(): void {
    this.enqueueAll();
    this.timer = setInterval(() => this.enqueueAll(), this.o.intervalMs ?? 10_000);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }

  enqueueAll(): void {
    for (const e of this.o.apiServices.cache.list()) this.enqueue(e.obj.metadata?.name ?? '');
  }

  enqueue(name: string): void {
    if (this.stopped || !name) return;
    this.pending.add(name);
    if (!this.running) void this.drain();
  }

  /** Checks everything queued, in rounds; names queued meanwhile go into the next round. */
  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.pending.size > 0 && !this.stopped) {
        const round = [...this.pending];
        this.pending.clear();
        await Promise.all(round.map((n) => this.sync(n).catch((e: unknown) => this.o.log.warn({ err: e, apiservice: n }, 'availability check failed'))));
      }
    } finally {
      this.running = false;
    }
  }

  private async sync(name: string): Promise<void> {
    const svc = this.o.apiServices.cache.get(name)?.obj as unknown as APIService | undefined;
    if (!svc) {
      this.o.discovery.remove(name);
      this.o.onRemoved?.(name);
      return;
    }
    const check = await this.check(svc);
    const status = withCondition(svc, conditionFor(check), new Date());
    if (!status || this.stopped) return;
    try {
      await this.o.apiServices.guaranteedUpdate(undefined, name, (cur) => {
        const next = withCondition(cur as unknown as APIService, conditionFor(check), new Date());
        return next ? ({ ...cur, status: next } as KObject) : cur;
      }, { subresource: 'status' });
    } catch (e) {
      if (!(e instanceof StatusError && e.code === 404)) throw e;
    }
  }

  private async check(svc: APIService): Promise<Check> {
    const name = svc.metadata?.name ?? '';
    if (!svc.spec.service) return { kind: 'local' };
    const target = this.o.resolve(svc);
    if (isFailure(target)) {
      this.o.discovery.markStale(name);
      return { kind: 'unresolved', failure: target };
    }
    const path = `/apis/${svc.spec.group}/${svc.spec.version}`;
    const url = probeURL(target, path);
    try {
      const r = await probe(this.o.transport, svc, target, path);
      if (r.status >= 200 && r.status < 300) {
        this.o.discovery.update(name, r.body);
        await this.o.onPassed?.(svc, target);
      } else this.o.discovery.markStale(name);
      return { kind: 'probed', url, status: r.status };
    } catch (e) {
      this.o.discovery.markStale(name);
      return { kind: 'probed', url, error: e instanceof Error ? e.message : String(e) };
    }
  }
}
