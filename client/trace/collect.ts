// collectTrace: the reads of a trace. From the root object down the ownership tree (Deployment
// → ReplicaSets → Pods; a Service → its EndpointSlices and selected Pods), then, for every
// object, its core Events (by involvedObject.uid) and its audit events from the apiserver's
// audit index (contract §1). All I/O goes through the caller's TraceGet.
import { auditPath, listPath, objectPath, selectorString, traceKind } from './kinds.js';
import { TraceError, type AuditAvailability, type AuditEvent, type CoreEvent, type TraceData, type TraceGet, type TracedObject, type TraceRef } from './types.js';

/** Pods beyond this many are left out (one Events and one audit GET each); the timeline says so. */
export const MAX_PODS = 30;

type Obj = TracedObject['object'] & { metadata?: { name?: string; namespace?: string; uid?: string }; spec?: Record<string, unknown> };

function statusMessage(body: unknown, fallback: string): string {
  const m = (body as { message?: unknown } | undefined)?.message;
  return typeof m === 'string' && m ? m : fallback;
}

async function getObject(get: TraceGet, path: string): Promise<Obj> {
  const r = await get(path);
  if (r.status < 200 || r.status >= 300) throw new TraceError(r.status, r.body, statusMessage(r.body, `GET ${path}: HTTP ${r.status}`));
  return r.body as Obj;
}

/** A list's items, or [] (with a note) when the list is refused: a trace shows what it may read. */
async function listItems(get: TraceGet, path: string, notes: string[]): Promise<Obj[]> {
  const r = await get(path);
  if (r.status >= 200 && r.status < 300) return ((r.body as { items?: Obj[] }).items ?? []) as Obj[];
  notes.push(`${path.split('?')[0]}: ${statusMessage(r.body, `HTTP ${r.status}`)}`);
  return [];
}

function controllerOf(o: Obj): { kind: string; name: string; uid: string } | undefined {
  const refs = o.metadata?.ownerReferences ?? [];
  return refs.find((r) => r.controller) ?? refs[0];
}

function traced(kind: string, o: Obj, parentChain: string[]): TracedObject {
  const uid = o.metadata?.uid ?? '';
  const owner = controllerOf(o);
  return {
    kind,
    namespace: o.metadata?.namespace ?? '',
    name: o.metadata?.name ?? '',
    uid,
    chain: [...parentChain, uid],
    ...(owner ? { ownerKind: owner.kind, ownerName: owner.name } : {}),
    object: o,
  };
}

const ownedBy = (o: Obj, uids: Set<string>) => (o.metadata?.ownerReferences ?? []).some((r) => uids.has(r.uid));

/** The objects below the root, each with its causal chain. */
async function descendants(get: TraceGet, kind: string, root: Obj, ns: string, notes: string[]): Promise<TracedObject[]> {
  const rootUid = root.metadata?.uid ?? '';
  const spec = root.spec ?? {};
  const pods = (selector: string | undefined) => listItems(get, listPath('/api/v1', 'pods', ns, { labelSelector: selector }), notes);
  if (kind === 'Deployment') {
    const selector = selectorString(spec.selector as { matchLabels?: Record<string, string> });
    const sets = (await listItems(get, listPath('/apis/apps/v1', 'replicasets', ns, { labelSelector: selector }), notes)).filter((rs) => ownedBy(rs, new Set([rootUid])));
    const out = sets.map((rs) => traced('ReplicaSet', rs, [rootUid]));
    const bySet = new Map(out.map((t) => [t.uid, t.chain]));
    for (const p of await pods(selector)) {
      const owner = controllerOf(p);
      const chain = owner && bySet.get(owner.uid);
      if (chain) out.push(traced('Pod', p, chain));
    }
    return out;
  }
  if (kind === 'Service') {
    const slices = await listItems(get, listPath('/apis/discovery.k8s.io/v1', 'endpointslices', ns, { labelSelector: `kubernetes.io/service-name=${root.metadata?.name ?? ''}` }), notes);
    const out = slices.map((s) => traced('EndpointSlice', s, [rootUid]));
    const selector = selectorString(spec.selector as Record<string, string> | undefined, true);
    if (selector) for (const p of await pods(selector)) out.push(traced('Pod', p, [rootUid]));
    return out;
  }
  if (kind === 'Pod') return [];
  // ReplicaSet, ReplicationController, StatefulSet, DaemonSet, Job: the pods they own.
  const sel = kind === 'ReplicationController' ? selectorString(spec.selector as Record<string, string> | undefined, true) : selectorString(spec.selector as { matchLabels?: Record<string, string> });
  return (await pods(sel)).filter((p) => ownedBy(p, new Set([rootUid]))).map((p) => traced('Pod', p, [rootUid]));
}

/** Keeps the newest MAX_PODS pods. */
function capPods(objs: TracedObject[], notes: string[]): TracedObject[] {
  const pods = objs.filter((o) => o.kind === 'Pod');
  if (pods.length <= MAX_PODS) return objs;
  const created = (o: TracedObject) => o.object.metadata?.creationTimestamp ?? '';
  const keep = new Set(pods.sort((a, b) => created(b).localeCompare(created(a))).slice(0, MAX_PODS));
  notes.push(`${pods.length} pods: traced the newest ${MAX_PODS}`);
  return objs.filter((o) => o.kind !== 'Pod' || keep.has(o));
}

async function eventsOf(get: TraceGet, ns: string, uid: string, notes: string[]): Promise<CoreEvent[]> {
  return (await listItems(get, listPath('/api/v1', 'events', ns, { fieldSelector: `involvedObject.uid=${uid}` }), notes)) as unknown as CoreEvent[];
}

/** The audit index's answer for each uid; a refusal of the first GET decides for all. */
async function auditOf(get: TraceGet, ns: string, uids: string[]): Promise<{ audit: AuditAvailability; byUid: Record<string, AuditEvent[]> }> {
  const byUid: Record<string, AuditEvent[]> = {};
  const one = async (uid: string): Promise<AuditAvailability> => {
    const r = await get(auditPath(ns, uid));
    if (r.status >= 200 && r.status < 300) {
      byUid[uid] = ((r.body as { items?: AuditEvent[] }).items ?? []).filter((e) => !e.stage || e.stage === 'ResponseComplete');
      return { status: 'ok' };
    }
    const status = r.status === 403 || r.status === 401 ? 'forbidden' : r.status === 404 ? 'unavailable' : 'error';
    return { status, code: r.status, message: statusMessage(r.body, `HTTP ${r.status}`) };
  };
  const [first, ...rest] = uids;
  if (first === undefined) return { audit: { status: 'ok' }, byUid };
  const audit = await one(first);
  if (audit.status !== 'ok') return { audit, byUid };
  await Promise.all(rest.map(one));
  return { audit, byUid };
}

export async function collectTrace(get: TraceGet, ref: TraceRef): Promise<TraceData> {
  const k = traceKind(ref.kind);
  if (!k) throw new TraceError(400, undefined, `kind "${ref.kind}" cannot be traced (traceable: Deployment, ReplicaSet, ReplicationController, StatefulSet, DaemonSet, Job, Pod, Service)`);
  const root = await getObject(get, objectPath(k, ref.namespace, ref.name));
  const uid = root.metadata?.uid ?? '';
  const notes: string[] = [];
  const objects = [traced(k.kind, root, []), ...capPods(await descendants(get, k.kind, root, ref.namespace, notes), notes)];
  const [events, audit] = await Promise.all([
    Promise.all(objects.map((o) => eventsOf(get, ref.namespace, o.uid, notes))).then((lists) => lists.flat()),
    auditOf(get, ref.namespace, objects.map((o) => o.uid)),
  ]);
  return { root: { kind: k.kind, namespace: ref.namespace, name: ref.name, uid }, objects, events, audit: audit.audit, auditByUid: audit.byUid, ...(notes.length ? { notes } : {}) };
}
