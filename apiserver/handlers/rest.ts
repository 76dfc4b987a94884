// What the resource and subresource handlers share (k8s' endpoints/handlers/rest.go): the
// write and delete options of a request, field validation, and the request body decoded.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { duplicateFields, unknownFields } from '../../api/schema.js';
import { errors } from '../../api/status.js';
import { isObject, type KObject } from '../../api/types.js';
import { decodeBody } from './encoding.js';
import { q1, type Query } from '../registry/list-options.js';
import type { DeleteOptions, WriteOptions } from '../registry/store.js';

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

/**
 * Strict: unknown fields are a 400; Warn: they come back as Warning headers. `unknownOf` finds
 * them for kinds without a built-in schema (a custom resource's, from its CRD).
 */
export function checkFields(
  reply: FastifyReply,
  obj: unknown,
  apiVersion: string,
  kind: string,
  mode: string | undefined,
  rawJson?: string,
  unknownOf?: (obj: Record<string, unknown>) => string[],
): void {
  if (mode === 'Ignore' || !isObject(obj)) return;
  const problems = [
    ...(unknownOf ? unknownOf(obj) : unknownFields(apiVersion, kind, obj)).map((f) => `unknown field "${f}"`),
    ...(rawJson && rawJson.trimStart().startsWith('{') ? duplicateFields(rawJson).map((f) => `duplicate field "${f}"`) : []),
  ];
  if (!problems.length) return;
  if (mode === 'Strict') throw errors.badRequest(`strict decoding error: ${problems.join(', ')}`);
  reply.header('Warning', problems.map((p) => `299 - "${p.replace(/"/g, '\\"')}"`).join(', '));
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

/** The request body as text, for the duplicate-field check. */
export function rawText(req: FastifyRequest): string | undefined {
  const raw = req.body as Buffer | undefined;
  return raw && raw.length ? raw.toString('utf8') : undefined;
}

export function bodyOf(req: FastifyRequest): unknown {
  const raw = req.body as Buffer | undefined;
  return decodeBody(req.headers['content-type'], raw);
}

/** A body that may be absent (DELETE's DeleteOptions); JSON when no Content-Type is sent. */
export function optionalBody(req: FastifyRequest): unknown {
  const raw = req.body as Buffer | undefined;
  if (!raw || raw.length === 0) return undefined;
  return decodeBody(req.headers['content-type'] ?? 'application/json', raw);
}

/**
 * Hands the uid of the object a write acted on to the audit stage (RequestContext.objectUID),
 * for the audit index: the created, updated or deleted object's, or a subresource's parent's.
 */
export function noteObjectUID(req: FastifyRequest, obj: KObject | undefined): void {
  const uid = obj?.metadata?.uid;
  if (uid && req.k8s) {
    req.k8s.objectUID = uid;
    if (obj?.metadata?.name) req.k8s.objectName = obj.metadata.name;
  }
}
