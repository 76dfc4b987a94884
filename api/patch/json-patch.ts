// RFC 7386 JSON merge patch and RFC 6902 JSON patch, with the Status errors the apiserver
// returns for them (application/merge-patch+json and application/json-patch+json).
import jsonpatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import { isObject } from '../types.js';
import { StatusError, errors } from '../status.js';
import { rejected } from './errors.js';

/** RFC 7386: objects merge key by key, `null` deletes, anything else replaces. Inputs are not mutated. */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return structuredClone(patch);
  const out: Record<string, unknown> = isObject(target) ? structuredClone(target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = applyMergePatch(out[k], v);
  }
  return out;
}

/** The apiserver refuses JSON patches longer than this (maxJSONPatchOperations). */
const MAX_OPERATIONS = 10000;
const OPS = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test']);

function describe(e: { name: string; message: string }, op: Record<string, unknown>): string {
  const path = String(op.path);
  switch (e.name) {
    case 'TEST_OPERATION_FAILED':
      return `testing value ${path} failed: test failed`;
    case 'OPERATION_FROM_UNRESOLVABLE':
      return `${String(op.op)} operation does not apply: doc is missing from path: ${String(op.from)}: missing value`;
    case 'OPERATION_PATH_UNRESOLVABLE':
    case 'OPERATION_PATH_CANNOT_ADD':
      return `${String(op.op)} operation does not apply: doc is missing path: "${path}": missing value`;
    case 'OPERATION_PATH_ILLEGAL_ARRAY_INDEX':
    case 'OPERATION_VALUE_OUT_OF_BOUNDS':
      return `Unable to access invalid index: ${path.slice(path.lastIndexOf('/') + 1)}: invalid index referenced`;
    default:
      return e.message;
  }
}

/**
 * Applies RFC 6902 operations. A body that is not a list of operations is 400 BadRequest; an
 * operation that cannot apply (unknown op, missing path, failed `test`) is 422 as in k8s.
 * The target is not mutated.
 */
export function applyJsonPatch(target: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw errors.badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  if (ops.length > MAX_OPERATIONS) {
    throw errors.tooLarge(`The allowed maximum operations in a JSON patch is ${MAX_OPERATIONS}, got ${ops.length}`);
  }
  let doc = structuredClone(target);
  ops.forEach((raw, index) => {
    if (!isObject(raw)) throw errors.badRequest(`json: cannot unmarshal ${typeof raw} into Go value of type jsonpatch.Operation`);
    if (typeof raw.op !== 'string' || !OPS.has(raw.op)) throw rejected(`Unexpected kind: ${String(raw.op)}`);
    if (typeof raw.path !== 'string') throw rejected(`${raw.op} operation missing path`);
    if ((raw.op === 'move' || raw.op === 'copy') && typeof raw.from !== 'string') throw rejected(`${raw.op} operation missing from`);
    if ((raw.op === 'add' || raw.op === 'replace' || raw.op === 'test') && !Object.hasOwn(raw, 'value')) {
      throw rejected(`${raw.op} operation missing value`);
    }
    try {
      doc = jsonpatch.applyOperation(doc, raw as unknown as Operation, true, true, true, index).newDocument;
    } catch (e) {
      if (e instanceof StatusError) throw e;
      if (e instanceof jsonpatch.JsonPatchError) throw rejected(describe(e, raw));
      throw e;
    }
  });
  return doc;
}
