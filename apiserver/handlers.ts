// Maps an HTTP request on a resource path to a store operation (k8s' endpoints/handlers).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { apiVersionOf } from '../api/resources.js';
import { duplicateFields, unknownFields } from '../api/schema.js';
import { errors, successStatus } from '../api/status.js';
import { isObject, type KObject } from '../api/types.js';
import { decodeBody, negotiate, patchTypeOf, type Negotiated } from './encoding.js';
import { parseListOptions, q1, qBool, type Query } from './list-options.js';
import { applyPatch } from './patching.js';
import type { DeleteOptions, ResourceStore, WriteOptions } from './registry.js';
import type { RequestInfo } from './request-info.js';
import { includeObjectParam, sendList, sendObject, sendRaw } from './responses.js';
import { createReview, type ReviewDeps } from './auth/reviews.js';
import type { TokenRequestDeps } from './auth/token-request.js';
import { handleSubresource } from './subresources.js';
import { serveWatch, type WatchSettings } from './watch.js';

export interface HandlerContext {
  store(group: string, resource: string): ResourceStore;
  watch: WatchSettings;
  /** Reviews (TokenReview, SubjectAccessReview…) and TokenRequests; absent in the unsafe plain-HTTP mode. */
  security?: SecurityHandlers;
}

export interface SecurityHandlers {
  reviews: ReviewDeps;
  tokenRequests?: TokenRequestDeps;
}

/** The write options of a request: dryRun, fieldValidation, and who asks (for admission). */
export function writeOptions(query: Query, req?: FastifyRequest, admissionSubresource?: string): WriteOptions {
  const dryRun = query.dryRun;
  const fv = q1(query, 'fieldValidation');
  if (fv !== undefined && !['Strict', 'Warn', 'Ignore'].includes(fv)) {
    throw errors.badRequest(`fieldValidation: Unsupported value: "${fv}": supported values: "Ignore", "Strict", "Warn"`);
  }
  if (dryRun !== undefined && (Array.isArray(dryRun) ? dryRun : [dryRun]).some((d) => d !== 'All')) {
    throw errors.badRequest('dryRun: Unsupported value: only "All" is supported');
  }
  return {
    dryRun: dryRun !== undefined,
    fieldValidation: fv ?? 'Warn',
    ...(req?.k8s?.user ? { user: req.k8s.user } : {}),
    ...(admissionSubresource ? { admissionSubresource } : {}),
  };
}

/** Strict: unknown fields are a 400; Warn: they come back as Warning headers. */
export function checkFields(reply: FastifyReply, obj: unknown, apiVersion: string, kind: string, mode: string | undefined, rawJson?: string): void {
  if (mode === 'Ignore' || !isObject(obj)) return;
  const problems = [
    ...unknownFields(apiVersion, kind, obj).map((f) => `unknown field "${f}"`),
    ...(rawJson && rawJson.trimStart().startsWith('{') ? duplicateFields(rawJson).map((f) => `duplicate field "${f}"`) : []),
  ];
  if (!problems.length) return;
  if (mode === 'Strict') throw errors.badRequest(`strict decoding error: ${problems.join(', ')}`);
  reply.header('Warning', problems.map((p) => `299 - "${p.replace(/"/g, '\\"')}"`).join(', '));
}

function rawText(req: FastifyRequest): string | undefined {
  const raw = req.body as Buffer | undefined;
  return raw && raw.length ? raw.toString('utf8') : undefined;
}

export function deleteOptions(query: Query, body: unknown, req?: FastifyRequest, admissionSubresource?: string): DeleteOptions {
  const opts: DeleteOptions = { ...writeOptions(query, req, admissionSubresource) };
  if (isObject(body)) {
    if (body.kind !== undefined && body.kind !== 'DeleteOptions') throw errors.badRequest(`expected DeleteOptions, got ${String(body.kind)}`);
    if (typeof body.gracePeriodSeconds === 'number') opts.gracePeriodSeconds = body.gracePeriodSeconds;
    if (typeof body.propagationPolicy === 'string') opts.propagationPolicy = body.propagationPolicy as DeleteOptions['propagationPolicy'];
    if (typeof body.orphanDependents === 'boolean') opts.orphanDependents = body.orphanDependents;
    if (isObject(body.preconditions)) opts.preconditions = body.preconditions as DeleteOptions['preconditions'];
    if (Array.isArray(body.dryRun) && body.dryRun.length) opts.dryRun = true;
  }
  const g = q1(query, 'gracePeriodSeconds');
  if (g !== undefined) {
    if (!/^-?\d+$/.test(g)) throw errors.badRequest(`gracePeriodSeconds: Invalid value: "${g}"`);
    opts.gracePeriodSeconds = Number(g);
  }
  const pp = q1(query, 'propagationPolicy');
  if (pp !== undefined) opts.propagationPolicy = pp as DeleteOptions['propagationPolicy'];
  if (opts.propagationPolicy && !['Background', 'Foreground', 'Orphan'].includes(opts.propagationPolicy)) {
    throw errors.badRequest(`propagationPolicy: Unsupported value: "${opts.propagationPolicy}": supported values: "Background", "Foreground", "Orphan"`);
  }
  if (opts.gracePeriodSeconds !== undefined && opts.gracePeriodSeconds < 0) opts.gracePeriodSeconds = 0;
  return opts;
}

function bodyOf(req: FastifyRequest): unknown {
  const raw = req.body as Buffer | undefined;
  return decodeBody(req.headers['content-type'], raw);
}

function optionalBody(req: FastifyRequest): unknown {
  const raw = req.body as Buffer | undefined;
  if (!raw || raw.length === 0) return undefined;
  return decodeBody(req.headers['content-type'] ?? 'application/json', raw);
}

export async function handleResource(ctx: HandlerContext, req: FastifyRequest, reply: FastifyReply, ri: RequestInfo): Promise<unknown> {
  const { info, namespace, name } = ri;
  if (info.virtual) return handleReview(ctx, req, reply, ri);
  const store = ctx.store(info.group, info.resource);
  const query = req.query as Query;
  const neg: Negotiated = negotiate(req.headers.accept);
  const includeObject = includeObjectParam(q1(query, 'includeObject'));
  if (info.namespaced && namespace === undefined && name !== undefined) {
    throw errors.notFound({ group: info.group, resource: info.resource }, name);
  }
  if (ri.subresource) return handleSubresource(ctx, req, reply, ri, store, neg);
  const method = req.method;

  if (method === 'GET') {
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
    if (opts.watch || ri.watchPath) return serveWatch(req, reply, store, namespace, opts, neg, ctx.watch);
    const list = await store.list(namespace, opts);
    return sendList(reply, info, list, neg, includeObject);
  }

  if (method === 'POST') {
    if (name !== undefined) throw errors.methodNotAllowed(`POST is not supported on a named ${info.resource} object`);
    const wo = writeOptions(query, req);
    const body = bodyOf(req);
    checkFields(reply, body, apiVersionOf(info), info.kind, wo.fieldValidation, rawText(req));
    const created = await store.create(namespace, body, wo);
    return sendObject(reply, info, created, neg, 201);
  }

  if (method === 'PUT') {
    if (name === undefined) throw errors.methodNotAllowed(`PUT requires a ${info.singular} name`);
    const wo = writeOptions(query, req);
    const body = bodyOf(req);
    checkFields(reply, body, apiVersionOf(info), info.kind, wo.fieldValidation, rawText(req));
    const { obj, created } = await store.update(namespace, name, body, wo);
    return sendObject(reply, info, obj, neg, created ? 201 : 200);
  }

  if (method === 'PATCH') {
    if (name === undefined) throw errors.methodNotAllowed(`PATCH requires a ${info.singular} name`);
    const type = patchTypeOf(req.headers['content-type']);
    const wo = writeOptions(query, req);
    const patch = bodyOf(req);
    if (type === 'apply') {
      if (!q1(query, 'fieldManager')) throw errors.badRequest('PATCH with apply requires a fieldManager query parameter');
      checkFields(reply, patch, apiVersionOf(info), info.kind, wo.fieldValidation);
    }
    const createIfMissing =
      type === 'apply'
        ? async () => {
            const obj = structuredClone(patch) as KObject;
            return store.create(namespace, obj, wo);
          }
        : undefined;
    const { obj, created } = await store.guaranteedUpdate(
      namespace,
      name,
      (cur) => {
        const next = applyPatch(type, cur, patch, info);
        // A patch that names a resourceVersion is conditional on it; otherwise it applies to
        // whatever is current (and is retried on a concurrent write).
        if (!next.metadata?.resourceVersion) next.metadata = { ...next.metadata, resourceVersion: cur.metadata?.resourceVersion };
        if (type !== 'apply') checkFields(reply, next, apiVersionOf(info), info.kind, wo.fieldValidation);
        return next;
      },
      { ...wo, createIfMissing },
    );
    return sendObject(reply, info, obj, neg, created ? 201 : 200);
  }

  if (method === 'DELETE') {
    const opts = deleteOptions(query, optionalBody(req), req);
    if (name !== undefined) {
      const { obj } = await store.delete(namespace, name, opts);
      return sendObject(reply, info, obj, neg, 200);
    }
    // deletecollection: every object the selectors match, each deleted on its own.
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
  if (qBool(query, 'watch')) throw errors.methodNotAllowed(`${method} is not allowed with watch`);
  throw errors.methodNotAllowed(`${method} is not supported on ${info.resource}`);
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

export { successStatus };
