// Maps an HTTP request on a resource path to a store operation (k8s' endpoints/handlers:
// get.go, create.go, update.go, patch.go, delete.go), one function per verb.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { apiVersionOf, storedInfoOf } from '../../api/resources.js';
import { errors } from '../../api/status.js';
import type { KObject } from '../../api/types.js';
import { negotiate, patchTypeOf, type Negotiated } from './encoding.js';
import { parseListOptions, q1, qBool, type Query } from '../registry/list-options.js';
import { applyPatch } from './patch.js';
import type { ResourceStore } from '../registry/store.js';
import type { RequestInfo } from './request-info.js';
import { includeObjectParam, sendList, sendObject, sendRaw } from './responses.js';
import { createReview } from '../auth/reviews.js';
import type { HandlerContext } from './context.js';
import { bodyOf, checkFields, deleteOptions, noteObjectUID, optionalBody, rawText, writeOptions } from './rest.js';
import { handleSubresource } from './subresources.js';
import { patchServed, toStored } from './conversion.js';
import { serveWatch } from './watch.js';
import { customUnknownFields } from '../apiextensions/cr-strategy.js';

/** One request on a resource path, with what every verb needs already worked out. */
interface ResourceRequest {
  ctx: HandlerContext;
  req: FastifyRequest;
  reply: FastifyReply;
  ri: RequestInfo;
  store: ResourceStore;
  query: Query;
  neg: Negotiated;
}

export async function handleResource(ctx: HandlerContext, req: FastifyRequest, reply: FastifyReply, ri: RequestInfo): Promise<unknown> {
  const { info, namespace, name } = ri;
  if (info.virtual) return handleReview(ctx, req, reply, ri);
  const stored = storedInfoOf(info);
  // A custom resource's store is its served version's (the codec converts at the etcd edge).
  const store = ctx.store(stored.group, stored.resource, stored.version);
  const query = req.query as Query;
  const neg: Negotiated = negotiate(req.headers.accept);
  if (info.namespaced && namespace === undefined && name !== undefined) {
    throw errors.notFound({ group: info.group, resource: info.resource }, name);
  }
  if (ri.subresource) return handleSubresource(ctx, req, reply, ri, store, neg);
  const r: ResourceRequest = { ctx, req, reply, ri, store, query, neg };
  switch (req.method) {
    case 'GET':
      return getOrWatch(r);
    case 'POST':
      return create(r);
    case 'PUT':
      return update(r);
    case 'PATCH':
      return patch(r);
    case 'DELETE':
      return name !== undefined ? deleteOne(r, name) : deleteCollection(r);
  }
  if (qBool(query, 'watch')) throw errors.methodNotAllowed(`${req.method} is not allowed with watch`);
  throw errors.methodNotAllowed(`${req.method} is not supported on ${info.resource}`);
}

/** GET: one object, a list, or (watch=true, /watch/…) a watch. */
async function getOrWatch({ ctx, req, reply, ri, store, query, neg }: ResourceRequest): Promise<unknown> {
  const { info, namespace, name } = ri;
  const includeObject = includeObjectParam(q1(query, 'includeObject'));
  if (name !== undefined && !ri.watchPath) {
    const obj = await store.get(namespace, name, q1(query, 'resourceVersion'));
    return sendObject(reply, info, obj, neg, 200, includeObject);
  }
  const opts = parseListOptions(info, query);
  if (name !== undefined) {
    // /watch/…/name: a watch on one object is a watch with a metadata.name field selector.
    const fs = `metadata.name=${name}`;
    Object.assign(opts, parseListOptions(info, { ...query, fieldSelector: query.fieldSelector ? `${String(query.fieldSelector)},${fs}` : fs }));
  }
  if (opts.watch || ri.watchPath) return serveWatch(req, reply, store, namespace, opts, neg, ctx.watch, info);
  const list = await store.list(namespace, opts);
  return sendList(reply, info, list, neg, includeObject);
}

async function create({ req, reply, ri, store, query, neg }: ResourceRequest): Promise<unknown> {
  const { info, namespace, name } = ri;
  if (name !== undefined) throw errors.methodNotAllowed(`POST is not supported on a named ${info.resource} object`);
  const wo = writeOptions(query, req);
  const body = bodyOf(req);
  checkFields(reply, body, apiVersionOf(info), info.kind, wo.fieldValidation, rawText(req), customUnknownFields(info));
  const created = await store.create(namespace, toStored(info, body), wo);
  noteObjectUID(req, created);
  return sendObject(reply, info, created, neg, 201);
}

async function update({ req, reply, ri, store, query, neg }: ResourceRequest): Promise<unknown> {
  const { info, namespace, name } = ri;
  if (name === undefined) throw errors.methodNotAllowed(`PUT requires a ${info.singular} name`);
  const wo = writeOptions(query, req);
  const body = bodyOf(req);
  checkFields(reply, body, apiVersionOf(info), info.kind, wo.fieldValidation, rawText(req), customUnknownFields(info));
  const { obj, created } = await store.update(namespace, name, toStored(info, body), wo);
  noteObjectUID(req, obj);
  return sendObject(reply, info, obj, neg, created ? 201 : 200);
}

async function patch({ req, reply, ri, store, query, neg }: ResourceRequest): Promise<unknown> {
  const { info, namespace, name } = ri;
  if (name === undefined) throw errors.methodNotAllowed(`PATCH requires a ${info.singular} name`);
  const type = patchTypeOf(req.headers['content-type']);
  const wo = writeOptions(query, req);
  const patchBody = bodyOf(req);
  if (type === 'apply') {
    if (!q1(query, 'fieldManager')) throw errors.badRequest('PATCH with apply requires a fieldManager query parameter');
    checkFields(reply, patchBody, apiVersionOf(info), info.kind, wo.fieldValidation, undefined, customUnknownFields(info));
  }
  const createIfMissing =
    type === 'apply'
      ? async () => {
          const obj = structuredClone(patchBody) as KObject;
          return store.create(namespace, toStored(info, obj), wo);
        }
      : undefined;
  const { obj, created } = await store.guaranteedUpdate(
    namespace,
    name,
    (cur) => {
      // Known before the patch applies: a patch that fails validation is still this object's.
      noteObjectUID(req, cur);
      return patchServed(info, cur, (served) => {
        const next = applyPatch(type, served, patchBody, info);
        // A patch that names a resourceVersion is conditional on it; otherwise it applies to
        // whatever is current (and is retried on a concurrent write).
        if (!next.metadata?.resourceVersion) next.metadata = { ...next.metadata, resourceVersion: cur.metadata?.resourceVersion };
        if (type !== 'apply') checkFields(reply, next, apiVersionOf(info), info.kind, wo.fieldValidation, undefined, customUnknownFields(info));
        return next;
      });
    },
    { ...wo, createIfMissing },
  );
  noteObjectUID(req, obj);
  return sendObject(reply, info, obj, neg, created ? 201 : 200);
}

async function deleteOne({ req, reply, ri, store, query, neg }: ResourceRequest, name: string): Promise<unknown> {
  const opts = deleteOptions(query, optionalBody(req), req);
  const { obj } = await store.delete(ri.namespace, name, opts);
  noteObjectUID(req, obj);
  return sendObject(reply, ri.info, obj, neg, 200);
}

/** deletecollection: every object the selectors match, each deleted on its own. */
async function deleteCollection({ req, reply, ri, store, query, neg }: ResourceRequest): Promise<unknown> {
  const { info, namespace } = ri;
  const opts = deleteOptions(query, optionalBody(req), req);
  const listOpts = parseListOptions(info, query);
  const list = await store.list(namespace, { ...listOpts, limit: 0, continueToken: undefined, resourceVersion: undefined, resourceVersionMatch: undefined });
  const deleted = [];
  for (const { obj } of list.items) {
    try {
      deleted.push((await store.delete(obj.metadata?.namespace, obj.metadata?.name ?? '', opts)).obj);
    } catch (e) {
      if (!(e instanceof Error && 'code' in e && (e as { code: number }).code === 404)) throw e;
    }
  }
  return sendList(reply, info, { items: deleted.map((o) => ({ obj: o, json: JSON.stringify(o) })), resourceVersion: list.resourceVersion }, neg);
}

/** POST of a review: answered, never stored (201 with the review and its status, as Kubernetes). */
async function handleReview(ctx: HandlerContext, req: FastifyRequest, reply: FastifyReply, ri: RequestInfo): Promise<unknown> {
  const { info, name } = ri;
  if (req.method !== 'POST' || name !== undefined) throw errors.methodNotAllowed(`${req.method} is not supported on ${info.resource}: it can only be created`);
  const reviews = ctx.security?.reviews;
  if (!reviews) throw errors.notFound({ group: info.group, resource: info.resource }, '');
  const body = bodyOf(req);
  const out = await createReview(reviews, info, ri.namespace, body, req.k8s.user ?? { username: '', groups: [] });
  return sendRaw(reply, 201, 'application/json', JSON.stringify(out));
}
