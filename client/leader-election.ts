// Leader election on a coordination.k8s.io/v1 Lease, as client-go tools/leaderelection:
// candidates try to acquire or renew the lease every retry period with compare-and-swap
// updates; a lease is taken over once its holder has not renewed it for leaseDuration (as
// measured on *our* clock since we last saw it change), and released on a clean shutdown.
import type { Lease, LeaseSpec } from 'kubernetes-types/coordination/v1';
import type { RestClient, ResourceClient } from './rest.js';
import { metaMicroTime } from '../api/time.js';
import { isNotFound, isConflict, isAlreadyExists } from './errors.js';
import { sleep } from './token-bucket.js';
import { defaultLogger, type Logger } from './log.js';

export interface LeaderCallbacks {
  /** Called once leadership is acquired; `signal` aborts when it is lost or released. */
  onStartedLeading(signal: AbortSignal): void | Promise<void>;
  /** Called when leadership ends (lost or released) — only if it was held. */
  onStoppedLeading?(): void;
  /** Called when the observed holder changes (including to ourselves). */
  onNewLeader?(identity: string): void;
}

export interface LeaderElectionConfig {
  client: RestClient;
  namespace: string;
  /** The lease name, e.g. `kube-scheduler`. */
  name: string;
  /** Unique per candidate, e.g. `<hostname>_<uuid>`. */
  identity: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  /** Give the lease up (holder '') when stopped, so another candidate takes over at once. Default true. */
  releaseOnCancel?: boolean;
  callbacks: LeaderCallbacks;
  logger?: Logger;
}

/** The jitter client-go adds to the retry period while waiting to acquire. */
const JITTER_FACTOR = 1.2;

export class LeaderElector {
  private readonly leases: ResourceClient<Lease>;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly log: Logger;
  private readonly stopSignal = new AbortController();
  private observed: { spec: LeaseSpec; raw: string; at: number; resourceVersion?: string } | undefined;
  private reportedLeader: string | undefined;
  private leading = false;
  private running: Promise<void> | undefined;

  constructor(private readonly config: LeaderElectionConfig) {
    this.leases = config.client.resource('leases.coordination.k8s.io', config.namespace);
    this.leaseDurationMs = config.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = config.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = config.retryPeriodMs ?? 2_000;
    if (this.leaseDurationMs <= this.renewDeadlineMs) throw new Error('leaseDuration must be greater than renewDeadline');
    if (this.renewDeadlineMs <= JITTER_FACTOR * this.retryPeriodMs) throw new Error('renewDeadline must be greater than retryPeriod*1.2');
    this.log = config.logger ?? defaultLogger();
  }

  isLeader(): boolean {
    return this.leading;
  }

  /** The holder we last observed ('' when the lease is free or unknown). */
  getLeader(): string {
    return this.observed?.spec.holderIdentity ?? '';
  }

  /** Campaigns, leads, and returns when leadership is lost or stop() is called. */
  run(): Promise<void> {
    this.running ??= this.campaign();
    return this.running;
  }

  /** Stops campaigning/leading; releases the lease if held and releaseOnCancel. */
  async stop(): Promise<void> {
    this.stopSignal.abort();
    await this.running;
  }

  private get stopped(): boolean {
    return this.stopSignal.signal.aborted;
  }

  private async campaign(): Promise<void> {
    // Acquire: retry every retryPeriod (jittered) until we hold the lease or are stopped.
    while (!this.stopped) {
      if (await this.tryAcquireOrRenew()) break;
      await this.pause(this.retryPeriodMs * (1 + Math.random() * (JITTER_FACTOR - 1)));
    }
    if (this.stopped) return;
    this.leading = true;
    this.log.info({ lease: this.leaseKey(), identity: this.config.identity }, 'acquired lease');
    const leadership = new AbortController();
    const stopLeading = (): void => leadership.abort();
    this.stopSignal.signal.addEventListener('abort', stopLeading, { once: true });
    try {
      void Promise.resolve()
        .then(() => this.config.callbacks.onStartedLeading(leadership.signal))
        .catch((e: unknown) => this.log.error({ lease: this.leaseKey(), err: e }, 'onStartedLeading failed'));
      await this.renewLoop();
    } finally {
      this.stopSignal.signal.removeEventListener('abort', stopLeading);
      leadership.abort();
      if (this.stopped && this.config.releaseOnCancel !== false) await this.release();
      this.leading = false;
      this.safely(() => this.config.callbacks.onStoppedLeading?.());
    }
  }

  /** Renews every retryPeriod; leadership is lost if no renewal succeeds within renewDeadline. */
  private async renewLoop(): Promise<void> {
    while (!this.stopped) {
      const deadline = Date.now() + this.renewDeadlineMs;
      let renewed = false;
      while (!this.stopped && Date.now() < deadline) {
        if (await this.tryAcquireOrRenew()) {
          renewed = true;
          break;
        }
        await this.pause(this.retryPeriodMs);
      }
      if (this.stopped) return;
      if (!renewed) {
        this.log.warn({ lease: this.leaseKey(), identity: this.config.identity }, 'failed to renew lease, lost leadership');
        return;
      }
      await this.pause(this.retryPeriodMs);
    }
  }

  /** One attempt (client-go's tryAcquireOrRenew). Errors count as "not acquired". */
  private async tryAcquireOrRenew(): Promise<boolean> {
    const now = new Date();
    const me = this.config.identity;
    const desired: LeaseSpec = {
      holderIdentity: me,
      leaseDurationSeconds: Math.ceil(this.leaseDurationMs / 1000),
      acquireTime: metaMicroTime(now),
      renewTime: metaMicroTime(now),
      leaseTransitions: 0,
    };
    try {
      let current: Lease;
      try {
        current = await this.leases.get(this.config.name, { signal: this.stopSignal.signal });
      } catch (e) {
        if (!isNotFound(e)) throw e;
        const created = await this.leases.create(
          { metadata: { name: this.config.name, namespace: this.config.namespace }, spec: desired },
          { signal: this.stopSignal.signal },
        );
        this.observe(created, Date.now());
        return true;
      }
      const spec = current.spec ?? {};
      this.observe(current, Date.now());
      const holder = spec.holderIdentity ?? '';
      const observedAt = this.observed?.at ?? 0;
      const valid = observedAt + (spec.leaseDurationSeconds ?? 0) * 1000 > Date.now();
      if (holder !== '' && holder !== me && valid) return false;
      if (holder === me) {
        desired.acquireTime = spec.acquireTime ?? desired.acquireTime;
        desired.leaseTransitions = spec.leaseTransitions ?? 0;
      } else {
        desired.leaseTransitions = (spec.leaseTransitions ?? 0) + 1;
      }
      // Carries current.metadata.resourceVersion: a concurrent writer makes this a 409.
      const updated = await this.leases.update({ ...current, spec: desired }, { signal: this.stopSignal.signal });
      this.observe(updated, Date.now());
      return true;
    } catch (e) {
      if (!this.stopped && !isConflict(e) && !isAlreadyExists(e)) {
        this.log.warn({ lease: this.leaseKey(), err: e }, 'error acquiring or renewing lease');
      }
      return false;
    }
  }

  /** Gives the lease up: holder '' so others need not wait for it to expire. */
  private async release(): Promise<void> {
    const o = this.observed;
    if (!o || o.spec.holderIdentity !== this.config.identity) return;
    const now = metaMicroTime();
    try {
      const current = await this.leases.get(this.config.name);
      if (current.spec?.holderIdentity !== this.config.identity) return;
      const released = await this.leases.update({
        ...current,
        spec: { ...current.spec, holderIdentity: '', leaseDurationSeconds: 1, acquireTime: now, renewTime: now },
      });
      this.observe(released, Date.now());
      this.log.info({ lease: this.leaseKey(), identity: this.config.identity }, 'released lease');
    } catch (e) {
      this.log.warn({ lease: this.leaseKey(), err: e }, 'failed to release lease');
    }
  }

  /** Records what we saw; the observation time only moves when the record changed. */
  private observe(lease: Lease, at: number): void {
    const spec = lease.spec ?? {};
    const raw = JSON.stringify([spec.holderIdentity, spec.leaseDurationSeconds, spec.acquireTime, spec.renewTime, spec.leaseTransitions]);
    if (!this.observed || this.observed.raw !== raw) this.observed = { spec, raw, at, resourceVersion: lease.metadata?.resourceVersion };
    const holder = spec.holderIdentity ?? '';
    if (holder && holder !== this.reportedLeader) {
      this.reportedLeader = holder;
      this.safely(() => this.config.callbacks.onNewLeader?.(holder));
    }
  }

  private safely(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.log.error({ lease: this.leaseKey(), err: e }, 'leader election callback threw');
    }
  }

  private async pause(ms: number): Promise<void> {
    await sleep(ms, this.stopSignal.signal).catch(() => undefined);
  }

  private leaseKey(): string {
    return `${this.config.namespace}/${this.config.name}`;
  }
}
