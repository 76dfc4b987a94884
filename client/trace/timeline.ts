// buildTimeline: TraceData → one ordered timeline. Hops come from hops.ts/service-hops.ts; this
// file orders them and computes offsets and hop latencies. Pure and unit tested.
//
// Ordering: by time where known, kept causal. Events and conditions are stamped to the second,
// audit records to the microsecond, so a kubelet Event at 12:00:01 may really follow a bind
// audited at 12:00:01.400; a hop is therefore never placed before the hop of its own chain it
// follows from (the nearest lower rank) when the two differ by less than that second. A hop
// with no time is placed right after the hop it follows from.
import { actorFromEvent } from './actors.js';
import { RANK, created, eventTime, eventsOn, podHops, ref, userWrites, type Ctx, type Hop } from './hops.js';
import { milestoneHops, sliceHops } from './service-hops.js';
import type { CoreEvent, TraceData, TracedObject, Timeline, TraceStep } from './types.js';

const EVENT_RANK: Record<string, number> = { ReplicaSet: RANK.setEvent, Pod: RANK.podEvent, EndpointSlice: RANK.sliceEvent };

/** Every Event no hop consumed (scale-downs, probe failures, kills…) as a step of its own. */
function otherEvents(ctx: Ctx, o: TracedObject, isRoot: boolean): void {
  for (const e of eventsOn(ctx, o.uid)) {
    ctx.used.add(e);
    const warning = e.type === 'Warning' ? `Warning ${e.reason}: ` : '';
    const repeats = (e.count ?? 1) > 1 ? ` (x${e.count}, last ${e.lastTimestamp ?? '?'})` : '';
    ctx.hops.push({ at: eventTime(e) ?? null, actor: actorFromEvent(e), action: `${warning}${e.message ?? e.reason ?? ''}${repeats}`, object: ref(o), source: 'event', detail: `${e.reason ?? ''}`, rank: isRoot ? RANK.rootEvent : (EVENT_RANK[o.kind] ?? RANK.rootEvent), chain: o.chain });
  }
}

export function collectHops(data: TraceData): Hop[] {
  const ctx: Ctx = { data, used: new Set<CoreEvent>(), hops: [] };
  const [root, ...rest] = data.objects;
  if (!root) return [];
  created(ctx, root, RANK.created);
  userWrites(ctx, root);
  if (root.kind === 'Pod') podHops(ctx, root);
  for (const o of rest) {
    if (o.kind === 'ReplicaSet') created(ctx, o, RANK.ownedCreated, (e) => e.reason === 'ScalingReplicaSet' && (e.message ?? '').includes(`replica set ${o.name} `) && /from 0 to|Scaled up/.test(e.message ?? ''));
    else if (o.kind === 'Pod') podHops(ctx, o);
    else if (o.kind === 'EndpointSlice') sliceHops(ctx, o);
  }
  if (root.kind === 'Service') milestoneHops(ctx, root);
  for (const o of data.objects) otherEvents(ctx, o, o === root);
  return ctx.hops;
}

const time = (t: string | null) => (t === null ? NaN : Date.parse(t));
const toSecond = (t: string) => !/T\d\d:\d\d:\d\d\.\d/.test(t);

/** Hops that time a step of the chain; user writes and loose Events do not cause the later steps. */
const NOT_CAUSES = new Set<number>([RANK.userWrite, RANK.rootEvent, RANK.setEvent, RANK.podEvent, RANK.sliceEvent]);

/** The latest known hop this one follows from: a lower causal rank on this object or one it descends from. */
function predecessor(h: Hop, known: { hop: Hop; sortAt: number }[]): { hop: Hop; sortAt: number } | undefined {
  let best: { hop: Hop; sortAt: number } | undefined;
  for (const k of known) {
    const p = k.hop;
    if (p.rank >= h.rank || NOT_CAUSES.has(p.rank) || !h.chain.includes(p.chain[p.chain.length - 1]!)) continue;
    if (!best || k.sortAt > best.sortAt) best = k;
  }
  return best;
}

/** Sort keys: the hop's time, held causal within a second's precision; unknown hops after their predecessor. */
export function orderHops(hops: Hop[]): Hop[] {
  const placed: { hop: Hop; sortAt: number }[] = [];
  for (const h of [...hops].sort((a, b) => a.rank - b.rank)) {
    const pred = predecessor(h, placed.filter((k) => Number.isFinite(k.sortAt)));
    const at = time(h.at);
    let sortAt: number;
    if (Number.isNaN(at)) sortAt = pred ? pred.sortAt : -Infinity;
    else if (pred && toSecond(h.at!) && pred.sortAt > at && pred.sortAt - at < 1000) sortAt = pred.sortAt;
    else sortAt = at;
    placed.push({ hop: h, sortAt });
  }
  placed.sort((a, b) => a.sortAt - b.sortAt || a.hop.rank - b.hop.rank || a.hop.object.localeCompare(b.hop.object) || a.hop.action.localeCompare(b.hop.action));
  return placed.map((k) => k.hop);
}

/** RFC 3339 with milliseconds, as the contract's `at` and `start`. */
function rfc3339ms(t: number): string {
  return new Date(t).toISOString();
}

export function buildTimeline(data: TraceData): Timeline {
  const ordered = orderHops(collectHops(data));
  const known = ordered.map((h) => time(h.at)).filter((t) => !Number.isNaN(t));
  const start = known.length ? Math.min(...known) : NaN;
  let prev: number | undefined;
  const steps: TraceStep[] = ordered.map((h) => {
    const at = time(h.at);
    if (Number.isNaN(at)) return { at: null, offsetMs: null, hopMs: null, actor: h.actor, action: h.action, object: h.object, source: h.source, ...(h.detail ? { detail: h.detail } : {}) };
    let hop = prev === undefined ? null : at - prev;
    // A whole-second time placed after a finer one it follows: the true gap is ≥ 0 within that second.
    if (hop !== null && hop < 0 && hop > -1000 && toSecond(h.at!)) hop = 0;
    prev = Math.max(prev ?? at, at);
    return { at: rfc3339ms(at), offsetMs: at - start, hopMs: hop, actor: h.actor, action: h.action, object: h.object, source: h.source, ...(h.detail ? { detail: h.detail } : {}) };
  });
  const notes = [...(data.notes ?? [])];
  if (data.audit.status !== 'ok') notes.push(`audit index ${data.audit.status}${data.audit.code ? ` (HTTP ${data.audit.code})` : ''}${data.audit.message ? `: ${data.audit.message}` : ''}; hops only it records are unknown`);
  return { root: data.root, start: Number.isNaN(start) ? '' : rfc3339ms(start), steps, ...(notes.length ? { notes } : {}) };
}
