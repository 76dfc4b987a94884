// Subresources: status, scale, binding, eviction, token, finalize — and the streaming ones (log,
// exec, attach, portforward, proxy) that are handed to the kubelet connection when one is wired.
// One function per subresource; each answers undefined for a method it does not serve.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { labelSelectorFromObject } from '../../api/labels.js';
import { apiVersionOf, type ResourceInfo } from '../../api/resources.js';
import { errors, successStatus } from '../../api/status.js';
import { isObject, type KObject } from '../../api/types.js';
import { decodeBody, patchTypeOf, type Negotiated } from './encoding.js';
import type { HandlerContext } from './context.js';
import { checkFields, deleteOptions, noteObjectUID, writeOptions } from './rest.js';
import { createTokenRequest } from '../auth/token-request.js';
import { evictPod } from './eviction.js';
import { q1, type Query } from '../registry/list-options.js';
import { nowTime } from '../registry/object-meta.js';
import { applyPatch } from './patch.js';
import type { ResourceStore } from '../registry/store.js';
import type { RequestInfo } from './request-info.js';
import { sendObject, sendRaw } from './responses.js';
import { customResourceScale, setCustomResourceReplicas } from '../apiextensions/scale.js';
import { customUnknownFields } from '../apiextensions/cr-strategy.js';
import { patchServed, toStored } from './conversion.js';

/** One request on a subresource path, with what every subresource needs already worked out. */
interface SubresourceRequest {
  ctx: HandlerContext;
  req: FastifyRequest;
  reply: FastifyReply;
  ri: RequestInfo;
  store: ResourceStore;
  neg: Negotiated;
  query: Query;
  namespace: string | undefined;
  name: string;
}

type SubresourceHandler = (r: SubresourceRequest) => Promise<unknown> | undefined;

const STREAMING = new Set(['log', 'exec', 'attach', 'portforward', 'proxy']);

const HANDLERS: Record<string, SubresourceHandler> = {
  status: (r) => (r.req.method === 'GET' ? getStatus(r) : r.req.method === 'PUT' ? putStatus(r) : r.req.method === 'PATCH' ? patchStatus(r) : undefined),
  scale: (r) => (r.req.method === 'GET' ? getScale(r) : r.req.method === 'PUT' || r.req.method === 'PATCH' ? updateScale(r) : undefined),
  binding: (r) => (r.req.method === 'POST' ? createBinding(r) : undefined),
  eviction: (r) => (r.req.method === 'POST' ? createEviction(r) : undefined),
  token: (r) => (r.req.method === 'POST' ? createToken(r) : undefined),
  finalize: (r) => (r.req.method === 'PUT' ? putFinalize(r) : undefined),
};

export async function handleSubresource(
  ctx: HandlerContext,
  req: FastifyRequest,
  reply: FastifyReply,
  ri: RequestInfo,
  store: ResourceStore,
  neg: Negotiated,
): Promise<unknown> {
  const { info, namespace } = ri;
  const name = ri.name!;
  const sub = ri.subresource!;
  if (!info.subresources.includes(sub as never)) throw errors.notFound({ group: info.group, resource: `${info.resource}/${sub}` }, name);
  if (STREAMING.has(sub)) {
    const obj = await store.get(namespace, name);
    if (!ctx.streaming) throw errors.serviceUnavailable(`${info.resource}/${sub} needs a kubelet connection, which this apiserver does not have`);
    return ctx.streaming.handle(req, reply, ri, obj);
  }
  const handled = HANDLERS[sub]?.({ ctx, req, reply, ri, store, neg, query: req.query as Query, namespace, name });
  if (handled) return handled;
  throw errors.methodNotAllowed(`${req.method} is not supported on ${info.resource}/${sub}`);
}

async function getStatus({ reply, ri, store, neg, namespace, name }: SubresourceRequest): Promise<unknown> {
  return sendObject(reply, ri.info, await store.get(namespace, name), neg);
}

async function putStatus({ req, reply, ri, store, neg, query, namespace, name }: SubresourceRequest): Promise<unknown> {
  const info = ri.info;
  const body = decodeBody(req.headers['content-type'], req.body as Buffer);
  checkFields(reply, body, apiVersionOf(info), info.kind, q1(query, 'fieldValidation'), undefined, customUnknownFields(info));
  const { obj } = await store.update(namespace, name, toStored(info, body), { ...writeOptions(query, req, 'status'), subresource: 'status' });
  noteObjectUID(req, obj);
  return sendObject(reply, info, obj, neg);
}

async function patchStatus({ req, reply, ri, store, neg, query, namespace, name }: SubresourceRequest): Promise<unknown> {
  const info = ri.info;
  const type = patchTypeOf(req.headers['content-type']);
  const patch = decodeBody(req.headers['content-type'], req.body as Buffer);
  const { obj } = await store.guaranteedUpdate(
    namespace,
    name,
    (cur) => {
      noteObjectUID(req, cur);
      return patchServed(info, cur, (served) => {
        const next = applyPatch(type, served, patch, info);
        if (!next.metadata?.resourceVersion) next.metadata = { ...next.metadata, resourceVersion: cur.metadata?.resourceVersion };
        return next;
      });
    },
    { ...writeOptions(query, req, 'status'), subresource: 'status' },
  );
  return sendObject(reply, info, obj, neg);
}

/** A workload's Scale, or a custom resource's from the paths its CRD names. */
function scaleView(info: ResourceInfo, obj: KObject): KObject {
  return info.custom?.scale ? customResourceScale(obj, info.custom.scale) : scaleOf(obj);
}

async function getScale({ reply, ri, store, namespace, name }: SubresourceRequest): Promise<unknown> {
  return sendRaw(reply, 200, 'application/json', JSON.stringify(scaleView(ri.info, await store.get(namespace, name))));
}

/** PUT or PATCH of the Scale: only spec.replicas reaches the workload. */
async function updateScale({ req, reply, ri, store, query, namespace, name }: SubresourceRequest): Promise<unknown> {
  const body = decodeBody(req.headers['content-type'], req.body as Buffer);
  const type = req.method === 'PATCH' ? patchTypeOf(req.headers['content-type']) : undefined;
  const { obj } = await store.guaranteedUpdate(namespace, name, (cur) => {
    noteObjectUID(req, cur);
    const scale = scaleView(ri.info, cur);
    const next = type ? (applyPatch(type, scale, body, { ...ri.info, group: 'autoscaling', version: 'v1', kind: 'Scale', custom: undefined }) as KObject) : (body as KObject);
    if (!isObject(next) || !isObject(next.spec)) throw errors.badRequest('a Scale object with spec.replicas is required');
    const replicas = next.spec.replicas;
    if (replicas !== undefined && (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0)) {
      throw errors.invalid('Scale', { group: 'autoscaling', resource: 'scale' }, name, [
        { reason: 'FieldValueInvalid', field: 'spec.replicas', message: `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0` },
      ]);
    }
    const spec = isObject(cur.spec) ? cur.spec : {};
    if (ri.info.custom?.scale) setCustomResourceReplicas(cur, ri.info.custom.scale, replicas ?? 0);
    else cur.spec = { ...spec, replicas: replicas ?? 0 };
    cur.metadata = { ...cur.metadata, resourceVersion: next.metadata?.resourceVersion || cur.metadata?.resourceVersion };
    return cur;
  }, writeOptions(query, req, 'scale'));
  return sendRaw(reply, 200, 'application/json', JSON.stringify(scaleView(ri.info, obj)));
}

/** pods/binding: the scheduler's decision, written as spec.nodeName and PodScheduled=True. */
async function createBinding({ req, reply, store, query, namespace, name }: SubresourceRequest): Promise<unknown> {
  const body = decodeBody(req.headers['content-type'], req.body as Buffer);
  const target = isObject(body) && isObject(body.target) ? body.target : undefined;
  const node = typeof target?.name === 'string' ? target.name : '';
  if (!node) throw errors.invalid('Binding', { group: '', resource: 'bindings' }, name, [{ reason: 'FieldValueRequired', field: 'target.name', message: 'Required value' }]);
  await store.guaranteedUpdate(
    namespace,
    name,
    (pod) => {
      noteObjectUID(req, pod);
      const spec = isObject(pod.spec) ? pod.spec : {};
      if (pod.metadata?.deletionTimestamp) throw errors.conflict(store.gr, name, `pod ${name} is being deleted, cannot be assigned to a host`);
      if (spec.nodeName) throw errors.conflict(store.gr, name, `pod ${name} is already assigned to node "${String(spec.nodeName)}"`);
      pod.spec = { ...spec, nodeName: node };
      const status = isObject(pod.status) ? pod.status : {};
      const conditions = (Array.isArray(status.conditions) ? status.conditions : []).filter((c) => !(isObject(c) && c.type === 'PodScheduled'));
      conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: nowTime() });
      pod.status = { ...status, conditions };
      return pod;
    },
    { ...writeOptions(query, req, 'binding'), subresource: 'raw' },
  );
  return sendRaw(reply, 201, 'application/json', JSON.stringify(successStatus({ code: 201 })));
}

async function createEviction({ ctx, req, reply, store, query, namespace, name }: SubresourceRequest): Promise<unknown> {
  const body = decodeBody(req.headers['content-type'], req.body as Buffer);
  if (!isObject(body) || body.kind !== 'Eviction') throw errors.badRequest('an Eviction object is required');
  const opts = deleteOptions(query, isObject(body.deleteOptions) ? body.deleteOptions : undefined, req, 'eviction');
  await evictPod({ pods: store, pdbs: ctx.store('policy', 'poddisruptionbudgets') }, namespace ?? '', name, body, opts, (pod) => noteObjectUID(req, pod));
  return sendRaw(reply, 201, 'application/json', JSON.stringify(successStatus({ code: 201 })));
}

async function createToken({ ctx, req, reply, namespace, name }: SubresourceRequest): Promise<unknown> {
  const deps = ctx.security?.tokenRequests;
  // As in Kubernetes, without a signing key the subresource is not served.
  if (!deps) throw errors.notFound({ group: '', resource: 'serviceaccounts/token' }, name);
  const body = decodeBody(req.headers['content-type'], req.body as Buffer);
  const out = await createTokenRequest(deps, namespace ?? '', name, body, req.k8s.user);
  return sendRaw(reply, 201, 'application/json', JSON.stringify(out));
}

async function putFinalize({ req, reply, ri, store, neg, query, namespace, name }: SubresourceRequest): Promise<unknown> {
  const body = decodeBody(req.headers['content-type'], req.body as Buffer);
  const spec = isObject(body) && isObject(body.spec) ? body.spec : {};
  const { obj } = await store.guaranteedUpdate(
    namespace,
    name,
    (ns) => {
      noteObjectUID(req, ns);
      ns.spec = { ...(isObject(ns.spec) ? ns.spec : {}), finalizers: Array.isArray(spec.finalizers) ? spec.finalizers : [] };
      return ns;
    },
    { ...writeOptions(query, req, 'finalize'), subresource: 'raw' },
  );
  return sendObject(reply, ri.info, obj, neg);
}

/** The autoscaling/v1 Scale view of a workload. */
export function scaleOf(obj: KObject): KObject {
  const spec = isObject(obj.spec) ? obj.spec : {};
  const status = isObject(obj.status) ? obj.status : {};
  const sel = spec.selector;
  let selector = '';
  if (isObject(sel)) {
    selector = obj.kind === 'ReplicationController'
      ? Object.entries(sel).map(([k, v]) => `${k}=${String(v)}`).join(',')
      : labelSelectorFromObject(sel as never).toString();
  }
  const m = obj.metadata ?? {};
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp },
    spec: { replicas: typeof spec.replicas === 'number' ? spec.replicas : 0 },
    status: { replicas: typeof status.replicas === 'number' ? status.replicas : 0, ...(selector ? { selector } : {}) },
  };
}
