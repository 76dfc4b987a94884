// The pod lifecycle event generator (pkg/kubelet/pleg): turns container state changes into
// "sync this pod". Two sources: the runtime's event stream (the fast path, milliseconds) and a
// periodic relist that compares every container's state with the previous relist (catches
// anything the stream missed, e.g. while it reconnected). A relist is two list calls and a
// comparison — no inspects — so it stays cheap with many pods.
import type { Logger } from 'pino';
import { LABEL_POD_UID, type Container, type PodSandbox, type RuntimeService } from './runtime/runtime.js';
import { runtimeFingerprint } from './runtime/state.js';

export interface PlegOptions {
  runtime: RuntimeService;
  log: Logger;
  relistPeriodMs: number;
  onPodChanged(uid: string, change: PodChange): void;
  observeRelist?(seconds: number): void;
}

/**
 * How the kubelet tells whether it has already seen a change: `at` is when it happened at the
 * latest (an event's time, or when the relist that saw it began), so a sync that read the
 * runtime after `at` covers it; a relist also carries the pod's ids and states as listed,
 * which equal to what the last sync listed means nothing new.
 */
export interface PodChange {
  at: number;
  fingerprint?: string;
}

/** A relist older than this makes the node NotReady ("PLEG is not healthy"), as k8s. */
export const RELIST_THRESHOLD_MS = 3 * 60_000;

export class Pleg {
  private states = new Map<string, string>();
  private uids = new Set<string>();
  private sandboxIds = new Set<string>();
  private lastError = '';
  private timer?: NodeJS.Timeout;
  private readonly abort = new AbortController();
  private lastRelistAt = 0;
  private stopped = false;
  private relisting: Promise<void> | undefined;

  constructor(private readonly opts: PlegOptions) {}

  start(): void {
    void this.watchEvents();
    const tick = (): void => {
      if (this.stopped) return;
      this.relist()
        .then(() => (this.lastError = ''))
        .catch((err: unknown) => {
          this.lastError = err instanceof Error ? err.message : String(err);
          this.opts.log.warn({ err: this.lastError }, 'PLEG relist failed');
        })
        .finally(() => {
          if (this.stopped) return;
          this.timer = setTimeout(tick, this.opts.relistPeriodMs);
          this.timer.unref();
        });
    };
    tick();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.abort.abort();
  }

  /** '' when healthy, else the reason the node is not ready. */
  healthProblem(): string {
    if (this.lastError) return `container runtime is down: ${this.lastError}`;
    if (!this.lastRelistAt) return '';
    const age = Date.now() - this.lastRelistAt;
    return age > RELIST_THRESHOLD_MS ? `PLEG is not healthy: pleg was last seen active ${Math.round(age / 1000)}s ago; threshold is ${RELIST_THRESHOLD_MS / 1000}s` : '';
  }

  /** Pod uids that have containers or sandboxes in the runtime (as of the last relist). */
  podUids(): Set<string> {
    return new Set(this.uids);
  }

  /** Sandboxes ready and containers by state, as of the last relist (for the gauges). */
  counts(): { readySandboxes: number; running: number; exited: number } {
    let readySandboxes = 0;
    let running = 0;
    let exited = 0;
    for (const [id, v] of this.states) {
      const state = v.split('|')[1];
      if (this.sandboxIds.has(id)) {
        if (state === 'ready') readySandboxes++;
      } else if (state === 'running') running++;
      else if (state === 'exited') exited++;
    }
    return { readySandboxes, running, exited };
  }

  /** Relists now (one at a time); notifies every pod whose containers changed. */
  relist(): Promise<void> {
    this.relisting ??= this.doRelist().finally(() => (this.relisting = undefined));
    return this.relisting;
  }

  private async doRelist(): Promise<void> {
    const t0 = performance.now();
    const startedAt = Date.now();
    const [containers, sandboxes] = await Promise.all([this.opts.runtime.listContainers(), this.opts.runtime.listPodSandboxes()]);
    const next = new Map<string, string>();
    const uids = new Set<string>();
    const add = (c: Container | PodSandbox, state: string): void => {
      const uid = c.labels[LABEL_POD_UID] ?? ('uid' in c.metadata ? c.metadata.uid : '');
      if (!uid) return;
      uids.add(uid);
      next.set(c.id, `${uid}|${state}`);
    };
    for (const c of containers) add(c, c.state);
    for (const s of sandboxes) add(s, s.state);
    this.sandboxIds = new Set(sandboxes.map((s) => s.id));
    const changed = new Set<string>();
    for (const [id, v] of next) if (this.states.get(id) !== v) changed.add(v.split('|')[0]);
    for (const [id, v] of this.states) if (!next.has(id)) changed.add(v.split('|')[0]);
    this.states = next;
    this.uids = uids;
    this.lastRelistAt = Date.now();
    this.opts.observeRelist?.((performance.now() - t0) / 1000);
    const byPod = new Map<string, Array<[string, string]>>();
    for (const [id, v] of next) {
      const [uid, state] = v.split('|');
      if (changed.has(uid)) byPod.set(uid, [...(byPod.get(uid) ?? []), [id, state]]);
    }
    for (const uid of changed) this.opts.onPodChanged(uid, { at: startedAt, fingerprint: runtimeFingerprint(byPod.get(uid) ?? []) });
  }

  private async watchEvents(): Promise<void> {
    let delay = 500;
    while (!this.stopped) {
      try {
        for await (const e of this.opts.runtime.events({ signal: this.abort.signal })) {
          delay = 500;
          const uid = e.labels[LABEL_POD_UID];
          if (uid) this.opts.onPodChanged(uid, { at: e.time.getTime() });
        }
      } catch (err) {
        if (this.stopped) return;
        this.opts.log.warn({ err }, 'runtime event stream failed; relisting');
      }
      if (this.stopped) return;
      // The stream ended: anything missed meanwhile is caught by a relist.
      await new Promise((r) => setTimeout(r, delay).unref());
      delay = Math.min(delay * 2, 10_000);
      void this.relist().catch(() => undefined);
    }
  }
}
