// PreBind's wait (binder.go checkBindings, polled until BindTimeoutSeconds): every claim of the
// pod must be fully bound by the PV controller to a PV whose node affinity admits the node.
// A binding the scheduler wrote that someone reset (a PV's claimRef cleared, a claim's
// selected-node annotation removed because provisioning failed) fails at once, so the pod is
// rescheduled rather than waiting out the timeout.
import type { PersistentVolumeClaim } from 'kubernetes-types/core/v1';
import { setTimeout as sleep } from 'node:timers/promises';
import { ANN_SELECTED_NODE, isFullyBound, volumeFitsNode, type NodeLabels, type PodVolumes, type VolumeListers } from './binder.js';

export interface WaitInput {
  /** Every claim of the pod (bound ones too: they may not be fully bound yet). */
  claims: readonly PersistentVolumeClaim[];
  podVolumes: PodVolumes;
  node: NodeLabels;
  listers: VolumeListers;
  timeoutMs: number;
  pollIntervalMs: number;
  signal?: AbortSignal;
}

/** true = all bound; false = not yet; throws when a binding was reset or a claim is gone. */
export function checkBindings(input: Omit<WaitInput, 'timeoutMs' | 'pollIntervalMs' | 'signal'>): boolean {
  const { listers: l, node, podVolumes } = input;
  for (const { pv } of podVolumes.staticBindings) {
    const cur = l.volume(pv.metadata?.name ?? '');
    if (!cur) throw new Error(`pv "${pv.metadata?.name ?? ''}" not found`);
    if (!cur.spec?.claimRef?.uid) throw new Error(`ClaimRef got reset for pv "${pv.metadata?.name ?? ''}"`);
  }
  const dynamic = new Set(podVolumes.dynamicProvisions.map((c) => c.metadata?.uid));
  for (const c of input.claims) {
    const ns = c.metadata?.namespace ?? '';
    const name = c.metadata?.name ?? '';
    const cur = l.claim(ns, name);
    if (!cur || cur.metadata?.uid !== c.metadata?.uid) throw new Error(`persistentvolumeclaim "${name}" not found`);
    if (dynamic.has(cur.metadata?.uid) && !cur.spec?.volumeName && cur.metadata?.annotations?.[ANN_SELECTED_NODE] === undefined) {
      throw new Error(`selectedNode annotation reset for PVC "${name}"`);
    }
    if (!isFullyBound(cur)) return false;
    const pv = l.volume(cur.spec?.volumeName ?? '');
    if (!pv) return false;
    if (!volumeFitsNode(pv, node)) throw new Error(`pv "${pv.metadata?.name ?? ''}" node affinity doesn't match node "${node.name}"`);
  }
  return true;
}

/** Polls the informers (cheap: in memory) until `checkBindings` is true, or throws on reset, timeout or stop. */
export async function waitForBindings(input: WaitInput): Promise<void> {
  const deadline = Date.now() + input.timeoutMs;
  for (;;) {
    if (checkBindings(input)) return;
    if (input.signal?.aborted) throw new Error('scheduler stopped');
    if (Date.now() >= deadline) throw new Error('timed out waiting for the condition');
    await sleep(input.pollIntervalMs, undefined, input.signal ? { signal: input.signal } : {}).catch(() => undefined);
  }
}
