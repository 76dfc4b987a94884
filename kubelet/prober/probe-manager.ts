// Liveness, readiness and startup probing (pkg/kubelet/prober worker.go + results cache): one
// worker per container and probe kind, probing every periodSeconds after initialDelaySeconds,
// flipping its verdict after failureThreshold / successThreshold consecutive results.
// Readiness starts failed, liveness succeeded, startup unknown; liveness and readiness wait
// for startup. A failed liveness/startup verdict holds until the container is replaced. Each
// flip asks the pod worker to sync, which restarts the container or updates `ready`.
import type { Container, Pod, Probe } from 'kubernetes-types/core/v1';
import type { EventRecorder } from '../../client/index.js';
import type { RuntimeService } from '../runtime/runtime.js';
import type { RuntimePodState } from '../runtime/state.js';
import { latestByName } from '../pod/actions.js';
import { runHandler } from './prober.js';

export type ProbeKind = 'liveness' | 'readiness' | 'startup';

export interface ProbeManagerOptions {
  runtime: RuntimeService;
  recorder?: EventRecorder;
  /** A verdict flipped: the pod should be synced. */
  onChange(podUid: string): void;
  /** Counts probe runs (metrics). */
  observe?(kind: ProbeKind, result: string): void;
}

interface Verdicts {
  liveness?: boolean;
  readiness?: boolean;
  startup?: boolean;
}

const LABEL: Record<ProbeKind, string> = { liveness: 'Liveness', readiness: 'Readiness', startup: 'Startup' };

class ProbeWorker {
  containerId = '';
  startedAt = 0;
  podIP = '';
  pod: Pod;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private lastRaw: boolean | undefined;
  private run = 0;
  private onHold = false;

  constructor(
    private readonly mgr: ProbeManager,
    pod: Pod,
    readonly container: Container,
    readonly kind: ProbeKind,
    readonly probe: Probe,
  ) {
    this.pod = pod;
  }

  /** A new container instance resets the worker (verdict back to its initial value). */
  setContainer(id: string, startedAt: number): void {
    if (id === this.containerId) return;
    this.containerId = id;
    this.startedAt = startedAt;
    this.lastRaw = undefined;
    this.run = 0;
    this.onHold = false;
    this.mgr.initial(id, this.kind);
    this.schedule(0);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** The container is not running: no probing until a new one runs. */
  pause(): void {
    this.containerId = '';
    clearTimeout(this.timer);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), ms);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    const period = (this.probe.periodSeconds ?? 10) * 1000;
    const id = this.containerId;
    if (this.stopped || !id) return;
    const v = this.mgr.verdicts(id);
    const waitForStartup = this.kind !== 'startup' && v?.startup === false;
    const startupDone = this.kind === 'startup' && v?.startup === true;
    const delay = this.startedAt + (this.probe.initialDelaySeconds ?? 0) * 1000 - Date.now();
    if (this.onHold || waitForStartup || startupDone) return this.schedule(period);
    if (delay > 0) return this.schedule(delay);
    const r = await runHandler(this.mgr.runtime, this.probe, { containerId: id, container: this.container, podIP: this.podIP }, this.probe.timeoutSeconds ?? 1);
    if (this.stopped || id !== this.containerId) return;
    this.mgr.observe(this.kind, r.result);
    if (r.result === 'unknown') return this.schedule(period);
    const ok = r.result === 'success';
    this.run = ok === this.lastRaw ? this.run + 1 : 1;
    this.lastRaw = ok;
    if (!ok) {
      this.mgr.recorder?.event(
        { kind: 'Pod', apiVersion: 'v1', name: this.pod.metadata?.name, namespace: this.pod.metadata?.namespace, uid: this.pod.metadata?.uid, fieldPath: `spec.containers{${this.container.name}}` },
        'Warning',
        'Unhealthy',
        `${LABEL[this.kind]} probe failed: ${r.output.trim()}`,
      );
    }
    const threshold = ok ? (this.probe.successThreshold ?? 1) : (this.probe.failureThreshold ?? 3);
    if (this.run >= threshold) {
      this.mgr.set(this.pod.metadata?.uid ?? '', id, this.kind, ok);
      if (!ok && this.kind !== 'readiness') this.onHold = true;
    }
    this.schedule(period);
  }
}

export class ProbeManager {
  readonly runtime: RuntimeService;
  readonly recorder?: EventRecorder;
  private readonly results = new Map<string, Verdicts>();
  /** podUid → "containerName/kind" → worker */
  private readonly workers = new Map<string, Map<string, ProbeWorker>>();

  constructor(private readonly opts: ProbeManagerOptions) {
    this.runtime = opts.runtime;
    this.recorder = opts.recorder;
  }

  /** Brings the pod's probe workers in line with its running containers. */
  updatePod(pod: Pod, state: RuntimePodState, podIP: string): void {
    const uid = pod.metadata?.uid ?? '';
    let mine = this.workers.get(uid);
    const byName = latestByName(state.containers);
    for (const c of pod.spec?.containers ?? []) {
      const latest = byName.get(c.name)?.[0];
      const running = latest?.state === 'running';
      for (const kind of ['startup', 'liveness', 'readiness'] as const) {
        const probe = kind === 'startup' ? c.startupProbe : kind === 'liveness' ? c.livenessProbe : c.readinessProbe;
        if (!probe) continue;
        const key = `${c.name}/${kind}`;
        if (!mine) this.workers.set(uid, (mine = new Map()));
        let w = mine.get(key);
        if (!w) mine.set(key, (w = new ProbeWorker(this, pod, c, kind, probe)));
        w.pod = pod;
        w.podIP = podIP;
        if (running && latest) w.setContainer(latest.id, latest.startedAt?.getTime() ?? Date.now());
        else w.pause();
      }
    }
    // Forget verdicts of containers that no longer run.
    const live = new Set(state.containers.filter((c) => c.state === 'running').map((c) => c.id));
    for (const c of state.containers) {
      if (live.has(c.id)) continue;
      this.results.delete(c.id);
      this.startupExpired.delete(c.id);
    }
  }

  removePod(uid: string, containerIds: string[] = []): void {
    for (const w of this.workers.get(uid)?.values() ?? []) {
      this.results.delete(w.containerId);
      this.startupExpired.delete(w.containerId);
      w.stop();
    }
    this.workers.delete(uid);
    for (const id of containerIds) this.results.delete(id);
  }

  stop(): void {
    for (const uid of [...this.workers.keys()]) this.removePod(uid);
  }

  verdicts(id: string): Verdicts | undefined {
    return this.results.get(id);
  }

  /** Ready unless a readiness probe says otherwise (no probe: ready while running). */
  ready(id: string): boolean {
    return this.results.get(id)?.readiness ?? true;
  }

  started(id: string): boolean {
    return this.results.get(id)?.startup ?? true;
  }

  livenessFailed(id: string): boolean {
    return this.results.get(id)?.liveness === false;
  }

  startupFailed(id: string): boolean {
    return this.results.get(id)?.startup === false && this.startupExpired.has(id);
  }

  /** Startup failure (after failureThreshold) is distinct from "not started yet". */
  private readonly startupExpired = new Set<string>();

  initial(id: string, kind: ProbeKind): void {
    const v = this.results.get(id) ?? {};
    if (kind === 'readiness') v.readiness ??= false;
    if (kind === 'startup') v.startup ??= false;
    if (kind === 'liveness') v.liveness ??= true;
    this.results.set(id, v);
  }

  set(uid: string, id: string, kind: ProbeKind, ok: boolean): void {
    const v = this.results.get(id) ?? {};
    if (kind === 'startup' && !ok) this.startupExpired.add(id);
    if (v[kind] === ok && !(kind === 'startup' && !ok)) return;
    v[kind] = ok;
    this.results.set(id, v);
    this.opts.onChange(uid);
  }

  observe(kind: ProbeKind, result: string): void {
    this.opts.observe?.(kind, result);
  }
}
