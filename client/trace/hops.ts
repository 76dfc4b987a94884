// The hops of a trace, before ordering: for every object the steps Kubernetes' components take
// on it, each timed from the best source there is — an audited write (microseconds), else the
// Event the component recorded, else a condition's lastTransitionTime (whole seconds) — and left
// unknown (at: null) when none of them has it. Pure: reads TraceData only.
import { actorFromAudit, actorFromEvent, controllerFor } from './actors.js';
import type { AuditEvent, CoreEvent, StepSource, TraceData, TracedObject } from './types.js';

/** A step plus what ordering needs: its causal rank and the objects it follows from. */
export interface Hop {
  at: string | null;
  actor: string;
  action: string;
  object: string;
  source: StepSource;
  detail?: string;
  /** Causal phase: a hop never sorts before a lower-ranked hop of its chain within clock precision. */
  rank: number;
  /** uids of the objects this hop follows from (root first). */
  chain: string[];
}

/** Causal phases, in the order the list-watch chain runs. */
export const RANK = {
  created: 0,
  userWrite: 1,
  rootEvent: 5,
  ownedCreated: 10,
  setEvent: 15,
  podCreated: 20,
  scheduled: 30,
  sandbox: 40,
  pulling: 50,
  pulled: 51,
  containerCreated: 52,
  started: 53,
  podEvent: 55,
  ready: 60,
  sliceCreated: 70,
  endpointAdded: 71,
  sliceEvent: 75,
  programmed: 80,
  dns: 90,
} as const;

const ref = (o: TracedObject) => `${o.kind}/${o.name}`;
const ok = (e: AuditEvent) => (e.responseStatus?.code ?? 200) < 300;

export function eventTime(e: CoreEvent): string | undefined {
  return e.eventTime ?? e.firstTimestamp ?? e.metadata?.creationTimestamp;
}

interface Ctx {
  data: TraceData;
  used: Set<CoreEvent>;
  hops: Hop[];
}

function eventsOn(ctx: Ctx, uid: string): CoreEvent[] {
  return ctx.data.events.filter((e) => e.involvedObject?.uid === uid && !ctx.used.has(e)).sort((a, b) => (eventTime(a) ?? '').localeCompare(eventTime(b) ?? ''));
}

/** Takes the first unused Event on `uid` that matches: a hop consumes the Event it is timed by. */
function takeEvent(ctx: Ctx, uid: string | undefined, match: (e: CoreEvent) => boolean): CoreEvent | undefined {
  if (!uid) return undefined;
  const e = eventsOn(ctx, uid).find(match);
  if (e) ctx.used.add(e);
  return e;
}

function audits(ctx: Ctx, uid: string): AuditEvent[] {
  return (ctx.data.auditByUid[uid] ?? []).filter(ok);
}

/** The hop for a hop that has no data: shown as unknown, never timed by a guess. */
function unknown(ctx: Ctx, h: Omit<Hop, 'at' | 'source'>): void {
  const why = ctx.data.audit.status === 'ok' ? undefined : `audit index ${ctx.data.audit.status}${ctx.data.audit.code ? ` (${ctx.data.audit.code})` : ''}`;
  ctx.hops.push({ ...h, at: null, source: 'none', ...(h.detail || why ? { detail: h.detail ?? `no record of it (${why})` } : {}) });
}

function fromEvent(e: CoreEvent, h: Omit<Hop, 'at' | 'source' | 'actor'> & { actor?: string }, source: StepSource = 'event'): Hop {
  return { actor: actorFromEvent(e), ...h, at: eventTime(e) ?? null, source, detail: h.detail ?? `${e.reason}: ${e.message ?? ''}` };
}

/** Who created the object and when: its audited create, else its creator's Event, else creationTimestamp. */
function created(ctx: Ctx, o: TracedObject, rank: number, creatorEvent?: (e: CoreEvent) => boolean): void {
  const ownerUid = o.object.metadata?.ownerReferences?.find((r) => r.controller)?.uid;
  const byEvent = creatorEvent && takeEvent(ctx, ownerUid, creatorEvent);
  const create = audits(ctx, o.uid).find(isCreate);
  const base = { action: 'created', object: ref(o), rank, chain: o.chain };
  if (create?.stageTimestamp) {
    const actor = actorFromAudit(create, o);
    ctx.hops.push({ ...base, at: create.stageTimestamp, actor, source: 'audit', detail: byEvent ? `${byEvent.reason}: ${byEvent.message ?? ''}` : `by ${create.user?.username ?? 'unknown'}${create.userAgent ? ` via ${create.userAgent}` : ''}` });
  } else if (byEvent) {
    ctx.hops.push(fromEvent(byEvent, base));
  } else {
    const ts = o.object.metadata?.creationTimestamp ?? null;
    // creationTimestamp is the apiserver's own record of the create (to the second); the actor is
    // known only as the owner's controller.
    const actor = controllerFor(o.ownerKind, o.kind) ?? 'unknown';
    ctx.hops.push({ ...base, at: ts, actor, source: ts ? 'condition' : 'none', detail: ts ? 'metadata.creationTimestamp (no audit record)' : 'no record of it' });
  }
}

/**
 * The write that made the object: a POST, or a server-side apply (a PATCH audited as `patch`)
 * that created it — its response is 201, as the dashboard's and `kubectl apply --server-side`'s are.
 */
function isCreate(e: AuditEvent): boolean {
  if (e.objectRef?.subresource) return false;
  return e.verb === 'create' || ((e.verb === 'patch' || e.verb === 'update') && e.responseStatus?.code === 201);
}

const VERB_ACTION: Record<string, string> = { update: 'updated', patch: 'patched', delete: 'deleted', deletecollection: 'deleted' };

/** Writes people (not components) made to the root after creating it: scale, edit, rollout restart. */
function userWrites(ctx: Ctx, o: TracedObject): void {
  for (const e of audits(ctx, o.uid)) {
    const user = e.impersonatedUser?.username ?? e.user?.username ?? '';
    if (isCreate(e) || user.startsWith('system:') || e.objectRef?.subresource === 'status' || !e.stageTimestamp) continue;
    const action = e.objectRef?.subresource === 'scale' ? 'scaled' : (VERB_ACTION[e.verb ?? ''] ?? e.verb ?? 'wrote');
    ctx.hops.push({ at: e.stageTimestamp, actor: actorFromAudit(e, o), action, object: ref(o), source: 'audit', rank: RANK.userWrite, chain: o.chain });
  }
}

type PodLike = {
  spec?: { nodeName?: string; containers?: { name: string; image?: string }[] };
  status?: { conditions?: { type: string; status: string; lastTransitionTime?: string; reason?: string }[] };
};

function condition(o: TracedObject, type: string) {
  return (o.object as PodLike).status?.conditions?.find((c) => c.type === type);
}

/** The scheduler's bind: the audited binding, else the Scheduled Event, else PodScheduled's transition. */
function scheduled(ctx: Ctx, o: TracedObject, node: string | undefined): void {
  const base = { actor: 'default-scheduler', action: node ? `bound to ${node}` : 'bound to a node', object: ref(o), rank: RANK.scheduled, chain: o.chain };
  const event = takeEvent(ctx, o.uid, (e) => e.reason === 'Scheduled');
  const bind = audits(ctx, o.uid).find((e) => e.objectRef?.subresource === 'binding');
  const cond = condition(o, 'PodScheduled');
  if (bind?.stageTimestamp) ctx.hops.push({ ...base, actor: actorFromAudit(bind, o), at: bind.stageTimestamp, source: 'audit', ...(event ? { detail: event.message ?? '' } : {}) });
  else if (event) ctx.hops.push(fromEvent(event, base));
  else if (cond?.status === 'True' && cond.lastTransitionTime) ctx.hops.push({ ...base, at: cond.lastTransitionTime, source: 'condition', detail: 'PodScheduled=True' });
  else unknown(ctx, base);
}

/**
 * The sandbox: PodReadyToStartContainers' transition time — but that is when the kubelet wrote
 * the status, which may be after the containers started; then it only bounds the sandbox from
 * above and the hop is unknown rather than shown out of order.
 */
function sandboxHop(ctx: Ctx, o: TracedObject, base: { actor: string; object: string; chain: string[] }): void {
  const h = { ...base, action: 'started the pod sandbox', rank: RANK.sandbox };
  const c = condition(o, 'PodReadyToStartContainers');
  if (c?.status !== 'True' || !c.lastTransitionTime) return unknown(ctx, { ...h, ...(c ? { detail: `PodReadyToStartContainers=${c.status}` } : {}) });
  const firstContainer = ctx.data.events
    .filter((e) => e.involvedObject?.uid === o.uid && ['Pulling', 'Pulled', 'Created', 'Started'].includes(e.reason ?? ''))
    .map((e) => Date.parse(eventTime(e) ?? ''))
    .filter((t) => !Number.isNaN(t))
    .sort((a, b) => a - b)[0];
  if (firstContainer !== undefined && Date.parse(c.lastTransitionTime) > firstContainer) return unknown(ctx, { ...h, detail: `PodReadyToStartContainers reported at ${c.lastTransitionTime}, after the containers started` });
  ctx.hops.push({ ...h, at: c.lastTransitionTime, source: 'condition', detail: 'PodReadyToStartContainers=True' });
}

/** The kubelet's part: sandbox, then per container image, create, start; then Ready. */
function kubeletHops(ctx: Ctx, o: TracedObject): void {
  const pod = o.object as PodLike;
  const node = pod.spec?.nodeName;
  const actor = node ? `kubelet ${node}` : 'kubelet';
  const base = { actor, object: ref(o), chain: o.chain };
  sandboxHop(ctx, o, base);
  for (const c of pod.spec?.containers ?? []) {
    const onContainer = (reason: string) => (e: CoreEvent) => e.reason === reason && e.involvedObject?.fieldPath === `spec.containers{${c.name}}`;
    const pulling = takeEvent(ctx, o.uid, onContainer('Pulling'));
    if (pulling) ctx.hops.push(fromEvent(pulling, { ...base, action: `pulling image ${c.image ?? ''}`, rank: RANK.pulling }));
    const steps: [string, number, string][] = [
      ['Pulled', RANK.pulled, `pulled or found image ${c.image ?? ''}`],
      ['Created', RANK.containerCreated, `created container ${c.name}`],
      ['Started', RANK.started, `started container ${c.name}`],
    ];
    for (const [reason, rank, action] of steps) {
      const e = takeEvent(ctx, o.uid, onContainer(reason));
      const text = reason === 'Pulled' && e?.message?.includes('already present') ? `image ${c.image ?? ''} already present` : reason === 'Pulled' ? `pulled image ${c.image ?? ''}` : action;
      if (e) ctx.hops.push(fromEvent(e, { ...base, action: text, rank }));
      else unknown(ctx, { ...base, action, rank });
    }
  }
  const ready = condition(o, 'Ready');
  if (ready?.status === 'True' && ready.lastTransitionTime) ctx.hops.push({ ...base, action: 'became Ready', rank: RANK.ready, at: ready.lastTransitionTime, source: 'condition', detail: 'Ready=True' });
  else unknown(ctx, { ...base, action: 'became Ready', rank: RANK.ready, detail: ready ? `Ready=${ready.status}${ready.reason ? ` (${ready.reason})` : ''}` : 'not Ready yet' });
}

export function podHops(ctx: Ctx, o: TracedObject): void {
  created(ctx, o, RANK.podCreated, (e) => e.reason === 'SuccessfulCreate' && (e.message ?? '').endsWith(`: ${o.name}`));
  scheduled(ctx, o, (o.object as PodLike).spec?.nodeName);
  kubeletHops(ctx, o);
}

export { created, userWrites, takeEvent, eventsOn, unknown, fromEvent, audits, ref, type Ctx };
