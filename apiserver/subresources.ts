// Subresources: status, scale, binding, eviction, finalize — and the streaming ones (log,
// exec, portforward, proxy) that are handed to the kubelet connection when one is wired.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { labelSelectorFromObject } from '../api/labels.js';
import { apiVersionOf } from '../api/resources.js';
import { errors, successStatus } from '../api/status.js';
import { isObject, type KObject } from '../api/types.js';
import { decodeBody, patchTypeOf, type Negotiated } from './encoding.js';
import { checkFields, deleteOptions, writeOptions, type HandlerContext } from './handlers.js';
import { createTokenRequest } from './auth/token-request.js';
import { q1, type Query } from './list-options.js';
import { nowTime } from './object-meta.js';
import { applyPatch } from './patching.js';
import type { ResourceStore } from './registry.js';
import type { RequestInfo } from './request-info.js';
import { sendObject, sendRaw } from './responses.js';

export interface StreamingSubresources {
  /** pods/log, pods/exec, pods/attach, pods/portforward, pods/proxy, nodes/proxy. */
  handle(req: FastifyRequest, reply: FastifyReply, ri: RequestInfo, obj: KObject): Promise<unknown>;
}

const STREAMING = new Set(['log', 'exec', 'attach', 'portforward', 'proxy']);

export async function handleSubresource(
  ctx: HandlerContext & { streaming?: StreamingSubresources },
  req: FastifyRequest,
  reply: FastifyReply,
  ri: RequestInfo,
  store: ResourceStore,
  neg: Negotiated,
): Promise<unknown> {
  const { info, namespace, subresource } = ri;
  const name = ri.name!;
  const sub = subresource!;
  if (!info.subresources.includes(sub as never)) throw errors.notFound({ group: info.group, resource: `${info.resource}/${sub}` }, name);
  const query = req.query as Query;
  const m = req.method;

  if (STREAMING.has(sub)) {
    const obj = await store.get(namespace, name);
    if (!ctx.streaming) throw errors.serviceUnavailable(`${info.resource}/${sub} needs a kubelet connection, which this apiserver does not have`);
    return ctx.streaming.handle(req, reply, ri, obj);
  }

  if (sub === 'status') {
    if (m === 'GET') return sendObject(reply, info, await store.get(namespace, name), neg);
    if (m === 'PUT') {
      const body = decodeBody(req.headers['content-type'], req.body as Buffer);
      checkFields(reply, body, apiVersionOf(info), info.kind, q1(query, 'fieldValidation'));
      const { obj } = await store.update(namespace, name, body, { ...writeOptions(query, req, 'status'), subresource: 'status' });
      return sendObject(reply, info, obj, neg);
    }
    if (m === 'PATCH') {
      const type = patchTypeOf(req.headers['content-type']);
      const patch = decodeBody(req.headers['content-type'], req.body as Buffer);
      const { obj } = await store.guaranteedUpdate(
        namespace,
        name,
        (cur) => {
          const next = applyPatch(type, cur, patch, info);
          if (!next.metadata?.resourceVersion) next.metadata = { ...next.metadata, resourceVersion: cur.metadata?.resourceVersion };
          return next;
        },
        { ...writeOptions(query, req, 'status'), subresource: 'status' },
      );
      return sendObject(reply, info, obj, neg);
    }
  }

  if (sub === 'scale') {
    const toScale = (obj: KObject): KObject => scaleOf(obj);
    if (m === 'GET') return sendRaw(reply, 200, 'application/json', JSON.stringify(toScale(await store.get(namespace, name))));
    if (m === 'PUT' || m === 'PATCH') {
      const body = decodeBody(req.headers['content-type'], req.body as Buffer);
      const type = m === 'PATCH' ? patchTypeOf(req.headers['content-type']) : undefined;
      const { obj } = await store.guaranteedUpdate(namespace, name, (cur) => {
        const scale = toScale(cur);
        const next = type ? (applyPatch(type, scale, body, { ...info, group: 'autoscaling', version: 'v1', kind: 'Scale' }) as KObject) : (body as KObject);
        if (!isObject(next) || !isObject(next.spec)) throw errors.badRequest('a Scale object with spec.replicas is required');
        const replicas = next.spec.replicas;
        if (replicas !== undefined && (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0)) {
          throw errors.invalid('Scale', { group: 'autoscaling', resource: 'scale' }, name, [
            { reason: 'FieldValueInvalid', field: 'spec.replicas', message: `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0` },
          ]);
        }
        const spec = isObject(cur.spec) ? cur.spec : {};
        cur.spec = { ...spec, replicas: replicas ?? 0 };
        cur.metadata = { ...cur.metadata, resourceVersion: next.metadata?.resourceVersion || cur.metadata?.resourceVersion };
        return cur;
      }, writeOptions(query, req, 'scale'));
      return sendRaw(reply, 200, 'application/json', JSON.stringify(toScale(obj)));
    }
  }

  if (sub === 'binding' && m === 'POST') {
    const body = decodeBody(req.headers['content-type'], req.body as Buffer);
    const target = isObject(body) && isObject(body.target) ? body.target : undefined;
    const node = typeof target?.name === 'string' ? target.name : '';
    if (!node) throw errors.invalid('Binding', { group: '', resource: 'bindings' }, name, [{ reason: 'FieldValueRequired', field: 'target.name', message: 'Required value' }]);
    await store.guaranteedUpdate(
      namespace,
      name,
      (pod) => {
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

  if (sub === 'eviction' && m === 'POST') {
    const body = decodeBody(req.headers['content-type'], req.body as Buffer);
    if (!isObject(body) || body.kind !== 'Eviction') throw errors.badRequest('an Eviction object is required');
    const opts = deleteOptions(query, isObject(body.deleteOptions) ? body.deleteOptions : undefined, req, 'eviction');
    await store.delete(namespace, name, opts);
    return sendRaw(reply, 201, 'application/json', JSON.stringify(successStatus({ code: 201 })));
  }

  if (sub === 'token' && m === 'POST') {
    const deps = ctx.security?.tokenRequests;
    // As in Kubernetes, without a signing key the subresource is not served.
    if (!deps) throw errors.notFound({ group: '', resource: 'serviceaccounts/token' }, name);
    const body = decodeBody(req.headers['content-type'], req.body as Buffer);
    const out = await createTokenRequest(deps, namespace ?? '', name, body, req.k8s.user);
    return sendRaw(reply, 201, 'application/json', JSON.stringify(out));
  }

  if (sub === 'finalize' && m === 'PUT') {
    const body = decodeBody(req.headers['content-type'], req.body as Buffer);
    const spec = isObject(body) && isObject(body.spec) ? body.spec : {};
    const { obj } = await store.guaranteedUpdate(
      namespace,
      name,
      (ns) => {
        ns.spec = { ...(isObject(ns.spec) ? ns.spec : {}), finalizers: Array.isArray(spec.finalizers) ? spec.finalizers : [] };
        return ns;
      },
      { ...writeOptions(query, req, 'finalize'), subresource: 'raw' },
    );
    return sendObject(reply, info, obj, neg);
  }

  throw errors.methodNotAllowed(`${m} is not supported on ${info.resource}/${sub}`);
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
