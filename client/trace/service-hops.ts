// A Service's hops after its pods are Ready: the EndpointSlice controller adds each ready pod's
// address, kube-proxy on every node programs the rules (its EndpointsProgrammed milestone), and
// the cluster DNS answers the name (DNSRecordsServed). Pure: reads TraceData only.
import { actorFromEvent } from './actors.js';
import { RANK, audits, created, eventsOn, fromEvent, ref, takeEvent, unknown, type Ctx } from './hops.js';
import type { TracedObject } from './types.js';

interface SliceLike {
  endpoints?: { addresses?: string[]; conditions?: { ready?: boolean }; targetRef?: { kind?: string; name?: string; uid?: string } }[];
}

const ms = (t: string) => Date.parse(t);

/**
 * When a pod's address was added: slice writes carry no per-endpoint time, so it is the first
 * audited write of the slice at or after the second the pod turned Ready (the Ready condition
 * is to the second). Unknown without the audit index or without a Ready time.
 */
function endpointAdded(ctx: Ctx, slice: TracedObject, pod: TracedObject | undefined, address: string, podName: string): void {
  const base = { actor: 'endpointslice-controller', action: `added ${address} (Pod/${podName})`, object: ref(slice), rank: RANK.endpointAdded, chain: pod ? [...slice.chain, pod.uid] : slice.chain };
  const readyAt = (pod?.object as { status?: { conditions?: { type: string; status: string; lastTransitionTime?: string }[] } } | undefined)?.status?.conditions?.find((c) => c.type === 'Ready' && c.status === 'True')?.lastTransitionTime;
  const writes = audits(ctx, slice.uid).filter((e) => e.verb !== 'delete' && e.stageTimestamp);
  const first = readyAt ? writes.find((e) => ms(e.stageTimestamp!) >= ms(readyAt)) : undefined;
  if (first?.stageTimestamp) ctx.hops.push({ ...base, at: first.stageTimestamp, source: 'audit', detail: 'the first EndpointSlice write once the pod was Ready' });
  else unknown(ctx, { ...base, ...(readyAt && ctx.data.audit.status === 'ok' ? { detail: 'no EndpointSlice write after the pod turned Ready' } : {}) });
}

export function sliceHops(ctx: Ctx, slice: TracedObject): void {
  created(ctx, slice, RANK.sliceCreated);
  for (const ep of (slice.object as SliceLike).endpoints ?? []) {
    if (ep.conditions?.ready === false || ep.targetRef?.kind !== 'Pod' || !ep.targetRef.name) continue;
    const pod = ctx.data.objects.find((o) => o.kind === 'Pod' && (o.uid === ep.targetRef?.uid || o.name === ep.targetRef?.name));
    endpointAdded(ctx, slice, pod, ep.addresses?.[0] ?? '', ep.targetRef.name);
  }
}

/** kube-proxy's and dns's milestone Events on the Service; one unknown hop each when there are none. */
export function milestoneHops(ctx: Ctx, svc: TracedObject): void {
  const fqdn = `${svc.name}.${svc.namespace}.svc.cluster.local`;
  const kinds: [string, number, string, string][] = [
    ['EndpointsProgrammed', RANK.programmed, 'kube-proxy', 'programmed the rules'],
    ['DNSRecordsServed', RANK.dns, 'dns', `answers ${fqdn}`],
  ];
  for (const [reason, rank, actor, action] of kinds) {
    const seen = eventsOn(ctx, svc.uid).filter((e) => e.reason === reason);
    for (const e of seen) {
      takeEvent(ctx, svc.uid, (x) => x === e);
      const repeats = (e.count ?? 1) > 1 ? ` (x${e.count}, last ${e.lastTimestamp ?? '?'})` : '';
      ctx.hops.push(fromEvent(e, { actor: actorFromEvent(e), action: (e.message ?? action) + repeats, object: ref(svc), rank, chain: svc.chain }, 'milestone'));
    }
    if (seen.length === 0) unknown(ctx, { actor, action, object: ref(svc), rank, chain: svc.chain, detail: `no ${reason} event` });
  }
}
